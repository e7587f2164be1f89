"""The call status machine and its status callbacks (TWILIO.md 4.4, 6.5).

::

    queued -> initiated -> ringing -> in-progress -> completed
       \\          \\           \\            \\-> failed
        \\          \\           \\-> busy | no-answer | failed | canceled
         \\          \\-> busy | no-answer | failed | canceled
          \\-> failed | canceled

``initiated`` is a phase, not a resource status: the Call resource shows ``queued`` until it
rings (:attr:`CallProgress.resource_status`). Inbound calls start at ``ringing``; ``<Dial>``
child legs are advanced ``queued -> initiated`` at once.

One :class:`CallProgress` per call owns the status, the timestamps, the call's subscribed
``StatusCallbackEvent`` values and the ``SequenceNumber`` counter; :meth:`CallProgress.advance`
returns the callback request to send (if any), so the emulator only has to dispatch it.

Timestamps (``at``) and call time are kept apart: each change may give the call clock's
``elapsed`` reading (simulated seconds), and durations are differences of those readings.
Without it the change's ``at`` counts as the reading (a clock whose timestamps are
simulated time). The emulator's clock is explained in :mod:`twilio_connector.emulator.scheduler`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from .params import CallInfo, status_callback_params, whole_seconds

__all__ = [
    "ANSWERED_EVENT",
    "BUSY",
    "CANCELED",
    "COMPLETED",
    "DEFAULT_SIP_RESPONSE_CODES",
    "FAILED",
    "INITIATED",
    "IN_PROGRESS",
    "NO_ANSWER",
    "QUEUED",
    "RINGING",
    "STATUS_CALLBACK_EVENTS",
    "TERMINAL_STATUSES",
    "CallProgress",
    "CallbackRequest",
    "InvalidStatusCallbackEvent",
    "InvalidTransition",
    "StatusUpdate",
    "callback_statuses",
    "event_for_status",
    "parse_status_callback_events",
]

QUEUED = "queued"
INITIATED = "initiated"
RINGING = "ringing"
IN_PROGRESS = "in-progress"
COMPLETED = "completed"
BUSY = "busy"
NO_ANSWER = "no-answer"
FAILED = "failed"
CANCELED = "canceled"

TERMINAL_STATUSES = frozenset({COMPLETED, BUSY, NO_ANSWER, FAILED, CANCELED})
STATUS_CALLBACK_EVENTS = ("initiated", "ringing", "answered", "completed")
ANSWERED_EVENT = "answered"

_NEXT: dict[str, frozenset[str]] = {
    QUEUED: frozenset({INITIATED, FAILED, CANCELED}),
    INITIATED: frozenset({RINGING, BUSY, NO_ANSWER, FAILED, CANCELED}),
    RINGING: frozenset({IN_PROGRESS, BUSY, NO_ANSWER, FAILED, CANCELED}),
    IN_PROGRESS: frozenset({COMPLETED, FAILED}),
}

DEFAULT_SIP_RESPONSE_CODES: Mapping[str, int] = MappingProxyType(
    {COMPLETED: 200, BUSY: 486, NO_ANSWER: 487, CANCELED: 487, FAILED: 404}
)
"""Final SIP code per end status (TWILIO.md 6.5: 487 = ring timeout, 404 = unreachable)."""


class InvalidTransition(ValueError):
    """A status change the call machine does not allow (e.g. ``completed -> ringing``)."""


class InvalidStatusCallbackEvent(ValueError):
    """A ``StatusCallbackEvent`` value Twilio refuses (error 21626, HTTP 400)."""

    code = 21626


def parse_status_callback_events(
    values: str | Iterable[str] | None,
) -> frozenset[str]:
    """``StatusCallbackEvent`` as sent (repeated keys and/or space-separated) -> event names.

    Nothing given means ``{"completed"}`` (Twilio's default); otherwise exactly the values given.
    Raise :class:`InvalidStatusCallbackEvent` on an unknown value.
    """
    if values is None:
        values = ()
    elif isinstance(values, str):
        values = (values,)
    events: set[str] = set()
    for value in values:
        for word in value.replace(",", " ").split():
            if word not in STATUS_CALLBACK_EVENTS:
                allowed = ", ".join(STATUS_CALLBACK_EVENTS)
                raise InvalidStatusCallbackEvent(
                    f"StatusCallbackEvent {word!r} is not one of {allowed}"
                )
            events.add(word)
    return frozenset(events) if events else frozenset({"completed"})


def event_for_status(status: str) -> str | None:
    """The ``StatusCallbackEvent`` a status belongs to (``in-progress`` -> ``answered``)."""
    if status in (INITIATED, RINGING):
        return status
    if status == IN_PROGRESS:
        return ANSWERED_EVENT
    if status in TERMINAL_STATUSES:
        return "completed"
    return None


def callback_statuses(events: Iterable[str]) -> frozenset[str]:
    """The call statuses that trigger a status callback for these subscribed events
    (``answered`` -> ``in-progress``; ``completed`` -> every final status)."""
    statuses: set[str] = set()
    for event in events:
        if event == ANSWERED_EVENT:
            statuses.add(IN_PROGRESS)
        elif event == "completed":
            statuses |= TERMINAL_STATUSES
        elif event in (INITIATED, RINGING):
            statuses.add(event)
    return frozenset(statuses)


@dataclass(frozen=True)
class CallbackRequest:
    """A webhook to send: the emulator signs it, adds the headers and delivers it."""

    url: str
    method: str
    params: dict[str, str]
    kind: str = "recording-status"
    """What the delivery log calls it (``recording-status``, ``stream-status``)."""


@dataclass(frozen=True)
class StatusUpdate:
    """One status change of a call, with the status callback it triggers (if subscribed)."""

    call_sid: str
    previous: str
    status: str
    resource_status: str
    at: datetime
    callback: CallbackRequest | None
    """``None`` when no ``StatusCallback`` is set or the event is not subscribed. The emulator
    may add parameters (e.g. ``RecordingUrl`` for ``Record=true``) before sending it."""


@dataclass
class CallProgress:
    """The live state of one call: status, times, callback subscription and sequence."""

    info: CallInfo
    created_at: datetime
    status: str = QUEUED
    status_callback: str | None = None
    status_callback_method: str = "POST"
    events: frozenset[str] = field(default_factory=lambda: frozenset({"completed"}))
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    sip_response_code: int | None = None
    callbacks_sent: int = 0
    """Status callbacks produced so far: the next ``SequenceNumber``."""
    created_elapsed: float = 0.0
    """The call clock's reading when the call was created (a ``<Dial>`` leg's is the
    parent's clock at that moment)."""
    answered_elapsed: float | None = None
    ended_elapsed: float | None = None

    def __post_init__(self) -> None:
        if self.status in (RINGING, IN_PROGRESS) and self.started_at is None:
            self.started_at = self.created_at
        if self.status == IN_PROGRESS and self.answered_at is None:
            self.answered_at = self.created_at
            self.answered_elapsed = self._reading(self.created_at, self.created_elapsed)

    def _reading(self, at: datetime, elapsed: float | None) -> float:
        """The call-time reading of a change: ``elapsed``, else ``at`` counted from creation."""
        if elapsed is not None:
            return elapsed
        return self.created_elapsed + (at - self.created_at).total_seconds()

    @property
    def call_sid(self) -> str:
        return self.info.call_sid

    @property
    def resource_status(self) -> str:
        """The Call resource's ``status`` (``initiated`` shows as ``queued``)."""
        return QUEUED if self.status == INITIATED else self.status

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def duration_seconds(self) -> int | None:
        """Answered-to-end whole seconds of call time; ``None`` if never answered or live."""
        if self.answered_elapsed is None or self.ended_elapsed is None:
            return None
        return whole_seconds(self.ended_elapsed - self.answered_elapsed)

    def can_cancel(self) -> bool:
        """``Status=canceled`` is allowed (queued / ringing); else 21220."""
        return self.status in (QUEUED, INITIATED, RINGING)

    def can_modify(self) -> bool:
        """Redirect / ``Status=completed`` is allowed (live call); else 21220."""
        return self.status == IN_PROGRESS

    def advance(
        self,
        status: str,
        at: datetime,
        *,
        sip_response_code: int | None = None,
        elapsed: float | None = None,
    ) -> StatusUpdate:
        """Move to ``status`` at ``at`` (call clock reading ``elapsed``); raise
        :class:`InvalidTransition` if not allowed."""
        previous = self.status
        if status not in _NEXT.get(previous, frozenset()):
            raise InvalidTransition(f"call {self.call_sid}: cannot go from {previous} to {status}")
        self.status = status
        if status in (INITIATED, RINGING) and self.started_at is None:
            self.started_at = at
        if status == IN_PROGRESS:
            self.answered_at = at
            self.answered_elapsed = self._reading(at, elapsed)
        callback: CallbackRequest | None = None
        final_duration: int | None = None
        if status in TERMINAL_STATUSES:
            self.ended_at = at
            self.ended_elapsed = self._reading(at, elapsed)
            self.sip_response_code = (
                sip_response_code
                if sip_response_code is not None
                else DEFAULT_SIP_RESPONSE_CODES[status]
            )
            final_duration = self.duration_seconds or 0
        event = event_for_status(status)
        if self.status_callback and event in self.events:
            params = status_callback_params(
                self.info,
                status,
                sequence_number=self.callbacks_sent,
                timestamp=at,
                call_duration=final_duration,
                sip_response_code=self.sip_response_code if final_duration is not None else None,
            )
            self.callbacks_sent += 1
            callback = CallbackRequest(self.status_callback, self.status_callback_method, params)
        return StatusUpdate(self.call_sid, previous, status, self.resource_status, at, callback)
