"""Speech: turn reply texts into cached WAV files, and speak aloud in the terminal chat.

The shared state is the cache directory, not memory: registering a text writes
`<id>.json` (text, voice, rate), so any process serving the app (gunicorn runs several)
can later synthesise `<id>.wav` on demand. Synthesis runs in ONE spawned worker process
per service holding ONE long-lived pyttsx3 engine, fed one utterance at a time by ONE
dispatcher thread; request threads only read files and wait on a ticket.

Faults (engine will not start, synthesis fails or hangs, worker dies) never reach the
caller: it gets None, one warning is logged, and the worker is restarted on next use.

job.py names and checks what to synthesise (pure); cache.py is the directory; worker.py the
process and its protocol; dispatch.py the thread that feeds it; service.py what the web app
uses; playback.py speaking aloud in the terminal; errors.py what can go wrong.
"""

from .errors import InvalidSpeechRequest, SpeechError, SpeechUnavailable
from .job import (
    DEFAULT_RATE,
    MAX_RATE,
    MIN_RATE,
    RATE_PRESETS,
    RATE_STEPS,
    SpeechJob,
    normalize_text,
    quantize_rate,
    resolve_rate,
)
from .playback import speak_aloud
from .service import SpeechService

__all__ = [
    "DEFAULT_RATE",
    "MAX_RATE",
    "MIN_RATE",
    "RATE_PRESETS",
    "RATE_STEPS",
    "InvalidSpeechRequest",
    "SpeechError",
    "SpeechJob",
    "SpeechService",
    "SpeechUnavailable",
    "normalize_text",
    "quantize_rate",
    "resolve_rate",
    "speak_aloud",
]
