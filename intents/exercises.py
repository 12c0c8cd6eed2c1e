"""Exercise names people may use, derived from the loaded content, and finding them in an utterance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from content import Library

from .normalize import normalize, phonetic_key

__all__ = [
    "Alias",
    "AliasIndex",
    "ExerciseHit",
    "build_alias_index",
    "derive_aliases",
    "find_exercise",
    "spoken_aliases",
]

# Last words that name the kind of movement, not the exercise: "cobra stretch" is also "cobra".
# Alone they still point at every exercise of that kind ("the stretch" -> which one?).
GENERIC_HEADS: Final = frozenset(
    "stretch stretches exercise exercises raise raises pose poses lift lifts hold holds "
    "curl curls press presses rotation rotations twist twists move movement".split()
)
# Words too common in ordinary talk to name an exercise by themselves.
NOT_DISTINCTIVE: Final = frozenset(
    "lying standing seated sitting kneeling hip hips leg legs arm arms back front side "
    "lower upper knee knees body chest neck shoulder shoulders foot feet hand hands to "
    "and with on of in the your my one two single double half".split()
)
COMPOUND_PREFIXES: Final = ("multi", "cross", "counter", "inter", "super", "over", "under")
MIN_SINGLE_WORD_CHARS: Final = 4  # "hip"-sized words match too much by accident
MIN_SOUND_KEY_CHARS: Final = 4  # "rice" and "raise" share the key "RS": short keys prove nothing
MIN_WORD_SIMILARITY: Final = 60  # "copra"/"cobra", "multidirectinal"/"multidirectional"; "show"/"seated" is not


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    """Normalised words people may use for the exercise(s)."""
    key: str
    """Phonetic key of `text`."""
    slugs: tuple[str, ...]
    """Every exercise this alias names: more than one means 'which one?'."""
    title: bool = False
    """The alias is some exercise's whole title."""


@dataclass(frozen=True, slots=True)
class ExerciseHit:
    slugs: tuple[str, ...]
    """The exercise named, or the close candidates when it is not clear which."""
    score: float
    span: tuple[int, int]
    """Word positions [start, end) of the mention in the normalised utterance."""
    whole: bool = True
    """The mention is a whole exercise title, not a part of one ("calf stretch")."""
    generic: bool = False
    """The mention is only a kind of movement ("stretch", "exercises"): it names none of them."""
    kind: bool = False
    """The mention says the kind of movement ("calf stretch"), not only a body part ("hamstrings")."""


def _variants(title_words: list[str]) -> set[str]:
    """Ways to say one title: whole, without its generic last word, plural/singular, split compounds."""
    forms = {" ".join(title_words)}
    if len(title_words) > 1 and title_words[-1] in GENERIC_HEADS:
        forms.add(" ".join(title_words[:-1]))
    for i in range(len(title_words)):  # contiguous parts: "leg raises", "hip stretch"
        for j in range(i + 1, len(title_words) + 1):
            forms.add(" ".join(title_words[i:j]))
    forms |= {" ".join([*f.split()[:-1], _other_number(f.split()[-1])]) for f in forms}
    split = {_split_compounds(form) for form in forms}
    return {f for f in forms | split if _usable(f)}


def _other_number(word: str) -> str:
    """'raises' <-> 'raise', 'stretch' <-> 'stretches' (English enough for exercise names)."""
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word + ("es" if word.endswith(("ch", "sh", "x", "s")) else "s")


def _split_compounds(text: str) -> str:
    words = []
    for word in text.split():
        prefix = next((p for p in COMPOUND_PREFIXES if word.startswith(p) and len(word) > len(p) + 3), None)
        words.extend([prefix, word[len(prefix) :]] if prefix else [word])
    return " ".join(words)


def _usable(form: str) -> bool:
    words = form.split()
    if len(words) > 1:  # "hip stretch" names an exercise; "stretch and" does not
        return not all(w in GENERIC_HEADS or len(w) < 3 for w in words)
    word = words[0]
    distinctive = word not in NOT_DISTINCTIVE and _other_number(word) not in NOT_DISTINCTIVE
    return distinctive and len(word) >= MIN_SINGLE_WORD_CHARS


