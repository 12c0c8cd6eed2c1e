"""The Flask application factory: config in, services into app.extensions, the web adapter's views on top.

    create_app(config)  # defaults, then the environment, then `config` (tests)

Everything per request lives in web/ (blueprints, request parsing, the JSON of a Turn, errors);
this file only wires: the library and its router, the session signer, speech and listening.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from functools import partial
from pathlib import Path
from typing import Any, Final

from flask import Flask

from assistant.conversation import LISTENING
from assistant.conversation.replies import library_speech
from assistant.listening import DecodePool, build_recognizer
from assistant.speech import RATE_PRESETS, SpeechError, SpeechService, resolve_rate
from content import DEFAULT_CONTENT_DIR
from errors import AssistantError
from intents import Thresholds
from intents.prepared import prepare
from intents.words import Vocabulary
from web import NO_STORE, SECURITY_HEADERS, register
from web.sessions import Sessions

__all__ = ["NO_STORE", "SECURITY_HEADERS", "ConfigError", "create_app"]

log = logging.getLogger(__name__)

MIN_SECRET_CHARS: Final = 32
"""32 URL-safe characters are about 190 bits; anything shorter is a mistake (an empty file) or guessable."""
SESSION_IDLE_DAYS: Final = 7.0
"""A conversation untouched for a week starts afresh: nobody is mid-exercise after that long."""
SPEECH_CACHE_MB: Final = 500
"""Default bound of the speech cache: every step of dozens of articles at each preset rate."""


class ConfigError(AssistantError):
    """A setting the server cannot start with; the message says how to fix it."""


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then env, then `config` (tests); load content and services once."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep "kind, text, speech, audio" order
    app.config.from_mapping(_defaults(Path(__file__).parent))
    if config:
        app.config.from_mapping(config)
    app.config["SECRET_KEY"] = _secret(app.config)
    prepared = prepare(Path(app.config["CONTENT_DIR"]), app.config["ROUTER_THRESHOLDS"])  # kept on disk
    library, vocabulary = prepared.library, prepared.vocabulary  # shared by routing and listening
    app.extensions["library"], app.extensions["router"] = library, prepared.index
    app.extensions["sessions"] = Sessions.with_key(app.config["SECRET_KEY"], float(app.config["SESSION_IDLE_SECONDS"]))
    speech = app.extensions["speech"] = app.config["SPEECH_SERVICE"] or _speech_service(app.config)
    if speech is not None and app.config["SPEECH_PRERENDER"]:  # what people hear most: warnings, steps
        speech.prerender(library_speech(library))
    app.extensions["listener"] = _listener(app.config, vocabulary)
    register(app)
    return app


def _defaults(root: Path) -> dict[str, Any]:
    """Every setting, from the environment where it may be set there."""
    env = os.environ.get
    return {
        "CONTENT_DIR": env("ASSISTANT_CONTENT_DIR", str(DEFAULT_CONTENT_DIR)),
        "SPEECH_CACHE_DIR": env("ASSISTANT_SPEECH_CACHE", str(root / "var" / "speech")),
        "SPEECH_CACHE_MAX_BYTES": int(float(env("ASSISTANT_SPEECH_CACHE_MB", SPEECH_CACHE_MB)) * 1e6),
        "SPEECH_VOICE": env("ASSISTANT_VOICE", "en-us"),
        "SPEECH_RATE": env("ASSISTANT_RATE", "normal"),
        "SPEECH_ENABLED": env("ASSISTANT_SPEECH", "1") != "0",
        "SPEECH_PRERENDER": True,
        "SPEECH_TIMEOUT": 10.0,
        "SPEECH_ENGINE_FACTORY": None,
        "SPEECH_SERVICE": None,  # an object with SpeechService's methods instead of the real one (tests)
        "LISTEN_ENABLED": env("ASSISTANT_LISTEN", "1") != "0",
        "LISTEN_DECODERS": int(env("ASSISTANT_LISTEN_DECODERS", "1")),
        "LISTEN_QUEUE": int(env("ASSISTANT_LISTEN_QUEUE", "1")),
        "LISTEN_TIMEOUT": 30.0,
        "LISTEN_RECOGNIZER_FACTORY": None,
        "LISTEN_SETTINGS": None,
        "ROUTER_THRESHOLDS": Thresholds(),
        "SESSION_IDLE_SECONDS": float(env("ASSISTANT_SESSION_IDLE_DAYS", SESSION_IDLE_DAYS)) * 86400,
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,  # a 15 s WAV is ~0.5 MB at 16 kHz; larger is refused (413)
        "SECRET_FILE": env("ASSISTANT_SECRET_FILE", str(root / "var" / "secret_key")),
    }


def _secret(config: Any) -> str:
    """The signing key: config (tests), else env, else a file created once (so every server
    process agrees); ConfigError for a key too short to be safe."""
    if config.get("SECRET_KEY"):
        return _checked_secret(str(config["SECRET_KEY"]), "SECRET_KEY")
    if "ASSISTANT_SECRET_KEY" in os.environ:
        return _checked_secret(os.environ["ASSISTANT_SECRET_KEY"], "ASSISTANT_SECRET_KEY")
    path = Path(config["SECRET_FILE"])
    try:
        _create_secret_file(path)
        return _checked_secret(path.read_text(encoding="utf-8").strip(), str(path))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read or create the secret key file {path}: {error}") from error


def _create_secret_file(path: Path) -> None:
    """Write a fresh key readable by its owner only from the first byte (no chmod window);
    linking makes it atomic and exclusive, so the first process's key wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("the secret key file %s is readable by others; making it private", path)
            path.chmod(0o600)
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(secrets.token_urlsafe(32))
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


def _checked_secret(key: str, source: str) -> str:
    if len(key.strip()) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"the secret key from {source} is {len(key.strip())} characters; at least {MIN_SECRET_CHARS} "
            "are needed. Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))' "
            "(or delete an empty key file and it is created afresh)."
        )
    return key


def _speech_service(config: dict[str, Any]) -> SpeechService | None:
    if not config["SPEECH_ENABLED"]:
        return None
    try:
        return SpeechService(
            Path(config["SPEECH_CACHE_DIR"]),
            voice=config["SPEECH_VOICE"],
            rate=resolve_rate(config["SPEECH_RATE"], default=RATE_PRESETS["normal"]),
            timeout=float(config["SPEECH_TIMEOUT"]),
            engine_factory=config["SPEECH_ENGINE_FACTORY"],
            max_bytes=int(config["SPEECH_CACHE_MAX_BYTES"]),
        )
    except (SpeechError, OSError) as error:
        log.warning("speech is off: %s", error)
        return None


def _listener(config: dict[str, Any], vocabulary: Vocabulary) -> DecodePool | None:
    """Offline recognition constrained to what the router understands for this content, in
    processes of its own: decoding holds the GIL for hundreds of milliseconds."""
    if not config["LISTEN_ENABLED"]:
        return None
    situations = dict(LISTENING)  # plain data for the decoder processes (a mappingproxy does not pickle)
    factory = config["LISTEN_RECOGNIZER_FACTORY"] or partial(
        build_recognizer, vocabulary, situations, config["LISTEN_SETTINGS"]
    )
    return DecodePool(
        factory,
        decoders=int(config["LISTEN_DECODERS"]),
        queue=int(config["LISTEN_QUEUE"]),
        timeout=float(config["LISTEN_TIMEOUT"]),
    )
