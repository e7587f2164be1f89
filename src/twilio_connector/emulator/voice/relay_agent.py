"""The agent's side of a ConversationRelay session: what the app asked to be done, in order.

The app's messages (:mod:`twilio_connector.realtime.conversation_relay`) become
:data:`AgentItem`s the session performs one after the other: streamed ``text`` tokens are
gathered into one :class:`Utterance` when a token with ``last`` arrives; ``play``,
``sendDigits``, ``language`` and ``end`` are items of their own. An ``interruptible`` /
``preemptible`` flag on a token applies to its whole talk cycle (the last one given wins);
an unset one takes the session's attribute. Input kinds (who may interrupt) are ``none``,
``dtmf``, ``speech`` or ``any``; a ``true``/``false`` flag means ``any``/``none``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ...realtime import conversation_relay as cr

__all__ = [
    "MAX_QUEUED_ITEMS",
    "MAX_TURN_CHARS",
    "AgentEnd",
    "AgentItem",
    "AgentPlay",
    "AppClosed",
    "DigitsItem",
    "LanguageItem",
    "TurnBuilder",
    "Utterance",
    "input_allowed",
]

MAX_TURN_CHARS = 100_000
"""Characters kept of one talk cycle (a runaway stream of tokens is cut there)."""
MAX_QUEUED_ITEMS = 1000
"""Agent items waiting to be performed; beyond it the session stops reading the socket."""


@dataclass(frozen=True)
class Utterance:
    """Words to speak (a talk cycle, or the welcome greeting)."""

    text: str
    language: str | None
    interruptible: str
    preemptible: bool = False
    greeting: bool = False


@dataclass(frozen=True)
class AgentPlay:
    source: str
    loop: int
    interruptible: str
    preemptible: bool = False


@dataclass(frozen=True)
class DigitsItem:
    digits: str


@dataclass(frozen=True)
class LanguageItem:
    tts_language: str | None
    transcription_language: str | None


@dataclass(frozen=True)
class AgentEnd:
    handoff_data: str | None


@dataclass(frozen=True)
class AppClosed:
    """The app closed the socket (``code``: its close code, ``None`` if unknown)."""

    code: int | None


AgentItem = Utterance | AgentPlay | DigitsItem | LanguageItem | AgentEnd | AppClosed


def input_allowed(kind: str, setting: str) -> bool:
    """Whether caller input of ``kind`` (``speech``/``dtmf``) matches ``setting``."""
    return setting == "any" or setting == kind


def _flag_kind(flag: bool | None, default: str) -> str:
    if flag is None:
        return default
    return "any" if flag else "none"


class TurnBuilder:
    """Turns app messages into agent items; keeps the talk cycle being streamed."""

    def __init__(self, interruptible: str) -> None:
        self.interruptible = interruptible
        self._tokens: list[str] = []
        self._chars = 0
        self._lang: str | None = None
        self._interruptible: bool | None = None
        self._preemptible: bool | None = None
        self.dropping = False
        """Tokens are dropped up to the next ``last`` (a talk cycle the caller cut off)."""
        self.truncated = False

    @property
    def streaming(self) -> bool:
        """A talk cycle has tokens but no ``last`` yet."""
        return bool(self._tokens)

    def drop_current(self) -> None:
        """The caller barged in: drop the cycle being streamed, and its tokens up to ``last``."""
        if self._tokens:
            self.dropping = True
        self._reset()

    def _reset(self) -> None:
        self._tokens, self._chars = [], 0
        self._lang = self._interruptible = self._preemptible = None

    def add(self, message: cr.AppMessage, items: deque[AgentItem]) -> None:
        """Apply one app message: complete items are appended to ``items``."""
        if isinstance(message, cr.Text):
            self._text(message, items)
        elif isinstance(message, cr.Play):
            loop = message.loop if message.loop is not None else 1
            kind = _flag_kind(message.interruptible, self.interruptible)
            items.append(AgentPlay(message.source, loop, kind, bool(message.preemptible)))
        elif isinstance(message, cr.SendDigits):
            items.append(DigitsItem(message.digits))
        elif isinstance(message, cr.Language):
            items.append(LanguageItem(message.tts_language, message.transcription_language))
        else:
            items.append(AgentEnd(message.handoff_data))

    def _text(self, message: cr.Text, items: deque[AgentItem]) -> None:
        if self.dropping:
            if message.last:
                self.dropping = False
            return
        room = MAX_TURN_CHARS - self._chars
        if len(message.token) > room:
            self.truncated = True
        token = message.token[: max(0, room)]
        self._tokens.append(token)
        self._chars += len(token)
        for name in ("lang", "interruptible", "preemptible"):
            value = getattr(message, name)
            if value is not None:
                setattr(self, f"_{name}", value)
        if not message.last:
            return
        text = "".join(self._tokens)
        kind = _flag_kind(self._interruptible, self.interruptible)
        items.append(Utterance(text, self._lang, kind, bool(self._preemptible)))
        self._reset()
