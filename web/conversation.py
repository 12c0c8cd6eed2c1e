"""POST /api/chat and /api/listen: parse the input, `respond`, render the Turn."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, jsonify
from werkzeug.exceptions import ServiceUnavailable

from assistant.conversation import DialogueState, Message, Turn, listening_situation, respond
from assistant.listening import DecodePool
from assistant.rates import words_per_minute

from .audio import prefetch
from .requests import chat_request, listen_request
from .serialize import spoken, turn_json
from .sessions import Sessions

__all__ = ["conversation"]

conversation = Blueprint("conversation", __name__)


@conversation.post("/api/chat")
def chat():
    asked = chat_request()
    state, notice = _sessions().resume(asked.token, current_app.extensions["library"])
    if asked.rate_name is not None:  # the page's speed control: the conversation's own rate
        state = replace(state, rate=asked.rate_name)
    return jsonify(_rendered(_turn(state, asked.message, notice), asked.words_per_minute))


@conversation.post("/api/listen")
def listen():
    """A spoken command as audio/wav: the chat reply plus what was heard."""
    listener: DecodePool | None = current_app.extensions["listener"]
    if listener is None:
        raise ServiceUnavailable("Listening is turned off on this server; please type instead.")
    recording, token = listen_request()
    library = current_app.extensions["library"]
    state, notice = _sessions().resume(token, library)
    heard = listener.transcribe(recording, subset=listening_situation(state, library))  # ListenError: 4xx/503
    turn = _turn(state, heard.text, notice)  # silence asks again, changes nothing
    return jsonify({**_rendered(turn, None), "transcript": heard.text})


def _turn(state: DialogueState, text: str, notice: Message | None) -> Turn:
    extensions = current_app.extensions
    return respond(state, text, extensions["library"], extensions["router"], notice=notice)


def _rendered(turn: Turn, rate: int | None) -> dict:
    """The Turn as JSON, its audio asked for first (explicitly: serialising has no side effects)."""
    speech_rate = rate if rate is not None else words_per_minute(turn.state.rate)
    audio = prefetch(spoken(turn), speech_rate)
    library = current_app.extensions["library"]
    return turn_json(turn, session=_sessions().dumps(turn.state), library=library, audio=audio)


def _sessions() -> Sessions:
    return current_app.extensions["sessions"]
