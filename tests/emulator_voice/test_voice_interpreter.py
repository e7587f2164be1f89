"""The interpreter against a fake environment: verbs, Gather/Record flows, transcripts."""

from __future__ import annotations

import asyncio
import json

import pytest
from voice_testkit import FakeVoiceEnv, kinds, make_call, run, session

from twilio_connector.emulator.voice import (
    COMPLETED,
    IN_PROGRESS,
    RINGING,
    CallerInput,
    DocumentRequest,
    InlineTwiml,
    InterpreterOptions,
    Transcript,
)
from twilio_connector.emulator.voice.transcript import (
    Ended,
    Fetched,
    Gathered,
    MessageSent,
    Paused,
    Played,
    Problem,
    Recorded,
    Redirected,
    Said,
)

BASE = "https://app.example.com/voice"


def inline(body: str) -> InlineTwiml:
    return InlineTwiml(f"<Response>{body}</Response>")


async def test_say_play_pause_durations_and_transcript() -> None:
    env = FakeVoiceEnv()
    call = make_call(events=frozenset({"completed"}))
    outcome = await run(
        env,
        inline(
            "<Say voice='alice' loop='2'>Hello there, this is thirty chars</Say>"
            "<Play>https://cdn.example.com/a.mp3</Play><Pause length='3'/>"
        ),
        call,
    )
    assert outcome.status == COMPLETED and outcome.reason == "end"
    assert kinds(outcome) == ["say", "play", "pause", "status", "end"]
    said, played, paused = outcome.transcript.entries[:3]
    assert isinstance(said, Said) and (said.voice, said.language, said.loop) == (
        "alice",
        "en-US",
        2,
    )
    assert isinstance(played, Played) and played.url == "https://cdn.example.com/a.mp3"
    assert isinstance(paused, Paused) and paused.length == 3
    # 2 x 33 chars / 15 cps + 5 s audio + 3 s pause = 12.4 s -> 13 whole seconds
    assert (said.at, played.at, paused.at) == pytest.approx((0.0, 4.4, 9.4))
    assert outcome.duration == 13
    (final,) = [u for _, u in env.updates]
    assert final.status == COMPLETED and final.callback is not None
    assert final.callback.params["CallDuration"] == "13"
    assert final.callback.params["Duration"] == "1"


async def test_transcript_is_json_serialisable() -> None:
    env = FakeVoiceEnv()
    outcome = await run(env, inline("<Say>Hi</Say><Play digits='12w'/><Hangup/><Say>never</Say>"))
    data = json.loads(outcome.transcript.to_json())
    assert [e["kind"] for e in data] == ["say", "play", "hangup", "status", "end"]
    assert data[0] == {"kind": "say", "at": 0.0, "text": "Hi", "voice": "man",
                       "language": "en-US", "loop": 1}  # fmt: skip
    assert data[1]["digits"] == "12w"
    assert data[-1]["reason"] == "hangup" and data[-1]["status"] == "completed"
    assert Transcript.decode(outcome.transcript.to_json()) == list(outcome.transcript.entries)
    assert outcome.transcript.to_builtins() == data


