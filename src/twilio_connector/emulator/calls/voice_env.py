"""The voice interpreter's world inside the emulator: clock, caller, effects, busyness.

* :class:`CallEnvironment` implements :class:`~.voice.VoiceEnvironment` for one call on top
  of the emulator's services: TwiML fetches through the webhook dispatcher (signed, logged,
  ``#ct``/``#rt`` overrides), status and recording callbacks, Recording resources, messages,
  ``<Dial>`` legs and queues (the last four delegated to the :class:`CallHooks` backend).
* :class:`LiveClock` is the call's clock on the emulator's scheduler (fast, realistic or
  manual timing), :class:`LiveCallerInput` the caller's keys and words.
* :class:`ActivityGate` / :class:`Activity` tell ``settle`` whether a call is busy. A call
  runs as a plain task, *not* a tracked one: it counts as busy while it does zero-time work
  (between two waits), and as idle while it waits for simulated time (the pending timer
  keeps ``settle`` waiting, and manual timing can fire it) or for step-by-step caller input
  (``settle`` returns: nothing more happens without input).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

from ..scheduler import Scheduler
from ..voice import (
    CallbackRequest,
    CallerInput,
    CallProgress,
    CallQueues,
    ChildCallPlan,
    FetchError,
    FetchResponse,
    OutgoingMessage,
    RecordingInfo,
    RecordingRequest,
    SentMessage,
    Speech,
    StatusUpdate,
)
from ..voice.model import Dial, DialTarget
from ..webhooks.dispatcher import Webhook, WebhookDispatcher

if TYPE_CHECKING:
    from ..accounts.records import AccountRecord

__all__ = [
    "Activity",
    "ActivityGate",
    "CallEnvironment",
    "CallHooks",
    "LiveCallerInput",
    "LiveClock",
]

KIND_TWIML = "voice-request"
KIND_RECORDING = "recording-status"


class ActivityGate:
    """One tracked task while any call is active, so ``settle`` waits for them."""

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        self._active = 0
        self._idle: asyncio.Event | None = None
        self.epoch = 0

    def enter(self) -> None:
        self._active += 1
        if self._idle is None:
            self._idle = asyncio.Event()
            self._scheduler.spawn(self._idle.wait(), name="voice-calls-active")

    def leave(self) -> None:
        self._active -= 1
        if self._active <= 0 and self._idle is not None:
            self._active = 0
            self._idle.set()
            self._idle = None

    def reset(self) -> None:
        """Forget every hold (the scheduler already canceled the tracked task)."""
        self.epoch += 1
        self._active = 0
        self._idle = None


class Activity:
    """One call's hold on the gate: ``hold`` while working, ``release`` while waiting."""

    __slots__ = ("_epoch", "_gate", "held")

    def __init__(self, gate: ActivityGate) -> None:
        self._gate = gate
        self._epoch = gate.epoch
        self.held = False

    def hold(self) -> None:
        if not self.held and self._epoch == self._gate.epoch:
            self.held = True
            self._gate.enter()

    def release(self) -> None:
        if self.held:
            self.held = False
            if self._epoch == self._gate.epoch:
                self._gate.leave()


class LiveClock:
    """A call's :class:`~.voice.VoiceClock` on the emulator scheduler.

    ``now()`` starts at the emulator time of the call's creation and moves by the simulated
    seconds waited, so durations and timestamps add up as if real.
    """

    def __init__(self, scheduler: Scheduler, activity: Activity) -> None:
        self._scheduler = scheduler
        self._activity = activity
        self._start = scheduler.clock.now()
        self._elapsed = 0.0
        self._sleeping: asyncio.Future[None] | None = None

    @property
    def elapsed(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._start + self._elapsed, timezone.utc)

    def _wake(self, fut: asyncio.Future[None]) -> None:
        if not fut.done():
            self._activity.hold()  # before the timer's count drops: no idle gap
            fut.set_result(None)

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        loop = self._scheduler.loop
        fut: asyncio.Future[None] = loop.create_future()
        timer = self._scheduler.call_later(seconds, self._wake, fut)
        self._activity.release()
        self._sleeping, began = fut, loop.time()
        try:
            await fut
        finally:
            cut = timer.live  # not fired yet: woken early by cut_short
            timer.cancel()
            self._sleeping = None
        if cut:  # count the time that really passed
            scale = self._scheduler.timing.scale
            seconds = min(seconds, (loop.time() - began) / scale if scale else 0.0)
        self._elapsed += seconds

    def cut_short(self) -> None:
        """End the current :meth:`sleep` now (e.g. a ringing call canceled)."""
        if self._sleeping is not None:
            self._wake(self._sleeping)

    async def wait(self, event: asyncio.Event, timeout: float | None) -> bool:
        """Wait for ``event`` at most ``timeout`` simulated seconds; True if it was set."""
        if event.is_set():
            return True
        loop = self._scheduler.loop
        began = loop.time()
        fut: asyncio.Future[None] = loop.create_future()
        timer = None if timeout is None else self._scheduler.call_later(timeout, self._wake, fut)
        waiter = loop.create_task(event.wait())
        waiter.add_done_callback(lambda _: self._wake(fut))
        self._activity.release()
        try:
            await fut
        finally:
            waiter.cancel()
            if timer is not None:
                timer.cancel()
        fired = event.is_set()
        scale = self._scheduler.timing.scale
        passed = (loop.time() - began) / scale if scale else 0.0
        if timeout is not None:
            passed = min(passed, timeout) if fired else timeout
        self._elapsed += passed
        return fired


