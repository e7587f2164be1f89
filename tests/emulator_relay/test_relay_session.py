"""``<Connect><ConversationRelay>`` in the interpreter, against real apps on loopback sockets."""

from __future__ import annotations

import asyncio
import re
import socket
import wave
from pathlib import Path
from typing import Any

from relay_testkit import (
    AUTH_TOKEN,
    AppConn,
    FakeVoiceEnv,
    RelayApp,
    kinds,
    make_call,
    relay_twiml,
    run,
    session,
)
from twilio.request_validator import RequestValidator

from twilio_connector.callbacks import ConversationRelayResult
from twilio_connector.emulator.timing import Timing
from twilio_connector.emulator.voice import CallerInput, InterpreterOptions
from twilio_connector.emulator.voice.transcript import (
    AgentDigits,
    AgentPlayed,
    AgentSaid,
    CallerPlayed,
    CallerPressed,
    CallerSaid,
    HungUp,
    LanguageChanged,
    Problem,
    RelayEnded,
    RelayStarted,
    Said,
)
from twilio_connector.realtime import conversation_relay as cr

ACTION = "https://app.example.com/after-relay"
SAY = Timing()  # the interpreter's default timing: how long words take


def caller(*steps: dict[str, Any], idle: float | None = 5.0) -> CallerInput:
    return CallerInput(script=list(steps), idle_timeout=idle)


async def end_at_once(conn: AppConn) -> None:
    await conn.expect(cr.Setup)
    await conn.send(cr.End(handoff_data='{"reason":"done"}'))
    await conn.drain()


async def test_setup_fields_custom_parameters_and_a_signed_handshake() -> None:
    env = FakeVoiceEnv(documents={ACTION: "<Response><Hangup/></Response>"})
    async with RelayApp(end_at_once) as app:
        twiml = relay_twiml(
            app.url,
            'language="en-GB"',
            action=ACTION,
            inner='<Parameter name="customerId" value="42"/><Parameter name="tier" value="gold"/>',
        )
        call = make_call(from_="+15005550006", to="+14155550100")
        outcome = await run(env, twiml, call)
    assert outcome.reason == "hangup"
    setup = app.of(cr.Setup)[0]
    assert re.fullmatch(r"VX[0-9a-f]{32}", setup.session_id)
    assert setup.account_sid == call.info.account_sid and setup.call_sid == call.call_sid
    assert (setup.from_, setup.to, setup.forwarded_from) == ("+15005550006", "+14155550100", "")
    assert (setup.call_type, setup.direction, setup.call_status) == (
        "PSTN",
        "outbound",
        "IN-PROGRESS",
    )
    assert setup.parent_call_sid == "" and setup.caller_name == ""
    assert setup.custom_parameters == {"customerId": "42", "tier": "gold"}
    # the handshake is signed as Twilio signs it: the URL, no parameters
    assert RequestValidator(AUTH_TOKEN).validate(app.url, {}, app.headers["x-twilio-signature"])
    started = outcome.transcript.of(RelayStarted)[0]
    assert started.session_id == setup.session_id and started.language == "en-GB"
    assert started.parameters == {"customerId": "42", "tier": "gold"}


async def test_inbound_client_call_and_the_action_request_after_end() -> None:
    env = FakeVoiceEnv(documents={ACTION: "<Response><Say>bye</Say></Response>"})
    async with RelayApp(end_at_once) as app:
        call = make_call(direction="inbound", from_="client:alice", to="+14155550100")
        outcome = await run(env, relay_twiml(app.url, action=ACTION), call)
    setup = app.of(cr.Setup)[0]
    assert (setup.call_type, setup.direction) == ("CLIENT", "inbound")
    fetch = env.fetches[-1]
    assert fetch.url == ACTION and fetch.method == "POST"
    assert fetch.params["SessionId"] == setup.session_id
    assert fetch.params["SessionStatus"] == "ended"
    assert fetch.params["SessionDuration"] == "0"
    assert fetch.params["HandoffData"] == '{"reason":"done"}'
    assert fetch.params["CallSid"] == call.call_sid and "ErrorCode" not in fetch.params
    parsed = ConversationRelayResult.from_params(fetch.params)
    assert parsed.name == "call.conversation_relay" and parsed.session_status == "ended"
    ended = outcome.transcript.of(RelayEnded)[0]
    assert (ended.status, ended.reason, ended.handoff_data) == (
        "ended",
        "app-end",
        '{"reason":"done"}',
    )
    assert kinds(outcome)[-4:] == ["fetch", "say", "status", "end"]


