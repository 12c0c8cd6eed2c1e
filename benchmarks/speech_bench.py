"""Speech benchmark: cold synthesis, real-time factor, pre-rendering the seed library, and
serving from the cache. Run with `python -m benchmarks.speech_bench [--content DIR]`.

Targets: a 40-word step <= 300 ms cold (median), seed library pre-rendered <= 5 s,
cached fetch (wav_path + read) <= 5 ms at p99.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from app import create_app
from assistant.conversation.replies import library_speech
from assistant.speech import SpeechService
from benchmarks.stats import percentile
from content import load_library

DEFAULT_CONTENT: Final = Path(__file__).resolve().parents[1] / "content" / "articles"
STEP_WORDS: Final = 40
"""A long exercise step, as the app reads it out."""
COLD_SAMPLES: Final = 9
"""Distinct never-cached texts timed for the cold median (odd, so the median is a sample)."""
CACHED_CALLS: Final = 1000
"""Enough calls for a stable p99 (the 10th slowest)."""
PRERENDER_LIMIT: Final = 120.0
"""Give up waiting for the pre-render after this long (the target is 5 s)."""
TARGET_COLD: Final = 0.300
TARGET_PRERENDER: Final = 5.0
TARGET_CACHED_P99: Final = 0.005


def seed_texts(folder: Path) -> list[str]:
    """Exactly what the app pre-renders at start-up: every warning and step, as spoken."""
    return library_speech(load_library(folder))


def step_texts(source: Iterable[str], *, count: int, words: int) -> list[str]:
    """`count` distinct texts of exactly `words` words, windows over the seed wording."""
    vocabulary = " ".join(source).split()
    while len(vocabulary) < words + count:
        vocabulary += vocabulary
    return [" ".join(vocabulary[start : start + words]) + "." for start in range(0, count * 7, 7)]


def seconds_of_audio(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def report(label: str, figure: str, target: float | None = None, value: float = 0.0) -> None:
    """One aligned line; with a target, whether the measured `value` meets it."""
    verdict = "" if target is None else f"  target <= {target * 1000:g} ms: "
    verdict += "" if target is None else ("ok" if value <= target else "MISSED")
    print(f"{label:<44}{figure:>22}{verdict}")


def fetch(service: SpeechService, text: str) -> tuple[float, Path]:
    """Seconds to register `text` and get its WAV file, and the file."""
    start = time.perf_counter()
    path = service.wav_path(service.audio_id(text))
    elapsed = time.perf_counter() - start
    if path is None:
        raise SystemExit(f"synthesis failed for {text[:40]!r}")
    return elapsed, path


def bench_cold(service: SpeechService, texts: list[str]) -> None:
    first, _ = fetch(service, "Warm up the speech worker.")
    report("worker start + first utterance", f"{first * 1000:.1f} ms")
    durations, audio = [], []
    for text in texts:
        elapsed, path = fetch(service, text)
        durations.append(elapsed)
        audio.append(seconds_of_audio(path))
    median = statistics.median(durations)
    spread = f"(min {min(durations) * 1000:.1f}, max {max(durations) * 1000:.1f}) "
    report(
        f"{STEP_WORDS}-word step, cold, median of {len(texts)}",
        f"{spread}{median * 1000:.1f} ms",
        TARGET_COLD,
        median,
    )
    report("real-time factor", f"{sum(audio) / sum(durations):.0f} s audio per s")


def wait_for_files(paths: list[Path]) -> bool:
    deadline = time.perf_counter() + PRERENDER_LIMIT
    while not all(path.exists() for path in paths):
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.002)
    return True


def bench_prerender(cache: Path, texts: list[str], *, warm: bool) -> list[str]:
    with SpeechService(cache) as service:
        if warm:
            fetch(service, "Warm up the speech worker.")
        ids = [service.audio_id(text) for text in texts]  # registering is cheap; not the point
        wavs = [cache / f"{audio_id}.wav" for audio_id in ids]
        start = time.perf_counter()
        service.prerender(texts)
        done = wait_for_files(wavs)
        elapsed = time.perf_counter() - start
    if not done:
        raise SystemExit(f"pre-render did not finish within {PRERENDER_LIMIT:.0f} s")
    label = "warm worker" if warm else "incl. worker start"
    report(
        f"pre-render {len(texts)} seed texts, {label}",
        f"{elapsed * 1000:.1f} ms",
        TARGET_PRERENDER,
        elapsed,
    )
    return ids


def bench_cached(cache: Path, ids: list[str]) -> None:
    with SpeechService(cache) as service:
        samples = []
        for call in range(CACHED_CALLS):
            start = time.perf_counter()
            path = service.wav_path(ids[call % len(ids)])
            if path is None:
                raise SystemExit("a pre-rendered file was not served from the cache")
            path.read_bytes()
            samples.append(time.perf_counter() - start)
    p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
    report(f"cached wav_path + read, n={CACHED_CALLS}, p50", f"{p50 * 1000:.3f} ms")
    report(
        f"cached wav_path + read, n={CACHED_CALLS}, p99",
        f"{p99 * 1000:.3f} ms",
        TARGET_CACHED_P99,
        p99,
    )


def bench_http(cache: Path, folder: Path) -> None:
    """GET /api/speech/<id>.wav through the Flask app (the route, send_file and headers)."""
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(folder),
            "SPEECH_CACHE_DIR": str(cache),
            "SPEECH_PRERENDER": False,
            "LISTEN_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    client = app.test_client()
    body = client.post("/api/chat", json={"message": "how do I do the cobra stretch"}).get_json()
    urls = [m["audio"] for m in body["messages"] if m["audio"]]
    if not urls:
        raise SystemExit("the chat reply carried no audio")
    for url in urls:  # first fetch synthesises; the timed ones below are all cache hits
        client.get(url).close()
    samples = []
    for call in range(CACHED_CALLS):
        start = time.perf_counter()
        response = client.get(urls[call % len(urls)])
        response.get_data()
        response.close()
        samples.append(time.perf_counter() - start)
    app.extensions["speech"].close()
    p50, p99 = percentile(samples, 0.50), percentile(samples, 0.99)
    report(f"cached GET /api/speech/<id>.wav, n={CACHED_CALLS}, p50", f"{p50 * 1000:.3f} ms")
    report(f"cached GET /api/speech/<id>.wav, n={CACHED_CALLS}, p99", f"{p99 * 1000:.3f} ms", TARGET_CACHED_P99, p99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="folder of article .txt pages")
    args = parser.parse_args()
    library = seed_texts(args.content)
    if not library:
        raise SystemExit(f"no steps or warnings found under {args.content}")
    print(f"seed texts: {len(library)} from {args.content}")
    with tempfile.TemporaryDirectory(prefix="speech-bench-") as scratch:
        root = Path(scratch)
        with SpeechService(root / "cold") as service:
            bench_cold(service, step_texts(library, count=COLD_SAMPLES, words=STEP_WORDS))
        bench_prerender(root / "prerender-cold", library, warm=False)
        ids = bench_prerender(root / "prerender-warm", library, warm=True)
        bench_cached(root / "prerender-warm", ids)
        bench_http(root / "http", args.content)


if __name__ == "__main__":
    main()
