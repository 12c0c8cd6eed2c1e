"""The Flask application factory: thin views over the pure core, services in app.extensions."""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, Final

from flask import Flask, Response, jsonify, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    NotFound,
    RequestEntityTooLarge,
    ServiceUnavailable,
    UnsupportedMediaType,
)

from assistant.decode_pool import DecodePool, ListenBusy, build_recognizer
from assistant.dialogue import (
    DialogueState,
    Reply,
    Timer,
    Understood,
    listening_situation,
    progress,
    respond,
    suggestions,
)
from assistant.listen import MAX_AUDIO_BYTES, ListenError
from assistant.repair import EXPIRED, repair
from assistant.replies import Message, library_speech
from assistant.session import state_from_dict, state_to_dict
from assistant.speech import RATE_PRESETS, SpeechError, SpeechService, SpeechUnavailable, resolve_rate
from content import DEFAULT_CONTENT_DIR, AssistantError, Library, load_library, to_dict
from intents import RouterIndex, build_index

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS: Final = 2000  # far beyond any spoken or typed command; bounds the work per request
MAX_CHAT_BYTES: Final = 64 * 1024
"""A chat request is a message of at most 2,000 characters and a token: a few kB at most."""
MAX_TOKEN_CHARS: Final = 4096
"""Our tokens are a few hundred characters; a longer one is not ours and is not even checked."""
MIN_SECRET_CHARS: Final = 32
"""32 URL-safe characters are about 190 bits; anything shorter is a mistake (an empty file) or guessable."""
SESSION_IDLE_DAYS: Final = 7.0
"""A conversation untouched for a week starts afresh: nobody is mid-exercise after that long."""
SPEECH_CACHE_MB: Final = 500
"""Default bound of the speech cache: every step of dozens of articles at each preset rate."""
WAV_TYPES: Final = frozenset({"audio/wav", "audio/x-wav"})
"""The only Content-Types /api/listen takes: neither is a "simple" type, so another origin's
page must ask first (a CORS preflight) and is refused."""
LISTEN_RETRY_SECONDS: Final = 2
"""Retry-After when every decoder is busy: about two maximum-length decodes."""
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: Final = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "microphone=(self), camera=(), geolocation=()"),
)
"""On every response, the server's own error pages included (see serve.py)."""
NO_STORE: Final = "no-store"
IMMUTABLE: Final = "public, max-age=31536000, immutable"


class ConfigError(AssistantError):
    """A setting the server cannot start with; the message says how to fix it."""


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then env, then `config` (tests); load content and services once."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep "kind, text, speech, audio" order
    root = Path(__file__).parent
    app.config.from_mapping(
        CONTENT_DIR=os.environ.get("ASSISTANT_CONTENT_DIR", str(DEFAULT_CONTENT_DIR)),
        SPEECH_CACHE_DIR=os.environ.get("ASSISTANT_SPEECH_CACHE", str(root / "var" / "speech")),
        SPEECH_CACHE_MAX_BYTES=int(float(os.environ.get("ASSISTANT_SPEECH_CACHE_MB", SPEECH_CACHE_MB)) * 1e6),
        SPEECH_VOICE=os.environ.get("ASSISTANT_VOICE", "en-us"),
        SPEECH_RATE=os.environ.get("ASSISTANT_RATE", "normal"),
        SPEECH_ENABLED=os.environ.get("ASSISTANT_SPEECH", "1") != "0",
        SPEECH_PRERENDER=True,
        SPEECH_TIMEOUT=10.0,
        SPEECH_ENGINE_FACTORY=None,
        LISTEN_ENABLED=os.environ.get("ASSISTANT_LISTEN", "1") != "0",
        LISTEN_DECODERS=int(os.environ.get("ASSISTANT_LISTEN_DECODERS", "1")),
        LISTEN_QUEUE=int(os.environ.get("ASSISTANT_LISTEN_QUEUE", "1")),
        LISTEN_TIMEOUT=30.0,
        LISTEN_RECOGNIZER_FACTORY=None,
        SESSION_IDLE_SECONDS=float(os.environ.get("ASSISTANT_SESSION_IDLE_DAYS", SESSION_IDLE_DAYS)) * 86400,
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,  # a 15 s WAV is ~0.5 MB at 16 kHz; larger is refused (413)
        SECRET_FILE=str(root / "var" / "secret_key"),
    )
    if config:
        app.config.from_mapping(config)
    app.config["SECRET_KEY"] = _secret(app.config)
    library = load_library(Path(app.config["CONTENT_DIR"]))
    app.extensions["library"] = library
    app.extensions["router"] = build_index(library)
    app.extensions["sessions"] = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="dialogue-state")
    app.extensions["speech"] = _speech_service(app.config, library)
    app.extensions["listener"] = _listener(app.config, library)
    _register_views(app)
    return app


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


