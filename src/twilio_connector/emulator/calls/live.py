"""Live calls and their effects: what happens when a running call changes or acts.

:class:`CallEffects` keeps the registry of running calls (and their ``<Dial>`` legs) and
implements :class:`~.voice_env.CallHooks` for them: a status change updates the stored
Call and sends its status callback (with the ``Record=true`` recording on completion),
``<Record>`` and ``<Dial record>`` store Recordings, ``<Sms>``/``<Message>`` go through the
messaging backend, ``<Dial>`` legs are planned from the rule table and magic numbers
(``+15005550001`` invalid -> 13224, ``...02`` unreachable, ``...03`` geo -> 13227, ``...04``
blocked -> 13225; a malformed number -> 13223), and every TwiML problem becomes a debugger
notification.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..._wire import country_of, is_e164, message_verb_error
from ...callbacks import CallStatusChangeEvent, MachineDetectionResult
from ..accounts.records import AccountRecord
from ..errors import EmulatorError
from ..messages.state import MessageRequest
from ..realtime.speech import SpeechError, SpeechSynthesizer
from ..records import new_sid
from ..rules.state import Rule
from ..scheduler import Activity, CallClock
from ..voice import (
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    QUEUED,
    TERMINAL_STATUSES,
    CallerStep,
    CallInfo,
    CallProgress,
    CallQueues,
    CallSession,
    ChildCallPlan,
    InterpreterOptions,
    OutgoingMessage,
    RecordingInfo,
    RecordingRequest,
    SentMessage,
    Speech,
    StatusUpdate,
    TwimlSource,
    billed_minutes,
    parse_caller_script,
    recording_status_params,
)
from ..voice.model import Dial, DialTarget
from ..voice.transcript import Entry, Problem, StatusChanged, Transcript
from .records import CallRecord
from .repository import CallRepository
from .requests import CallRequest
from .voice_env import CallEnvironment, LiveCallerInput

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["CallEffects", "CallPlan", "LiveCall", "call_geo"]

KIND_STATUS = "call-status"
_RATES = {"inbound": 0.0085}
_OUTBOUND_RATE = 0.014
_DIAL_MAGIC = {
    "+15005550001": (13224, "Dial: the number {to} is not valid"),
    "+15005550002": (13224, "Dial: the number {to} cannot be reached"),
    "+15005550003": (13227, "Dial: no international permission to call {to}"),
    "+15005550004": (13225, "Dial: {to} is blocklisted"),
}


@dataclass(frozen=True)
class CallPlan:
    """How a call (or ``<Dial>`` leg) goes, from the rule table."""

    outcome: str = COMPLETED
    ring: float | None = None
    talk: float | None = None
    sip: int | None = None
    digits: str = ""
    speech: tuple[Speech, ...] = ()
    answered_by: str | None = None
    interactive: bool = False
    recording_seconds: float | None = None
    script: tuple[CallerStep, ...] = ()
    """The caller's realtime steps (Media Streams, ConversationRelay)."""

    @classmethod
    def of(cls, rule: Rule | None) -> CallPlan:
        if rule is None:
            return cls()
        p: dict[str, Any] = rule.params
        speech = p.get("speech")
        texts = [speech] if isinstance(speech, str) else list(speech or ())
        confidence = float(p.get("confidence", 0.9))

        def number(key: str) -> float | None:
            value = p.get(key)
            return None if value is None else float(value)

        return cls(
            outcome=rule.outcome,
            ring=number("ring"),
            talk=number("talk"),
            sip=p.get("sip_response_code"),
            digits=str(p.get("digits") or ""),
            speech=tuple(Speech(str(t), confidence) for t in texts),
            answered_by=p.get("answered_by"),
            interactive=bool(p.get("interactive", False)),
            recording_seconds=number("recording_seconds"),
            script=parse_caller_script(p.get("script") or ()),
        )


@dataclass(eq=False)
class LiveCall:
    """A call being simulated (its ``<Dial>`` legs are driven by its session)."""

    record: CallRecord
    account: AccountRecord
    progress: CallProgress
    activity: Activity
    clock: CallClock
    caller: LiveCallerInput
    transcript: Transcript
    env: CallEnvironment
    source: TwimlSource
    options: InterpreterOptions
    plan: CallPlan
    request: CallRequest | None = None
    """The create parameters (``None`` for inbound calls)."""
    stopped: bool = False
    """Ended from outside before it was answered (REST cancel)."""
    session: CallSession | None = None
    task: asyncio.Task[None] | None = None
    end_reason: str | None = None
    recording_sid: str | None = None
    legs: list[str] = field(default_factory=list)