async def test_prompts_in_order_with_turn_taking_and_streamed_tokens() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        prompt = await conn.expect(cr.Prompt)
        await conn.say("Sure, ", "let me ", "check.")
        prompt = await conn.expect(cr.Prompt)
        assert prompt.voice_prompt == "thanks"
        await conn.say("You are welcome.")
        await conn.drain()

    greeting = "Hello, how can I help?"
    env = FakeVoiceEnv()
    steps = caller({"say": "where is my order"}, {"say": "thanks", "after": 1}, {"hangup": True})
    async with RelayApp(agent) as app:
        twiml = relay_twiml(app.url, f'welcomeGreeting="{greeting}"', action=ACTION)
        outcome = await run(env, twiml, caller=steps)
    prompts = app.of(cr.Prompt)
    assert [(p.voice_prompt, p.lang, p.last) for p in prompts] == [
        ("where is my order", "en-US", True),
        ("thanks", "en-US", True),
    ]
    t = outcome.transcript
    said = t.of(AgentSaid)
    assert [(s.text, s.greeting, s.interrupted) for s in said] == [
        (greeting, True, False),
        ("Sure, let me check.", False, False),
        ("You are welcome.", False, False),
    ]
    heard = t.of(CallerSaid)
    # simulated call time: the caller waits for each agent turn, then `after` seconds
    g_end = said[0].at + SAY.say(greeting, 1)
    assert heard[0].at == g_end + 0.5
    assert said[1].at == heard[0].at + SAY.speech("where is my order")
    assert heard[1].at == said[1].at + SAY.say("Sure, let me check.", 1) + 1
    relay_kinds = ("agent", "caller", "relay", "hangup")
    entries = [k for k in kinds(outcome) if k.startswith(relay_kinds)]
    assert entries == [
        "relay-start", "agent-say", "caller-say", "agent-say", "caller-say", "agent-say",
        "relay-end", "hangup",
    ]  # fmt: skip
    ats = [e.at for e in t]
    assert ats == sorted(ats)
    assert t.of(RelayEnded)[0].reason == "caller-hangup"
    assert t.of(HungUp)[0].by == "caller"
    assert outcome.reason == "hangup" and not env.fetches  # no action request on a hang-up
    assert app.closed.is_set()


async def test_dtmf_is_sent_only_with_dtmf_detection() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.drain()

    for detection, expected in (("true", ["1", "2", "#"]), ("false", [])):
        env = FakeVoiceEnv()
        async with RelayApp(agent) as app:
            twiml = relay_twiml(app.url, f'dtmfDetection="{detection}"')
            outcome = await run(env, twiml, caller=caller({"press": "12#"}, {"hangup": True}))
        assert [d.digit for d in app.of(cr.Dtmf)] == expected
        assert [p.digits for p in outcome.transcript.of(CallerPressed)] == ["12#"]


async def test_barge_in_interrupts_the_agent() -> None:
    greeting = "Welcome to the support line of the example company, please listen closely"

    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.expect(cr.Interrupt)
        await conn.expect(cr.Prompt)
        await conn.say("OK, ", "stopping.")
        await conn.drain()

    env = FakeVoiceEnv()
    steps = caller({"say": "agent please", "barge_in": True, "after": 1.0}, {"hangup": True})
    async with RelayApp(agent) as app:
        twiml = relay_twiml(app.url, f'welcomeGreeting="{greeting}"')
        outcome = await run(env, twiml, caller=steps)
    interrupt = app.of(cr.Interrupt)[0]
    # 1 s of speech at 15 characters a second: the whole words within "Welcome to the s"
    assert interrupt.utterance_until_interrupt == "Welcome to the"
    assert interrupt.duration_until_interrupt_ms == 1000
    kinds_in_order = [type(m).__name__ for m in app.received]
    assert kinds_in_order == ["Setup", "Interrupt", "Prompt"]
    said = outcome.transcript.of(AgentSaid)
    assert said[0].greeting and said[0].interrupted and said[0].spoken == "Welcome to the"
    assert said[0].duration == 1.0
    assert said[1].text == "OK, stopping." and not said[1].interrupted
    heard = outcome.transcript.of(CallerSaid)[0]
    assert heard.barge_in and heard.at == said[0].at + 1.0


async def test_speech_over_a_non_interruptible_agent() -> None:
    greeting = "This message cannot be interrupted, it goes on for a while"

    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.drain()

    for report, prompts in (("none", []), ("speech", ["hello"])):
        env = FakeVoiceEnv()
        steps = caller(
            {"say": "hello", "barge_in": True, "after": 0.5},
            {"hangup": True, "barge_in": True, "after": 5},  # without waiting for an answer
        )
        attrs = (f'welcomeGreeting="{greeting}" welcomeGreetingInterruptible="none" '
                 f'reportInputDuringAgentSpeech="{report}"')  # fmt: skip
        async with RelayApp(agent) as app:
            outcome = await run(env, relay_twiml(app.url, attrs), caller=steps)
        assert not app.of(cr.Interrupt)
        assert [p.voice_prompt for p in app.of(cr.Prompt)] == prompts
        said = outcome.transcript.of(AgentSaid)[0]
        assert not said.interrupted and said.duration == SAY.say(greeting, 1)
        assert outcome.transcript.of(CallerSaid)[0].barge_in


