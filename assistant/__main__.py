"""python -m assistant: the guided conversation in a terminal, each reply also spoken aloud.

python -m assistant            # type "how do I do the cobra stretch", then "next"...
python -m assistant --mute     # text only
python -m assistant --rate slow --voice en-gb
python -m assistant --explain  # also show what each turn was understood as
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from content import DEFAULT_CONTENT_DIR, Library, load_library
from intents import build_index

from .conversation import DialogueState, Kind, Message, Timer, Understood, respond
from .rates import words_per_minute
from .speech import RATE_PRESETS, SpeechError, SpeechUnavailable, resolve_rate, speak_aloud

Speak = Callable[[str, int], None]
PROMPT = "you> "


class Voice:
    """Speaks through the machine's audio; after the first failure says so once and goes quiet."""

    def __init__(self, voice: str, out: TextIO, speak: Callable[..., None] = speak_aloud) -> None:
        self.voice, self.out, self._speak, self.working = voice, out, speak, True

    def __call__(self, text: str, rate: int) -> None:
        if not self.working:
            return
        try:
            self._speak(text, voice=self.voice, rate=rate)
        except SpeechError as error:
            self.working = False
            print(f"(No audio: {error}. Carrying on in text.)", file=self.out)


def render(message: Message) -> str:
    if message.kind is Kind.WARNING:
        return f"⚠ SAFETY WARNING\n{message.text}"
    return message.text


def count_hold(
    timer: Timer, out: TextIO, say: Callable[[Message], None], sleep: Callable[[float], None] = time.sleep
) -> None:
    """Count a hold aloud at its times; Ctrl-C stops the count, not the program."""
    elapsed = 0
    try:
        for count in timer.counts:
            sleep(count.at - elapsed)
            elapsed = count.at
            say(count.message)
    except KeyboardInterrupt:
        print("Timer stopped.", file=out)


def chat(
    lines: Iterable[str],
    out: TextIO,
    *,
    speak: Speak | None,
    rate: int | None,
    sleep: Callable[[float], None] = time.sleep,
    explain: bool = False,
) -> None:
    """The terminal loop over any lines (stdin, or a script in tests)."""
    library = load_library(os.environ.get("ASSISTANT_CONTENT_DIR", DEFAULT_CONTENT_DIR))
    index = build_index(library)
    state = DialogueState()
    print("Exercise coach. Say “list exercises” or “how do I do the Cobra Stretch”. Ctrl-D quits.", file=out)
    for line in lines:
        if not line.strip():
            continue
        turn = respond(state, line.strip(), library, index)
        state = turn.state
        spoken_rate = rate or words_per_minute(state.rate)

        def say(message: Message, spoken_rate: int = spoken_rate) -> None:
            print(render(message), file=out, flush=True)
            if speak is not None:
                speak(message.speech, spoken_rate)

        for message in turn.messages:
            say(message)
        if turn.timer is not None:
            count_hold(turn.timer, out, say, sleep)
        where = turn.view.progress
        if where:
            print(f"   [{where.exercise} · step {where.step} of {where.total}]", file=out)
        if explain:
            print(f"   (understood: {explained(turn.understood, library)})", file=out)


def explained(reading: Understood, library: Library) -> str:
    """The turn's reading as the API reports it: intent · exercise title · step N of M."""
    exercise = library.exercise(reading.exercise) if reading.exercise else None
    parts = [reading.intent.value] + ([exercise.title] if exercise else [])
    if exercise and reading.step:
        parts.append(f"step {reading.step} of {reading.total_steps}")
    return " · ".join(parts)


def _prompted(stream: TextIO) -> Iterable[str]:
    while True:
        try:
            yield input(PROMPT) if stream.isatty() else next(stream)
        except (EOFError, StopIteration, KeyboardInterrupt):
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mute", action="store_true", help="do not speak, text only")
    parser.add_argument("--rate", help="slow, normal, fast or words per minute (80-320)")
    parser.add_argument(
        "--voice", default=os.environ.get("ASSISTANT_VOICE", "en-us"), help="an espeak-ng voice, e.g. en-us, en-gb"
    )
    parser.add_argument("--explain", action="store_true", help="after each reply, show what was understood")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        rate = resolve_rate(args.rate, default=RATE_PRESETS["normal"]) if args.rate else None
    except SpeechError as error:
        parser.error(str(error))
    speak = None if args.mute else Voice(args.voice, sys.stdout)
    chat(_prompted(sys.stdin), sys.stdout, speak=speak, rate=rate, explain=args.explain)
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["SpeechUnavailable", "Voice", "chat", "count_hold", "explained", "main", "render"]
