"""Evaluate offline speech recognition of spoken commands: intent accuracy and decoding time.

    python -m benchmarks.voice_eval                # every voice, rate and noise level
    python -m benchmarks.voice_eval --quick        # two voices, one rate: a minute or less

The voice test set is generated at run time: each utterance is spoken by espeak-ng (through
`assistant.speech.SpeechService`, cached under --cache, default var/voice-eval/) in several
English voices and rates, then mixed with seeded white or pink noise at each signal-to-noise
ratio, decoded by `Recognizer.transcribe` and routed by the intent router. Nothing large is
committed: the audio is made again (or read from the cache) on every run.

Groups: short commands (said at step 1 of the cobra stretch, timer commands at its hold
step, "stop timer" with the timer running), other commands said while guiding ("speak
slower": what favouring guidance costs), exercise requests (with nothing in progress, and
switching mid-exercise), and other speech and bare noise, which must not become a command.
Each is decoded in its situation of the conversation, as the app does
(`listening_situation`). A case is right when the routed intent and its exercise and step are
the expected ones.

Targets: >= 90% on short commands and >= 85% on exercise requests over all voices and
noise levels; decoding a 2-second utterance in <= 300 ms.

Measured (pocketsphinx 5.1.1, espeak-ng from espeakng-loader 0.2.4, 2 cores, idle), full set
of 3,072 decodes: short commands 91.1%, other commands 97.8%, exercise requests 89.6%, other
speech kept from becoming a command 82.7%, bare noise 100%. By voice, commands / exercise
requests: en-us 98/98%, en 97/95%, en-gb-scotland 95/91%, en-gb-x-rp 95/93%, en-029 84/69%,
en-us+f3 78/93%. White noise at 10 dB is the hardest condition (84/71%). Remaining misses:
the Caribbean voice's "next" heard as "leave", "go to step four" as "what is it for", "start
over" as "thank you". 1.5 to 2.5 s recordings: p50 184 ms, p95 275 ms. The settings and the
confidence cut-off were chosen on these voices, so the figures are not held out.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from assistant.conversation import LISTENING, DialogueState, Situation, listening_situation
from assistant.listening import MAX_AUDIO_SECONDS, Recognizer, Transcript, command_recognizer
from benchmarks.audio import coloured_noise, from_wav, mix_noise, to_wav
from benchmarks.stats import percentile
from content import Library, load_library
from intents import Context, Match, RouterIndex, build_index, route
from intents.words import build_vocabulary

ROOT: Final = Path(__file__).resolve().parents[1]
DEFAULT_CACHE: Final = ROOT / "var" / "voice-eval"

COMMANDS: Final = "short commands"
OTHER_COMMANDS: Final = "other commands"
"""Said while guiding, though not guidance ("speak slower"): what favouring guidance costs."""
EXERCISES: Final = "exercise requests"
OTHER: Final = "other speech"
PAIN_SAID: Final = "pain reports"
"""Pain said aloud while guiding: must stop, whatever else is heard around it."""
NATURAL: Final = "natural commands"
"""Commands with the acknowledgement and filler people put around them ("ok next", "hang on")."""
NOISE_ONLY: Final = "noise only"
IN_PROGRESS: Final = "cobra-stretch"
"""Short commands are said while this exercise is being guided, at its first step."""
CASES_FILE: Final = Path(__file__).parent / "data" / "voice_cases.tsv"
"""What is said, and in which state of IN_PROGRESS ("start timer" at its hold step, 4)."""

VOICES: Final = ("en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-029", "en-us+f3")
"""espeak-ng English variants: American, British, Received Pronunciation, Scottish,
Caribbean, and a female American variant ("en" is British English; "en-gb" is not a name)."""
RATES: Final = (130, 175, 230)
"""Words per minute: the app's slow, normal and fast presets."""
NOISES: Final = (("clean", None), ("white", 20.0), ("pink", 20.0), ("white", 10.0), ("pink", 10.0))
"""(colour, SNR in dB of the speech over the noise); None is no added noise."""
QUICK_VOICES: Final = ("en-us", "en-gb-x-rp")
QUICK_RATES: Final = (175,)
QUICK_NOISES: Final = (("clean", None), ("white", 20.0), ("pink", 10.0))
NOISE_SEED: Final = 7
"""Every run mixes the same noise into the same clip."""
NOISE_CLIP_SECONDS: Final = (1.0, 2.0, 4.0)
"""Lengths of the bare-noise clips, which must give an empty transcript."""
NOISE_CLIP_LEVELS: Final = (0.05, 0.3)
"""RMS of the bare-noise clips: a quiet room and a loud fan, relative to full scale."""
TWO_SECONDS: Final = (1.5, 2.5)
"""Utterances this long (seconds) are the "about 2 seconds" of the latency target."""
TARGET_ACCURACY: Final = {COMMANDS: 0.90, EXERCISES: 0.85}
TARGET_TWO_SECOND_MS: Final = 300.0


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    """What the synthetic voice says."""
    group: str
    intent: str | None
    """Expected intent value; None when the words must not be taken for any command."""
    exercise: str | None = None
    step: int | None = None
    at_step: int | None = 1
    """The step of IN_PROGRESS being guided when it is said; None: nothing in progress."""
    timing: bool = False
    """Said with a hold timer running ("stop the timer"); otherwise none is."""

    def state(self) -> DialogueState:
        """The conversation it is said in."""
        if self.at_step is None:
            return DialogueState()
        return DialogueState(exercise=IN_PROGRESS, step=self.at_step, timing=self.timing)


