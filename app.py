"""The Flask application factory: thin views over the pure core, services in app.extensions."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.exceptions import BadRequest, HTTPException, NotFound, ServiceUnavailable

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
from assistant.listen import ListenError, Recognizer, command_recognizer
from assistant.replies import Message, library_speech
from assistant.session import state_from_dict, state_to_dict
from assistant.speech import RATE_PRESETS, SpeechError, SpeechService, resolve_rate
from content import DEFAULT_CONTENT_DIR, AssistantError, Library, load_library, to_dict
from intents import RouterIndex, build_index, load_phrasings

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000  # far beyond any spoken or typed command; bounds the work per request
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then env, then `config` (tests); load content and services once."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep "kind, text, speech, audio" order
    root = Path(__file__).parent
    app.config.from_mapping(
        CONTENT_DIR=os.environ.get("ASSISTANT_CONTENT_DIR", str(DEFAULT_CONTENT_DIR)),
        SPEECH_CACHE_DIR=os.environ.get("ASSISTANT_SPEECH_CACHE", str(root / "var" / "speech")),
        SPEECH_VOICE=os.environ.get("ASSISTANT_VOICE", "en-us"),
        SPEECH_RATE=os.environ.get("ASSISTANT_RATE", "normal"),
        SPEECH_ENABLED=os.environ.get("ASSISTANT_SPEECH", "1") != "0",
        SPEECH_PRERENDER=True,
        SPEECH_TIMEOUT=10.0,
        SPEECH_ENGINE_FACTORY=None,
        LISTEN_ENABLED=os.environ.get("ASSISTANT_LISTEN", "1") != "0",
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,  # a 15 s WAV is ~0.5 MB at 16 kHz; larger is refused (413)
        SECRET_FILE=str(root / "var" / "secret_key"),
    )
    if config:
        app.config.from_mapping(config)
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _secret(app.config["SECRET_FILE"])
    library = load_library(Path(app.config["CONTENT_DIR"]))
    app.extensions["library"] = library
    app.extensions["router"] = build_index(library)
    app.extensions["sessions"] = URLSafeSerializer(app.config["SECRET_KEY"], salt="dialogue-state")
    app.extensions["speech"] = _speech_service(app.config, library)
    app.extensions["listener"] = _listener(app.config, library)
    _register_views(app)
    return app


def _secret(path_name: str) -> str:
    """The signing key: env, else a file created once (so every gunicorn worker agrees)."""
    if os.environ.get("ASSISTANT_SECRET_KEY"):
        return os.environ["ASSISTANT_SECRET_KEY"]
    path = Path(path_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(secrets.token_urlsafe(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic and exclusive: the first worker's key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


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
        )
    except (SpeechError, OSError) as error:
        log.warning("speech is off: %s", error)
        return None
    if config["SPEECH_PRERENDER"]:  # the replies people hear most: every warning and step
        service.prerender(library_speech(library))
    return service


def _listener(config: dict[str, Any], library: Library) -> Recognizer | None:
    """Offline recognition constrained to what the router understands for this content."""
    if not config["LISTEN_ENABLED"]:
        return None
    try:
        return command_recognizer(load_phrasings(), library)
    except (AssistantError, OSError, RuntimeError) as error:
        log.warning("listening is off: %s", error)
        return None


def _register_views(app: Flask) -> None:
    _register_page_and_content(app)
    _register_conversation(app)
    _register_speech(app)
    _register_errors(app)


def _register_page_and_content(app: Flask) -> None:
    library: Library = app.extensions["library"]

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
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
    sessions: URLSafeSerializer = app.extensions["sessions"]

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

    @app.post("/api/chat")
    def chat():
        message, token, rate = _chat_request(request.get_json(silent=True))
        state, reply = respond(_load_state(sessions, token), message, library, router)
        return jsonify(reply_json(state, reply, rate))

    @app.post("/api/listen")
    def listen():
        """A spoken command as audio/wav: the chat reply plus what was heard."""
        listener: Recognizer | None = app.extensions["listener"]
        if listener is None:
            raise ServiceUnavailable("Listening is turned off on this server; please type instead.")
        state = _load_state(sessions, request.args.get("session") or request.headers.get("X-Session"))
        try:
            heard = listener.transcribe(request.get_data(cache=False), subset=listening_situation(state, library))
        except ListenError as error:
            return jsonify(error=str(error)), error.status
        state, reply = respond(state, heard.text, library, router)
        return jsonify({**reply_json(state, reply, None), "transcript": heard.text})


def _register_speech(app: Flask) -> None:
    @app.get("/api/speech/<audio_id>.wav")
    def speech_audio(audio_id: str):
        service: SpeechService | None = app.extensions["speech"]
        path = service.wav_path(audio_id) if service else None
        if path is None:
            raise NotFound("No such audio.")
        try:
            data = path.read_bytes()  # a few hundred kB; read whole so no file is left open
        except OSError as error:
            raise NotFound("No such audio.") from error
        response = Response(data, mimetype="audio/wav")
        response.set_etag(audio_id)
        response.headers["Cache-Control"] = IMMUTABLE
        response.make_conditional(request, accept_ranges=True, complete_length=len(data))
        return response


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description or error.name), error.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unexpected error")
        return jsonify(error="Something went wrong on our side; please try again."), 500


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


def _load_state(sessions: URLSafeSerializer, token: str | None) -> DialogueState:
    """The conversation so far; a missing, old or tampered token starts a new one."""
    if not token:
        return DialogueState()
    try:
        return state_from_dict(sessions.loads(token))
    except (BadSignature, AssistantError) as error:
        log.info("starting a new conversation: unusable session token (%s)", error)
        return DialogueState()


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
    try:
        return url_for("speech_audio", audio_id=service.request(speech, rate=rate))
    except SpeechError as error:
        log.warning("no audio for a reply: %s", error)
        return None