async def test_gather_1234_posts_to_action_then_records() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{BASE}/start": (
                "<Response><Gather numDigits='4' action='/voice/pin'>"
                "<Say>Enter your PIN</Say></Gather><Say>We did not get it</Say></Response>"
            ),
            f"{BASE}/pin": (
                "<Response><Say>Thanks. Leave a message.</Say>"
                "<Record maxLength='20' action='recorded' recordingStatusCallback='/rsc'"
                " recordingStatusCallbackEvent='in-progress completed'/></Response>"
            ),
            f"{BASE}/recorded": "<Response><Say>Bye</Say><Hangup/></Response>",
        }
    )
    call = make_call()
    outcome = await run(
        env,
        DocumentRequest(f"{BASE}/start", "POST"),
        call,
        caller=CallerInput(digits="1234", recording_seconds=4),
    )
    assert outcome.status == COMPLETED and outcome.reason == "hangup"
    urls = [(f.url, f.method) for f in env.fetches]
    assert urls == [
        (f"{BASE}/start", "POST"),
        ("https://app.example.com/voice/pin", "POST"),  # relative to the document URL
        (f"{BASE}/recorded", "POST"),
    ]
    start, pin, recorded = env.fetches
    assert start.params["CallStatus"] == "in-progress" and "Digits" not in start.params
    assert pin.params["Digits"] == "1234" and pin.params["FinishedOnKey"] == ""
    assert pin.params["CallSid"] == call.call_sid and pin.params["Direction"] == "outbound-api"
    (recording,) = env.recordings
    assert recording.source == "RecordVerb" and recording.duration == 4
    assert recorded.params["RecordingDuration"] == "4"
    assert recorded.params["RecordingSid"].startswith("RE")
    assert recorded.params["RecordingUrl"].endswith(recorded.params["RecordingSid"])
    assert "Digits" not in recorded.params  # ended by silence, not by a key
    rsc = env.notifications
    assert [n.params["RecordingStatus"] for n in rsc] == ["in-progress", "completed"]
    assert rsc[0].url == "https://app.example.com/rsc"
    assert "RecordingDuration" not in rsc[0].params and rsc[1].params["RecordingDuration"] == "4"
    assert kinds(outcome) == [
        "fetch", "say", "gather", "fetch", "say", "record", "fetch", "say", "hangup",
        "status", "end",
    ]  # fmt: skip
    gathered = outcome.transcript.of(Gathered)[0]
    assert (gathered.digits, gathered.timed_out) == ("1234", False)
    assert gathered.action == "https://app.example.com/voice/pin"
    assert outcome.transcript.of(Recorded)[0].duration == 4
    assert "We did not get it" not in [s.text for s in outcome.transcript.of(Said)]


async def test_gather_without_input_goes_on_with_the_next_verb() -> None:
    env = FakeVoiceEnv(
        documents={f"{BASE}/a": "<Response><Gather timeout='7'/><Say>none</Say></Response>"}
    )
    outcome = await run(env, DocumentRequest(f"{BASE}/a"))
    assert len(env.fetches) == 1
    gathered = outcome.transcript.of(Gathered)[0]
    assert gathered.timed_out and gathered.action is None and gathered.digits == ""
    said = outcome.transcript.of(Said)[0]
    assert said.text == "none" and said.at == pytest.approx(7.0)


async def test_action_on_empty_result_posts_empty_digits() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{BASE}/a": "<Response><Gather actionOnEmptyResult='true' method='GET'/></Response>",
            f"{BASE}/b": "<Response><Gather actionOnEmptyResult='true' action='c'/></Response>",
            f"{BASE}/c": "<Response/>",
        }
    )
    options = InterpreterOptions(time_limit=12)
    outcome = await run(env, DocumentRequest(f"{BASE}/a"), options=options)
    # Without an action, the empty result goes to the document URL itself: a loop, as on
    # Twilio, that runs until the call's time limit.
    assert [(f.url, f.method) for f in env.fetches] == [(f"{BASE}/a", "POST")] + [
        (f"{BASE}/a", "GET")
    ] * 2
    assert outcome.reason == "time-limit"
    assert env.fetches[1].params["Digits"] == "" and env.fetches[1].params["FinishedOnKey"] == ""
    assert outcome.transcript.of(Gathered)[0].action == f"{BASE}/a"
    env.fetches.clear()
    await run(env, DocumentRequest(f"{BASE}/b"))
    assert [f.url for f in env.fetches] == [f"{BASE}/b", f"{BASE}/c"]


async def test_keys_are_buffered_across_gathers() -> None:
    posted: list[dict[str, str]] = []

    def action(params: dict[str, str]) -> str:
        posted.append(dict(params))
        return (
            "<Response/>"
            if len(posted) == 2
            else "<Response><Redirect>/voice/menu</Redirect></Response>"
        )

    env = FakeVoiceEnv(
        documents={
            f"{BASE}/menu": "<Response><Gather action='/voice/act' finishOnKey='#'/></Response>",
            f"{BASE}/act": action,  # type: ignore[dict-item]
        }
    )
    await run(env, DocumentRequest(f"{BASE}/menu"), caller=CallerInput(digits="12#3"))
    assert [(p["Digits"], p["FinishedOnKey"]) for p in posted] == [("12", "#"), ("3", "")]


