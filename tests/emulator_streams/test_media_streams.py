"""Media Streams end to end: a call placed through the emulator connects to a local agent
over a real WebSocket, the caller's script plays into it, the agent answers with audio and
marks; the transcript, the status callbacks and the agent's recording tell what happened."""

from __future__ import annotations

import base64
import io

import httpx
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from support.stream_agents import Seen, agent, send
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from websockets.sync.server import ServerConnection

from twilio_connector.emulator import Emulator
from twilio_connector.realtime import audio, tones

CALLER = "+14155550188"


def _answer_with(twilio: Client, receiver: Receiver, body: str) -> None:
    owned = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0]
    twilio.incoming_phone_numbers(owned.sid).update(
        voice_url=receiver.url("/voice"), status_callback=receiver.url("/call-status")
    )
    receiver.reply("/voice", twiml(body))


def _echo(ws: ServerConnection, message: dict[str, object], seen: Seen) -> bool | None:
    """Plays back what it hears; a mark after each key; closes once the mark of '#' is back."""
    if message["event"] == "media":
        payload = message["media"]["payload"]  # type: ignore[index]
        sid = message["streamSid"]
        if payload != base64.b64encode(audio.SILENCE_FRAME).decode():
            send(ws, {"event": "media", "streamSid": sid, "media": {"payload": payload}})
    elif message["event"] == "dtmf":
        digit = message["dtmf"]["digit"]  # type: ignore[index]
        send(
            ws,
            {"event": "mark", "streamSid": message["streamSid"], "mark": {"name": f"key-{digit}"}},
        )
    elif message["event"] == "mark":
        return message["mark"]["name"] == "key-#"  # type: ignore[index,no-any-return]
    return None