def derive_aliases(library: Library, *, reserved: frozenset[str] = frozenset()) -> tuple[Alias, ...]:
    """Every alias of every exercise, each pointing at all exercises that share it. A part of a
    title that is a command word (`reserved`: "step" of "Step Ups", "back" of "Back Extension")
    is no alias: "go to step 3" must never start Step Ups. The whole title always is."""
    named: dict[str, set[str]] = defaultdict(set)
    for exercise in library.exercises:
        words = normalize(exercise.title).split()
        if not words:
            continue
        whole = " ".join(words)
        for form in _variants(words):
            if form == whole or not all(w in reserved for w in form.split()):
                named[form].add(exercise.slug)
        if words[-1] in GENERIC_HEADS:  # "stretch" / "stretches": every exercise of that kind
            named[words[-1]].add(exercise.slug)
            named[_other_number(words[-1])].add(exercise.slug)
    order = {e.slug: i for i, e in enumerate(library.exercises)}
    titles = {" ".join(normalize(e.title).split()) for e in library.exercises}
    return tuple(
        Alias(text, phonetic_key(text), tuple(sorted(slugs, key=order.__getitem__)), text in titles)
        for text, slugs in sorted(named.items())
    )


def spoken_aliases(library: Library) -> tuple[Alias, ...]:
    """The aliases people say aloud: each title and its endings of two words or more ("leg
    raises", "hip stretch"), either number of the last word, and the title without a generic
    last word ("cobra"); compounds also split. Typed text may use any alias ("lyings" is a
    typo of "lying"), but every name a recogniser listens for is one more it can mistake a
    short command for, so names nobody says aloud are left out."""
    said: set[str] = set()
    for exercise in library.exercises:
        words = normalize(exercise.title).split()
        if not words:  # a title of no letters we can say ("Свинг" after normalising)
            continue
        forms = set()
        for start in range(max(1, len(words) - 1)):
            ending = words[start:]
            forms |= {" ".join(ending), " ".join([*ending[:-1], _other_number(ending[-1])])}
        if len(words) == 2 and words[-1] in GENERIC_HEADS:
            forms.add(words[0])
        said |= forms | {_split_compounds(form) for form in forms}
    return tuple(alias for alias in derive_aliases(library) if alias.text in said)


def _windows(words: list[str], longest: int) -> Iterable[tuple[int, int, str]]:
    for size in range(1, min(longest, len(words)) + 1):
        for start in range(len(words) - size + 1):
            yield start, start + size, " ".join(words[start : start + size])


@dataclass(frozen=True, slots=True)
class AliasIndex:
    """The aliases arranged so that an utterance is compared only with the few it could name.
    A near match is a slip within each word, not words run together or pulled in ("to wall calf
    stretch" is not "towel calf stretch", "show me calf stretch" not "seated towel calf
    stretch"): only aliases whose every word is close to the window's word at the same place,
    by spelling (MIN_WORD_SIMILARITY) or by sound, are scored. Built once per library."""

    aliases: tuple[Alias, ...]
    texts: tuple[str, ...]
    keys: tuple[str, ...]
    at: Mapping[str, int]
    """Alias text -> its position."""
    longest: int
    """Words in the longest alias."""
    words: tuple[str, ...]
    """Every word of every alias, once."""
    sounds: Mapping[str, tuple[str, ...]]
    """Phonetic key of a word -> the alias words with that key."""
    postings: Mapping[tuple[int, int, str], frozenset[int]]
    """(words in the alias, place, word) -> the aliases with that word at that place."""

    def candidates(self, window: list[str], similar: Callable[[str], frozenset[str]]) -> frozenset[int]:
        """Aliases of the window's length whose word at each place is close to the window's."""
        found: frozenset[int] | None = None
        for place, word in enumerate(window):
            here = frozenset().union(*(self.postings.get((len(window), place, w), frozenset()) for w in similar(word)))
            found = here if found is None else found & here
            if not found:
                return frozenset()
        return found or frozenset()


def build_alias_index(aliases: tuple[Alias, ...]) -> AliasIndex:
    postings: dict[tuple[int, int, str], set[int]] = defaultdict(set)
    sounds: dict[str, set[str]] = defaultdict(set)
    for position, alias in enumerate(aliases):
        words = alias.text.split()
        for place, word in enumerate(words):
            postings[len(words), place, word].add(position)
            sounds[phonetic_key(word)].add(word)
    return AliasIndex(
        aliases=aliases,
        texts=tuple(a.text for a in aliases),
        keys=tuple(a.key for a in aliases),
        at={a.text: i for i, a in reversed(list(enumerate(aliases)))},
        longest=max((len(a.text.split()) for a in aliases), default=0),
        words=tuple(sorted({w for a in aliases for w in a.text.split()})),
        sounds={key: tuple(sorted(words)) for key, words in sounds.items()},
        postings={k: frozenset(v) for k, v in postings.items()},
    )