async def test_speech_gather() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{BASE}/a": "<Response><Gather input='speech dtmf' action='/s'/></Response>",
            "https://app.example.com/s": "<Response/>",
        }
    )
    await run(env, DocumentRequest(f"{BASE}/a"), caller=CallerInput(speech=["talk to sales"]))
    params = env.fetches[1].params
    assert params["SpeechResult"] == "talk to sales" and params["Confidence"] == "0.9"
    assert "Digits" not in params


async def test_interactive_press_digits_step_by_step() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{BASE}/a": "<Response><Gather numDigits='2' action='/voice/b'/></Response>",
            f"{BASE}/b": "<Response><Say>got it</Say></Response>",
        }
    )
    caller = CallerInput(interactive=True, idle_timeout=30)
    call_session = session(env, caller=caller)
    task = asyncio.create_task(call_session.run(DocumentRequest(f"{BASE}/a")))
    for _ in range(1000):  # wait until the Gather is waiting for input
        await asyncio.sleep(0)
        if any(isinstance(e, Fetched) for e in call_session.transcript):
            break
    await asyncio.sleep(0.01)
    assert not task.done()
    caller.press("4")
    await asyncio.sleep(0.01)
    assert not task.done()
    caller.press("2")
    outcome = await asyncio.wait_for(task, 10)
    assert env.fetches[1].params["Digits"] == "42"
    assert outcome.transcript.of(Said)[0].text == "got it"


async def test_interactive_silence_times_out_the_gather() -> None:
    env = FakeVoiceEnv()
    caller = CallerInput(interactive=True, idle_timeout=None)
    call_session = session(env, caller=caller)
    task = asyncio.create_task(call_session.run(inline("<Gather/><Say>after</Say>")))
    await asyncio.sleep(0.01)
    assert not task.done()
    caller.silence()
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.transcript.of(Gathered)[0].timed_out
    assert outcome.transcript.of(Said)[0].text == "after"


async def test_redirect_and_relative_urls() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{BASE}/a": (
                "<Response><Redirect method='GET'>b?step=2</Redirect><Say>x</Say></Response>"
            ),
            f"{BASE}/b?step=2": "<Response><Play>../audio/hi.mp3</Play></Response>",
        }
    )
    outcome = await run(env, DocumentRequest(f"{BASE}/a"))
    assert [(f.url, f.method) for f in env.fetches] == [
        (f"{BASE}/a", "POST"), (f"{BASE}/b?step=2", "GET"),
    ]  # fmt: skip
    assert outcome.transcript.of(Redirected)[0].url == f"{BASE}/b?step=2"
    assert outcome.transcript.of(Played)[0].url == "https://app.example.com/audio/hi.mp3"
    assert outcome.transcript.of(Said) == []


async def test_inbound_call_is_answered_by_its_first_verb() -> None:
    env = FakeVoiceEnv(documents={f"{BASE}/in": "<Response><Say>hi</Say></Response>"})
    call = make_call(direction="inbound", status=RINGING, from_="+14155550111", to="+15005550006")
    outcome = await run(env, DocumentRequest(f"{BASE}/in"), call)
    assert env.fetches[0].params["CallStatus"] == "ringing"
    assert env.fetches[0].params["Direction"] == "inbound"
    assert env.statuses(call.call_sid) == [IN_PROGRESS, COMPLETED]
    assert kinds(outcome)[:3] == ["fetch", "status", "say"]
    assert outcome.status == COMPLETED and outcome.duration == 1


@pytest.mark.parametrize(
    ("reason", "status", "sip"), [("busy", "busy", "486"), ("rejected", "no-answer", "603")]
)
async def test_reject_an_inbound_call(reason: str, status: str, sip: str) -> None:
    env = FakeVoiceEnv()
    call = make_call(direction="inbound", status=RINGING)
    outcome = await run(env, inline(f"<Reject reason='{reason}'/><Say>never</Say>"), call)
    assert outcome.status == status and outcome.reason == "rejected" and outcome.duration is None
    assert env.statuses(call.call_sid) == [status]
    callback = env.updates[-1][1].callback
    assert callback is not None
    assert (callback.params["CallStatus"], callback.params["SipResponseCode"]) == (status, sip)
    assert callback.params["CallDuration"] == "0"
    assert kinds(outcome) == ["reject", "status", "end"]


