"""How the coach's costs grow with the library: routing, replies and start-up at 3 to 10,000 exercises.

    python -m benchmarks.scale                     # 3, 100, 1,000 and 10,000 exercises
    python -m benchmarks.scale --sizes 3 100       # fewer sizes, quicker

Libraries are generated as real article pages (the scraped page format content/parser.py
reads) in a temporary folder: realistic names built from shared words (body parts, positions,
kinds of movement), some starting with command words ("Step ...", "Standing ...", "Back
..."), five exercises an article. The seed library is the 3. Every routing figure is printed
beside a plain `process.extractOne(WRatio)` over the same phrasings, in the same run; start-up
is the real server (`python -m serve`, listening on) to its first /healthz and to listening
ready. Loopback only, bounded: nothing leaves the machine and each size takes seconds to a
minute or two.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

from rapidfuzz import fuzz, process

from assistant.conversation import DialogueState, respond
from content import DEFAULT_CONTENT_DIR, Library, load_library
from intents import Context, build_index, load_phrasings, route

from .stats import percentile

SIZES: Final = (3, 100, 1000, 10_000)
PER_ARTICLE: Final = 5
REPEATS: Final = 200
"""Timed routings per kind of turn and size (after a warm-up): enough for a stable p99."""
SEED: Final = 7
SEED_PAGE: Final = DEFAULT_CONTENT_DIR / "000_2996f131c8f3b110.txt"

PARTS: Final = (
    "hip calf hamstring quad glute shoulder neck ankle wrist knee spine chest back groin thigh "
    "shin elbow forearm hip-flexor lower-back upper-back oblique core trap lat"
).split()
POSITIONS: Final = "lying standing seated kneeling wall doorway towel chair supine prone side".split()
KINDS: Final = "stretch raise lift press hold rotation twist curl bridge lunge squat march circle tilt".split()
LEADS: Final = ("step", "stand", "repeat", "back", "single-leg", "double", "reverse", "cross-body")
STEP_TEXTS: Final = (
    "Lie on your back with your knees bent and your feet flat on the floor.",
    "Stand with your feet hip-width apart, holding a chair for balance.",
    "Raise your leg slowly as high as you comfortably can, then lower it back down.",
    "Hold for a count of twenty to thirty.",
    "Repeat ten times and then change sides.",
)


def exercise_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct names that share words the way real ones do."""
    names: dict[str, None] = {}
    while len(names) < count:
        words = [rng.choice(POSITIONS), rng.choice(PARTS), rng.choice(KINDS)]
        if rng.random() < 0.15:
            words.insert(0, rng.choice(LEADS))
        if rng.random() < 0.3:
            words.pop(0)
        names[" ".join(words).replace("-", " ").title()] = None
    return list(names)


def write_library(folder: Path, count: int, rng: random.Random) -> Path:
    """A content folder of `count` exercises in article pages; the seed's folder for 3."""
    if count <= 3:
        return DEFAULT_CONTENT_DIR
    header, _, rest = SEED_PAGE.read_text(encoding="utf-8").partition("Lying Hip Stretch\n")
    tail = rest[rest.index("    Warning") :]
    names = exercise_names(count, rng)
    for n in range(0, count, PER_ARTICLE):
        sections = []
        for name in names[n : n + PER_ARTICLE]:
            steps = rng.sample(STEP_TEXTS, rng.randint(3, 5))
            sections.append(name + "\n\n" + "\n\n".join(f"  {i}. {t}" for i, t in enumerate(steps, 1)) + "\n\n")
        title = f"How to Stretch Your {rng.choice(PARTS).replace('-', ' ').title()} (Part {n // PER_ARTICLE + 1})"
        page = header.replace("How to Treat Imbalance in Hip Flexor Muscles", title) + "".join(sections) + tail
        (folder / f"{n // PER_ARTICLE:05d}.txt").write_text(page, encoding="utf-8")
    return folder


