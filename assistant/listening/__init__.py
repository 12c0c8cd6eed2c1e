"""Offline recognition of spoken commands: WAV bytes in, a Transcript out.

pocketsphinx (its en-US acoustic model and dictionary) decodes each recording twice: once
constrained to the command phrases (a word graph built by grammar.py), once as free phones.
How much worse the best command fits than free phones is the confidence: speech that is no
command fits free phones far better, and comes back as "" ("I didn't catch that") instead of
as the nearest command. Silence and steady noise are not decoded at all. `command_recognizer`
adds a graph for each situation of the conversation, given as data
(`assistant.conversation.LISTENING`): without the commands that mean nothing there, favouring
the likely ones.

Bytes are checked before anything is decoded (wav.py): a recording that is not WAV, too big or
too long, or damaged raises the ListenError that says so, with a message a person can act on.
Audio longer than MAX_AUDIO_SECONDS is refused rather than cut: the end of a command matters as
much as its beginning ("go to step ... three"), so decoding a part could act on the wrong words.

wav.py, signal.py (preparing audio for the model), phonetics.py (pronouncing words) and
grammar.py (the phrases and their word graph) are pure; recognizer.py is the thin adapter that
owns the decoder; pool.py runs it in processes of its own. Tuning figures were measured with
`python -m benchmarks.voice_eval` on espeak-ng voices.
"""

from .errors import DamagedRecording, ListenBusy, ListenError, NotARecording, RecordingTooLarge
from .pool import DecodePool, build_recognizer
from .recognizer import ListeningRule, ListenSettings, Recognizer, Transcript, command_recognizer
from .wav import MAX_AUDIO_BYTES, MAX_AUDIO_SECONDS

__all__ = [
    "MAX_AUDIO_BYTES",
    "MAX_AUDIO_SECONDS",
    "DamagedRecording",
    "DecodePool",
    "ListenBusy",
    "ListenError",
    "ListenSettings",
    "ListeningRule",
    "NotARecording",
    "Recognizer",
    "RecordingTooLarge",
    "Transcript",
    "build_recognizer",
    "command_recognizer",
]