class LiveCallerInput(CallerInput):
    """:class:`~.voice.CallerInput` whose step-by-step waits leave the call idle, and whose
    new input makes it busy again before it wakes up."""

    def __init__(
        self,
        activity: Activity,
        digits: str = "",
        speech: str | Iterable[str | Speech] | None = None,
        *,
        interactive: bool = False,
        idle_timeout: float | None = 30.0,
        recording_seconds: float | None = None,
    ) -> None:
        self._activity = activity
        super().__init__(
            digits, speech, interactive=interactive, idle_timeout=idle_timeout,
            recording_seconds=recording_seconds,
        )  # fmt: skip

    def press(self, digits: str) -> None:
        super().press(digits)
        if self.interactive:
            self._activity.hold()

    def speak(self, text: str, confidence: float = 0.9) -> None:
        super().speak(text, confidence)
        if self.interactive:
            self._activity.hold()

    async def next_input(self, *, dtmf: bool, speech: bool) -> str | Speech | None:
        if not self.interactive:
            return await super().next_input(dtmf=dtmf, speech=speech)
        self._activity.release()
        try:
            return await super().next_input(dtmf=dtmf, speech=speech)
        finally:
            self._activity.hold()


class CallHooks(Protocol):
    """What the environment delegates to the calls backend."""

    def status_changed(self, call: CallProgress, update: StatusUpdate) -> None: ...

    def create_recording(self, call: CallProgress, request: RecordingRequest) -> RecordingInfo: ...

    def send_message(self, call: CallProgress, message: OutgoingMessage) -> SentMessage: ...

    def plan_child_call(
        self, parent: CallProgress, target: DialTarget, dial: Dial, caller_id: str
    ) -> ChildCallPlan: ...

    def call_queues(self, account_sid: str) -> CallQueues: ...


class CallEnvironment:
    """The :class:`~.voice.VoiceEnvironment` of one call (and its ``<Dial>`` legs)."""

    def __init__(
        self,
        hooks: CallHooks,
        dispatcher: WebhookDispatcher,
        account: AccountRecord,
        call_sid: str,
    ) -> None:
        self._hooks = hooks
        self._dispatcher = dispatcher
        self._account = account
        self._call_sid = call_sid

    def webhook(
        self,
        url: str,
        method: str,
        params: Mapping[str, str],
        kind: str,
        *,
        resource_sid: str | None = None,
    ) -> Webhook:
        """A signed webhook of this call (``resource_sid``: a leg's, else the call's)."""
        return Webhook(
            url=url,
            params=list(params.items()),
            auth_token=self._account.auth_token,
            account_sid=self._account.sid,
            kind=kind,
            resource_sid=resource_sid or self._call_sid,
            method=method,
        )

    async def fetch(self, url: str, method: str, params: Mapping[str, str]) -> FetchResponse:
        result = await self._dispatcher.request(self.webhook(url, method, params, KIND_TWIML))
        if result.status is None:
            raise FetchError(result.error_code or 11200, result.error or "no HTTP response")
        return FetchResponse(result.status, result.content_type or None, result.body)

    async def notify(self, request: CallbackRequest) -> None:
        self._dispatcher.send(
            self.webhook(request.url, request.method, request.params, KIND_RECORDING)
        )

    async def call_status_changed(self, call: CallProgress, update: StatusUpdate) -> None:
        self._hooks.status_changed(call, update)

    async def create_recording(
        self, call: CallProgress, request: RecordingRequest
    ) -> RecordingInfo:
        return self._hooks.create_recording(call, request)

    async def send_message(self, call: CallProgress, message: OutgoingMessage) -> SentMessage:
        return self._hooks.send_message(call, message)

    async def plan_child_call(
        self, parent: CallProgress, target: DialTarget, dial: Dial, caller_id: str
    ) -> ChildCallPlan:
        return self._hooks.plan_child_call(parent, target, dial, caller_id)

    def call_queues(self, account_sid: str) -> CallQueues:
        return self._hooks.call_queues(account_sid)
