"""A call's transcript: typed entries, in order, JSON-serialisable.

Every entry has ``kind`` (its JSON tag) and ``at`` (simulated seconds since the call's clock
started). ``Transcript.to_builtins()`` gives ``[{"kind": "say", "at": 0.0, "text": ...}, ...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import msgspec

__all__ = [
    "DialLeg",
    "Dialed",
    "Ended",
    "Enqueued",
    "Entry",
    "Fetched",
    "Gathered",
    "HungUp",
    "Left",
    "Logged",
    "MessageSent",
    "Paused",
    "Played",
    "Problem",
    "Recorded",
    "Redirected",
    "Rejected",
    "Said",
    "StatusChanged",
    "Transcript",
]

E = TypeVar("E", bound="_Entry")


class _Entry(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    at: float


class Fetched(_Entry, tag="fetch", frozen=True):
    """A TwiML request: ``purpose`` is ``initial``, ``fallback``, ``action``, ``redirect``,
    ``wait`` or ``dial-url``; ``status`` is ``None`` when no HTTP answer came."""

    url: str
    method: str
    purpose: str
    status: int | None = None


class Said(_Entry, tag="say", frozen=True):
    text: str
    voice: str
    language: str
    loop: int


class Played(_Entry, tag="play", frozen=True):
    url: str
    loop: int
    digits: str | None = None


class Paused(_Entry, tag="pause", frozen=True):
    length: int


class Gathered(_Entry, tag="gather", frozen=True):
    digits: str
    finished_on_key: str
    speech: str | None = None
    confidence: float | None = None
    timed_out: bool = False
    action: str | None = None
    """The action URL requested, or ``None`` when the call went on to the next verb."""


class Recorded(_Entry, tag="record", frozen=True):
    recording_sid: str
    recording_url: str
    duration: int
    digits: str | None = None
    action: str | None = None


class DialLeg(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    address: str
    call_sid: str | None
    status: str
    duration: int = 0


class Dialed(_Entry, tag="dial", frozen=True):
    legs: list[DialLeg]
    status: str
    """``DialCallStatus``."""
    call_sid: str | None
    duration: int
    bridged: bool
    recording_sid: str | None = None
    action: str | None = None


class Redirected(_Entry, tag="redirect", frozen=True):
    url: str
    method: str


class HungUp(_Entry, tag="hangup", frozen=True):
    by: str
    """``twiml`` (``<Hangup>``), ``api`` (REST / control plane) or ``end`` (last verb done)."""


class Rejected(_Entry, tag="reject", frozen=True):
    reason: str


class Enqueued(_Entry, tag="enqueue", frozen=True):
    queue: str
    queue_sid: str | None
    result: str
    """``QueueResult``: ``bridged``, ``leave``, ``hangup``, ``queue-full``, ``redirected``..."""
    queue_time: int = 0
    action: str | None = None


class Left(_Entry, tag="leave", frozen=True):
    queue: str | None


class MessageSent(_Entry, tag="message", frozen=True, rename={"from_": "from"}):
    verb: str
    message_sid: str
    status: str
    from_: str
    to: str
    body: str


class Logged(_Entry, tag="logged", frozen=True):
    """A verb accepted and recorded but not simulated (``<Connect>``, ``<Start>``, ...)."""

    verb: str
    nouns: list[dict[str, Any]]


class StatusChanged(_Entry, tag="status", frozen=True):
    status: str


class Problem(_Entry, tag="problem", frozen=True):
    """A debugger notification: ``level`` is ``warning`` (the call went on) or ``error`` (the
    document failed; the call went on only if a fallback URL worked)."""

    code: int | None
    level: str
    message: str
    url: str | None = None


class Ended(_Entry, tag="end", frozen=True):
    status: str
    reason: str
    duration: int | None


Entry = (
    Fetched
    | Said
    | Played
    | Paused
    | Gathered
    | Recorded
    | Dialed
    | Redirected
    | HungUp
    | Rejected
    | Enqueued
    | Left
    | MessageSent
    | Logged
    | StatusChanged
    | Problem
    | Ended
)

_decoder = msgspec.json.Decoder(list[Entry])


class Transcript:
    """The ordered entries of one call; an optional listener sees each entry as it is added."""

    def __init__(self, listener: Callable[[Entry], None] | None = None) -> None:
        self._entries: list[Entry] = []
        self._listener = listener

    def add(self, entry: Entry) -> None:
        self._entries.append(entry)
        if self._listener is not None:
            self._listener(entry)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(self._entries)

    def of(self, kind: type[E]) -> list[E]:
        """The entries of one type, e.g. ``transcript.of(Said)``."""
        return [entry for entry in self._entries if isinstance(entry, kind)]

    def __iter__(self) -> Iterator[Entry]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def to_builtins(self) -> list[dict[str, Any]]:
        return msgspec.to_builtins(self._entries)  # type: ignore[no-any-return]

    def to_json(self) -> bytes:
        return msgspec.json.encode(self._entries)

    @staticmethod
    def decode(data: bytes | str) -> list[Entry]:
        """Entries back from :meth:`to_json` (e.g. in a control-plane client)."""
        return _decoder.decode(data)
