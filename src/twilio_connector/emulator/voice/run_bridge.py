"""``<Dial>`` and ``<Enqueue>``: the verbs that connect the call with another one.

``<Dial>`` nouns are tried one after the other (Twilio rings them in parallel unless
``sequential``; the first to answer wins either way). Each leg is a child call the
emulator creates and decides (:meth:`VoiceEnvironment.plan_child_call`); the interpreter
drives its statuses. ``<Dial><Queue>`` bridges with the caller at the head of the queue
(an empty queue ends the dial as ``no-answer``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ...callbacks import DialResult, EnqueueResult, EnqueueWaitRequest
from .environment import RecordingRequest
from .lifecycle import (
    BUSY,
    CANCELED,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INITIATED,
    NO_ANSWER,
    RINGING,
    CallProgress,
)
from .model import Dial, DialTarget, Enqueue
from .params import recording_status_params, whole_seconds
from .queues import QueueEntry, QueueFull
from .run_context import (
    LEAVE_QUEUE,
    CallRuntime,
    DocumentRequest,
    End,
    Flow,
    Goto,
    Interrupted,
    LegControl,
)
from .run_input import send_recording_callbacks
from .transcript import Dialed, DialLeg, Enqueued

__all__ = ["WaitRunner", "run_dial", "run_enqueue"]

ERROR_DIAL_FROM_DIAL = 13201

WaitRunner = Callable[[DocumentRequest], Awaitable[Flow]]
"""Loads and runs one ``waitUrl`` document (the session provides it)."""


async def _finish_child(rt: CallRuntime, child: CallProgress) -> None:
    """End a leg whose parent was interrupted: hang up if live, cancel if still ringing."""
    if child.is_terminal:
        return
    await rt.set_status(child, COMPLETED if child.status == IN_PROGRESS else CANCELED)


async def _leg_wait(rt: CallRuntime, leg: LegControl, seconds: float) -> float:
    """Wait ``seconds`` unless the leg is hung up first: the simulated seconds waited."""
    began = rt.at
    if await rt.guard(rt.clock.wait(leg.hangup, seconds)):
        return rt.at - began
    return seconds


async def _dial_leg(
    rt: CallRuntime, target: DialTarget, verb: Dial, caller_id: str
) -> tuple[DialLeg, float, float]:
    """Run one child call: (leg, ring seconds, talk seconds)."""
    plan = await rt.guard(rt.env.plan_child_call(rt.progress, target, verb, caller_id))
    child = plan.progress
    control = rt.legs[child.call_sid] = LegControl()
    ring = min(
        rt.timing.dial_ring if plan.ring_seconds is None else plan.ring_seconds, verb.timeout
    )
    talk = min(
        rt.timing.dial_talk if plan.talk_seconds is None else plan.talk_seconds, verb.time_limit
    )
    outcome = plan.outcome
    if outcome == COMPLETED and plan.ring_seconds is not None and plan.ring_seconds > verb.timeout:
        outcome = NO_ANSWER
    try:
        await rt.set_status(child, INITIATED)
        if outcome == FAILED:
            await rt.set_status(child, FAILED, plan.sip_response_code)
            ring = talk = 0.0
        else:
            await rt.set_status(child, RINGING)
            if outcome == NO_ANSWER:
                ring = float(verb.timeout)
            ring = await _leg_wait(rt, control, ring)
            if control.hangup.is_set():
                await rt.set_status(child, CANCELED)
                talk = 0.0
            elif outcome in (BUSY, NO_ANSWER, CANCELED):
                await rt.set_status(child, outcome, plan.sip_response_code)
                talk = 0.0
            else:
                await rt.set_status(child, IN_PROGRESS)
                if target.url is not None:
                    message = f"<{target.kind}> url (whisper TwiML) is not simulated"
                    rt.problem(None, message, rt.document_url, fatal=False)
                talk = await _leg_wait(rt, control, talk)
                await rt.set_status(child, COMPLETED, plan.sip_response_code)
    except Interrupted:
        await _finish_child(rt, child)
        raise
    finally:
        del rt.legs[child.call_sid]
        control.ended.set()
    leg = DialLeg(
        kind=target.kind,
        address=target.address,
        call_sid=child.call_sid,
        status=child.status,
        duration=child.duration_seconds or 0,
    )
    return leg, ring, talk


def _dial_queue(rt: CallRuntime, target: DialTarget, verb: Dial) -> tuple[DialLeg, float, float]:
    queues = rt.env.call_queues(rt.progress.info.account_sid)
    entry = queues.dequeue(target.address)
    if entry is None:
        return DialLeg(kind="queue", address=target.address, call_sid=None, status=NO_ANSWER), 0, 0
    talk = min(rt.timing.dial_talk, float(verb.time_limit))
    entry.bridge(rt.progress.call_sid, talk)
    leg = DialLeg(
        kind="queue",
        address=target.address,
        call_sid=entry.call_sid,
        status=COMPLETED,
        duration=whole_seconds(talk),
    )
    return leg, 0.0, talk


async def _record_dial(
    rt: CallRuntime, verb: Dial, ring: float, talk: float
) -> tuple[str, str] | None:
    if verb.record == "do-not-record":
        return None
    length = talk + (ring if "ringing" in verb.record else 0.0)
    started = rt.clock.now()
    channels = 2 if verb.record.endswith("-dual") else 1
    info = rt.progress.info
    recording = await rt.guard(
        rt.env.create_recording(
            rt.progress,
            RecordingRequest(info.call_sid, whole_seconds(length), "DialVerb", started, channels),
        )
    )
    params = recording_status_params(
        account_sid=info.account_sid,
        call_sid=info.call_sid,
        recording_sid=recording.sid,
        recording_url=recording.url,
        status="completed",
        duration=whole_seconds(length),
        start_time=started,
        source="DialVerb",
        channels=channels,
    )
    await send_recording_callbacks(
        rt,
        rt.resolve(verb.recording_status_callback),
        verb.recording_status_callback_method,
        verb.recording_status_callback_event,
        params,
    )
    return recording.sid, recording.url


async def run_dial(rt: CallRuntime, verb: Dial) -> Flow:
    info = rt.progress.info
    if info.direction == "outbound-dial":
        rt.problem(
            ERROR_DIAL_FROM_DIAL,
            "cannot <Dial> from a dial call segment",
            rt.document_url,
            fatal=False,
        )
        return None
    caller_id = verb.caller_id or info.from_
    legs: list[DialLeg] = []
    ring = talk = 0.0
    bridged = False
    for target in verb.targets:
        if target.kind == "queue":
            leg, ring, talk = _dial_queue(rt, target, verb)
            if leg.call_sid is not None:
                await rt.sleep(talk)
        else:
            leg, ring, talk = await _dial_leg(rt, target, verb, caller_id)
        legs.append(leg)
        if leg.status == COMPLETED:
            bridged = True
            break
    last = legs[-1]
    recording = await _record_dial(rt, verb, ring, talk) if bridged else None
    action = rt.resolve(verb.action)
    rt.transcript.add(
        Dialed(
            at=rt.at,
            legs=legs,
            status=last.status,
            call_sid=last.call_sid,
            duration=last.duration,
            bridged=bridged,
            recording_sid=recording[0] if recording else None,
            action=action,
        )
    )
    if action is None:
        return None
    extra = DialResult(
        dial_call_status=last.status,
        dial_call_duration=last.duration,
        dial_bridged=bridged,
        dial_call_sid=last.call_sid,
        recording_url=recording[1] if recording is not None else None,
    ).to_params()
    return Goto(DocumentRequest(action, verb.method, extra, purpose="action"))


async def _wait_for_bridge(
    rt: CallRuntime, verb: Enqueue, entry: QueueEntry, run_wait: WaitRunner
) -> str:
    """Play the wait documents (or hold music) until bridged, ``<Leave>``, hang-up or the
    call's time limit."""
    queues = rt.env.call_queues(rt.progress.info.account_sid)
    next_wait = rt.resolve(verb.wait_url)
    method = verb.wait_url_method
    while not entry.event.is_set():
        if rt.over_time_limit():
            return "time-limit"
        if next_wait is None:
            if await rt.guard(rt.clock.wait(entry.event, rt.timing.hold_chunk)):
                break
            continue
        extra = EnqueueWaitRequest(
            queue_sid=entry.queue_sid,
            queue_position=queues.position(entry),
            queue_time=whole_seconds(rt.at - entry.enqueued_at),
            avg_queue_time=whole_seconds(rt.at - entry.enqueued_at),
            current_queue_size=queues.size(entry.queue_name),
            max_queue_size=verb.max_queue_size,
        ).to_params()
        began = rt.at
        waiting = asyncio.ensure_future(run_wait(DocumentRequest(next_wait, method, extra, "wait")))
        bridged = asyncio.ensure_future(entry.event.wait())
        try:
            done, _ = await asyncio.wait((waiting, bridged), return_when=asyncio.FIRST_COMPLETED)
        finally:
            bridged.cancel()
            if not waiting.done():
                waiting.cancel()
                await asyncio.gather(waiting, return_exceptions=True)
        if waiting not in done:
            break
        flow = waiting.result()
        if flow is LEAVE_QUEUE:
            return "leave"
        if isinstance(flow, End):
            return "time-limit" if flow.reason == "time-limit" else "hangup"
        if isinstance(flow, Goto) and isinstance(flow.source, DocumentRequest):
            next_wait, method = flow.source.url, flow.source.method
        # An empty or failed wait document: hold music, then retry.
        if rt.at - began <= 0 and await rt.guard(rt.clock.wait(entry.event, rt.timing.hold_chunk)):
            break
    return "bridged"


