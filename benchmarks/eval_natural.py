"""Evaluate understanding of natural speech: natural turns, pain recall, libraries with overlapping names.

    python -m benchmarks.eval_natural            # figures on the held-out test halves (and dev)
    python -m benchmarks.eval_natural --errors   # also list what was misread
    python -m benchmarks.eval_natural --tuning --errors   # the tuning set only (never reported)

Data, all written blind to intents/phrasings.toml (see benchmarks/data/):
- natural_turns.tsv: mid-exercise and idle turns as people talk (acknowledgement + command,
  narration + command, hesitations, corrections, chat), pain and distress reports in varied
  words, typos and speech-recognition slips, and turns that use pain words without reporting
  pain (negated, hypothetical questions, pleasant stretching).
- library_turns.tsv over libraries/overlap/: exercises whose names share words, start with
  command words ("Step Ups", "Standing ...", "Back Extension"), the same exercise in two
  articles, body parts without a name.
- ../shared/data/clinc150_dev.tsv (CLINC150, CC BY 3.0) for out-of-scope false accepts.
Each is split into dev (tuning) and test (reporting) halves by a stable hash of the text.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from benchmarks.stats import percentile
from content import load_library
from intents import Ambiguous, Context, Match, NoMatch, Outcome, RouterIndex, build_index, route

from .eval_intents import CLINC_SET, _half, load_cases

HERE = Path(__file__).parent
NATURAL_SET = HERE / "data" / "natural_turns.tsv"
TUNING_SET = HERE / "data" / "natural_turns_tuning.tsv"
"""A second blind set, by another writer, for tuning only: its figures are never reported."""
LIBRARY_SET = HERE / "data" / "library_turns.tsv"
OVERLAP_LIBRARY = HERE / "data" / "libraries" / "overlap"
PAIN = "pain"


@dataclass(frozen=True)
class Turn:
    text: str
    intent: str
    exercise: str | None
    candidates: frozenset[str]
    step: int | None
    context: str | None
    group: str


def _cell(value: str) -> str | None:
    return None if value == "-" else value


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def load_natural(path: Path = NATURAL_SET) -> list[Turn]:
    turns = []
    for text, intent, exercise, step, context, group in _rows(path):
        slugs = frozenset(exercise.split("|")) if exercise != "-" else frozenset()
        one = next(iter(slugs)) if len(slugs) == 1 else None
        candidates = slugs if len(slugs) > 1 else frozenset()
        turns.append(Turn(text, intent, one, candidates, _int(step), _cell(context), group))
    return turns


def load_library_turns(path: Path = LIBRARY_SET) -> list[Turn]:
    return [
        Turn(
            text,
            intent,
            _cell(exercise),
            frozenset(c.split("|")) if c != "-" else frozenset(),
            _int(step),
            _cell(context),
            group,
        )
        for text, intent, exercise, c, step, context, group in _rows(path)
    ]


def _int(value: str) -> int | None:
    return None if value == "-" else int(value)


def reading(outcome: Outcome) -> tuple[str, str | None, frozenset[str], int | None]:
    if isinstance(outcome, NoMatch):
        return "out_of_scope", None, frozenset(), None
    if isinstance(outcome, Ambiguous):
        return outcome.intent.value, None, frozenset(outcome.candidates), outcome.step
    return outcome.intent.value, outcome.exercise, frozenset(), outcome.step


def correct(turn: Turn, got: tuple[str, str | None, frozenset[str], int | None]) -> bool:
    intent, exercise, candidates, step = got
    if intent != turn.intent:
        return False
    if turn.exercise and exercise != turn.exercise:
        return False
    if turn.candidates and candidates != turn.candidates:
        return False
    return turn.step is None or step == turn.step


def run(turns: list[Turn], index: RouterIndex) -> list[tuple[Turn, tuple, float]]:
    results = []
    for turn in turns:
        start = time.perf_counter()
        outcome = route(turn.text, index, Context(current_exercise=turn.context))
        results.append((turn, reading(outcome), (time.perf_counter() - start) * 1000))
    return results


@dataclass(frozen=True)
class NaturalFigures:
    accuracy: float
    """Share of non-pain natural turns read right (intent, exercise, step)."""
    pain_recall: float
    false_pain: float
    """Share of turns that report no pain taken as pain."""
    count: int
    pain_count: int
    errors: tuple[str, ...]
    by_group: dict[str, float]


def natural_figures(results) -> NaturalFigures:
    other = [(t, g) for t, g, _ in results if t.intent != PAIN]
    pain = [(t, g) for t, g, _ in results if t.intent == PAIN]
    groups: dict[str, list[bool]] = defaultdict(list)
    errors = []
    for turn, got, _ in results:
        ok = correct(turn, got) if turn.intent != PAIN else got[0] == PAIN
        groups[turn.group].append(ok)
        if not ok:
            errors.append(
                f"{turn.text!r} [{turn.context}]: want {turn.intent} {turn.exercise or ''}{turn.step or ''}, got {got}"
            )
    return NaturalFigures(
        accuracy=sum(correct(t, g) for t, g in other) / max(len(other), 1),
        pain_recall=sum(g[0] == PAIN for _, g in pain) / max(len(pain), 1),
        false_pain=sum(g[0] == PAIN for _, g in other) / max(len(other), 1),
        count=len(other),
        pain_count=len(pain),
        errors=tuple(errors),
        by_group={k: sum(v) / len(v) for k, v in sorted(groups.items())},
    )


@dataclass(frozen=True)
class LibraryFigures:
    accuracy: float
    wrong_starts: int
    """Turns that started (or moved into) an exercise other than the one meant."""
    captured_steps: int
    """Step commands said while guiding that were taken for an exercise."""
    count: int
    errors: tuple[str, ...]


def library_figures(results) -> LibraryFigures:
    wrong, captured, errors = 0, 0, []
    for turn, got, _ in results:
        intent, exercise, _, _ = got
        if exercise is not None and exercise != turn.exercise and intent in ("start_exercise", "goto_step"):
            wrong += 1
        if turn.group == "step-commands" and (exercise is not None or intent == "start_exercise"):
            captured += 1
        if not correct(turn, got):
            want = f"{turn.intent} {turn.exercise} {sorted(turn.candidates)} {turn.step}"
            errors.append(f"{turn.text!r} [{turn.context}]: want {want}, got {got}")
    return LibraryFigures(
        accuracy=sum(correct(t, g) for t, g, _ in results) / max(len(results), 1),
        wrong_starts=wrong,
        captured_steps=captured,
        count=len(results),
        errors=tuple(errors),
    )


def clinc_false_accepts(index: RouterIndex, half: str) -> tuple[float, float, int]:
    """Share of CLINC out-of-scope queries accepted as any command, and taken as pain."""
    oos = [c for c in load_cases() if c.source == "clinc" and c.intent == "out_of_scope" and _half(c.text) == half]
    accepted = pain = 0
    for case in oos:
        outcome = route(case.text, index, Context())
        accepted += not isinstance(outcome, NoMatch)
        pain += isinstance(outcome, Match) and outcome.intent.value == PAIN
    return accepted / max(len(oos), 1), pain / max(len(oos), 1), len(oos)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list what was misread")
    parser.add_argument("--half", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--tuning", action="store_true", help="only the tuning set (for tuning, never reported)")
    parser.add_argument("--no-clinc", action="store_true", help="skip the 16,880 CLINC queries (faster)")
    args = parser.parse_args()
    seed = build_index(load_library())
    if args.tuning:
        tuned = natural_figures(run(load_natural(TUNING_SET), seed))
        print(_natural_line("tuning", tuned))
        if args.errors:
            print("\n".join("   " + e for e in tuned.errors))
        return
    overlap = build_index(load_library(OVERLAP_LIBRARY))
    all_times: list[float] = []
    for half in ("dev", "test") if args.half == "both" else (args.half,):
        all_times += _report_half(half, seed, overlap, clinc=not args.no_clinc, errors=args.errors)
    print(
        f"routing latency, natural turns at seed size: p50 {statistics.median(all_times):.2f} ms, "
        f"p99 {percentile(all_times, 0.99):.2f} ms over {len(all_times)}"
    )


def _report_half(half: str, seed: RouterIndex, overlap: RouterIndex, *, clinc: bool, errors: bool) -> list[float]:
    """Print one half's figures; the routing times of its natural turns."""
    nat = run([t for t in load_natural() if _half(t.text) == half], seed)
    lib = run([t for t in load_library_turns() if _half(t.text) == half], overlap)
    n, lf = natural_figures(nat), library_figures(lib)
    print(_natural_line(half, n))
    print("   by group: " + ", ".join(f"{g} {r:.0%}" for g, r in n.by_group.items()))
    print(
        f"[{half}] overlapping library: accuracy {lf.accuracy:.1%} of {lf.count}; wrong exercises started "
        f"{lf.wrong_starts}; step commands captured by another exercise {lf.captured_steps}"
    )
    if clinc and CLINC_SET.exists():
        far, pain, count = clinc_false_accepts(seed, half)
        print(f"[{half}] CLINC150 out-of-scope accepted {far:.2%} of {count} (as pain {pain:.2%})")
    if errors:
        print("\n".join("   " + e for e in n.errors + lf.errors))
    return [ms for _, _, ms in nat]


def _natural_line(half: str, figures: NaturalFigures) -> str:
    return (
        f"[{half}] natural turns: accuracy {figures.accuracy:.1%} of {figures.count}; pain recall "
        f"{figures.pain_recall:.1%} of {figures.pain_count}; non-pain turns taken as pain {figures.false_pain:.1%}"
    )


if __name__ == "__main__":
    main()
