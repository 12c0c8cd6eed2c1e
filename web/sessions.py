"""The conversation carried by the client in a signed token: no server memory, any server can answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from assistant.conversation import DialogueState, Message
from assistant.conversation.repair import EXPIRED, repair
from assistant.conversation.session import state_from_dict, state_to_dict
from content import Library
from errors import AssistantError

__all__ = ["MAX_TOKEN_CHARS", "Sessions"]

log = logging.getLogger(__name__)

MAX_TOKEN_CHARS: Final = 4096
"""Our tokens are a few hundred characters; a longer one is not ours and is not even checked."""


@dataclass(frozen=True, slots=True)
class Sessions:
    signer: URLSafeTimedSerializer
    idle_seconds: float
    """A token untouched for longer starts a new conversation, saying so."""

    @classmethod
    def with_key(cls, key: str, idle_seconds: float) -> Sessions:
        return cls(URLSafeTimedSerializer(key, salt="dialogue-state"), idle_seconds)

    def dumps(self, state: DialogueState) -> str:
        return self.signer.dumps(state_to_dict(state))

    def resume(self, token: str | None, library: Library) -> tuple[DialogueState, Message | None]:
        """The conversation so far, made to fit the library as it is now, and what to say about
        it first (expired, or an exercise gone from the content)."""
        state, expired = self._load(token)
        state, notice = repair(state, library)
        return state, EXPIRED if expired else notice

    def _load(self, token: str | None) -> tuple[DialogueState, bool]:
        """A missing, old or tampered token starts a new conversation."""
        if not token:
            return DialogueState(), False
        if len(token) > MAX_TOKEN_CHARS:
            log.info("starting a new conversation: a session token of %s characters is not ours", len(token))
            return DialogueState(), False
        try:
            return state_from_dict(self.signer.loads(token, max_age=self.idle_seconds)), False
        except SignatureExpired:
            log.info("starting a new conversation: the session was idle for longer than %.0f s", self.idle_seconds)
            return DialogueState(), True
        except (BadSignature, AssistantError) as error:
            log.info("starting a new conversation: unusable session token (%s)", error)
            return DialogueState(), False
