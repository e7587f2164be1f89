"""A call's transcript: typed entries, in order, JSON-serialisable.

Every entry has ``kind`` (its JSON tag) and ``at`` (simulated seconds since the call's clock
started). ``Transcript.to_builtins()`` gives ``[{"kind": "say", "at": 0.0, "text": ...}, ...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import msgspec

__all__ = [
    "AgentAudio",
    "AgentDigits",
    "AgentPlayed",
    "AgentRecording",
    "AgentSaid",
    "CallerPlayed",
    "CallerPressed",
    "CallerSaid",
    "DialLeg",
    "Dialed",
    "Ended",
    "Enqueued",
    "Entry",
    "Fetched",
    "Gathered",
    "HungUp",
    "LanguageChanged",
    "Left",
    "Logged",
    "MarkReturned",
    "MessageSent",
    "Paused",
    "Played",
    "Problem",
    "Recorded",
    "Redirected",
    "Rejected",
    "RelayEnded",
    "RelayStarted",
    "Said",
    "StatusChanged",
    "StreamEnded",
    "StreamStarted",
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
    """``twiml`` (``<Hangup>``), ``api`` (REST / control plane), ``caller`` (a caller script's
    ``hangup``) or ``end`` (last verb done)."""


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


class StreamStarted(_Entry, tag="stream-start", frozen=True):
    """A Media Stream opened: ``bidirectional`` for ``<Connect><Stream>``, else a fork."""

    stream_sid: str
    url: str
    name: str | None
    track: str
    bidirectional: bool
    parameters: dict[str, str] = {}


class StreamEnded(_Entry, tag="stream-stop", frozen=True):
    """``reason``: ``app-closed``, ``caller-hangup``, ``stopped`` (``<Stop>``/REST),
    ``call-ended``, ``error`` (``error_code``: 319xx)."""

    stream_sid: str
    reason: str
    error_code: int | None = None
    media_sent: int = 0
    """``media`` messages sent to the app (inbound and outbound tracks)."""
    agent_audio_ms: int = 0
    """Milliseconds of the app's audio played to the caller."""


class CallerSaid(_Entry, tag="caller-say", frozen=True):
    """The caller spoke (audio on a stream, a ``prompt`` on ConversationRelay)."""

    text: str
    duration: float
    barge_in: bool = False


class CallerPressed(_Entry, tag="caller-press", frozen=True):
    digits: str


class CallerPlayed(_Entry, tag="caller-play", frozen=True):
    """The caller's side played a WAV file into the call."""

    path: str
    duration: float


class AgentAudio(_Entry, tag="agent-audio", frozen=True):
    """A stretch of the app's audio played to the caller (from ``at``, ``duration`` s);
    ``cleared``: cut short by ``clear``."""

    stream_sid: str
    duration: float
    cleared: bool = False


class MarkReturned(_Entry, tag="mark", frozen=True):
    """An app's mark sent back: its audio played, or dropped by ``clear`` (``cleared``)."""

    stream_sid: str
    name: str
    cleared: bool = False


class AgentRecording(_Entry, tag="agent-recording", frozen=True):
    """The app's audio on a stream, kept as a Recording (``RE…``)."""

    stream_sid: str
    recording_sid: str
    recording_url: str
    duration: int


class RelayStarted(_Entry, tag="relay-start", frozen=True):
    session_id: str
    url: str
    language: str
    parameters: dict[str, str] = {}


class AgentSaid(_Entry, tag="agent-say", frozen=True):
    """The app's words spoken to the caller (ConversationRelay ``text`` tokens up to
    ``last``, or the welcome greeting). ``interrupted``: the caller barged in; ``spoken`` is
    then what had been said."""

    text: str
    duration: float
    language: str | None = None
    greeting: bool = False
    interrupted: bool = False
    spoken: str | None = None


class AgentPlayed(_Entry, tag="agent-play", frozen=True):
    source: str
    loop: int = 1
    interrupted: bool = False


class AgentDigits(_Entry, tag="agent-digits", frozen=True):
    digits: str


class LanguageChanged(_Entry, tag="language", frozen=True):
    tts_language: str | None = None
    transcription_language: str | None = None


class RelayEnded(_Entry, tag="relay-end", frozen=True):
    """``status``: ``ended`` (the app's ``end``, or the caller hung up) or ``failed``."""

    session_id: str
    status: str
    reason: str
    duration: int
    handoff_data: str | None = None
    error_code: int | None = None


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
    | StreamStarted
    | StreamEnded
    | CallerSaid
    | CallerPressed
    | CallerPlayed
    | AgentAudio
    | MarkReturned
    | AgentRecording
    | RelayStarted
    | AgentSaid
    | AgentPlayed
    | AgentDigits
    | LanguageChanged
    | RelayEnded
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
