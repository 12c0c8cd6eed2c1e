"""Evaluate the intent router: accuracy, out-of-scope rejection, latency and memory.

    python -m benchmarks.eval_intents              # figures on the held-out halves
    python -m benchmarks.eval_intents --calibrate  # grid-search thresholds on the dev halves

Data: benchmarks/data/intents_eval.tsv (hand-written for the seed library: paraphrases,
typos, filler, speech-recognition slips, near misses) and ../shared/data/clinc150_dev.tsv
(CLINC150, CC BY 3.0: real out-of-scope queries and four in-scope intents). Each is split
into a dev half (for calibration) and a test half (for reporting) by a stable hash.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import statistics
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from content import load_library
from intents import Ambiguous, Context, Match, NoMatch, RouterIndex, Thresholds, build_index, route

HERE = Path(__file__).parent
OWN_SET = HERE / "data" / "intents_eval.tsv"
CLINC_SET = HERE.parent.parent / "shared" / "data" / "clinc150_dev.tsv"
MAX_FALSE_ACCEPT = 0.01  # one unrelated request in a hundred may be taken for a command


@dataclass(frozen=True)
class Case:
    text: str
    intent: str
    exercises: frozenset[str]
    step: int | None
    context: str | None
    group: str
    source: str


def _half(text: str) -> str:
    return "dev" if hashlib.sha256(text.encode()).digest()[0] % 2 == 0 else "test"


def load_cases(*, clinc: Path = CLINC_SET) -> list[Case]:
    cases = []
    for line in OWN_SET.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        text, intent, exercise, step, context, group = line.split("\t")
        exercises = frozenset() if exercise == "-" else frozenset(exercise.split("|"))
        cases.append(
            Case(
                text,
                intent,
                exercises,
                None if step == "-" else int(step),
                None if context == "-" else context,
                group,
                "own",
            )
        )
    if clinc.exists():
        for line in clinc.read_text(encoding="utf-8").splitlines()[1:]:
            text, intent, _label = line.split("\t")
            group = "oos" if intent == "out_of_scope" else intent
            cases.append(Case(text, intent, frozenset(), None, None, group, "clinc"))
    return cases


def predicted(case: Case, index: RouterIndex) -> tuple[str, frozenset[str], int | None]:
    outcome = route(case.text, index, Context(current_exercise=case.context))
    if isinstance(outcome, NoMatch):
        return "out_of_scope", frozenset(), None
    if isinstance(outcome, Ambiguous):
        return outcome.intent.value, frozenset(outcome.candidates), outcome.step
    assert isinstance(outcome, Match)
    exercise = frozenset({outcome.exercise}) if outcome.exercise else frozenset()
    return outcome.intent.value, exercise, outcome.step


def is_correct(case: Case, index: RouterIndex) -> bool:
    intent, exercises, step = predicted(case, index)
    if intent != case.intent:
        return False
    if case.exercises and exercises != case.exercises:
        return False
    return case.step is None or step == case.step


@dataclass(frozen=True)
class Figures:
    own_in_scope: float
    own_oos_rejected: float
    clinc_in_scope: float
    clinc_false_accept: float
    by_group: dict[str, float]
    errors: list[str]


def evaluate(cases: list[Case], index: RouterIndex) -> Figures:
    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    errors = []
    for case in cases:
        ok = is_correct(case, index)
        scope = "oos" if case.intent == "out_of_scope" else "in"
        hits[(case.source, scope)].append(ok)
        hits[(case.source, case.group)].append(ok)
        if not ok and (case.source == "own" or case.intent != "out_of_scope"):
            errors.append(f"{case.text!r}: want {case.intent}, got {predicted(case, index)}")
    rate = {k: sum(v) / len(v) for k, v in hits.items() if v}
    return Figures(
        own_in_scope=rate.get(("own", "in"), 0.0),
        own_oos_rejected=rate.get(("own", "oos"), 0.0),
        clinc_in_scope=rate.get(("clinc", "in"), 0.0),
        clinc_false_accept=1.0 - rate.get(("clinc", "oos"), 1.0),
        by_group={f"{s}:{g}": r for (s, g), r in sorted(rate.items()) if g not in ("in",)},
        errors=errors,
    )


def calibrate(cases: list[Case], library) -> Thresholds:
    """Grid search on the dev half: best in-scope accuracy with CLINC false accepts <= 1%."""
    dev = [c for c in cases if _half(c.text) == "dev"]
    dev = [c for i, c in enumerate(dev) if c.source == "own" or i % 3 == 0]  # a third of CLINC: faster
    base = Thresholds()
    best: tuple[float, Thresholds] | None = None
    for accept, margin, sure in itertools.product((72, 76, 80, 84), (0, 4, 8), (90, 95)):
        limits = replace(base, accept=accept, margin=margin, sure=sure)
        figures = evaluate(dev, build_index(library, thresholds=limits))
        if figures.clinc_false_accept > MAX_FALSE_ACCEPT:
            continue
        objective = figures.own_in_scope + figures.clinc_in_scope + figures.own_oos_rejected
        print(
            f"accept={accept} margin={margin} sure={sure}: own {figures.own_in_scope:.3f} "
            f"clinc-in {figures.clinc_in_scope:.3f} FAR {figures.clinc_false_accept:.4f}"
        )
        if best is None or objective > best[0]:
            best = (objective, limits)
    return best[1] if best else base


def latency(cases: list[Case], index: RouterIndex) -> tuple[float, float, float]:
    times = []
    for case in cases:
        start = time.perf_counter()
        route(case.text, index, Context(current_exercise=case.context))
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.mean(times), times[len(times) // 2], times[int(len(times) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the misrouted utterances")
    args = parser.parse_args()
    library = load_library()
    cases = load_cases()
    tracemalloc.start()
    start = time.perf_counter()
    index = build_index(library)
    build_ms = (time.perf_counter() - start) * 1000
    index_kib = tracemalloc.get_traced_memory()[0] / 1024
    tracemalloc.stop()
    if args.calibrate:
        print("calibrated:", calibrate(cases, library))
    print(f"cases: {Counter(c.source for c in cases)}; index built in {build_ms:.0f} ms, {index_kib:.0f} KiB")
    for half in ("dev", "test"):
        figures = evaluate([c for c in cases if _half(c.text) == half], index)
        print(
            f"[{half}] own in-scope accuracy {figures.own_in_scope:.1%}, own near misses rejected "
            f"{figures.own_oos_rejected:.1%}, CLINC in-scope accuracy {figures.clinc_in_scope:.1%}, "
            f"CLINC out-of-scope false accepts {figures.clinc_false_accept:.2%}"
        )
        print("   by group: " + ", ".join(f"{g} {r:.0%}" for g, r in figures.by_group.items()))
        if args.errors:
            print("\n".join("   " + e for e in figures.errors))
    mean, p50, p99 = latency(cases, index)
    print(f"latency per utterance: mean {mean:.2f} ms, p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(cases)}")


if __name__ == "__main__":
    main()