async def test_partial_prompts() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.drain()

    env = FakeVoiceEnv()
    async with RelayApp(agent) as app:
        twiml = relay_twiml(app.url, 'partialPrompts="true" transcriptionLanguage="fr-FR"')
        steps = caller({"say": "one two three four"}, {"hangup": True, "barge_in": True})
        await run(env, twiml, caller=steps)
    assert [(p.voice_prompt, p.lang, p.last) for p in app.of(cr.Prompt)] == [
        ("one two", "fr-FR", False),
        ("one two three four", "fr-FR", True),
    ]


async def test_play_send_digits_and_language() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.send(cr.Language(tts_language="sv-SE", transcription_language="sv-SE"))
        await conn.send(cr.Play(source="https://cdn.example.com/hold.mp3", loop=2))
        await conn.send(cr.SendDigits(digits="12w3"))
        await conn.say("Hej!", lang="sv-SE")
        prompt = await conn.expect(cr.Prompt)
        assert prompt.lang == "sv-SE"
        await conn.send(cr.End())
        await conn.drain()

    env = FakeVoiceEnv()
    async with RelayApp(agent) as app:
        outcome = await run(env, relay_twiml(app.url), caller=caller({"say": "hallo"}))
    t = outcome.transcript
    changed = t.of(LanguageChanged)[0]
    assert (changed.tts_language, changed.transcription_language) == ("sv-SE", "sv-SE")
    played = t.of(AgentPlayed)[0]
    assert (played.source, played.loop) == ("https://cdn.example.com/hold.mp3", 2)
    digits = t.of(AgentDigits)[0]
    assert digits.digits == "12w3" and digits.at == played.at + SAY.play_audio(2)
    said = t.of(AgentSaid)[0]
    assert said.text == "Hej!" and said.language == "sv-SE"
    assert said.at == digits.at + SAY.dtmf("12w3")
    assert t.of(CallerSaid)[0].at == said.at + SAY.say("Hej!", 1) + 0.5
    assert outcome.reason == "end"  # no action: the document (and the call) goes on


async def test_no_action_runs_the_next_verb() -> None:
    env = FakeVoiceEnv()
    async with RelayApp(end_at_once) as app:
        outcome = await run(env, relay_twiml(app.url, after="<Say>after the relay</Say>"))
    assert [s.text for s in outcome.transcript.of(Said)] == ["after the relay"]
    assert not env.fetches and outcome.reason == "end"


async def test_an_invalid_app_message_gets_an_error_and_a_warning() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.ws.send("not json")
        await conn.ws.send('{"type":"text","last":true}')
        await conn.ws.send('{"type":"dance"}')
        for _ in range(3):
            await conn.expect(cr.ErrorMessage)
        await conn.send(cr.End())
        await conn.drain()

    env = FakeVoiceEnv()
    async with RelayApp(agent) as app:
        outcome = await run(env, relay_twiml(app.url))
    errors = [e.description for e in app.of(cr.ErrorMessage)]
    assert len(errors) == 3 and all(e.startswith("Invalid message received") for e in errors)
    assert "token" in errors[1] and "dance" in errors[2]
    warnings = [p for p in outcome.transcript.of(Problem) if p.code == 64107]
    assert len(warnings) == 3 and all(p.level == "warning" for p in warnings)
    assert outcome.transcript.of(RelayEnded)[0].reason == "app-end"


async def test_the_app_closing_without_end() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.say("Goodbye.")
        await conn.ws.close()

    env = FakeVoiceEnv(documents={ACTION: "<Response/>"})
    async with RelayApp(agent) as app:
        outcome = await run(env, relay_twiml(app.url, action=ACTION))
    assert outcome.transcript.of(AgentSaid)[0].text == "Goodbye."  # spoken before the end
    ended = outcome.transcript.of(RelayEnded)[0]
    assert (ended.status, ended.reason, ended.error_code) == ("ended", "app-closed", 64105)
    assert [p.code for p in outcome.transcript.of(Problem)] == [64105]
    params = env.fetches[-1].params
    assert params["SessionStatus"] == "ended" and params["ErrorCode"] == "64105"
    assert params["SessionId"] == app.of(cr.Setup)[0].session_id and "ErrorMessage" in params


