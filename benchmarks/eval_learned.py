"""How well the learned intent model carries over to people it has not read: leave one writer out.

    python -m benchmarks.eval_learned              # figures at the shipped thresholds
    python -m benchmarks.eval_learned --calibrate  # grid of thresholds, to choose them

For each writer of natural turns in intents/turns.tsv, the model is trained on everyone else
(the phrasings, the other writers, CLINC150's dev half) and the whole router is run on that
writer's turns. The phrasings alone are shown beside it. The natural_turns dev half was also
what the phrasings were tuned on, so its column flatters them; the other writers do not.
CLINC150's test half gives out-of-scope false accepts with the model trained on everything.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace

from content import load_library
from intents import Context, NoMatch, RouterIndex, Thresholds, build_index, route
from intents.learned import read_turns, train

from .eval_intents import _half, load_cases
from .eval_natural import NATURAL_SET, TUNING_SET, NaturalFigures, load_natural, natural_figures, reading
from .make_turns import WRITERS

GRID: dict[str, tuple[float, ...]] = {
    "learned": (-0.25, 0.0, 0.25, 0.5),
    "learned_rescue": (-1.0, -0.75, -0.5, -0.25, 0.0),
    "learned_out": (0.0, 0.25, 0.5, 1.0),
}
GRID_PAIN = (-0.75, -0.5, -0.25, 0.0, 0.25)  # on its own: it only decides pain the detector passed


def writers() -> dict[str, list]:
    sets = {TUNING_SET.stem: load_natural(TUNING_SET)}
    sets |= {path.stem: load_natural(path) for path in WRITERS}
    sets["natural_turns dev"] = [t for t in load_natural(NATURAL_SET) if _half(t.text) == "dev"]
    return sets


def figures(turns, index: RouterIndex) -> NaturalFigures:
    results = [(t, reading(route(t.text, index, Context(current_exercise=t.context))), 0.0) for t in turns]
    return natural_figures(results)


def clinc_far(index: RouterIndex) -> float:
    oos = [c for c in load_cases() if c.source == "clinc" and c.intent == "out_of_scope" and _half(c.text) == "test"]
    return sum(not isinstance(route(c.text, index, Context()), NoMatch) for c in oos) / max(len(oos), 1)


def line(name: str, f: NaturalFigures) -> str:
    return f"accuracy {f.accuracy:6.1%}  pain recall {f.pain_recall:6.1%}  false pain {f.false_pain:5.1%}  [{name}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibrate", action="store_true", help="try a grid of thresholds")
    args = parser.parse_args()
    library = load_library()
    rules = build_index(library, learned=False)
    rows = [(text, intent, source) for _, text, intent, source in read_turns()]
    names = list(GRID)
    grid = [dict(zip(names, values, strict=True)) for values in itertools.product(*GRID.values())]
    grid += [{"learned_pain": pain} for pain in GRID_PAIN]
    names.append("learned_pain")
    settings = [replace(Thresholds(), **g) for g in grid] if args.calibrate else [Thresholds()]
    totals: dict[int, list[NaturalFigures]] = {n: [] for n in range(len(settings))}
    for name, turns in writers().items():
        print(line("phrasings alone, " + name, figures(turns, rules)))
        model = train((text, intent) for text, intent, source in rows if source != name)
        for n, limits in enumerate(settings):
            totals[n].append(figures(turns, replace(rules, model=model, thresholds=limits)))
        if not args.calibrate:
            print("  " + line(f"with the model, {name} left out", totals[0][-1]))
    ranked = sorted(totals.items(), key=lambda kv: -_mean(kv[1])[0])
    shown = [n for n, _ in ranked[:12]] + list(range(len(settings) - len(GRID_PAIN), len(settings)))
    for n, found in ((n, totals[n]) for n in (shown if args.calibrate else [0])):
        accuracy, recall, false_pain = _mean(found)
        chosen = ", ".join(f"{k} {getattr(settings[n], k)}" for k in names)
        print(
            f"mean over writers, {chosen}: accuracy {accuracy:.1%}, pain recall {recall:.1%}, "
            f"false pain {false_pain:.1%}"
        )
    full = build_index(library)
    print(f"CLINC150 test half accepted: phrasings alone {clinc_far(rules):.2%}, with the model {clinc_far(full):.2%}")


def _mean(found: list[NaturalFigures]) -> tuple[float, float, float]:
    return tuple(sum(getattr(f, k) for f in found) / len(found) for k in ("accuracy", "pain_recall", "false_pain"))


if __name__ == "__main__":
    main()
