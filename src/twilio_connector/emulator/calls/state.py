"""Calls: outbound and inbound call lifecycles, rules, and the TwiML each call runs.

Outbound (``POST /Calls.json``), delays in simulated seconds (fields of
:class:`~..timing.Timing`, fast by default)::

    queued --call_queue 0.5--> initiated --call_connect 1.0--> ringing --ring--> in-progress
                                  \\-> failed (call_fail 0.5)            \\-> busy | no-answer
                                                                           | canceled

``ring`` is the rule's ``ring`` param or ``call_ring`` (3.0); ``no-answer`` rings the whole
``Timeout``; ``busy`` rings ``call_busy`` (1.0). Once answered the call's TwiML (``Url``
fetched with Twilio's voice request, signed; or the inline ``Twiml``) runs in a
:class:`~.voice.CallSession` until the call ends ``completed``. Status callbacks go to
``StatusCallback`` for the subscribed ``StatusCallbackEvent`` values, in order per call.

The outcome comes from the newest matching rule of kind ``"call"`` (outcomes and params:
:mod:`.requests`); ``<Dial>`` legs use the same rules (matched on the dialed address), and
Twilio's magic numbers fail a leg with a notification (:mod:`.live`).

Inbound (:meth:`Calls.receive`): an owned number rings; its ``VoiceUrl`` (``VoiceMethod``,
``VoiceFallbackUrl`` on failure) gets ``CallStatus=ringing`` and the TwiML runs; the
number's ``StatusCallback`` gets the ``completed`` event. The caller's ``digits``/``speech``
answer Gathers; with neither, input comes step by step (:meth:`Calls.press_digits`).

REST ``Status=completed`` hangs a call up whatever its state: a queued or ringing call ends
``canceled`` (it was never answered), an answered one ``completed``; ``Status=canceled`` ends
only a queued or ringing call (21220 once answered). Both work on a ``<Dial>`` leg too: its
``<Dial>`` then goes on as if the callee had hung up.

Calls run as plain tasks that count as busy for ``settle`` only while they do zero-time work
(see :mod:`..scheduler`): ``settle`` waits for every timer, webhook and step, but returns
while a call only waits for step-by-step caller input. With manual timing use ``settle``:
``advance`` fires due timers but does not wait for a call's next step in between, so a
call may stop short of the advanced time until the next ``advance``/``settle``.

Every call keeps a transcript (stored with the call when it ends); every problem in its
TwiML is also a debugger notification; every webhook it caused is in the delivery log
under the call's SID (kinds ``voice-request``, ``call-status``, ``recording-status``).
Timestamps and durations follow :mod:`..scheduler`: ``start_time``/``end_time`` are emulator
clock readings (never in the future), ``duration`` counts simulated seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import msgspec

from ..._wire import is_e164, parse_address
from ..accounts.records import AccountRecord
from ..errors import EmulatorError, bad_request, invalid_param, not_found
from ..messages.state import check_callback_url
from ..pagination import PageRequest
from ..records import new_sid
from ..scheduler import CallClock
from ..voice import (
    BUSY,
    CANCELED,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INITIATED,
    NO_ANSWER,
    QUEUED,
    RINGING,
    CallInfo,
    CallProgress,
    CallSession,
    DocumentRequest,
    Fork,
    InlineTwiml,
    InterpreterOptions,
    Speech,
    Stream,
    StreamRefused,
    TwimlSource,
    parse_status_callback_events,
)
from ..voice.caller_script import CallerStep, parse_caller_script
from ..voice.transcript import Ended, Played, StatusChanged, Transcript
from ..webhooks.records import DeliveryRecord
from .live import CallEffects, CallPlan, LiveCall, call_geo
from .records import CallRecord
from .repository import CallFilter, CallRepository
from .requests import (
    CallRequest,
    CallUpdate,
    check_can_end,
    check_dtmf,
    is_phone_address,
    redirect_source,
    validate_call_request,
)
from .voice_env import CallEnvironment, LiveCallerInput

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["CallPlan", "Calls", "LiveCall"]

log = logging.getLogger("twilio_connector.emulator")
_END_TIMEOUT = 5.0
"""Real seconds a REST hang-up waits for the call to end before answering."""


class Calls:
    """The voice calls of one emulator (``core.calls``)."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self.repository = CallRepository(core.store)
        self.effects = CallEffects(core, self.repository)
        self._tasks: set[asyncio.Task[None]] = set()
        self._epoch = 0

    def resume(self) -> None:
        """End the calls a previous run on this database left live (they cannot go on)."""
        self.repository.end_abandoned(self.core.clock.now())

    # -- starting calls ---------------------------------------------------------------------

    def create(self, account: AccountRecord, req: CallRequest) -> CallRecord:
        """Validate like Twilio, store the call ``queued`` and start it."""
        validate_call_request(account, self.core.numbers, req)
        assert req.to is not None and req.from_ is not None
        events = parse_status_callback_events(req.status_callback_events)
        plan = CallPlan.of(self.core.rules.match("call", req.to, req.from_))
        source: TwimlSource
        if req.url:
            source = DocumentRequest(
                req.url, req.method, fallback_url=req.fallback_url,
                fallback_method=req.fallback_method,
            )  # fmt: skip
        else:
            source = InlineTwiml(
                req.twiml or "", fallback_url=req.fallback_url, fallback_method=req.fallback_method
            )
        owned = self.core.numbers.owner_of(req.from_) if is_phone_address(req.from_) else None
        now = self.core.clock.now()
        record = CallRecord(
            new_sid("CA"), account.sid, "outbound-api", req.from_, req.to, QUEUED, now, now,
            phone_number_sid=owned.sid if owned is not None else None,
        )  # fmt: skip
        options = InterpreterOptions(
            timing=self.core.scheduler.timing, time_limit=float(req.time_limit)
        )
        self._start(
            account, record, source, plan, options, request=req,
            status_callback=req.status_callback, method=req.status_callback_method,
            events=events,
        )  # fmt: skip
        return record

    def receive(
        self,
        from_: str,
        to: str,
        digits: str | None = None,
        speech: str | Iterable[str] | None = None,
        *,
        input_timeout: float | None = 30.0,
        forwarded_from: str | None = None,
        caller_name: str | None = None,
        script: Iterable[CallerStep | Mapping[str, Any]] = (),
    ) -> CallRecord:
        """A phone calls the owned number ``to``: ring its VoiceUrl and run the TwiML.

        ``digits``/``speech`` answer any ``<Gather>``; with neither the caller is
        step by step: a Gather waits (up to ``input_timeout`` real seconds) for
        :meth:`press_digits` / :meth:`caller_speaks`. ``script``: what the caller does on
        a Media Stream or ConversationRelay (:mod:`..voice.caller_script`).
        """
        try:
            steps = parse_caller_script(script)
        except ValueError as exc:
            raise invalid_param("script", None, str(exc)) from None
        caller = parse_address(from_)
        if caller.channel not in ("client", "sip") and not (
            caller.channel == "phone" and caller.is_e164
        ):
            raise bad_request(21212, f"The 'From' number {from_[:40]} is not a valid caller")
        number = self.core.numbers.owner_of(to) if is_e164(to) else None
        if number is None:
            raise EmulatorError(404, 20404, f"{to[:40]} is not a phone number owned by any account")
        account = self.core.accounts.get(number.account_sid)
        if account is None:
            raise EmulatorError(404, 20404, "The number's account no longer exists")
        voice_url = number.get("voice_url")
        if not voice_url:
            raise bad_request(21205, f"{to} has no VoiceUrl: set one on the IncomingPhoneNumber")
        if digits:
            check_dtmf(digits)
        texts = [speech] if isinstance(speech, str) else list(speech or ())
        plan = CallPlan(
            digits=digits or "",
            speech=tuple(Speech(t) for t in texts),
            interactive=digits is None and speech is None,
            script=steps,
        )
        source = DocumentRequest(
            voice_url, number.get("voice_method", "POST"),
            fallback_url=number.get("voice_fallback_url"),
            fallback_method=number.get("voice_fallback_method", "POST"),
        )  # fmt: skip
        now = self.core.clock.now()
        record = CallRecord(
            new_sid("CA"), account.sid, "inbound", from_, to, RINGING, now, now,
            phone_number_sid=number.sid, start_time=now, forwarded_from=forwarded_from,
            caller_name=caller_name,
        )  # fmt: skip
        self._start(
            account, record, source, plan, InterpreterOptions(timing=self.core.scheduler.timing),
            status_callback=number.get("status_callback"),
            method=number.get("status_callback_method", "POST"), events=frozenset({"completed"}),
            input_timeout=input_timeout,
        )  # fmt: skip
        return record

    def _start(
        self,
        account: AccountRecord,
        record: CallRecord,
        source: TwimlSource,
        plan: CallPlan,
        options: InterpreterOptions,
        *,
        status_callback: str | None,
        method: str,
        events: frozenset[str],
        request: CallRequest | None = None,
        input_timeout: float | None = 30.0,
    ) -> LiveCall:
        clock = CallClock(self.core.scheduler)
        activity = clock.activity
        activity.hold()
        info = CallInfo(
            account.sid, record.sid, record.from_, record.to, direction=record.direction,
            forwarded_from=record.forwarded_from, caller_name=record.caller_name,
            geo=call_geo(record.from_, record.to),
        )  # fmt: skip
        progress = CallProgress(
            info, created_at=clock.now(), status=record.status, status_callback=status_callback,
            status_callback_method=method, events=events,
        )  # fmt: skip
        caller = LiveCallerInput(
            activity, plan.digits, plan.speech, interactive=plan.interactive,
            idle_timeout=input_timeout, recording_seconds=plan.recording_seconds,
            script=plan.script,
        )  # fmt: skip
        sid, account_sid = record.sid, account.sid
        transcript = Transcript(
            listener=lambda entry: self.effects.on_entry(account_sid, sid, entry)
        )
        env = CallEnvironment(self.effects, self.core.dispatcher, account, sid)
        live = LiveCall(
            record, account, progress, activity, clock, caller, transcript, env, source,
            options, plan, request,
        )  # fmt: skip
        transcript.add(StatusChanged(at=0.0, status=record.status))
        self.effects.register(live)
        task = self.core.loop.create_task(self._run(live), name=f"call-{sid}")
        live.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return live

    # -- running ----------------------------------------------------------------------------

    async def _run(self, live: LiveCall) -> None:
        epoch = self._epoch
        try:
            if live.progress.status == QUEUED:
                await self._dial_out(live)
            else:
                await self._run_session(live)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("call %s failed in the emulator", live.record.sid)
            if not live.progress.is_terminal:
                live.end_reason = "emulator-error"
                status = COMPLETED if live.progress.status == IN_PROGRESS else FAILED
                try:
                    self.effects.advance(live, live.progress, status)
                except Exception:  # never let one broken call take the emulator down
                    log.exception("call %s could not be ended", live.record.sid)
        finally:
            live.activity.release()
            if epoch == self._epoch:
                self._finish(live)

    async def _pause(self, live: LiveCall, seconds: float) -> bool:
        """Wait before the next pre-answer step; False if the call ended meanwhile."""
        if not live.stopped:
            await live.clock.sleep(seconds)
        return not live.stopped and not live.progress.is_terminal

    async def _dial_out(self, live: LiveCall) -> None:
        progress, plan, timing = live.progress, live.plan, self.core.scheduler.timing
        assert live.request is not None
        if not await self._pause(live, timing.call_queue):
            return
        self.effects.advance(live, progress, INITIATED)
        if plan.outcome == FAILED:
            if await self._pause(live, timing.call_fail):
                live.end_reason = FAILED
                self.effects.advance(live, progress, FAILED, plan.sip)
            return
        if not await self._pause(live, timing.call_connect):
            return
        self.effects.advance(live, progress, RINGING)
        timeout = float(live.request.timeout)
        outcome = plan.outcome
        if outcome == BUSY:
            ring = plan.ring if plan.ring is not None else timing.call_busy
        else:
            ring = plan.ring if plan.ring is not None else timing.call_ring
        if outcome == NO_ANSWER or (outcome in (COMPLETED, CANCELED) and ring > timeout):
            outcome, ring = NO_ANSWER, timeout
        if not await self._pause(live, min(ring, timeout)):
            return
        if outcome != COMPLETED:
            live.end_reason = outcome
            self.effects.advance(live, progress, outcome, plan.sip)
            return
        req = live.request
        if req.machine_detection and not req.send_digits and not req.async_amd:
            progress.info = replace(progress.info, answered_by=plan.answered_by or "human")
        live.session = self._session(live)  # before any await: a hang-up now reaches it
        self.effects.advance(live, progress, IN_PROGRESS)
        if req.send_digits:
            live.transcript.add(
                Played(at=live.clock.elapsed, url="", loop=1, digits=req.send_digits)
            )
        await self._run_session(live)

    def _session(self, live: LiveCall) -> CallSession:
        return CallSession(
            live.progress, live.env, clock=live.clock, caller=live.caller,
            options=live.options, transcript=live.transcript,
        )  # fmt: skip

    async def _run_session(self, live: LiveCall) -> None:
        if live.session is None:
            live.session = self._session(live)
        await live.session.run(live.source)

    def _finish(self, live: LiveCall) -> None:
        record, progress = live.record, live.progress
        if progress.is_terminal and not live.transcript.of(Ended):
            live.transcript.add(
                Ended(
                    at=live.clock.elapsed, status=progress.status,
                    reason=live.end_reason or progress.status,
                    duration=progress.duration_seconds,
                )
            )  # fmt: skip
        record.transcript = live.transcript.to_json().decode()
        self.repository.save(record)
        self.effects.forget(live)

    # -- REST: fetch, list, update, delete --------------------------------------------------

    def get(self, account: AccountRecord, sid: str, path: str = "") -> CallRecord:
        record = self.effects.records.get(sid)
        if record is not None and record.account_sid == account.sid:
            return record
        stored = self.repository.get(account.sid, sid)
        if stored is None:
            raise not_found(path or sid)
        return stored

    def page(
        self, account: AccountRecord, where: CallFilter, preq: PageRequest
    ) -> tuple[list[CallRecord], bool]:
        """A page of stored calls, live ones as they are now: (records, has_next)."""
        records, more = self.repository.page(account.sid, where, preq)
        live = self.effects.records
        return [live.get(r.sid, r) for r in records], more

    def live_call(self, account: AccountRecord | None, sid: str) -> LiveCall:
        """A running call, else 404 (unknown) or 21220 (already ended)."""
        live = self.effects.live.get(sid)
        if live is not None and (account is None or live.account.sid == account.sid):
            return live
        account_sid = None if account is None else account.sid
        if sid in self.effects.records or self.repository.exists(sid, account_sid):
            raise bad_request(21220, f"Call {sid} is not in progress")
        raise not_found(sid)

    async def update(self, account: AccountRecord, sid: str, upd: CallUpdate, path: str) -> None:
        """REST update: end (``Status``; returns once the call or leg has ended), redirect
        (``Url``/``Twiml``), new StatusCallback."""
        self.get(account, sid, path)  # 404 first
        live = self.effects.live.get(sid)
        if upd.status is not None:
            owner = self.effects.owner.get(sid)
            if live is None and owner is not None and owner.account.sid == account.sid:
                await self._end_leg(owner, sid, upd.status)
                return
            live = self.live_call(account, sid)
            self.end(live, upd.status)
            await self._wait_ended(live)
            return
        source = redirect_source(upd)
        if source is not None:
            self.redirect(self.live_call(account, sid), source)
        if live is not None and upd.status_callback is not None:
            check_callback_url(upd.status_callback, 21609, "StatusCallback")
            live.progress.status_callback = upd.status_callback
        if live is not None and upd.status_callback_method is not None:
            live.progress.status_callback_method = upd.status_callback_method

    def redirect(self, live: LiveCall, source: TwimlSource) -> None:
        if live.progress.status != IN_PROGRESS or live.session is None:
            raise bad_request(21220, "Call is not in-progress. Cannot redirect.")
        live.activity.hold()
        live.session.redirect(source)

    def end(self, live: LiveCall, status: str) -> None:
        """REST ``Status=canceled`` (queued/ringing) or ``completed`` (any live call)."""
        progress = live.progress
        check_can_end(progress.status, status)
        live.activity.hold()
        if live.session is not None:
            live.session.hangup()  # answered, or an inbound call still ringing
        else:
            live.end_reason = "api-hangup"
            self.effects.advance(live, progress, CANCELED)
            live.stopped = True
            live.clock.cut_short()

    async def _end_leg(self, owner: LiveCall, sid: str, status: str) -> None:
        """REST ``Status`` on a ``<Dial>`` leg of ``owner``: hang the leg up, wait for it."""
        record = self.effects.records[sid]
        check_can_end(record.status, status)
        ended = owner.session.hangup_leg(sid) if owner.session is not None else None
        if ended is None:  # planned but not dialing yet, or already ending
            raise bad_request(21220, f"Call {sid} is not in progress")
        owner.activity.hold()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(ended.wait(), _END_TIMEOUT)

    async def _wait_ended(self, live: LiveCall) -> None:
        if live.task is not None and not live.task.done():
            await asyncio.wait({live.task}, timeout=_END_TIMEOUT)

    # -- REST: one-way streams of a live call (:mod:`.streams`) ---------------------------

    def _streaming_session(self, account: AccountRecord, sid: str) -> CallSession:
        live = self.live_call(account, sid)
        if live.progress.status != IN_PROGRESS or live.session is None:
            raise bad_request(21220, f"Call {sid} is not in-progress: it has no streams")
        live.activity.hold()
        return live.session

    async def start_stream(self, account: AccountRecord, sid: str, stream: Stream) -> Fork:
        try:
            return await self._streaming_session(account, sid).start_stream(stream)
        except StreamRefused as exc:
            if exc.code is None:  # the name is taken
                raise invalid_param("Name", stream.name, exc.message) from None
            raise bad_request(exc.code, exc.message) from None

    async def stop_stream(self, account: AccountRecord, sid: str, key: str, path: str) -> Fork:
        fork = await self._streaming_session(account, sid).stop_stream(key)
        if fork is None:
            raise not_found(path)
        return fork

    def delete(self, account: AccountRecord, sid: str, path: str) -> None:
        record = self.get(account, sid, path)
        if sid in self.effects.records:
            raise bad_request(20009, "Cannot delete a call that is still in progress")
        self.repository.delete(record.sid)

    # -- the simulated caller, transcripts, callbacks ---------------------------------------

    def press_digits(self, sid: str, digits: str, account: AccountRecord | None = None) -> None:
        live = self.live_call(account, sid)
        try:
            live.caller.press(digits)
        except ValueError as exc:
            raise bad_request(20001, str(exc)) from None

    def caller_speaks(
        self, sid: str, text: str, confidence: float = 0.9, account: AccountRecord | None = None
    ) -> None:
        live = self.live_call(account, sid)
        try:
            live.caller.speak(text, confidence)
        except ValueError as exc:
            raise bad_request(20001, str(exc)) from None

    def add_caller_steps(
        self,
        sid: str,
        steps: Iterable[CallerStep | Mapping[str, Any]],
        account: AccountRecord | None = None,
    ) -> None:
        """More of the caller's realtime script for a live call (queued after what is left)."""
        live = self.live_call(account, sid)
        try:
            live.caller.add_steps(steps)
        except ValueError as exc:
            raise invalid_param("script", None, str(exc)) from None
        live.activity.hold()

    def transcript(self, sid: str) -> list[dict[str, Any]]:
        live = self.effects.live.get(sid)
        if live is not None:
            return live.transcript.to_builtins()
        if sid in self.effects.records:
            return []  # a live <Dial> leg: its events are in the parent's transcript
        text = self.repository.transcript(sid)
        if text is None and not self.repository.exists(sid):
            raise not_found(sid)
        value = msgspec.json.decode(text) if text else []
        return value if isinstance(value, list) else []

    def status(self, sid: str) -> str | None:
        """The call's status now (live or stored), ``None`` for an unknown SID."""
        record = self.effects.records.get(sid)
        return record.status if record is not None else self.repository.status(sid)

    def callbacks(self, sid: str, kind: str | None = None) -> list[DeliveryRecord]:
        if sid not in self.effects.records and not self.repository.exists(sid):
            raise not_found(sid)
        return self.core.deliveries.load(resource_sid=sid, kind=kind, limit=1_000_000)

    # -- reset and shutdown -----------------------------------------------------------------

    def _cancel_tasks(self) -> list[asyncio.Task[None]]:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks

    def reset(self) -> None:
        """Drop every running call and unsaved change (the store is being emptied)."""
        self._epoch += 1
        self._cancel_tasks()
        self.effects.clear()
        self.repository.drop_pending()

    async def close(self) -> None:
        """Stop every running call (emulator shutdown); their records are saved as is."""
        tasks = self._cancel_tasks()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
