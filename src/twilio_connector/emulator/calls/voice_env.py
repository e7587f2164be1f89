"""The voice interpreter's world inside the emulator: effects and the caller.

* :class:`CallEnvironment` implements :class:`~..voice.VoiceEnvironment` for one call on top
  of the emulator's services: TwiML fetches through the webhook dispatcher (signed, logged,
  ``#ct``/``#rt`` overrides), status and recording callbacks, Recording resources, messages,
  ``<Dial>`` legs and queues (the last four delegated to the :class:`CallHooks` backend).
* :class:`LiveCallerInput` is the caller's keys and words; its step-by-step waits release
  the call's :class:`~..scheduler.Activity` (``settle`` returns: nothing more happens without
  input). The call's clock is a :class:`~..scheduler.CallClock`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ..realtime.socket import open_app_socket
from ..scheduler import Activity
from ..voice import (
    CallbackRequest,
    CallerInput,
    CallerStep,
    CallProgress,
    CallQueues,
    ChildCallPlan,
    FetchError,
    FetchResponse,
    OutgoingMessage,
    RealtimeSocket,
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

__all__ = ["CallEnvironment", "CallHooks", "LiveCallerInput"]

KIND_TWIML = "voice-request"


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
        script: Iterable[CallerStep] = (),
    ) -> None:
        self._activity = activity
        super().__init__(
            digits, speech, interactive=interactive, idle_timeout=idle_timeout,
            recording_seconds=recording_seconds, script=script,
        )  # fmt: skip

    def press(self, digits: str) -> None:
        super().press(digits)
        if self.interactive:
            self._activity.hold()

    def speak(self, text: str, confidence: float = 0.9) -> None:
        super().speak(text, confidence)
        if self.interactive:
            self._activity.hold()

    def add_steps(self, steps: Iterable[CallerStep | Mapping[str, Any]]) -> None:
        super().add_steps(steps)
        self._activity.hold()

    def quiet(self, quiet: bool) -> None:
        if quiet:
            self._activity.release()
        else:
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

    async def synthesize(self, text: str, language: str) -> bytes: ...


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
            self.webhook(request.url, request.method, request.params, request.kind)
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

    async def open_socket(self, call: CallProgress, url: str) -> RealtimeSocket:
        return await open_app_socket(url, self._account.auth_token)

    async def synthesize(self, text: str, language: str) -> bytes:
        return await self._hooks.synthesize(text, language)
