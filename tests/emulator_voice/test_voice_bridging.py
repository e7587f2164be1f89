"""<Dial> child calls and <Enqueue>/<Leave>/<Dial><Queue> against a fake environment."""

from __future__ import annotations

import asyncio

import pytest
from voice_testkit import FakeVoiceEnv, call_clock, kinds, make_call, run, session

from twilio_connector.emulator.voice import (
    COMPLETED,
    IN_PROGRESS,
    INITIATED,
    RINGING,
    CallerInput,
    DocumentRequest,
    InlineTwiml,
    InterpreterOptions,
)
from twilio_connector.emulator.voice.transcript import Dialed, Enqueued, Said

APP = "https://app.example.com"


async def test_dial_creates_a_child_call_and_posts_dial_status() -> None:
    env = FakeVoiceEnv(
        documents={f"{APP}/dialed": "<Response><Say>done</Say></Response>"}, child_talk=42
    )
    parent = make_call(from_="+15005550006", to="+14155550100")
    outcome = await run(
        env,
        InlineTwiml(
            "<Response><Dial action='https://app.example.com/dialed' timeout='20'>"
            "<Number statusCallback='https://cb.example.com/leg'"
            " statusCallbackEvent='initiated ringing answered completed'>+14155550199</Number>"
            "</Dial><Say>not reached</Say></Response>"
        ),
        parent,
    )
    child_updates = [(c, u) for c, u in env.updates if c.call_sid != parent.call_sid]
    child = child_updates[0][0]
    assert [u.status for _, u in child_updates] == [INITIATED, RINGING, IN_PROGRESS, COMPLETED]
    assert child.info.parent_call_sid == parent.call_sid
    assert child.info.direction == "outbound-dial"
    assert (child.info.from_, child.info.to) == ("+15005550006", "+14155550199")
    callbacks = [u.callback for _, u in child_updates]
    assert all(c is not None and c.url == "https://cb.example.com/leg" for c in callbacks)
    assert [c.params["SequenceNumber"] for c in callbacks if c] == ["0", "1", "2", "3"]
    assert all(c.params["ParentCallSid"] == parent.call_sid for c in callbacks if c)
    assert child.duration_seconds == 42

    (action,) = env.fetches
    assert action.url == f"{APP}/dialed"
    assert action.params["DialCallStatus"] == "completed"
    assert action.params["DialCallSid"] == child.call_sid
    assert action.params["DialCallDuration"] == "42"
    assert action.params["DialBridged"] == "true"
    assert action.params["CallSid"] == parent.call_sid
    (dialed,) = outcome.transcript.of(Dialed)
    assert (dialed.status, dialed.call_sid, dialed.bridged) == ("completed", child.call_sid, True)
    assert [s.text for s in outcome.transcript.of(Said)] == ["done"]
    # the parent was live for ring (2 s) + talk (42 s) + "done"
    assert outcome.duration == 45


@pytest.mark.parametrize("result", ["busy", "no-answer", "failed"])
async def test_unanswered_dial_falls_through_without_action(result: str) -> None:
    env = FakeVoiceEnv(child_outcomes={"+14155550199": result})
    outcome = await run(
        env,
        InlineTwiml("<Response><Dial timeout='15'>+14155550199</Dial><Say>next</Say></Response>"),
    )
    (dialed,) = outcome.transcript.of(Dialed)
    assert dialed.status == result and not dialed.bridged and dialed.duration == 0
    assert [s.text for s in outcome.transcript.of(Said)] == ["next"]
    child_sid = dialed.call_sid
    assert child_sid is not None
    expected = [INITIATED, result] if result == "failed" else [INITIATED, RINGING, result]
    assert env.statuses(child_sid) == expected
    said = outcome.transcript.of(Said)[0]
    if result == "no-answer":
        assert said.at == pytest.approx(15.0)  # rang for the whole dial timeout