async def test_reject_after_answer_hangs_up_with_a_warning() -> None:
    env = FakeVoiceEnv()
    outcome = await run(env, inline("<Say>hi</Say><Reject/>"))
    assert outcome.status == COMPLETED and outcome.reason == "hangup"
    assert kinds(outcome) == ["say", "problem", "hangup", "status", "end"]


async def test_sms_during_a_call_uses_call_parties_and_action() -> None:
    env = FakeVoiceEnv(
        documents={"https://app.example.com/sent": "<Response><Say>sent</Say></Response>"}
    )
    call = make_call(direction="inbound", status=RINGING, from_="+14155550111", to="+15005550006")
    outcome = await run(
        env,
        InlineTwiml(
            "<Response><Sms>Your code is 1</Sms>"
            "<Message to='+14155550999' from='+15005550007' action='https://app.example.com/sent'>"
            "Second</Message><Say>not reached</Say></Response>"
        ),
        call,
    )
    first, second = env.messages
    assert (first.from_, first.to, first.body, first.verb) == (
        "+15005550006", "+14155550111", "Your code is 1", "Sms",
    )  # fmt: skip
    assert (second.from_, second.to, second.verb) == ("+15005550007", "+14155550999", "Message")
    sent = outcome.transcript.of(MessageSent)
    assert len(sent) == 2 and env.fetches[0].params["SmsSid"] == sent[1].message_sid
    assert env.fetches[0].params["SmsStatus"] == "queued"
    assert [s.text for s in outcome.transcript.of(Said)] == ["sent"]
    assert json.loads(outcome.transcript.to_json())[1]["from"] == "+15005550006"


async def test_unreachable_streams_warn_and_the_twiml_goes_on() -> None:
    env = FakeVoiceEnv(
        documents={"https://app.example.com/after": "<Response><Say>after</Say></Response>"}
    )
    outcome = await run(
        env,
        inline(
            "<Start><Stream url='ws://127.0.0.1:1/fork'/></Start>"
            "<Connect action='https://app.example.com/after'>"
            "<Stream url='ws://127.0.0.1:1/ws'><Parameter name='a' value='1'/></Stream>"
            "</Connect>"
        ),
    )
    problems = outcome.transcript.of(Problem)
    assert [(p.code, p.level) for p in problems] == [(31902, "warning")] * 2
    assert [p.url for p in problems] == ["ws://127.0.0.1:1/fork", "ws://127.0.0.1:1/ws"]
    assert [s.text for s in outcome.transcript.of(Said)] == ["after"]
    assert outcome.status == COMPLETED


async def test_time_limit_ends_the_call() -> None:
    env = FakeVoiceEnv()
    outcome = await run(
        env,
        inline("<Pause length='40'/><Pause length='40'/><Say>late</Say>"),
        options=InterpreterOptions(time_limit=60),
    )
    assert outcome.reason == "time-limit" and outcome.duration == 80
    assert outcome.transcript.of(Said) == []


async def test_endless_redirect_loop_is_stopped() -> None:
    env = FakeVoiceEnv(documents={f"{BASE}/loop": "<Response><Redirect>loop</Redirect></Response>"})
    outcome = await run(
        env, DocumentRequest(f"{BASE}/loop"), options=InterpreterOptions(max_idle_documents=5)
    )
    assert len(env.fetches) == 5
    assert outcome.reason == "application-error" and outcome.status == COMPLETED
    final = outcome.transcript.entries[-1]
    assert isinstance(final, Ended) and final.reason == "application-error"


async def test_a_loop_that_takes_time_runs_until_the_time_limit() -> None:
    menu = "<Response><Pause length='4'/><Redirect>menu</Redirect></Response>"
    env = FakeVoiceEnv(documents={f"{BASE}/menu": menu})
    outcome = await run(
        env,
        DocumentRequest(f"{BASE}/menu"),
        options=InterpreterOptions(max_idle_documents=3, time_limit=30),
    )
    assert outcome.reason == "time-limit" and outcome.error_code is None
    assert len(env.fetches) == 8 and outcome.duration == 32
