"""The exercise a turn names: found, qualified by its article, slotted, and never a different one."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from .clauses import Tokens, tokenize
from .exercises import ExerciseHit, find_exercise
from .index import FUNCTION_WORDS, MAX_UTTERANCE_CHARS, RouterIndex
from .learned import features
from .outcomes import Ambiguous, Context, Match, NoMatch, Outcome
from .slots import EXERCISE_SLOT, STEP_SLOT
from .steps import LAST_STEP, extract_step
from .vocabulary import Intent

__all__ = [
    "EXERCISE_SLOT",
    "fill_exercise_slot",
    "generic",
    "model_features",
    "model_text",
    "modified",
    "names_something_else",
    "other_exercise",
    "read_turn",
    "resolve_step",
    "uses_slot",
    "with_exercise",
]


QUALIFIERS: Final = frozenset("of for in on from".split())  # "step 2 of {exercise}", "the hold in {exercise}"


def model_features(text: str, index: RouterIndex, *, guided: bool) -> str:
    """What the learned model reads for `text`: its words with the exercise named and the step
    mentioned as slots, the acknowledgements heard and whether an exercise is guided."""
    tokens, heard = tokenize(text[:MAX_UTTERANCE_CHARS], index.talk)
    _, said, _, hit = read_turn(tokens, index)
    return model_text(said, heard, hit, guided=guided)


def model_text(said: Tokens, heard: frozenset[str], hit: ExerciseHit | None, *, guided: bool) -> str:
    return features(fill_exercise_slot(said, hit).words, heard, guided)


def read_turn(tokens: Tokens, index: RouterIndex) -> tuple[Tokens, Tokens, int | None, ExerciseHit | None]:
    """The words with the step slotted and typos fixed, the same before typo fixing (what the
    model reads: its letter n-grams cope with typos), the step mentioned and the exercise named."""
    said, step = extract_step(tokens)
    fixed = Tokens(tuple(index.canonical(w) for w in said.words), said.clauses)
    return fixed, said, step, _by_article(fixed, _find_exercise(fixed, index), index)


def _by_article(tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex) -> ExerciseHit | None:
    """ "the cobra stretch from beginner yoga back bends", "the yoga cobra stretch": words of one
    article's title beside a name several articles share say which; the mention takes them in."""
    if hit is None or len(hit.slugs) < 2 or index.subjects is None:
        return hit
    start, end = hit.span
    words = tokens.words
    for slug in hit.slugs:
        title = index.subjects.title_words(slug) - FUNCTION_WORDS
        before, after = start, end
        while before > 0 and (words[before - 1] in title or words[before - 1] in QUALIFIERS):
            before -= 1
        while after < len(words) and (words[after] in title or words[after] in QUALIFIERS):
            after += 1
        if title & set(words[before:start] + words[end:after]):
            return replace(hit, slugs=(slug,), span=(before, after), whole=True, generic=False)
    return hit


def _find_exercise(tokens: Tokens, index: RouterIndex) -> ExerciseHit | None:
    """The exercise named, looked for everywhere but in a step mention ("go to step 3")."""
    words = list(tokens.words)
    for i, word in enumerate(words):
        if word == STEP_SLOT:
            words[i - 1 : i + 1] = [STEP_SLOT, STEP_SLOT]
    limits = index.thresholds
    return find_exercise(
        " ".join(words),
        index.alias_index,
        cutoff=limits.exercise,
        phonetic_cutoff=limits.exercise_by_sound,
        margin=limits.exercise_margin,
        reserved=index.exact,
    )


def modified(slotted: Tokens, hit: ExerciseHit, index: RouterIndex) -> bool:
    """ "a neck stretch", "the wall calf stretch" when we have no such: a word of its own right
    before a part of a title names another exercise."""
    start = hit.span[0]
    if hit.whole or start == 0:
        return False
    word = slotted.words[start - 1]
    known = word in FUNCTION_WORDS or word in index.talk.acknowledgements or word in index.commands
    return not (known or word.isdigit())


def other_exercise(intent: Intent, score: float, hit: ExerciseHit, index: RouterIndex) -> Outcome:
    """Never start a different exercise than the one named: ask about a close one, or say we lack it."""
    if generic(hit, index):
        return NoMatch(score, intent, reason="names an exercise we do not have")
    return Ambiguous(intent, score, hit.slugs)


def generic(hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """The exercise "named" is only a kind of movement ("stretch"): it says nothing of which."""
    if hit is None or len(hit.slugs) < 2:
        return False
    return hit.generic or len(hit.slugs) >= len(index.step_counts) // 2


def fill_exercise_slot(tokens: Tokens, hit: ExerciseHit | None) -> Tokens:
    if hit is None:
        return tokens
    start, end = hit.span
    return tokens.replace(start, end, (EXERCISE_SLOT,))


def uses_slot(slotted: Tokens, start: int, end: int) -> bool:
    """The exercise slot is in the phrasing or qualifies it: "what is step 2 of the cobra"."""
    after = slotted.words[end : end + 2]
    qualified = len(after) == 2 and after[0] in QUALIFIERS and after[1] == EXERCISE_SLOT
    return qualified or EXERCISE_SLOT in slotted.words[start:end]


def with_exercise(
    intent: Intent,
    score: float,
    hit: ExerciseHit | None,
    step: int | None,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    if hit is not None and len(hit.slugs) > 1:
        if context.current_exercise in hit.slugs and intent is not Intent.START_EXERCISE:
            return Match(intent, score, context.current_exercise, resolve_step(step, context.current_exercise, index))
        return Ambiguous(intent, score, hit.slugs, step)
    exercise = hit.slugs[0] if hit else None
    return Match(intent, score, exercise, resolve_step(step, exercise or context.current_exercise, index))


def resolve_step(step: int | None, exercise: str | None, index: RouterIndex) -> int | None:
    """'last step' becomes a number once we know which exercise it is about."""
    if step == LAST_STEP and exercise in index.step_counts:
        return index.step_counts[exercise]
    return step


def names_something_else(plain: str, hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """Unknown words with no exercise of ours named ("hold the plank"), or beside a bare generic
    word ("a neck stretch"): the person asks about an exercise or body part we do not have."""
    if hit is not None and len(hit.slugs) == 1:
        return False
    words = plain.split()
    if hit is not None:
        words = words[: hit.span[0]] + words[hit.span[1] :]
    return any(not index.lexicon.known(index.canonical(w)) for w in words)