async def run_enqueue(rt: CallRuntime, verb: Enqueue, run_wait: WaitRunner) -> Flow:
    queues = rt.env.call_queues(rt.progress.info.account_sid)
    entry: QueueEntry | None = None
    queue_time = 0
    try:
        entry = queues.join(
            verb.name, rt.progress.call_sid, max_size=verb.max_queue_size, now=rt.at
        )
    except QueueFull:
        result = "queue-full"
    else:
        rt.queue_entry = entry
        try:
            result = await _wait_for_bridge(rt, verb, entry, run_wait)
        finally:
            rt.queue_entry = None
            if not entry.event.is_set():
                queues.leave(entry)
        queue_time = whole_seconds(rt.at - entry.enqueued_at)
        if result == "bridged":
            await rt.sleep(entry.talk_seconds)
    action = rt.resolve(verb.action)
    rt.transcript.add(
        Enqueued(
            at=rt.at,
            queue=verb.name,
            queue_sid=queues.sid(verb.name),
            result=result,
            queue_time=queue_time,
            action=action if result not in ("hangup", "time-limit") else None,
        )
    )
    if result in ("hangup", "time-limit"):
        return End(result)
    if action is None:
        return None
    extra = EnqueueResult(
        queue_result=result, queue_sid=queues.sid(verb.name), queue_time=queue_time
    ).to_params()
    return Goto(DocumentRequest(action, verb.method, extra, purpose="action"))
