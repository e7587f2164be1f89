"""``<Gather>`` and ``<Record>``: the verbs that take the caller's input.

Prompts nested in ``<Gather>`` always play to the end before input is read (no barge-in
simulation); keys pressed meanwhile wait in the DTMF buffer.
"""

from __future__ import annotations

from ...callbacks import GatherResult, RecordResult
from .caller_input import Speech
from .environment import RecordingRequest
from .lifecycle import CallbackRequest
from .model import Gather, Pause, Play, Record, Say
from .params import recording_status_params, whole_seconds
from .run_context import CallRuntime, DocumentRequest, Flow, Goto
from .run_simple import run_pause, run_play, run_say
from .transcript import Gathered, Recorded

__all__ = ["run_gather", "run_record", "send_recording_callbacks"]


async def _read_digits(rt: CallRuntime, verb: Gather, first: str) -> tuple[str, str, bool]:
    """Keys after ``first`` until numDigits, finishOnKey or a timeout: (digits, key, timed_out)."""
    digits: list[str] = []
    key: str | Speech | None = first
    while True:
        assert isinstance(key, str)
        await rt.sleep(rt.timing.key_press)
        if verb.finish_on_key and key == verb.finish_on_key:
            return "".join(digits), key, False
        digits.append(key)
        if verb.num_digits is not None and len(digits) >= verb.num_digits:
            return "".join(digits), "", False
        key = await rt.guard(rt.caller.next_input(dtmf=True, speech=False))
        if key is None:
            await rt.sleep(verb.timeout)
            return "".join(digits), "", True


async def run_gather(rt: CallRuntime, verb: Gather) -> Flow:
    for prompt in verb.prompts:
        if isinstance(prompt, Say):
            await run_say(rt, prompt)
        elif isinstance(prompt, Play):
            await run_play(rt, prompt)
        elif isinstance(prompt, Pause):
            await run_pause(rt, prompt)
    dtmf, speech = "dtmf" in verb.input, "speech" in verb.input
    first = await rt.guard(rt.caller.next_input(dtmf=dtmf, speech=speech))
    digits, finished_on_key, timed_out = "", "", False
    heard: Speech | None = None
    if first is None:
        timed_out = True
        await rt.sleep(verb.timeout)
    elif isinstance(first, Speech):
        heard = first
        await rt.sleep(rt.timing.speech(first.text))
    else:
        digits, finished_on_key, timed_out = await _read_digits(rt, verb, first)

    extra: dict[str, str] = {}
    if heard is not None:
        extra = GatherResult(speech_result=heard.text, confidence=heard.confidence).to_params()
    elif dtmf:
        extra = GatherResult(digits=digits, finished_on_key=finished_on_key).to_params()
    has_result = bool(digits) or heard is not None
    action = rt.resolve(verb.action) if verb.action is not None else rt.document_url
    posts = (has_result or verb.action_on_empty_result) and action is not None
    rt.transcript.add(
        Gathered(
            at=rt.at,
            digits=digits,
            finished_on_key=finished_on_key,
            speech=heard.text if heard else None,
            confidence=heard.confidence if heard else None,
            timed_out=timed_out,
            action=action if posts else None,
        )
    )
    if not posts or action is None:
        if has_result:
            rt.problem(
                None, "<Gather> has no action URL (inline TwiML): input dropped", None, fatal=False
            )
        return None
    return Goto(DocumentRequest(action, verb.method, extra, purpose="action"))


async def send_recording_callbacks(
    rt: CallRuntime,
    url: str | None,
    method: str,
    events: frozenset[str],
    params: dict[str, str],
) -> None:
    """``recordingStatusCallback``: ``in-progress`` (if subscribed) then ``completed``."""
    if url is None:
        return
    for status in ("in-progress", "completed"):
        if status in events:
            sent = dict(params, RecordingStatus=status)
            if status == "in-progress":
                sent.pop("RecordingDuration", None)
            await rt.env.notify(CallbackRequest(url, method, sent))


async def run_record(rt: CallRuntime, verb: Record) -> Flow:
    """Simulated: the caller talks ``recording_seconds`` (default: timing), then presses a
    buffered finishOnKey key, or stays silent for ``timeout`` s (0: until ``maxLength``)."""
    if verb.play_beep:
        await rt.sleep(rt.timing.beep)
    started = rt.clock.now()
    talk = rt.caller.recording_seconds
    talk = min(rt.timing.recording if talk is None else talk, float(verb.max_length))
    await rt.sleep(talk)
    key = rt.caller.take_key_in(verb.finish_on_key) if verb.finish_on_key else None
    length = talk
    if key is None:
        silence = verb.timeout if verb.timeout > 0 else verb.max_length - talk
        silence = max(0.0, min(float(silence), verb.max_length - talk))
        await rt.sleep(silence)
        if verb.trim == "do-not-trim":
            length += silence
    info = rt.progress.info
    recording = await rt.guard(
        rt.env.create_recording(
            rt.progress,
            RecordingRequest(info.call_sid, whole_seconds(length), "RecordVerb", started),
        )
    )
    duration = whole_seconds(length)
    params = recording_status_params(
        account_sid=info.account_sid,
        call_sid=info.call_sid,
        recording_sid=recording.sid,
        recording_url=recording.url,
        status="completed",
        duration=duration,
        start_time=started,
        source="RecordVerb",
    )
    await send_recording_callbacks(
        rt,
        rt.resolve(verb.recording_status_callback),
        verb.recording_status_callback_method,
        verb.recording_status_callback_event,
        params,
    )
    action = rt.resolve(verb.action) if verb.action is not None else rt.document_url
    rt.transcript.add(
        Recorded(
            at=rt.at,
            recording_sid=recording.sid,
            recording_url=recording.url,
            duration=duration,
            digits=key,
            action=action,
        )
    )
    if action is None:
        return None
    extra = RecordResult(
        recording_url=recording.url,
        recording_duration=duration,
        recording_sid=recording.sid,
        digits=key,
    ).to_params()
    return Goto(DocumentRequest(action, verb.method, extra, purpose="action"))