async def test_first_answering_noun_wins_and_dial_can_record() -> None:
    env = FakeVoiceEnv(
        documents={f"{APP}/after": "<Response/>"},
        child_outcomes={"client:alice": "no-answer"},
    )
    outcome = await run(
        env,
        InlineTwiml(
            "<Response><Dial action='https://app.example.com/after'"
            " record='record-from-answer-dual'"
            " recordingStatusCallback='https://app.example.com/rec'>"
            "<Client>alice</Client><Sip>sip:bob@example.com</Sip><Number>+1999</Number>"
            "</Dial></Response>"
        ),
    )
    (dialed,) = outcome.transcript.of(Dialed)
    assert [(leg.address, leg.status) for leg in dialed.legs] == [
        ("client:alice", "no-answer"),
        ("sip:bob@example.com", "completed"),
    ]
    (recording,) = env.recordings
    assert (recording.source, recording.channels, recording.duration) == ("DialVerb", 2, 5)
    params = env.fetches[0].params
    assert params["RecordingUrl"].endswith(dialed.recording_sid or "?")
    assert params["DialCallSid"] == dialed.legs[1].call_sid
    (rsc,) = env.notifications
    assert rsc.url == f"{APP}/rec" and rsc.params["RecordingSource"] == "DialVerb"
    assert rsc.params["RecordingChannels"] == "2"


async def test_dial_from_a_dial_leg_is_13201() -> None:
    env = FakeVoiceEnv()
    leg = make_call(direction="outbound-dial")
    outcome = await run(env, InlineTwiml("<Response><Dial>+1</Dial><Say>x</Say></Response>"), leg)
    assert kinds(outcome)[0] == "problem"
    assert outcome.transcript.to_builtins()[0]["code"] == 13201
    assert outcome.transcript.of(Said)


async def test_hanging_up_during_a_dial_ends_the_child_too() -> None:
    env = FakeVoiceEnv(child_talk=3600)
    parent = make_call()
    call_session = session(env, parent, scale=0.001)
    task = asyncio.create_task(
        call_session.run(InlineTwiml("<Response><Dial>+1</Dial></Response>"))
    )
    for _ in range(200):
        await asyncio.sleep(0.005)
        if any(u.status == IN_PROGRESS for c, u in env.updates if c is not parent):
            break
    call_session.hangup()
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.reason == "api-hangup" and outcome.status == COMPLETED
    child = next(c for c, _ in env.updates if c is not parent)
    assert env.statuses(child.call_sid)[-1] == COMPLETED
    assert (child.duration_seconds or 0) < 3600


async def test_enqueue_then_dial_queue_bridges_the_callers() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{APP}/wait": "<Response><Say>Please hold</Say><Pause length='10'/></Response>",
            f"{APP}/queued-done": "<Response><Say>bye</Say></Response>",
        }
    )
    caller = make_call(direction="inbound", status=RINGING)
    agent = make_call()
    caller_session = session(env, caller, scale=0.001)
    agent_session = session(env, agent, scale=0.001)
    waiting = asyncio.create_task(
        caller_session.run(
            InlineTwiml(
                "<Response><Enqueue waitUrl='https://app.example.com/wait'"
                " action='https://app.example.com/queued-done'>support</Enqueue></Response>"
            )
        )
    )
    for _ in range(200):
        await asyncio.sleep(0.005)
        if env.queues.size("support"):
            break
    assert env.queues.size("support") == 1
    agent_outcome = await agent_session.run(
        InlineTwiml("<Response><Dial><Queue>support</Queue></Dial></Response>")
    )
    caller_outcome = await asyncio.wait_for(waiting, 10)

    (dialed,) = agent_outcome.transcript.of(Dialed)
    assert dialed.call_sid == caller.call_sid and dialed.bridged and dialed.status == "completed"
    (enqueued,) = caller_outcome.transcript.of(Enqueued)
    assert enqueued.result == "bridged" and enqueued.queue_sid == env.queues.sid("support")
    wait_fetch = next(f for f in env.fetches if f.url == f"{APP}/wait")
    assert wait_fetch.params["QueuePosition"] == "1"
    assert wait_fetch.params["QueueSid"].startswith("QU")
    assert wait_fetch.params["CurrentQueueSize"] == "1"
    done = next(f for f in env.fetches if f.url == f"{APP}/queued-done")
    assert done.params["QueueResult"] == "bridged" and done.params["QueueSid"].startswith("QU")
    assert "Please hold" in [s.text for s in caller_outcome.transcript.of(Said)]
    assert env.queues.size("support") == 0