def _speech_service(config: dict[str, Any], library: Library) -> SpeechService | None:
    if not config["SPEECH_ENABLED"]:
        return None
    try:
        service = SpeechService(
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
    if config["SPEECH_PRERENDER"]:  # the replies people hear most: every warning and step
        service.prerender(library_speech(library))
    return service


def _listener(config: dict[str, Any], library: Library) -> DecodePool | None:
    """Offline recognition constrained to what the router understands for this content, in
    processes of its own: decoding holds the GIL for hundreds of milliseconds."""
    if not config["LISTEN_ENABLED"]:
        return None
    factory = config["LISTEN_RECOGNIZER_FACTORY"] or partial(build_recognizer, library)
    return DecodePool(
        factory,
        decoders=int(config["LISTEN_DECODERS"]),
        queue=int(config["LISTEN_QUEUE"]),
        timeout=float(config["LISTEN_TIMEOUT"]),
    )


def _register_views(app: Flask) -> None:
    _register_page_and_content(app)
    _register_conversation(app)
    _register_speech(app)
    _register_errors(app)


def _register_page_and_content(app: Flask) -> None:
    library: Library = app.extensions["library"]

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        if request.path.startswith("/api/") or request.path == "/healthz":
            response.headers.setdefault("Cache-Control", NO_STORE)  # replies carry session tokens
        return response

    @app.get("/")
    def index():
        return render_template("index.html")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "articles": len(library.articles)}

    @app.get("/api/articles")
    def articles():
        return jsonify([to_dict(a) for a in library.articles])


def _register_conversation(app: Flask) -> None:
    library: Library = app.extensions["library"]
    router: RouterIndex = app.extensions["router"]
    sessions: URLSafeTimedSerializer = app.extensions["sessions"]
    idle = float(app.config["SESSION_IDLE_SECONDS"])

    def reply_json(state: DialogueState, reply: Reply, rate: int | None) -> dict[str, Any]:
        speech_rate = rate if rate is not None else resolve_rate(state.rate, default=RATE_PRESETS["normal"])
        return {
            **_understood_json(reply.understood, library),
            "session": sessions.dumps(state_to_dict(state)),
            "messages": [_message_json(app, m, speech_rate) for m in reply.messages],
            "progress": progress(state, library),
            "suggestions": suggestions(state, library),
            "timer": _timer_json(app, reply.timer, speech_rate),
            "cancel_timer": reply.cancel_timer,
            "pause_timer": reply.pause_timer,
            "resume_timer": reply.resume_timer,
        }

    def session_state(token: str | None) -> tuple[DialogueState, Message | None]:
        """The conversation so far, made to fit the library as it is now."""
        state, expired = _load_state(sessions, token, max_age=idle)
        state, notice = repair(state, library)
        return state, EXPIRED if expired else notice

    @app.post("/api/chat")
    def chat():
        message, token, rate = _chat_request(_json_body(MAX_CHAT_BYTES))
        state, notice = session_state(token)
        state, reply = respond(state, message, library, router)
        return jsonify(reply_json(state, _with_notice(reply, notice), rate))

    @app.post("/api/listen")
    def listen():
        """A spoken command as audio/wav: the chat reply plus what was heard."""
        listener: DecodePool | None = app.extensions["listener"]
        if listener is None:
            raise ServiceUnavailable("Listening is turned off on this server; please type instead.")
        recording = _listen_request()
        state, notice = session_state(request.headers.get("X-Session"))
        heard = listener.transcribe(recording, subset=listening_situation(state, library))  # ListenError: 4xx/503
        state, reply = respond(state, heard.text, library, router)  # silence asks again, changes nothing
        return jsonify({**reply_json(state, _with_notice(reply, notice), None), "transcript": heard.text})


def _register_speech(app: Flask) -> None:
    @app.get("/api/speech/<audio_id>.wav")
    def speech_audio(audio_id: str):
        service: SpeechService | None = app.extensions["speech"]
        if service is None:
            raise NotFound("No such audio.")
        try:
            data = service.wav_bytes(audio_id)  # a few hundred kB; read whole so no file is left open
        except SpeechUnavailable as error:  # a known text that cannot be spoken just now (disk, engine)
            response = jsonify(error=f"This audio cannot be made just now: {error}")
            response.headers["Retry-After"] = str(LISTEN_RETRY_SECONDS)
            return response, 503
        if data is None:
            raise NotFound("No such audio.")
        response = Response(data, mimetype="audio/wav")
        response.set_etag(audio_id)
        response.headers["Cache-Control"] = IMMUTABLE
        response.make_conditional(request, accept_ranges=True, complete_length=len(data))
        return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = jsonify(error=error.description or error.name)
        for name, value in error.get_headers():  # Allow on 405, WWW-Authenticate, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, error.code or 500

    @app.errorhandler(ListenError)
    def listen_error(error: ListenError):
        response = jsonify(error=str(error))
        if isinstance(error, ListenBusy):
            response.headers["Retry-After"] = str(LISTEN_RETRY_SECONDS)
        return response, error.status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unexpected error")
        return jsonify(error="Something went wrong on our side; please try again."), 500