def test_connect_stream_echo_agent_end_to_end(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    with agent(_echo) as app:
        _answer_with(
            twilio, receiver,
            f'<Connect action="/after"><Stream url="{app.url}" statusCallback="/stream-status">'
            '<Parameter name="customer" value="42"/></Stream></Connect>',
        )  # fmt: skip
        receiver.reply("/after", twiml("<Say>Thanks, goodbye</Say>"))
        call = emu.simulate_incoming_call(
            CALLER, OWNED, script=[{"say": "hello agent"}, {"press": "1#"}]
        )
        emu.settle()
        seen = app.connections[0]
        assert seen.done.wait(5)
    # the handshake is signed as Twilio signs it
    assert RequestValidator(emu.auth_token).validate(
        app.url, {}, seen.headers["x-twilio-signature"]
    )
    events = seen.events()
    assert events[0] == "connected" and events[1] == "start"
    assert "sequenceNumber" not in seen.messages[0]
    numbers = [int(m["sequenceNumber"]) for m in seen.messages[1:]]
    assert numbers == list(range(1, len(numbers) + 1))
    start = seen.messages[1]["start"]
    assert start["callSid"] == call.sid and start["accountSid"] == emu.account_sid
    assert start["tracks"] == ["inbound"] and start["customParameters"] == {"customer": "42"}
    assert start["mediaFormat"] == {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
    media = seen.of("media")
    assert all(len(base64.b64decode(m["media"]["payload"])) == 160 for m in media)
    assert [int(m["media"]["chunk"]) for m in media] == list(range(1, len(media) + 1))
    assert [int(m["media"]["timestamp"]) for m in media] == [20 * i for i in range(len(media))]
    assert [m["dtmf"]["digit"] for m in seen.of("dtmf")] == ["1", "#"]
    heard = seen.audio()
    assert len(set(heard)) > 20  # speech, not silence
    assert tones.detect_dtmf(heard) == "1#"  # the keys' tones are on the line too
    marks = [m["mark"]["name"] for m in seen.of("mark")]
    assert marks == ["key-1", "key-#"]  # each returned once the audio before it had played
    # the agent closed: the TwiML went on at <Connect action>
    assert receiver.at("/after")[0].form["CallSid"] == call.sid
    kinds = [e["kind"] for e in emu.call_transcript(call.sid)]
    for kind in ("stream-start", "caller-say", "caller-press", "agent-audio", "mark",
                 "stream-stop", "agent-recording", "say"):  # fmt: skip
        assert kind in kinds, kinds
    assert kinds.index("stream-stop") < kinds.index("say")
    stopped = next(e for e in emu.call_transcript(call.sid) if e["kind"] == "stream-stop")
    assert stopped["reason"] == "app-closed"
    statuses = [r.form["StreamEvent"] for r in receiver.at("/stream-status")]
    assert statuses == ["stream-started", "stream-stopped"]
    assert receiver.at("/stream-status")[0].form["StreamSid"] == start["streamSid"]
    # what the agent said is kept: a recording with the echoed speech in it
    rec = next(e for e in emu.call_transcript(call.sid) if e["kind"] == "agent-recording")
    wav = httpx.get(rec["recording_url"] + ".wav").content
    played = audio.ulaw_encode(audio.read_wav(io.BytesIO(wav)))
    assert len(set(played)) > 20
    assert twilio.calls(call.sid).fetch().status == "completed"


def test_caller_hangs_up_mid_stream(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    with agent() as app:
        _answer_with(twilio, receiver, f'<Connect><Stream url="{app.url}"/></Connect><Say>no</Say>')
        call = emu.simulate_incoming_call(CALLER, OWNED, script=[{"pause": 0.2}, {"hangup": True}])
        emu.settle()
        seen = app.connections[0]
        assert seen.done.wait(5)
    assert seen.events()[-1] == "stop"
    assert seen.of("stop")[0]["stop"] == {"accountSid": emu.account_sid, "callSid": call.sid}
    assert len(seen.of("media")) >= 10  # 0.5 s gap + 0.2 s pause of silence, 20 ms each
    kinds = [e["kind"] for e in emu.call_transcript(call.sid)]
    assert "say" not in kinds and kinds[-1] == "end"
    assert receiver.at("/call-status")[-1].form["CallStatus"] == "completed"


def test_clear_returns_pending_marks_and_drops_audio(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    def talk(ws: ServerConnection, message: dict[str, object], seen: Seen) -> bool | None:
        if message["event"] == "start":
            sid = message["streamSid"]
            tone = base64.b64encode(bytes([0x10, 0x90]) * 8000).decode()  # 2 s
            send(ws, {"event": "media", "streamSid": sid, "media": {"payload": tone}})
            send(ws, {"event": "mark", "streamSid": sid, "mark": {"name": "greeting"}})
        if message["event"] == "dtmf":
            send(ws, {"event": "clear", "streamSid": message["streamSid"]})
        if message["event"] == "mark":
            return True
        return None

    with agent(talk) as app:
        _answer_with(twilio, receiver, f'<Connect><Stream url="{app.url}"/></Connect>')
        call = emu.simulate_incoming_call(
            CALLER, OWNED, script=[{"press": "5", "after": 0.3, "barge_in": True}]
        )
        emu.settle()
        assert app.connections[0].done.wait(5)
    entries = emu.call_transcript(call.sid)
    mark = next(e for e in entries if e["kind"] == "mark")
    assert mark["name"] == "greeting" and mark["cleared"] is True
    spoken = [e for e in entries if e["kind"] == "agent-audio"]
    assert spoken and spoken[0]["cleared"] is True and spoken[0]["duration"] < 2.0


def test_connect_refused_warns_and_goes_on(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    with agent() as app:
        url = app.url
    _answer_with(twilio, receiver, f'<Connect><Stream url="{url}"/></Connect><Say>after</Say>')
    call = emu.simulate_incoming_call(CALLER, OWNED)
    emu.settle()
    entries = emu.call_transcript(call.sid)
    problem = next(e for e in entries if e["kind"] == "problem")
    assert problem["code"] == 31902 and problem["level"] == "warning"
    assert any(e["kind"] == "say" for e in entries)


def test_fork_with_start_and_stop(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    with agent() as app:
        _answer_with(
            twilio, receiver,
            f'<Start><Stream name="fork" url="{app.url}" track="both_tracks"/></Start>'
            '<Pause length="1"/><Stop><Stream name="fork"/></Stop><Say>done</Say>',
        )  # fmt: skip
        emu.simulate_incoming_call(CALLER, OWNED)
        emu.settle()
        seen = app.connections[0]
        assert seen.done.wait(5)
    assert seen.events()[0:2] == ["connected", "start"] and seen.events()[-1] == "stop"
    assert seen.messages[1]["start"]["tracks"] == ["inbound", "outbound"]
    tracks = {m["media"]["track"] for m in seen.of("media")}
    assert tracks <= {"inbound", "outbound"}


def test_settle_returns_once_the_script_is_answered_and_steps_can_follow(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    def greet_and_answer(ws: ServerConnection, message: dict[str, object], seen: Seen) -> None:
        if message["event"] == "dtmf":  # an answer per key; the agent never hangs up
            tone = base64.b64encode(bytes([0x10, 0x90]) * 400).decode()  # 0.1 s
            sid = message["streamSid"]
            send(ws, {"event": "media", "streamSid": sid, "media": {"payload": tone}})
            send(ws, {"event": "mark", "streamSid": sid, "mark": {"name": "answered"}})

    with agent(greet_and_answer) as app:
        _answer_with(twilio, receiver, f'<Connect><Stream url="{app.url}"/></Connect>')
        call = emu.simulate_incoming_call(CALLER, OWNED, script=[{"press": "1"}])
        emu.settle()  # the caller pressed, the agent answered: the call is quiet, still live
        kinds = [e["kind"] for e in emu.call_transcript(call.sid)]
        assert kinds.count("mark") == 1 and "stream-stop" not in kinds
        assert twilio.calls(call.sid).fetch().status == "in-progress"
        emu.add_caller_steps(call.sid, [{"press": "2", "after": 0}, {"hangup": True}])
        emu.settle()
        assert app.connections[0].done.wait(5)
    entries = emu.call_transcript(call.sid)
    assert [e["name"] for e in entries if e["kind"] == "mark"] == ["answered", "answered"]
    assert [e["digits"] for e in entries if e["kind"] == "caller-press"] == ["1", "2"]
    assert next(e for e in entries if e["kind"] == "stream-stop")["reason"] == "caller-hangup"
    assert twilio.calls(call.sid).fetch().status == "completed"


def test_a_second_fork_of_the_same_name_is_refused_and_the_first_goes_on(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    with agent() as app:
        fork = f'<Stream name="fork" url="{app.url}"/>'
        _answer_with(
            twilio, receiver,
            f'<Start>{fork}</Start><Start>{fork}</Start><Pause length="1"/>'
            '<Stop><Stream name="fork"/></Stop><Say>done</Say>',
        )  # fmt: skip
        call = emu.simulate_incoming_call(CALLER, OWNED)
        emu.settle()
        assert len(app.connections) == 1 and app.connections[0].done.wait(5)
    assert app.connections[0].events()[-1] == "stop"
    problems = [e for e in emu.call_transcript(call.sid) if e["kind"] == "problem"]
    assert len(problems) == 1 and "already has that name" in problems[0]["message"]