def case_table(path: Path = CASES_FILE) -> tuple[Case, ...]:
    """The spoken test set (benchmarks/data/voice_cases.tsv): short commands, exercise requests,
    pain reports, natural commands and other speech."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, group, intent, exercise, step, at_step, timing = line.split("\t")
        cases.append(
            Case(text, group, _cell(intent), _cell(exercise), _number(step), _number(at_step), timing == "yes")
        )
    return tuple(cases)


def _cell(value: str) -> str | None:
    return None if value == "-" else value


def _number(value: str) -> int | None:
    return None if value == "-" else int(value)


# --- Scoring (pure) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    voice: str
    rate: int
    noise: str
    transcript: Transcript
    heard: str | None
    """The routed intent value; None when nothing was understood or it was out of scope."""
    correct: bool


def judge(case: Case, transcript: Transcript, index: RouterIndex) -> tuple[str | None, bool]:
    """The intent heard and whether it is what the case expects (exercise and step included)."""
    if not transcript.text:
        return None, case.intent is None
    context = Context(current_exercise=case.state().exercise)
    outcome = route(transcript.text, index, context)
    if not isinstance(outcome, Match):
        return None, case.intent is None
    right = (
        outcome.intent.value == case.intent
        and (case.exercise is None or outcome.exercise == case.exercise)
        and (case.step is None or outcome.step == case.step)
    )
    return outcome.intent.value, right


def accuracy(results: Iterable[Result]) -> tuple[float, int]:
    marks = [r.correct for r in results]
    return (sum(marks) / len(marks) if marks else float("nan")), len(marks)


# --- Running (I/O) --------------------------------------------------------------------------


def synthesise(
    cases: Sequence[Case], voices: Iterable[str], rates: Iterable[int], cache: Path
) -> dict[tuple[str, int, str], bytes]:
    """WAV bytes of every case in every voice and rate, keyed (voice, rate, text)."""
    from assistant.speech import SpeechService  # spawns a worker process: only when needed

    clips: dict[tuple[str, int, str], bytes] = {}
    for voice in voices:
        with SpeechService(cache, voice=voice) as service:
            for rate in rates:
                for case in cases:
                    path = service.wav_path(service.request(case.text, rate=rate))
                    if path is None:
                        raise SystemExit(f"espeak-ng could not say {case.text!r} in {voice} at {rate}")
                    clips[voice, rate, case.text] = path.read_bytes()
    return clips


def noisy_versions(clip: bytes, noises: Iterable[tuple[str, float | None]], seed: int) -> Iterator[tuple[str, bytes]]:
    samples, rate = from_wav(clip)
    for colour, snr in noises:
        if snr is None:
            yield colour, clip
        else:
            yield f"{colour} {snr:g} dB", to_wav(mix_noise(samples, rate, colour, snr, seed), rate)


def noise_clips(rate: int = 16000) -> Iterator[tuple[str, bytes]]:
    """Bare noise, nothing said: every colour, length and level."""
    rng = np.random.default_rng(NOISE_SEED)
    for colour in ("white", "pink"):
        for seconds in NOISE_CLIP_SECONDS:
            for level in NOISE_CLIP_LEVELS:
                samples = coloured_noise(int(seconds * rate), colour, rng) * level
                yield f"{colour} {seconds:g} s rms {level:g}", to_wav(samples, rate)


def evaluate(
    recognizer: Recognizer,
    index: RouterIndex,
    library: Library,
    clips: dict[tuple[str, int, str], bytes],
    cases: Sequence[Case],
    noises: Sequence[tuple[str, float | None]],
) -> list[Result]:
    by_text = {case.text: case for case in cases}
    results = []
    for number, ((voice, rate, text), clip) in enumerate(sorted(clips.items())):
        case = by_text[text]
        for noise, data in noisy_versions(clip, noises, NOISE_SEED + number):
            transcript = recognizer.transcribe(data, subset=listening_situation(case.state(), library))
            heard, correct = judge(case, transcript, index)
            results.append(Result(case, voice, rate, noise, transcript, heard, correct))
    noise_case = Case("(noise)", NOISE_ONLY, None)
    for label, data in noise_clips():
        transcript = recognizer.transcribe(data, subset=listening_situation(noise_case.state(), library))
        heard, correct = judge(noise_case, transcript, index)
        results.append(Result(noise_case, "-", 0, label, transcript, heard, correct))
    return results


# --- Reporting --------------------------------------------------------------------------------

SPOKEN: Final = (COMMANDS, OTHER_COMMANDS, EXERCISES, NATURAL, PAIN_SAID, OTHER)


def report(results: Sequence[Result], *, verbose: bool) -> bool:
    """Print the figures; True when every target is met."""
    met = True
    print("\nIntent accuracy (right intent, exercise and step; other speech and noise: no command)")
    for group in (*SPOKEN, NOISE_ONLY):
        chosen = [r for r in results if r.case.group == group]
        share, count = accuracy(chosen)
        nothing = sum(not r.transcript.text for r in chosen) / max(count, 1)
        target = TARGET_ACCURACY.get(group)
        verdict = "" if target is None else ("  ok" if share >= target else f"  MISSED (target {target:.0%})")
        met &= target is None or share >= target
        print(f"  {group:<20} {share:7.1%} of {count:<5} (nothing heard: {nothing:5.1%}){verdict}")
    _breakdown(results, "per voice", lambda r: r.voice)
    _breakdown(results, "per rate (words per minute)", lambda r: str(r.rate))
    _breakdown(results, "per noise", lambda r: r.noise)
    met &= _latency(results)
    if verbose:
        _mistakes(results)
    return met


def _breakdown(results: Sequence[Result], title: str, key: Callable[[Result], str]) -> None:
    spoken = [r for r in results if r.case.group in SPOKEN]
    print(f"\n  {title:<28}" + "".join(f"{g:>20}" for g in SPOKEN))
    for label in dict.fromkeys(key(r) for r in spoken):
        cells = [accuracy(r for r in spoken if key(r) == label and r.case.group == g) for g in SPOKEN]
        print(f"  {label:<28}" + "".join(f"{share:11.1%} of {count:<5}" for share, count in cells))


def _latency(results: Sequence[Result]) -> bool:
    times = [r.transcript.decode_ms for r in results]
    low, high = TWO_SECONDS
    around_two = [r.transcript.decode_ms for r in results if low <= r.transcript.audio_seconds <= high]
    seconds = [r.transcript.audio_seconds for r in results]
    print(f"\nDecoding time per recording (read, prepare, decode twice), n={len(times)}")
    print(
        f"  mean {statistics.fmean(times):.0f} ms, p50 {percentile(times, 0.5):.0f} ms, "
        f"p95 {percentile(times, 0.95):.0f} ms, max {max(times):.0f} ms "
        f"(audio {min(seconds):.1f} to {max(seconds):.1f} s)"
    )
    if not around_two:
        print("  no recording of about 2 seconds")
        return True
    p50, p95 = percentile(around_two, 0.5), percentile(around_two, 0.95)
    ok = p95 <= TARGET_TWO_SECOND_MS
    print(
        f"  {low:g} to {high:g} s recordings (n={len(around_two)}): mean {statistics.fmean(around_two):.0f} ms, "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms  {'ok' if ok else 'MISSED'} (target p95 <= {TARGET_TWO_SECOND_MS:.0f} ms)"
    )
    return ok


def _mistakes(results: Sequence[Result]) -> None:
    wrong = [r for r in results if not r.correct]
    print(f"\nMistakes ({len(wrong)}):")
    for r in wrong:
        print(
            f"  {r.case.group[:8]:<8} {r.voice:<15} {r.rate:>3} {r.noise:<14} "
            f"{r.case.text!r:<45} heard {r.transcript.text!r} -> {r.heard}"
        )


def longest_latency(recognizer: Recognizer, clip: bytes) -> None:
    """The worst case the server accepts: MAX_AUDIO_SECONDS of speech (one clip, repeated),
    heard while an exercise is guided."""
    samples, rate = from_wav(clip)
    repeats = int(MAX_AUDIO_SECONDS * rate // max(len(samples), 1))
    long = to_wav(np.tile(samples, max(repeats, 1)), rate)
    transcript = recognizer.transcribe(long, subset=Situation.GUIDING)
    print(
        f"  longest accepted recording ({transcript.audio_seconds:.1f} s of speech): "
        f"{transcript.decode_ms:.0f} ms, heard {transcript.text!r}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two voices, one rate, three noise levels")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where synthesised speech is kept")
    parser.add_argument("--no-cache", action="store_true", help="synthesise into a temporary folder")
    parser.add_argument("--verbose", "-v", action="store_true", help="list every mistake")
    args = parser.parse_args(argv)
    voices, rates, noises = (QUICK_VOICES, QUICK_RATES, QUICK_NOISES) if args.quick else (VOICES, RATES, NOISES)
    library: Library = load_library()
    cases = case_table()
    with tempfile.TemporaryDirectory(prefix="voice-eval-") as scratch:
        cache = Path(scratch) if args.no_cache else args.cache
        started = time.perf_counter()
        clips = synthesise(cases, voices, rates, cache)
        print(
            f"{len(clips)} clips ({len(cases)} texts x {len(voices)} voices x {len(rates)} rates) "
            f"ready in {time.perf_counter() - started:.1f} s; noise: "
            + ", ".join(c if s is None else f"{c} {s:g} dB" for c, s in noises)
        )
    started = time.perf_counter()
    recognizer = command_recognizer(build_vocabulary(library), LISTENING)
    print(
        f"recogniser built in {(time.perf_counter() - started) * 1000:.0f} ms over {len(recognizer.phrases)} "
        f"phrasings and {len(recognizer.names)} exercise names"
    )
    results = evaluate(recognizer, build_index(library), library, clips, cases, noises)
    met = report(results, verbose=args.verbose)
    longest_latency(recognizer, clips[voices[0], rates[0], cases[0].text])
    print("\nall targets met" if met else "\nsome targets MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