def _request_body(limit: int) -> bytes:
    """The whole request body, however it was framed; 413 beyond `limit` bytes, 400 when the
    client's framing is broken (bad chunk sizes, a connection cut mid-body)."""
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"The request body is over {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit and (chunk := request.stream.read(limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except HTTPException:
        raise
    except Exception as error:  # the edge where a client's broken transport surfaces: its fault, not ours
        raise BadRequest("The request body could not be read: it was cut short or badly framed.") from error
    if size > limit:
        raise RequestEntityTooLarge(f"The request body is over {limit} bytes.")
    return b"".join(chunks)


def _json_body(limit: int) -> object:
    """The request's JSON, or None when it is not JSON; 400 for nesting too deep to parse."""
    data = _request_body(limit)
    if not request.is_json:
        return None
    try:
        return json.loads(data)
    except ValueError:  # not JSON, not UTF-8, or a number of more than 4,300 digits
        return None
    except RecursionError as error:
        raise BadRequest("The JSON is nested too deeply.") from error


def _listen_request() -> bytes:
    """Validate POST /api/listen: a WAV body, the session in the X-Session header."""
    if request.mimetype not in WAV_TYPES:
        raise UnsupportedMediaType("Send the recording with Content-Type: audio/wav.")
    if "session" in request.args:  # query strings end up in access logs
        raise BadRequest("Send the session token in the X-Session header, not in the URL.")
    return _request_body(MAX_AUDIO_BYTES)


def _chat_request(body: object) -> tuple[str, str | None, int | None]:
    """Validate POST /api/chat: {"message": str, "session": str|null, "rate": preset|number}."""
    if not isinstance(body, dict):
        raise BadRequest('Send JSON like {"message": "next step", "session": null}.')
    message, token, rate = body.get("message"), body.get("session"), body.get("rate")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest('"message" must be non-empty text.')
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(f'"message" is too long (at most {MAX_MESSAGE_CHARS} characters).')
    if token is not None and not isinstance(token, str):
        raise BadRequest('"session" must be the token from the previous reply, or null.')
    try:
        speech_rate = None if rate is None else resolve_rate(rate, default=RATE_PRESETS["normal"])
    except SpeechError as error:
        raise BadRequest(f'"rate": {error}') from error
    return message, token, speech_rate


def _load_state(sessions: URLSafeTimedSerializer, token: str | None, *, max_age: float) -> tuple[DialogueState, bool]:
    """The conversation so far, and whether it expired; a missing, old or tampered token
    starts a new one."""
    if not token:
        return DialogueState(), False
    if len(token) > MAX_TOKEN_CHARS:
        log.info("starting a new conversation: a session token of %s characters is not ours", len(token))
        return DialogueState(), False
    try:
        return state_from_dict(sessions.loads(token, max_age=max_age)), False
    except SignatureExpired:
        log.info("starting a new conversation: the session was idle for longer than %.0f s", max_age)
        return DialogueState(), True
    except (BadSignature, AssistantError) as error:
        log.info("starting a new conversation: unusable session token (%s)", error)
        return DialogueState(), False


def _with_notice(reply: Reply, notice: Message | None) -> Reply:
    return reply if notice is None else replace(reply, messages=(notice, *reply.messages))


def _understood_json(reading: Understood | None, library: Library) -> dict[str, Any]:
    """What the turn was understood as: {"intent", "exercise" (title), "step", "total_steps"}."""
    exercise = library.exercise(reading.exercise) if reading and reading.exercise else None
    return {
        "intent": reading.intent.value if reading else "out_of_scope",
        "exercise": exercise.title if exercise else None,
        "step": reading.step if reading and exercise else None,
        "total_steps": reading.total_steps if reading and exercise else None,
    }


def _message_json(app: Flask, message: Message, rate: int) -> dict[str, Any]:
    return {
        "kind": message.kind.value,
        "text": message.text,
        "speech": message.speech,
        "audio": _audio_url(app, message.speech, rate),
    }


def _timer_json(app: Flask, timer: Timer | None, rate: int) -> dict[str, Any] | None:
    """A hold to count: the page speaks each count at `at` seconds after it starts."""
    if timer is None:
        return None
    counts = [{"at": c.at, **_message_json(app, c.message, rate)} for c in timer.counts]
    return {"seconds": timer.seconds, "counts": counts}


def _audio_url(app: Flask, speech: str, rate: int) -> str | None:
    """Where the reply's audio will be: synthesis starts now, in the background."""
    service: SpeechService | None = app.extensions["speech"]
    if service is None or not service.healthy:
        return None
    try:  # a URL is only handed out once its durable record is written (SpeechError otherwise)
        return url_for("speech_audio", audio_id=service.request(speech, rate=rate))
    except SpeechError as error:
        log.warning("no audio for a reply: %s", error)
        return None
