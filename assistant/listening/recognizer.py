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
from intents.slots import EXERCISE_SLOT
from intents.words import Vocabulary

from .errors import RecognizerError
from .grammar import Acceptor, command_templates, exercise_names
from .graphs import kept_word_graph
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
        names: Iterable[str] = (),
        subsets: Mapping[str, Iterable[str] | Mapping[str, float]] | None = None,
        settings: ListenSettings | None = None,
    ) -> None:
        """Build the decoder once: words missing from its dictionary are added (or the phrases
        and names with them left out, logged), then the phrases' word graph, where each
        {exercise} is said as one of `names`, and a free-phone search. Each of `subsets` (a
        name and some of `phrases`, or a mapping of them to how likely each is said) gets a
        word graph of its own, for `transcribe(..., subset=name)` to listen for those alone.
        With subsets, the graph of every phrase is built when first listened for: a server
        always listens in some situation, and each graph costs time and memory."""
        self.settings = settings or ListenSettings()
        self._decoder = pocketsphinx.Decoder(**DECODER_SETTINGS)
        wanted = tuple(dict.fromkeys(_words(p) for p in phrases if p.strip()))
        wanted_names = tuple(dict.fromkeys(_words(n) for n in names if n.strip()))
        unknown = self._add_words({w for p in (*wanted, *wanted_names) for w in p.split() if w != EXERCISE_SLOT})
        self.names: tuple[str, ...] = tuple(n for n in wanted_names if unknown.isdisjoint(n.split()))
        """The exercise names it can hear in place of {exercise}."""
        self.phrases: tuple[str, ...] = tuple(
            p for p in wanted if unknown.isdisjoint(p.split()) and (self.names or EXERCISE_SLOT not in p)
        )
        """The phrases it can hear: those whose every word it can pronounce ({exercise} included
        only if some name is)."""
        if not self.phrases:
            raise RecognizerError("speech recognition needs at least one phrase it can pronounce")
        self._weights: dict[str | None, Mapping[str, float]] = {None: dict.fromkeys(self.phrases, 1.0)}
        hearable = frozenset(self.phrases)
        for name, chosen in (subsets or {}).items():
            weights = chosen if isinstance(chosen, Mapping) else dict.fromkeys(chosen, 1.0)
            some = {_words(p): w for p, w in weights.items() if _words(p) in hearable}
            if not some:
                raise RecognizerError(f"the phrases of {name!r} include none that speech recognition can hear")
            self._weights[name] = some
        self._lock = threading.Lock()
        self._grammars: dict[str | None, tuple[str, Acceptor]] = {}
        for subset in self._weights if not subsets else subsets:
            self._grammar(subset)
        self._decoder.add_allphone_file(PHONES_SEARCH, None)

    def hears(self, phrase: str) -> bool:
        """Whether `phrase` (spoken words, names filled in) is one the recogniser can hear."""
        with self._lock:
            return phrase in self._grammar(None)[1]

    def _add_grammar(self, search: str, phrases: Mapping[str, float]) -> tuple[str, Acceptor]:
        """A search over `phrases`, each as likely as its weight says, and the set of what it
        can hear (pocketsphinx's own `accept` does not follow empty arcs)."""
        graph = kept_word_graph(phrases, self.names)
        scale = self.settings.language_weight  # pocketsphinx's create_fsg weighs grammar probabilities at 1
        transitions = [
            (a.source, a.target, a.probability**scale)
            if a.word is None
            else (a.source, a.target, a.probability**scale, a.word)
            for a in graph.arcs
        ]
        self._decoder.add_fsg(search, self._decoder.create_fsg(search, graph.start, graph.final, transitions))
        return search, Acceptor(graph)

    def _grammar(self, subset: str | None) -> tuple[str, Acceptor]:
        """The search of `subset`, added if it is not yet (the caller holds the lock, if any)."""
        if subset not in self._weights:
            raise ValueError(f"no subset of phrases is called {subset!r}")
        if subset not in self._grammars:
            search = COMMANDS_SEARCH if subset is None else f"{COMMANDS_SEARCH}:{subset}"
            self._grammars[subset] = self._add_grammar(search, self._weights[subset])
        return self._grammars[subset]

    def transcribe(self, data: bytes, *, subset: str | None = None) -> Transcript:
        """The command said in a WAV recording, "" if none; ListenError for bytes it cannot read.
        With `subset`, only that subset's phrases are listened for."""
        if subset not in self._weights:  # the caller's mistake, whatever the audio
            raise ValueError(f"no subset of phrases is called {subset!r}")
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
        with self._lock:
            search, hearable = self._grammar(subset)
            try:
                command = self._search(search, pcm)
                if command is None or command.text not in hearable:
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

    def _add_words(self, words: Iterable[str]) -> frozenset[str]:
        """Add missing words and British variants of every word; return the words it cannot say."""
        lookup = self._decoder.lookup_word
        unknown: set[str] = set()
        for word in sorted(words):
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
        return frozenset(unknown)

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
        name: command_templates(vocabulary, without=listening.unsaid, likelier=listening.likelier, boost=LIKELIER)
        for name, listening in (situations or {}).items()
    }
    names = exercise_names(vocabulary)
    return Recognizer(command_templates(vocabulary), names=names, subsets=subsets, settings=settings)