def _similar_words(index: AliasIndex) -> Callable[[str], frozenset[str]]:
    """The alias words close to a word said, by spelling or by sound; remembered for the turn."""
    known: dict[str, frozenset[str]] = {}

    def similar(word: str) -> frozenset[str]:
        if word not in known:
            close = process.extract(word, index.words, scorer=fuzz.ratio, score_cutoff=MIN_WORD_SIMILARITY, limit=None)
            known[word] = frozenset(w for w, _, _ in close) | frozenset(index.sounds.get(phonetic_key(word), ()))
        return known[word]

    return similar


def _hits(
    words: list[str],
    index: AliasIndex,
    cutoff: float,
    phonetic_cutoff: float,
    reserved: Mapping[str, object] | frozenset[str],
) -> list[tuple[float, int, int, int]]:
    """Every window of the utterance close to an alias: (score, length, start, alias index)."""
    similar = _similar_words(index)
    hits: list[tuple[float, int, int, int]] = []
    for start, end, window in _windows(words, index.longest + 1):
        exact = index.at.get(window)
        if exact is not None:
            hits.append((100.0, end - start, start, exact))
        elif not (window in reserved or (end - start == 1 and len(window) < MIN_SINGLE_WORD_CHARS)):
            candidates = sorted(index.candidates(words[start:end], similar))
            hits.extend(
                (score, end - start, start, alias)
                for score, alias in _near(window, candidates, index, cutoff, phonetic_cutoff)
            )
    return hits


def _near(
    window: str, candidates: list[int], index: AliasIndex, cutoff: float, phonetic_cutoff: float
) -> list[tuple[float, int]]:
    """Among aliases word for word like the window, the closest by spelling and by sound."""
    if not candidates:
        return []
    texts = [index.texts[c] for c in candidates]
    found = process.extractOne(window, texts, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
    key = phonetic_key(window)
    by_sound = None
    if len(key.replace(" ", "")) >= MIN_SOUND_KEY_CHARS:
        keys = [index.keys[c] for c in candidates]
        by_sound = process.extractOne(key, keys, scorer=fuzz.ratio, processor=None, score_cutoff=phonetic_cutoff)
    return [(h[1], candidates[h[2]]) for h in (found, by_sound) if h is not None]


def find_exercise(
    normalized: str,
    index: AliasIndex,
    *,
    cutoff: float,
    phonetic_cutoff: float,
    margin: float,
    reserved: Mapping[str, object] | frozenset[str] = frozenset(),
) -> ExerciseHit | None:
    """The best exercise mention in an utterance, by spelling or by sound; None if none is close.

    Ties go to the longer mention ("cobra stretch" over "stretch"), then the earlier one.
    A window that is itself a command (`reserved`: "repeat", "next step") names an exercise
    only by its exact alias, never by resemblance ("repeat" is not "Repeated Knee Hugs").
    """
    if not index.aliases:
        return None
    aliases = index.aliases
    hits = _hits(normalized.split(), index, cutoff, phonetic_cutoff, reserved)
    if not hits:
        return None
    # Prefer the longest mention among the near-best: "multidirectinal leg raises" (a typo,
    # 98) over its exact part "leg raises" (100); then the higher score, then the earlier.
    top = max(h[0] for h in hits)
    score, length, start, alias_index = max(
        (h for h in hits if h[0] >= top - margin), key=lambda h: (h[1], h[0], -h[2])
    )
    if len(aliases[alias_index].slugs) > 1:
        # A generic word ("stretch") is only a fallback: a specific name around it, even
        # misspelt ("copra stretch"), says which exercise is meant.
        specific = [h for h in hits if len(aliases[h[3]].slugs) == 1 and h[2] < start + length and start < h[2] + h[1]]
        if specific:
            score, length, start, alias_index = max(specific, key=lambda h: (h[1], h[0], -h[2]))
    alias = aliases[alias_index]
    heads = [w in GENERIC_HEADS for w in alias.text.split()]
    return ExerciseHit(alias.slugs, score, (start, start + length), alias.title, all(heads), any(heads))