def timed(call: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """p50 and p99 in ms of `call`, after one warm-up."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.99)


def typo(name: str, rng: random.Random) -> str:
    """One slip in the longest word: a letter dropped."""
    words = name.lower().split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    cut = rng.randrange(1, len(word))
    words[longest] = word[:cut] + word[cut + 1 :]
    return " ".join(words)


def route_figures(library: Library, rng: random.Random) -> Iterator[str]:
    index = build_index(library)
    exercises = library.exercises
    guided = Context(current_exercise=exercises[0].slug)
    named = [f"how do i do the {typo(e.title, rng)}" for e in rng.sample(exercises, min(20, len(exercises)))]
    phrasings = [p for examples in load_phrasings().values() for p in examples]
    turns = iter(range(10**9))
    kinds = {
        '"next step" mid-exercise': lambda: route("next step", index, guided),
        '"how do I do the <name>" with a typo': lambda: route(named[next(turns) % len(named)], index),
        "out-of-scope sentence": lambda: route("can you recommend a good book about gardening", index),
    }
    base = timed(lambda: process.extractOne("next step", phrasings, scorer=fuzz.WRatio))
    for kind, call in kinds.items():
        p50, p99 = timed(call)
        yield f"    route {kind:<38} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms   (plain extractOne {base[0]:.3f} ms)"
    reply = respond(DialogueState(), "play some music", library, index)
    chars = sum(len(m.text) for m in reply.messages)
    p50, _ = timed(lambda: respond(DialogueState(), "play some music", library, index), repeats=20)
    yield f"    out-of-scope reply: {chars} characters, respond p50 {p50:.1f} ms"


def server_figures(content: Path, cache: Path) -> Iterator[str]:
    """`python -m serve` with listening on, from launch to its first /healthz and to listening
    ready (the decoder has built its grammar), and the peak RSS of the server process and of
    its decoder. The first start builds and keeps the prepared library and the word graphs;
    the next reads them back. Speech is off: its prerendering is background work bounded by
    the speech cache, and would only blur the timing."""
    env = {
        **os.environ,
        "ASSISTANT_CONTENT_DIR": str(content),
        "ASSISTANT_CACHE_DIR": str(cache),
        "ASSISTANT_SPEECH": "0",
        "ASSISTANT_LISTEN": "1",
        "ASSISTANT_SECRET_FILE": str(cache.parent / "secret_key"),
    }
    for start in ("first start (builds, keeps)", "next start (reads back)"):
        port = _free_port()
        began = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            answering = _until(port, began, lambda body: True)
            ready = _until(port, began, lambda body: body.get("listening") == "ready")
            decoders = [_peak_rss_mb(pid) for pid in _children(server.pid)]
            yield (
                f"    server {start:<28} first /healthz {answering:5.2f} s, listening ready {ready:5.2f} s; "
                f"peak RSS server {_peak_rss_mb(server.pid):.0f} MB, decoder {max(decoders, default=0):.0f} MB"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


STARTUP_TIMEOUT: Final = 600.0
"""Seconds a server may take to answer or to get listening ready before the run gives up."""


def _until(port: int, began: float, done: Callable[[dict], bool]) -> float:
    """Seconds from `began` until /healthz on `port` answers 200 with a body that is `done`."""
    while time.perf_counter() - began < STARTUP_TIMEOUT:
        with contextlib.suppress(OSError, ValueError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            body = json.loads(response.read())
            connection.close()
            if response.status == 200 and done(body):
                return time.perf_counter() - began
        time.sleep(0.02)
    raise TimeoutError(f"the server on port {port} was not ready in {STARTUP_TIMEOUT:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB; 0 if it has gone."""
    with contextlib.suppress(OSError, StopIteration):
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="coach-scale-") as tmp:
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            content = write_library(folder, size, rng)
            library = load_library(content)
            print(f"{len(library.exercises)} exercises in {len(library.articles)} articles")
            for line in route_figures(library, rng):
                print(line, flush=True)
            for line in server_figures(content, folder / "cache"):
                print(line, flush=True)
    print(f"this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
