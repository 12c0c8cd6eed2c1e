"""Find phrasings inside natural, chatty and compound turns, and let the actionable one decide.

"yep, next bit", "alright i'm on my back now, what do i do next", "next, no wait, go back":
each phrasing found as a run of words counts when every other word of its clause is harmless
(acknowledgement, narration, chat, function words, words of the articles' steps). A word we do
not know sinks the command of its own clause only, so "play the next song" stays out of scope.
When clauses disagree, a fixed precedence decides (pain is decided before this, by
intents/pain.py); within one class the last clause wins, because people correct themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from .clauses import Tokens
from .vocabulary import Intent

__all__ = ["PRECEDENCE", "Spot", "best_spot", "find_spots"]

MAX_SPAN_WORDS: Final = 9  # the longest phrasing is eight words; longer runs cannot match
LEFTOVER_COST: Final = 2.0  # score lost per harmless word beside the command: still above `sure`
# Words that open a clause or a question: alone in a clause they are talk, not a command.
NOT_ALONE: Final = frozenset(
    "ok okay alright right yep yeah yes yup cool so now then and but actually anyway well great "
    "good nice sorry wait hmm um uh erm oh what why how who where when which".split()
)
MIN_SPOT_SCORE: Final = 91.0  # a spotted command is exact, so it is at least "sure" (90)

# Lower number wins when clauses disagree: stop > navigation > questions > settings > pause > chat.
PRECEDENCE: Final[Mapping[Intent, int]] = {
    Intent.PAIN: 0,
    Intent.STOP: 1,
    **dict.fromkeys(
        (
            Intent.NEXT_STEP,
            Intent.PREVIOUS_STEP,
            Intent.REPEAT_STEP,
            Intent.GOTO_STEP,
            Intent.RESTART,
            Intent.START_EXERCISE,
            Intent.READ_STEP,
            Intent.READ_ALL_STEPS,
            Intent.RESUME,
            Intent.COUNT_REP,
            Intent.START_TIMER,
            Intent.STOP_TIMER,
        ),
        2,
    ),
    **dict.fromkeys(
        (
            Intent.WARNING,
            Intent.THINGS_NEEDED,
            Intent.HOLD_DURATION,
            Intent.REPETITIONS,
            Intent.PROGRESS,
            Intent.OVERVIEW,
            Intent.ABOUT_AUTHOR,
            Intent.LIST_EXERCISES,
            Intent.ASK_ARTICLE,
            Intent.HELP,
        ),
        3,
    ),
    **dict.fromkeys((Intent.SLOWER, Intent.FASTER, Intent.LOUDER), 4),
    Intent.PAUSE: 5,
    **dict.fromkeys((Intent.GREETING, Intent.THANKS), 6),
    Intent.ACKNOWLEDGE: 7,
}


@dataclass(frozen=True, slots=True)
class Spot:
    intent: Intent
    start: int
    end: int
    score: float


def find_spots(
    tokens: Tokens,
    phrases: Mapping[str, Intent],
    *,
    harmless: Callable[[str], bool],
    trivial: Callable[[str], bool],
    noun_markers: frozenset[str],
    corrections: frozenset[str] = frozenset(),
) -> list[Spot]:
    """Phrasings found as runs of words, longest first, not overlapping, each beside only
    harmless words in its clause. A run of function words alone ("what", "and then") counts
    only as the whole turn, at its end or as a clause of its own ("whew, but done"); a command
    word after "my"/"the" or a number is a noun ("on my back", "20 minutes"). A correction
    ("previous, i mean next", "stop, no, carry on") cancels the commands said before it."""
    found = _runs(tokens, phrases, trivial, noun_markers)
    words = tokens.words
    spots = []
    for start, end, intent in found:
        first, last = tokens.clause_span(start, end)
        beside = [w for i, w in enumerate(words[first:last], first) if not any(s <= i < e for s, e, _ in found)]
        final_stop = intent is Intent.STOP and end == len(words) and end - start > 1
        if final_stop or all(harmless(w) for w in beside):
            score = max(MIN_SPOT_SCORE, 100.0 - LEFTOVER_COST * len(beside))
            spots.append(Spot(intent, start, end, score))
    return _corrected(sorted(spots, key=lambda s: s.start), words, corrections)


def _runs(
    tokens: Tokens, phrases: Mapping[str, Intent], trivial: Callable[[str], bool], noun_markers: frozenset[str]
) -> list[tuple[int, int, Intent]]:
    words = tokens.words
    found: list[tuple[int, int, Intent]] = []
    for size in range(min(MAX_SPAN_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            intent = phrases.get(" ".join(words[start : start + size]))
            if intent is None or any(s < start + size and start < e for s, e, _ in found):
                continue
            if size < len(words) and all(trivial(w) for w in words[start : start + size]):
                if not _stands_alone(tokens, start, start + size, trivial):
                    continue
            before = words[start - 1] if start > 0 else ""
            if size == 1 and size < len(words) and (before in noun_markers or before.isdigit()):
                continue
            found.append((start, start + size, intent))
    return found


def _stands_alone(tokens: Tokens, start: int, end: int, trivial: Callable[[str], bool]) -> bool:
    """A run of function words is a command at the end of the turn, or one word alone in its
    clause ("whew that was hard, but done") unless that word only opens clauses or questions
    ("right now", "so what": talk, not a command)."""
    if end - start > 1:
        return end == len(tokens.words)
    first, last = tokens.clause_span(start, end)
    alone = all(trivial(w) for w in tokens.words[first:last])
    return alone and tokens.words[start] not in NOT_ALONE


def _corrected(spots: list[Spot], words: tuple[str, ...], corrections: frozenset[str]) -> list[Spot]:
    """Drop each command followed by a correction word and then another command. A lone
    correction word that is itself a phrasing ("sorry", "wait") between two commands only corrects."""
    inside = {i for s in spots for i in range(s.start, s.end)}
    markers = [i for i, w in enumerate(words) if w in corrections and i not in inside]
    markers += [s.start for n, s in enumerate(spots) if _lone_marker(s, n, spots, words, corrections)]
    kept = [s for s in spots if s.start not in markers or s.end - s.start > 1]
    return [s for s in kept if not any(s.end <= m and any(t.start > m for t in kept) for m in markers)]


def _lone_marker(spot: Spot, n: int, spots: list[Spot], words: tuple[str, ...], corrections: frozenset[str]) -> bool:
    one_word = spot.end - spot.start == 1 and words[spot.start] in corrections
    return one_word and 0 < n < len(spots) - 1


def best_spot(spots: list[Spot]) -> Spot | None:
    """The actionable clause: the highest precedence class, the last of it said."""
    if not spots:
        return None
    top = min(PRECEDENCE.get(s.intent, 9) for s in spots)
    return [s for s in spots if PRECEDENCE.get(s.intent, 9) == top][-1]
