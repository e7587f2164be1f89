"""What the interpreter needs from the emulator: :class:`VoiceEnvironment` and :class:`VoiceClock`.

The interpreter is pure call logic; every effect goes through one environment object that
the emulator implements (tests use a small fake). The environment owns HTTP (signing,
``I-Twilio-Idempotency-Token``, ``#ct/#rt/...`` overrides, retries), the resource store (Calls,
Recordings, Messages) and the rules that decide how dialed legs end. Time comes from a
:class:`VoiceClock` per call (the emulator's :class:`~..scheduler.CallClock`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .lifecycle import CallbackRequest, CallProgress, StatusUpdate
from .model import Dial, DialTarget
from .queues import CallQueues

__all__ = [
    "ChildCallPlan",
    "FetchError",
    "FetchResponse",
    "OutgoingMessage",
    "RealtimeSocket",
    "RecordingInfo",
    "RecordingRequest",
    "SentMessage",
    "SocketClosed",
    "SocketError",
    "VoiceClock",
    "VoiceEnvironment",
]


class VoiceClock(Protocol):
    """What the interpreter needs from a clock (one instance per call)."""

    def now(self) -> datetime:
        """The current time (UTC), for timestamps."""
        ...

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the clock started: durations and transcript times."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        ...

    def count(self, seconds: float) -> None:
        """Add ``seconds`` that passed outside ``sleep``/``wait`` (a stream's own pacing)."""
        ...

    async def wait(self, event: asyncio.Event, timeout: float | None) -> bool:
        """Wait for ``event`` at most ``timeout`` simulated seconds (``None``: no limit);
        ``True`` if it was set. Simulated time advances by the (scaled) real wait."""
        ...


@dataclass(frozen=True)
class FetchResponse:
    """The HTTP answer to a TwiML request (any status; the interpreter judges it)."""

    status: int
    content_type: str | None
    body: bytes


class FetchError(Exception):
    """No HTTP answer: ``code`` is the debugger code (11205 connect failure, 11200 timeout,
    11210 DNS, 11220 TLS, 11100 invalid URL, ...). The message must not contain secrets."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RecordingRequest:
    """A finished simulated recording to store as a Recording resource (TWILIO.md 4.7)."""

    call_sid: str
    duration: int
    source: str
    """``RecordVerb`` or ``DialVerb``."""
    start_time: datetime
    channels: int = 1
    track: str = "both"
    audio: bytes | None = None
    """The recorded audio (8 kHz μ-law), when there is real audio (a stream's agent side);
    ``None``: silence as long as ``duration``."""


class SocketError(Exception):
    """A WebSocket could not be opened or broke: ``code`` is Twilio's error (31901 connect
    timeout, 31902 refused, 31920 handshake, 31922 URL scheme, 31923 malformed URL, 31924
    protocol, 64102 for ConversationRelay). The message must not contain secrets."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SocketClosed(Exception):
    """The other side closed the WebSocket (``code``: its close code, ``None`` if unknown)."""

    def __init__(self, code: int | None = None, reason: str = "") -> None:
        super().__init__(f"closed ({code}) {reason}".strip())
        self.code = code
        self.reason = reason


class RealtimeSocket(Protocol):
    """A WebSocket the call opened to an app (Media Streams, ConversationRelay): text frames."""

    async def send(self, text: str) -> None:
        """Send one text frame; raise :class:`SocketClosed` if the socket is closed."""
        ...

    async def recv(self) -> str:
        """The next text frame from the app; raise :class:`SocketClosed` once it closed."""
        ...

    async def close(self, code: int = 1000) -> None:
        """Close the socket (idempotent, never raises)."""
        ...


@dataclass(frozen=True)
class RecordingInfo:
    """The stored recording: its ``RE…`` SID and URL without extension (as in callbacks)."""

    sid: str
    url: str


@dataclass(frozen=True)
class OutgoingMessage:
    """A message sent by ``<Sms>`` / ``<Message>`` during a call."""

    verb: str
    from_: str
    to: str
    body: str
    status_callback: str | None = None


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str
    """The message's status right after sending (e.g. ``queued``, ``sending``, ``failed``)."""


@dataclass(frozen=True)
class ChildCallPlan:
    """How a ``<Dial>`` leg goes, decided by the emulator (magic numbers, rule table).

    ``progress`` is the child call, created and stored by the emulator in status ``queued``
    with ``info.direction == "outbound-dial"``, ``info.parent_call_sid`` set, and the noun's
    ``statusCallback``/``statusCallbackEvent``. The interpreter then drives it
    (``initiated``, ``ringing``, ``in-progress``, end) through
    :meth:`VoiceEnvironment.call_status_changed`, like any call.
    """

    progress: CallProgress
    outcome: str
    """``completed`` (answered), ``busy``, ``no-answer``, ``failed`` or ``canceled``."""
    ring_seconds: float | None = None
    """``None``: the timing default (``no-answer`` always rings the full dial timeout)."""
    talk_seconds: float | None = None
    """``None``: the timing default; capped by the dial ``timeLimit``."""
    sip_response_code: int | None = None


class VoiceEnvironment(Protocol):
    """Effects of a running call. All coroutines run on the call's event loop."""

    async def fetch(self, url: str, method: str, params: Mapping[str, str]) -> FetchResponse:
        """Request TwiML: ``url`` (absolute, fragment overrides kept) with ``method``
        (``GET``: params in the query string; ``POST``: form body), signed. Return any HTTP
        answer; raise :class:`FetchError` when none came."""
        ...

    async def notify(self, request: CallbackRequest) -> None:
        """Send a fire-and-forget callback (recording status, ``<Dial>`` noun events are
        *not* sent this way: see :meth:`call_status_changed`). Never raises."""
        ...

    async def call_status_changed(self, call: CallProgress, update: StatusUpdate) -> None:
        """A call (the main call or a ``<Dial>`` leg) changed status: update the stored Call
        and send ``update.callback`` if it is not ``None``."""
        ...

    async def create_recording(
        self, call: CallProgress, request: RecordingRequest
    ) -> RecordingInfo:
        """Store a Recording resource for ``call`` and return its SID and URL."""
        ...

    async def send_message(self, call: CallProgress, message: OutgoingMessage) -> SentMessage:
        """Send a message as the messaging API would (status callbacks included)."""
        ...

    async def plan_child_call(
        self, parent: CallProgress, target: DialTarget, dial: Dial, caller_id: str
    ) -> ChildCallPlan:
        """Create the child call for one ``<Dial>`` noun and decide how it goes."""
        ...

    def call_queues(self, account_sid: str) -> CallQueues:
        """The account's queues (the same object for every call of the account)."""
        ...

    async def open_socket(self, call: CallProgress, url: str) -> RealtimeSocket:
        """Open a WebSocket to ``url`` (``wss://``/``ws://``) as Twilio does: the handshake
        signed (``X-Twilio-Signature`` over the URL, no params), bounded frames. Raise
        :class:`SocketError` when it cannot be opened."""
        ...

    async def synthesize(self, text: str, language: str) -> bytes:
        """The caller saying ``text``: 8 kHz μ-law audio, whole 20 ms frames."""
        ...
