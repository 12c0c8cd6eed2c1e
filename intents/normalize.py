"""One normaliser, applied to phrasings when the index is built and to each utterance once."""

from __future__ import annotations

import re
from typing import Final

import jellyfish

from content.numbers import ORDINAL_WORDS, UNIT_WORDS
from content.text import ascii_fold

__all__ = ["fold", "normalize", "phonetic_key", "NUMBER_WORDS"]

CONTRACTIONS: Final = {
    "what's": "what is",
    "whats": "what is",
    "that's": "that is",
    "it's": "it is",
    "i'm": "i am",
    "im": "i am",
    "let's": "let us",
    "lets": "let us",
    "where's": "where is",
    "how's": "how is",
    "who's": "who is",
    "there's": "there is",
    "here's": "here is",
    "can't": "can not",
    "cant": "can not",
    "cannot": "can not",
    "won't": "will not",
    "don't": "do not",
    "dont": "do not",
    "didn't": "did not",
    "didnt": "did not",
    "doesn't": "does not",
    "isn't": "is not",
    "i've": "i have",
    "i'll": "i will",
    "i'd": "i would",
    "you're": "you are",
    "youre": "you are",
    "we're": "we are",
    "they're": "they are",
    "we've": "we have",
    "you've": "you have",
    "they've": "they have",
    "we'll": "we will",
    "you'll": "you will",
    "it'll": "it will",
    "that'll": "that will",
    "he's": "he is",
    "she's": "she is",
    "wasn't": "was not",
    "aren't": "are not",
    "weren't": "were not",
    "haven't": "have not",
    "hasn't": "has not",
    "wouldn't": "would not",
    "couldn't": "could not",
    "shouldn't": "should not",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "ya": "you",
    "u": "you",
    "pls": "please",
    "plz": "please",
}
# Words that carry no meaning for routing: hesitations, politeness, articles.
FILLER: Final = frozenset(
    "um umm uh uhh uhm erm er hmm hm ah oh okay ok so please well the a an like just "
    "really basically actually alright kindly".split()
)
# Number words become digits so "step three", "third step" and "step 3" look alike.
# "one" and "first" stay words ("the cobra one", "first exercise"); the step
# extractor reads them. "for" is far more often the preposition than a misheard "four".
LAST_NUMBER_WORD: Final = 12
NUMBER_WORDS: Final = {
    word: str(n) for n in range(2, LAST_NUMBER_WORD + 1) for word in (UNIT_WORDS[n], ORDINAL_WORDS[n])
}
ORDINAL_SUFFIX: Final = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
NOT_WORD: Final = re.compile(r"[^a-z0-9{}' ]+")


def fold(text: str) -> str:
    """Lower case, typographic apostrophes made plain, accents and other non-ASCII removed."""
    plain = text.replace("\u2019", "'").replace("\u2018", "'")
    return ascii_fold(plain).lower()


def _is_contracted(word: str) -> str:
    """ "break's over", "phone's ringing": a word's "'s" said for "is" (a possessive reads the same)."""
    if word.endswith("'s") and len(word) > 3:
        return word[:-2] + " is"
    return word.replace("'", "")


def normalize(text: str) -> str:
    """Lower-case, ASCII-fold, expand contractions, drop punctuation and filler, digits for numbers."""
    folded = fold(text).replace("-", " ")
    words = NOT_WORD.sub(" ", folded).split()
    out: list[str] = []
    for word in words:
        expanded = CONTRACTIONS.get(word) or _is_contracted(word)
        for part in expanded.split():
            if part and part not in FILLER:
                out.append(NUMBER_WORDS.get(part, part))
    return ORDINAL_SUFFIX.sub(r"\1", " ".join(out))


def phonetic_key(normalized: str) -> str:
    """Metaphone of each word, so sound-alike slips ("next stop", "cobbra") compare close."""
    return " ".join(
        word if word.isdigit() or word.startswith("{") else jellyfish.metaphone(word) for word in normalized.split()
    )