async def test_connect_refused_is_64102() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = FakeVoiceEnv(documents={ACTION: "<Response/>"})
    outcome = await run(env, relay_twiml(f"ws://127.0.0.1:{port}/relay", action=ACTION))
    problems = outcome.transcript.of(Problem)
    assert [(p.code, p.level) for p in problems] == [(64102, "warning")]
    params = env.fetches[-1].params
    assert params["SessionStatus"] == "failed" and params["ErrorCode"] == "64102"
    assert re.fullmatch(r"VX[0-9a-f]{32}", params["SessionId"])
    assert outcome.transcript.of(RelayEnded)[0].status == "failed"
    # without action: the next verb
    env = FakeVoiceEnv()
    outcome = await run(env, relay_twiml(f"ws://127.0.0.1:{port}/r", after="<Say>on</Say>"))
    assert [s.text for s in outcome.transcript.of(Said)] == ["on"]


async def test_rest_hangup_mid_session() -> None:
    prompted = asyncio.Event()

    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.expect(cr.Prompt)
        prompted.set()
        await conn.drain()

    env = FakeVoiceEnv(documents={ACTION: "<Response/>"})
    async with RelayApp(agent) as app:
        call = session(env, caller=caller({"say": "hi"}, idle=None))
        running = asyncio.ensure_future(call.run(relay_twiml(app.url, action=ACTION)))
        await asyncio.wait_for(prompted.wait(), 10)
        call.hangup()
        outcome = await asyncio.wait_for(running, 10)
        await asyncio.wait_for(app.closed.wait(), 10)
    assert outcome.reason == "api-hangup" and outcome.status == "completed"
    ended = outcome.transcript.of(RelayEnded)[0]
    assert (ended.status, ended.reason) == ("ended", "call-ended")
    assert outcome.transcript.of(HungUp)[0].by == "api"
    assert not env.fetches


async def test_steps_added_while_attached_and_the_idle_caller_hanging_up() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        call.caller.speak("from the control plane")  # a barge-in step, said at once
        await conn.expect(cr.Prompt)
        await conn.say("Heard you.")
        await conn.drain()

    env = FakeVoiceEnv()
    async with RelayApp(agent) as app:
        call = session(env, caller=CallerInput(idle_timeout=0.2))
        outcome = await call.run(relay_twiml(app.url))
    assert [p.voice_prompt for p in app.of(cr.Prompt)] == ["from the control plane"]
    assert outcome.transcript.of(AgentSaid)[0].text == "Heard you."
    assert outcome.transcript.of(RelayEnded)[0].reason == "caller-hangup"
    assert outcome.reason == "hangup"


async def test_the_time_limit_ends_the_call_mid_session() -> None:
    greeting = "A very long welcome that would take far longer than the call may last"

    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.drain()

    env = FakeVoiceEnv()
    async with RelayApp(agent) as app:
        options = InterpreterOptions(time_limit=2.0)
        twiml = relay_twiml(app.url, f'welcomeGreeting="{greeting}"', action=ACTION)
        outcome = await run(env, twiml, options=options)
    assert outcome.reason == "time-limit" and not env.fetches
    said = outcome.transcript.of(AgentSaid)[0]
    assert said.interrupted and said.duration == 2.0 and greeting.startswith(said.spoken or "-")
    assert outcome.transcript.of(RelayEnded)[0].reason == "time-limit"
    assert app.closed.is_set()


async def test_realistic_timing_counts_the_wait_for_the_app() -> None:
    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.expect(cr.Prompt)
        await asyncio.sleep(0.2)  # think time: call time in realistic timing
        await conn.say("Yes.")
        await conn.drain()

    env = FakeVoiceEnv()
    steps = caller({"say": "hi", "after": 0}, {"hangup": True, "after": 0})
    options = InterpreterOptions(timing=Timing.realistic())
    async with RelayApp(agent) as app:
        outcome = await run(env, relay_twiml(app.url), caller=steps, scale=1.0, options=options)
    heard = outcome.transcript.of(CallerSaid)[0]
    said = outcome.transcript.of(AgentSaid)[0]
    assert said.text == "Yes." and said.at > heard.at + heard.duration  # the app's think time
    assert outcome.transcript.of(RelayEnded)[0].reason == "caller-hangup"
    assert [p.voice_prompt for p in app.of(cr.Prompt)] == ["hi"]


async def test_the_caller_playing_a_wav_file_sends_no_prompt(tmp_path: Path) -> None:
    path = tmp_path / "caller.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * 6000)  # 0.75 s

    async def agent(conn: AppConn) -> None:
        await conn.expect(cr.Setup)
        await conn.drain()

    env = FakeVoiceEnv()
    async with RelayApp(agent) as app:
        steps = caller({"play": str(path)}, {"hangup": True})
        outcome = await run(env, relay_twiml(app.url), caller=steps)
    played = outcome.transcript.of(CallerPlayed)[0]
    assert played.path == str(path) and played.duration == 0.75
    assert not app.of(cr.Prompt)
    hung = outcome.transcript.of(HungUp)[0]
    assert hung.at == played.at + 0.75 + 0.5
