"""The recogniser: pocketsphinx constrained to the command phrases, with free phones as the measure of confidence."""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

import pocketsphinx

from intents import Intent
from intents.words import Vocabulary

from .errors import RecognizerError
from .grammar import command_phrases, weighted_phrases, word_graph
from .phonetics import accent_variants, pronounce, pronunciations
from .signal import model_input
from .wav import read_wav

__all__ = ["Heard", "ListenSettings", "ListeningRule", "Recognizer", "Transcript", "command_recognizer"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    """The command heard, in the grammar's words; "" when nothing was understood."""
    audio_seconds: float
    decode_ms: float
    """Time spent reading, preparing and decoding the recording, in milliseconds."""


LIKELIER: Final = 10.0
"""How much likelier a situation's likelier intents are than the rest. With a language weight
of 7, on six voices at 175 wpm with no confidence cut, commands (with "speak slower" and
"thank you" said while guiding) were 91.7% at 1 (no preference), 92.6% at 10 and 30, 92.3%
at 100; but "thank you" said while guiding fell from 89% to 72%, 56% and 50% ("undo"), so 10.
Exercise requests, switches mid-exercise included, were 93.9% at all four."""


DECODER_SETTINGS: Final = {
    "lm": None,  # no n-gram model: the command graph is the language model
    "bestpath": False,  # its lattice rescoring returns word strings outside the graph
    "loglevel": "FATAL",  # its per-utterance complaints are handled here, as outcomes
    # Wider beams than the defaults (1e-48, 7e-29, 1e-48): with thousands of phrases sharing
    # their first words, the default beams pruned the right phrase early (a high voice's
    # "stop the timer", which fits far better than what was heard) or every phrase (nothing
    # heard). Six voices at 175 wpm: commands 86.5% -> 89.6%; decoding p50 +10 to 20 ms.
    "beam": 1e-64,
    "wbeam": 1e-40,
    "pbeam": 1e-64,
}
"""pocketsphinx settings that differ from its defaults (and from the model's feat.params)."""


COMMANDS_SEARCH: Final = "commands"


PHONES_SEARCH: Final = "phones"


NOT_WORDS: Final = ("<", "[", "(")
"""Segment labels that are silence, noise or empty transitions, not words."""


@dataclass(frozen=True, slots=True)
class ListenSettings:
    """How readily speech is taken for a command; config may override these."""

    min_confidence: float = -1400.0
    """Least fit to the sounds of the best command relative to free phones (acoustic scores
    only, log base 1.0001), over the square root of its phones: score differences add up phone
    by phone and their spread grows as the square root of the count, so short commands are not
    judged by a noisier average; and the grammar's preferences, which differ by situation and
    by library, do not move it. Chosen on the espeak test set of `python -m
    benchmarks.voice_eval` (3,060 decodes, guidance favoured a hundredfold): from -1600 to
    -1400 every command that would be understood is kept (90.8 to 90.9%) while other speech
    kept out rises from 65% to 84%; exercise requests go from 91.4% to 90.1%. Higher rejects
    more of both: at -1300 commands 90.3%, exercise requests 88.4%, other speech 88%."""
    language_weight: float = 7.0
    """How much the phrases' likelihoods count against how well they fit the sounds: each
    grammar probability is raised to this power (pocketsphinx's `create_fsg` uses 1, under
    which even a millionfold preference moved nothing; its n-gram default is 6.5)."""
    min_speech_range_db: float = 8.0
    """The loud windows must stand this far above the quiet ones to be worth decoding: steady
    noise spans under 6 dB, a command said over noise at 10 dB SNR over 11 dB."""


@dataclass(frozen=True, slots=True)
class Heard:
    text: str
    """The best command phrase, "" when the search reached none."""
    confidence: float | None
    """Its fit relative to free phones over the square root of its phones (see ListenSettings);
    None when there is nothing to compare."""


@dataclass(frozen=True, slots=True)
class _Path:
    text: str
    sounds: int
    """How well the best path fits the sounds alone (its acoustic score, log base 1.0001):
    not how likely the grammar makes it, which differs between situations and libraries."""


class Recognizer:
    """One pocketsphinx decoder for the command phrases; `transcribe` is thread-safe (one
    request decodes at a time; a 2-second command takes about 0.1 to 0.2 s)."""

    def __init__(
        self,
        phrases: Iterable[str],
        *,
        subsets: Mapping[str, Iterable[str] | Mapping[str, float]] | None = None,
        settings: ListenSettings | None = None,
    ) -> None:
        """Build the decoder once: words missing from its dictionary are added (or their
        phrases left out, logged), then the phrases' word graph and a free-phone search.
        Each of `subsets` (a name and some of `phrases`, or a mapping of them to how likely
        each is said) gets a word graph of its own, for `transcribe(..., subset=name)` to
        listen for those phrases alone."""
        self.settings = settings or ListenSettings()
        self._decoder = pocketsphinx.Decoder(**DECODER_SETTINGS)
        wanted = tuple(dict.fromkeys(_words(p) for p in phrases if p.strip()))
        self.phrases: tuple[str, ...] = self._add_words(wanted)
        """The phrases it can hear: those whose every word it can pronounce."""
        if not self.phrases:
            raise RecognizerError("speech recognition needs at least one phrase it can pronounce")
        self._grammars: dict[str | None, tuple[str, pocketsphinx.FsgModel]] = {}
        self._grammars[None] = self._add_grammar(COMMANDS_SEARCH, self.phrases)
        hearable = frozenset(self.phrases)
        for name, chosen in (subsets or {}).items():
            weights = chosen if isinstance(chosen, Mapping) else dict.fromkeys(chosen, 1.0)
            some = {_words(p): w for p, w in weights.items() if _words(p) in hearable}
            if not some:
                raise RecognizerError(f"the phrases of {name!r} include none that speech recognition can hear")
            self._grammars[name] = self._add_grammar(f"{COMMANDS_SEARCH}:{name}", some)
        self._decoder.add_allphone_file(PHONES_SEARCH, None)
        self._lock = threading.Lock()

    def _add_grammar(
        self, search: str, phrases: Iterable[str] | Mapping[str, float]
    ) -> tuple[str, pocketsphinx.FsgModel]:
        """A search over `phrases`, each as likely as its weight says when it has one."""
        graph = word_graph(phrases, phrases if isinstance(phrases, Mapping) else None)
        scale = self.settings.language_weight  # pocketsphinx's create_fsg weighs grammar probabilities at 1
        transitions = [
            (a.source, a.target, a.probability**scale)
            if a.word is None
            else (a.source, a.target, a.probability**scale, a.word)
            for a in graph.arcs
        ]
        grammar = self._decoder.create_fsg(search, graph.start, graph.final, transitions)
        self._decoder.add_fsg(search, grammar)
        return search, grammar

    def _grammar(self, subset: str | None) -> tuple[str, pocketsphinx.FsgModel]:
        if subset not in self._grammars:
            raise ValueError(f"no subset of phrases is called {subset!r}")
        return self._grammars[subset]

    def transcribe(self, data: bytes, *, subset: str | None = None) -> Transcript:
        """The command said in a WAV recording, "" if none; ListenError for bytes it cannot read.
        With `subset`, only that subset's phrases are listened for."""
        self._grammar(subset)  # an unknown subset is the caller's mistake, whatever the audio
        started = time.perf_counter()
        audio = read_wav(bytes(data))
        pcm = model_input(audio, min_range_db=self.settings.min_speech_range_db)
        heard = self.hear(pcm, subset=subset) if pcm is not None else Heard("", None)
        sure = heard.confidence is not None and heard.confidence >= self.settings.min_confidence
        elapsed = (time.perf_counter() - started) * 1000
        log.debug(
            "heard %r (best command %r, confidence %s, cut-off %s) in %.2f s of audio, %.0f ms",
            heard.text if sure else "",
            heard.text,
            heard.confidence,
            self.settings.min_confidence,
            audio.seconds,
            elapsed,
        )
        return Transcript(heard.text if sure else "", audio.seconds, elapsed)

    def hear(self, pcm: bytes, *, subset: str | None = None) -> Heard:
        """The command phrase (of `subset`, if given) that fits 16 kHz 16-bit `pcm` best, and
        how well (no cut-off)."""
        if len(pcm) < 2:
            return Heard("", None)
        search, grammar = self._grammar(subset)
        with self._lock:
            try:
                command = self._search(search, pcm)
                if command is None or not grammar.accept(command.text):
                    return Heard("", None)
                phones = self._phones_said()
                free = self._search(PHONES_SEARCH, pcm)
            except RuntimeError as error:  # the decoder's own failure, not the caller's bytes
                log.warning("speech decoding failed: %s", error)
                with contextlib.suppress(RuntimeError):
                    self._decoder.end_utt()  # so the next request can start afresh
                return Heard("", None)
        if free is None or not phones:
            return Heard(command.text, None)
        return Heard(command.text, (command.sounds - free.sounds) / math.sqrt(phones))

    def _search(self, name: str, pcm: bytes) -> _Path | None:
        decoder = self._decoder
        decoder.activate_search(name)
        # Feature extraction afresh: pocketsphinx otherwise carries its cepstral mean and noise
        # estimate over from the last utterance, so a transcript would depend on the request before.
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None:  # the search never reached the end of a phrase
            return None
        logmath = decoder.get_logmath()
        sounds = sum(logmath.log(segment.ascore) for segment in decoder.seg() or ())  # log(0): its floor
        return _Path(hypothesis.hypstr, sounds)

    def _phones_said(self) -> int:
        """Phones in the words of the last search's best path, as pronounced there."""
        words = [s.word for s in self._decoder.seg() or () if not s.word.startswith(NOT_WORDS)]
        return sum(len((self._decoder.lookup_word(w) or "").split()) for w in words)

    def _add_words(self, phrases: tuple[str, ...]) -> tuple[str, ...]:
        """Add missing words and British variants of every word; return the phrases left."""
        lookup = self._decoder.lookup_word
        unknown: set[str] = set()
        for word in sorted({w for p in phrases for w in p.split()}):
            if not lookup(word):
                phones = pronounce(word, lookup)
                if phones is None:
                    unknown.add(word)
                    continue
                log.debug("pronouncing %r as %s", word, phones)
                self._decoder.add_word(word, phones, False)
            self._add_variants(word)
        if unknown:
            log.info("cannot pronounce %s: phrases with them will not be heard", sorted(unknown))
        return tuple(p for p in phrases if unknown.isdisjoint(p.split()))

    def _add_variants(self, word: str) -> None:
        known = list(pronunciations(word, self._decoder.lookup_word))
        for phones in known.copy():
            for variant in accent_variants(word, phones):
                if variant not in known:
                    known.append(variant)
                    self._decoder.add_word(f"{word}({len(known)})", variant, False)


def _words(phrase: str) -> str:
    return " ".join(phrase.split())


class ListeningRule(Protocol):
    """What a spoken command may mean in one situation of the conversation."""

    unsaid: frozenset[Intent]
    likelier: frozenset[Intent]


def command_recognizer(
    vocabulary: Vocabulary,
    situations: Mapping[str, ListeningRule] | None = None,
    *,
    settings: ListenSettings | None = None,
) -> Recognizer:
    """A recogniser for every command of a library's `vocabulary`, with the phrases of each of
    `situations` as a subset (pass the situation's name, `Turn.listening`, to `transcribe`)."""
    subsets = {
        name: weighted_phrases(vocabulary, without=listening.unsaid, likelier=listening.likelier, boost=LIKELIER)
        for name, listening in (situations or {}).items()
    }
    return Recognizer(command_phrases(vocabulary), subsets=subsets, settings=settings)