def call_geo(from_: str, to: str) -> dict[str, str]:
    geo: dict[str, str] = {}
    for side, number in (("From", from_), ("To", to)):
        geo.update({f"{side}City": "", f"{side}State": "", f"{side}Zip": ""})
        geo[f"{side}Country"] = country_of(number)
    return geo


class CallEffects:
    """The running calls, and what their changes and actions do to the emulator."""

    def __init__(self, core: EmulatorCore, repository: CallRepository) -> None:
        self.core = core
        self.repository = repository
        self.live: dict[str, LiveCall] = {}
        self.records: dict[str, CallRecord] = {}  # live calls and their live legs
        self.owner: dict[str, LiveCall] = {}  # call or leg SID -> the call running it
        self.queues: dict[str, CallQueues] = {}
        self.speech = SpeechSynthesizer()

    def register(self, live: LiveCall) -> None:
        sid = live.record.sid
        self.live[sid] = live
        self.records[sid] = live.record
        self.owner[sid] = live
        self.repository.save(live.record)

    def forget(self, live: LiveCall) -> None:
        for sid in (live.record.sid, *live.legs):
            self.records.pop(sid, None)
            self.owner.pop(sid, None)
        self.live.pop(live.record.sid, None)

    def clear(self) -> None:
        self.live.clear()
        self.records.clear()
        self.owner.clear()
        self.queues.clear()

    def advance(
        self, live: LiveCall, progress: CallProgress, status: str, sip: int | None = None
    ) -> None:
        update = progress.advance(
            status, live.clock.now(), sip_response_code=sip, elapsed=live.clock.elapsed
        )
        live.transcript.add(StatusChanged(at=live.clock.elapsed, status=status))
        self.status_changed(progress, update)

    def status_changed(self, call: CallProgress, update: StatusUpdate) -> None:
        live = self.owner.get(call.call_sid)
        record = self.records.get(call.call_sid)
        if live is None or record is None:
            return
        at = update.at.timestamp()
        record.status = update.resource_status
        record.date_updated = at
        record.start_time = call.started_at.timestamp() if call.started_at else None
        record.end_time = call.ended_at.timestamp() if call.ended_at else None
        if update.status == IN_PROGRESS:
            record.answered_by = call.info.answered_by
        if update.status == COMPLETED:
            record.duration = call.duration_seconds or 0
            rate = _RATES.get(record.direction, _OUTBOUND_RATE)
            record.price = f"-{rate * billed_minutes(record.duration):.5f}"
        self.repository.save(record)
        main = live.record is record
        extra: dict[str, str] = {}
        if main and update.status == IN_PROGRESS:
            self._on_answered(live)
        if main and update.status in TERMINAL_STATUSES:
            extra = self._record_whole_call(live)
        callback = update.callback
        if callback is not None:
            params = dict(callback.params)
            params.update(extra)
            self.core.dispatcher.send(
                live.env.webhook(
                    callback.url, callback.method, params, KIND_STATUS, resource_sid=call.call_sid
                )
            )
        if not main and update.status in TERMINAL_STATUSES:
            self.records.pop(call.call_sid, None)
            self.owner.pop(call.call_sid, None)

    def _on_answered(self, live: LiveCall) -> None:
        req = live.request
        if req is None:
            return
        if req.record:
            live.recording_sid = new_sid("RE")
            if "in-progress" in (req.recording_status_callback_events or ["completed"]):
                self._recording_callback(live, "in-progress", None)
        if req.machine_detection and req.async_amd and req.async_amd_status_callback:
            params = MachineDetectionResult(
                account_sid=live.account.sid, call_sid=live.record.sid,
                answered_by=live.plan.answered_by or "human", machine_detection_duration=2000,
            ).to_params()  # fmt: skip
            self.core.dispatcher.send(
                live.env.webhook(
                    req.async_amd_status_callback, req.async_amd_status_callback_method, params,
                    "amd-status",
                )
            )  # fmt: skip

    def _recording_callback(self, live: LiveCall, status: str, duration: int | None) -> None:
        req = live.request
        if req is None or not req.recording_status_callback or live.recording_sid is None:
            return
        started = live.progress.answered_at or live.clock.now()
        params = recording_status_params(
            account_sid=live.account.sid, call_sid=live.record.sid,
            recording_sid=live.recording_sid,
            recording_url=self.core.recordings.media_url(live.account.sid, live.recording_sid),
            status=status, duration=duration, start_time=started, source="OutboundAPI",
            channels=req.recording_channels, track=req.recording_track,
        )  # fmt: skip
        self.core.dispatcher.send(
            live.env.webhook(
                req.recording_status_callback, req.recording_status_callback_method, params,
                "recording-status",
            )
        )  # fmt: skip

    def _record_whole_call(self, live: LiveCall) -> dict[str, str]:
        """``Record=true``: store the call's recording; the completed callback's extras."""
        req, progress, sid = live.request, live.progress, live.recording_sid
        if req is None or sid is None or progress.answered_at is None:
            return {}
        duration = progress.duration_seconds or 0
        self.core.recordings.create(
            live.account.sid, live.record.sid, source="OutboundAPI", duration=duration,
            start_time=progress.answered_at.timestamp(), channels=req.recording_channels,
            track=req.recording_track, sid=sid,
        )  # fmt: skip
        if "completed" in (req.recording_status_callback_events or ["completed"]):
            self._recording_callback(live, "completed", duration)
        url = self.core.recordings.media_url(live.account.sid, sid)
        done = CallStatusChangeEvent(
            recording_url=url, recording_sid=sid, recording_duration=duration
        )
        return done.to_params()

    def create_recording(self, call: CallProgress, request: RecordingRequest) -> RecordingInfo:
        account_sid, recordings = call.info.account_sid, self.core.recordings
        record = recordings.create(
            account_sid, request.call_sid, source=request.source, duration=request.duration,
            start_time=request.start_time.timestamp(), channels=request.channels,
            track=request.track, audio=request.audio,
        )  # fmt: skip
        return RecordingInfo(record.sid, recordings.media_url(account_sid, record.sid))

    def send_message(self, call: CallProgress, message: OutgoingMessage) -> SentMessage:
        live = self.owner.get(call.call_sid)
        if live is None:
            return SentMessage("", "failed")
        req = MessageRequest(
            to=message.to, from_=message.from_, body=message.body,
            status_callback=message.status_callback, direction="outbound-call",
        )  # fmt: skip
        try:
            msg = self.core.messaging.create(live.account, req)
        except EmulatorError as exc:
            code = message_verb_error(exc.code)
            self.core.notify(
                live.account.sid, code, f"<{message.verb}> rejected: {exc.message}",
                resource_sid=live.record.sid,
            )  # fmt: skip
            return SentMessage("", "failed")
        return SentMessage(msg.sid, msg.status)

    def plan_child_call(
        self, parent: CallProgress, target: DialTarget, dial: Dial, caller_id: str
    ) -> ChildCallPlan:
        live = self.owner[parent.call_sid]
        address = target.address
        plan = CallPlan.of(self.core.rules.match("call", address, caller_id))
        outcome, sip = plan.outcome, plan.sip
        if target.kind == "number":
            problem = None
            if address in _DIAL_MAGIC:
                problem = _DIAL_MAGIC[address]
            elif not is_e164(address):
                problem = (13223, "Dial: invalid phone number format {to}")
            if problem is not None:
                code, text = problem
                self.core.notify(
                    live.account.sid, code, text.format(to=address[:40]),
                    resource_sid=parent.call_sid,
                )  # fmt: skip
                outcome, sip = FAILED, sip or 404
        now = live.clock.now()
        record = CallRecord(
            new_sid("CA"), live.account.sid, "outbound-dial", caller_id, address, QUEUED,
            now.timestamp(), now.timestamp(), parent_call_sid=parent.call_sid,
        )  # fmt: skip
        info = CallInfo(
            live.account.sid, record.sid, caller_id, address, direction="outbound-dial",
            parent_call_sid=parent.call_sid, geo=call_geo(caller_id, address),
        )  # fmt: skip
        progress = CallProgress(
            info, created_at=now, status_callback=target.status_callback,
            status_callback_method=target.status_callback_method,
            events=target.status_callback_event, created_elapsed=live.clock.elapsed,
        )  # fmt: skip
        self.records[record.sid] = record
        self.owner[record.sid] = live
        live.legs.append(record.sid)
        self.repository.save(record)
        return ChildCallPlan(progress, outcome, plan.ring, plan.talk, sip)

    async def synthesize(self, text: str, language: str) -> bytes:
        """The caller's words as 8 kHz μ-law (espeak-ng; a synthetic voice without it)."""
        try:
            return await self.speech.synthesize(text, voice=language)
        except (SpeechError, ValueError):  # e.g. a language espeak-ng has no voice for
            return await self.speech.synthesize(text[: self.speech.max_text])

    def call_queues(self, account_sid: str) -> CallQueues:
        queues = self.queues.get(account_sid)
        if queues is None:
            queues = self.queues[account_sid] = CallQueues()
        return queues

    def on_entry(self, account_sid: str, call_sid: str, entry: Entry) -> None:
        if not isinstance(entry, Problem):
            return
        code = entry.code
        if code is None:
            if entry.level != "error":
                return
            code = 12400
        self.core.notify(
            account_sid, code, entry.message, resource_sid=call_sid, url=entry.url,
            level=entry.level,
        )  # fmt: skip
