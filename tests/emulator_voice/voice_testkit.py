"""A fake :class:`VoiceEnvironment` (the interpreter's injected dependency) and call helpers.

Documents are served from a dict ``url -> TwiML text | FetchResponse | Exception | callable``
(the callable gets the request params and returns one of the others).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from twilio_connector.emulator.realtime.socket import open_app_socket
from twilio_connector.emulator.scheduler import CallClock, Clock, Scheduler
from twilio_connector.emulator.timing import Timing
from twilio_connector.emulator.voice import (
    IN_PROGRESS,
    CallbackRequest,
    CallerInput,
    CallInfo,
    CallOutcome,
    CallProgress,
    CallQueues,
    CallSession,
    ChildCallPlan,
    FetchError,
    FetchResponse,
    InterpreterOptions,
    OutgoingMessage,
    RealtimeSocket,
    RecordingInfo,
    RecordingRequest,
    SentMessage,
    StatusUpdate,
    TwimlSource,
)
from twilio_connector.emulator.voice.model import Dial, DialTarget
from twilio_connector.realtime import audio

ACCOUNT = "AC" + "a" * 32
AUTH_TOKEN = "f" * 32
START = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
_counter = itertools.count(1)


def sid(prefix: str) -> str:
    return f"{prefix}{next(_counter):032x}"


Served = str | FetchResponse | Exception
Document = Served | Callable[[Mapping[str, str]], Served]


@dataclass
class Fetch:
    url: str
    method: str
    params: dict[str, str]


@dataclass
class FakeVoiceEnv:
    documents: dict[str, Document] = field(default_factory=dict)
    child_outcomes: dict[str, str] = field(default_factory=dict)
    """Dial address -> outcome (default ``completed``)."""
    child_talk: float | None = None
    fetches: list[Fetch] = field(default_factory=list)
    updates: list[tuple[CallProgress, StatusUpdate]] = field(default_factory=list)
    notifications: list[CallbackRequest] = field(default_factory=list)
    recordings: list[RecordingRequest] = field(default_factory=list)
    messages: list[OutgoingMessage] = field(default_factory=list)
    queues: CallQueues = field(default_factory=CallQueues)

    async def fetch(self, url: str, method: str, params: Mapping[str, str]) -> FetchResponse:
        self.fetches.append(Fetch(url, method, dict(params)))
        served: Any = self.documents.get(url)
        if served is None:
            raise FetchError(11205, f"connection refused: {url}")
        if callable(served):
            served = served(params)
        if isinstance(served, Exception):
            raise served
        if isinstance(served, FetchResponse):
            return served
        return FetchResponse(200, "text/xml; charset=utf-8", served.encode())

    async def notify(self, request: CallbackRequest) -> None:
        self.notifications.append(request)

    async def call_status_changed(self, call: CallProgress, update: StatusUpdate) -> None:
        self.updates.append((call, update))

    async def create_recording(
        self, call: CallProgress, request: RecordingRequest
    ) -> RecordingInfo:
        self.recordings.append(request)
        rec_sid = sid("RE")
        return RecordingInfo(
            rec_sid, f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{rec_sid}"
        )

    async def send_message(self, call: CallProgress, message: OutgoingMessage) -> SentMessage:
        self.messages.append(message)
        return SentMessage(sid("SM"), "queued")

    async def plan_child_call(
        self, parent: CallProgress, target: DialTarget, dial: Dial, caller_id: str
    ) -> ChildCallPlan:
        info = CallInfo(
            ACCOUNT,
            sid("CA"),
            caller_id,
            target.address,
            direction="outbound-dial",
            parent_call_sid=parent.call_sid,
        )
        child = CallProgress(
            info,
            created_at=START,
            status_callback=target.status_callback,
            events=target.status_callback_event,
        )
        outcome = self.child_outcomes.get(target.address, "completed")
        return ChildCallPlan(child, outcome, talk_seconds=self.child_talk)

    def call_queues(self, account_sid: str) -> CallQueues:
        return self.queues

    async def open_socket(self, call: CallProgress, url: str) -> RealtimeSocket:
        """A real WebSocket (the emulator's opener), signed with :data:`AUTH_TOKEN`."""
        return await open_app_socket(url, AUTH_TOKEN)

    async def synthesize(self, text: str, language: str) -> bytes:
        """100 ms of silence a word: tests of the interpreter do not listen."""
        return audio.silence(100 * max(1, len(text.split())))

    # -- helpers for assertions ---------------------------------------------------------------

    def statuses(self, call_sid: str) -> list[str]:
        return [u.status for c, u in self.updates if c.call_sid == call_sid]


def make_call(
    *,
    direction: str = "outbound-api",
    status: str = IN_PROGRESS,
    status_callback: str | None = "https://cb.example.com/status",
    events: frozenset[str] = frozenset({"completed"}),
    from_: str = "+15005550006",
    to: str = "+14155550100",
) -> CallProgress:
    info = CallInfo(ACCOUNT, sid("CA"), from_, to, direction=direction)
    return CallProgress(
        info, created_at=START, status=status, status_callback=status_callback, events=events
    )


def call_clock(scale: float | None = 0.0) -> CallClock:
    """A call's clock on its own scheduler (``scale`` real seconds per simulated second; 0:
    no waiting at all), the emulator clock starting at :data:`START`."""
    scheduler = Scheduler(Timing(scale=scale), Clock(START.timestamp()), asyncio.get_running_loop())
    return CallClock(scheduler)


def session(
    env: FakeVoiceEnv,
    call: CallProgress | None = None,
    *,
    caller: CallerInput | None = None,
    scale: float = 0.0,
    options: InterpreterOptions | None = None,
) -> CallSession:
    return CallSession(
        call if call is not None else make_call(),
        env,
        clock=call_clock(scale),
        caller=caller,
        options=options,
    )


async def run(
    env: FakeVoiceEnv,
    source: TwimlSource,
    call: CallProgress | None = None,
    **kwargs: Any,
) -> CallOutcome:
    return await session(env, call, **kwargs).run(source)


def kinds(outcome: CallOutcome) -> list[str]:
    """The transcript as a list of entry kinds (``say``, ``gather``, ...)."""
    return [entry["kind"] for entry in outcome.transcript.to_builtins()]