async def test_leave_from_the_wait_document_and_queue_full() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{APP}/wait": "<Response><Say>Sorry</Say><Leave/></Response>",
            f"{APP}/left": "<Response><Say>left</Say></Response>",
        }
    )
    outcome = await run(
        env,
        InlineTwiml(
            "<Response><Enqueue waitUrl='https://app.example.com/wait'"
            " action='https://app.example.com/left'>sales</Enqueue></Response>"
        ),
    )
    (enqueued,) = outcome.transcript.of(Enqueued)
    assert enqueued.result == "leave"
    assert env.fetches[-1].params["QueueResult"] == "leave"
    assert env.queues.size("sales") == 0
    assert [s.text for s in outcome.transcript.of(Said)] == ["Sorry", "left"]

    blocker = env.queues.join("tiny", "CA-other", max_size=1, now=0)
    full = await run(
        env,
        InlineTwiml("<Response><Enqueue maxQueueSize='1'>tiny</Enqueue><Say>x</Say></Response>"),
    )
    assert full.transcript.of(Enqueued)[0].result == "queue-full"
    assert full.transcript.of(Said)[0].text == "x"
    env.queues.leave(blocker)


async def test_dial_an_empty_queue_is_no_answer() -> None:
    env = FakeVoiceEnv()
    outcome = await run(env, InlineTwiml("<Response><Dial><Queue>nobody</Queue></Dial></Response>"))
    (dialed,) = outcome.transcript.of(Dialed)
    assert dialed.status == "no-answer" and dialed.call_sid is None


async def test_hold_music_without_wait_url_until_hangup() -> None:
    env = FakeVoiceEnv()
    clock = call_clock()
    from twilio_connector.emulator.voice import CallSession

    call_session = CallSession(make_call(), env, clock=clock, caller=CallerInput())
    task = asyncio.create_task(
        call_session.run(InlineTwiml("<Response><Enqueue>q</Enqueue></Response>"))
    )
    for _ in range(200):
        await asyncio.sleep(0)
        if env.queues.size("q"):
            break
    assert env.queues.size("q") == 1
    call_session.hangup()
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.reason == "api-hangup"
    assert env.queues.size("q") == 0


async def test_redirect_while_waiting_in_a_pause() -> None:
    env = FakeVoiceEnv(documents={f"{APP}/new": "<Response><Say>redirected</Say></Response>"})
    call_session = session(env, scale=1.0)
    task = asyncio.create_task(
        call_session.run(InlineTwiml("<Response><Pause length='600'/><Say>old</Say></Response>"))
    )
    await asyncio.sleep(0.02)
    call_session.redirect(DocumentRequest(f"{APP}/new", "GET", purpose="redirect"))
    outcome = await asyncio.wait_for(task, 10)
    assert [s.text for s in outcome.transcript.of(Said)] == ["redirected"]
    assert env.fetches[0].method == "GET"
    assert "redirect" in kinds(outcome)


async def test_waiting_in_a_queue_ends_at_the_time_limit() -> None:
    env = FakeVoiceEnv(documents={f"{APP}/wait": "<Response><Play>m.mp3</Play></Response>"})
    outcome = await run(
        env,
        InlineTwiml(
            "<Response><Enqueue waitUrl='https://app.example.com/wait'>q</Enqueue></Response>"
        ),
        options=InterpreterOptions(time_limit=60),
    )
    assert outcome.reason == "time-limit" and outcome.duration == 60
    assert len(env.fetches) == 12  # a 5 s wait document, fetched again and again
    assert outcome.transcript.of(Enqueued)[0].result == "time-limit"
    assert env.queues.size("q") == 0
