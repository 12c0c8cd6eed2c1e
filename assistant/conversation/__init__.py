"""The conversation: a pure core. One utterance in, one Turn out; no I/O, no speech, no listening.

    turn = respond(state, text, library, index)

state.py holds the values, turn.py the transition, guidance/questions/timing/talk the handlers
of each concern, view.py and situations.py what adapters show and listen for next, replies.py
the messages, session.py and repair.py the state as carried in a token.
"""

from .replies import Kind, Message
from .situations import LISTENING, Listening, Situation, listening_situation
from .state import Count, DialogueState, Reply, Timer, Understood
from .turn import Turn, advance, respond, understood
from .view import OFFER_LABELS, Progress, View, progress, suggestions

__all__ = [
    "LISTENING",
    "OFFER_LABELS",
    "Progress",
    "Turn",
    "View",
    "Count",
    "DialogueState",
    "Kind",
    "Listening",
    "Message",
    "Reply",
    "Situation",
    "Timer",
    "Understood",
    "advance",
    "listening_situation",
    "progress",
    "respond",
    "suggestions",
    "understood",
]
