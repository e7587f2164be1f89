"""Incoming calls: an owned number's VoiceUrl answered by a local app, step-by-step keys,
the fallback URL, and the control-plane routes."""

from __future__ import annotations

import httpx
import pytest
from calls_testkit import assert_all_signed
from support.emulator import OWNED, OWNED_2
from support.receiver import Receiver, Reply, twiml
from twilio.rest import Client

from twilio_connector.emulator import Emulator, EmulatorError

CALLER = "+14155550188"


def _configure(twilio: Client, number: str, **settings: str) -> None:
    owned = twilio.incoming_phone_numbers.list(phone_number=number)[0]
    twilio.incoming_phone_numbers(owned.sid).update(**settings)  # type: ignore[arg-type]


def test_incoming_call_answered_by_a_local_app(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _configure(
        twilio,
        OWNED,
        voice_url=receiver.url("/incoming"),
        status_callback=receiver.url("/status"),
    )
    receiver.reply(
        "/incoming",
        twiml("<Gather numDigits='2' action='/menu'><Say>Press two digits</Say></Gather>"),
    )
    receiver.reply("/menu", twiml("<Say>Connecting you</Say><Sms>Thanks for calling</Sms>"))
    call = emu.simulate_incoming_call(CALLER, OWNED, digits="42")
    assert call.status == "ringing" and call.direction == "inbound" and call.to == OWNED
    emu.settle()
    first = receiver.at("/incoming")[0].form
    assert first["CallStatus"] == "ringing" and first["Direction"] == "inbound"
    assert first["From"] == first["Caller"] == CALLER and first["To"] == first["Called"] == OWNED
    assert first["ToCountry"] == first["CalledCountry"] == "US"
    menu = receiver.at("/menu")[0].form
    assert menu["Digits"] == "42" and menu["CallStatus"] == "in-progress"
    done = receiver.at("/status")[0].form
    assert done["CallStatus"] == "completed" and done["SequenceNumber"] == "0"
    assert_all_signed(emu.auth_token, receiver)
    fetched = twilio.calls(call.sid).fetch()
    assert fetched.status == "completed" and fetched.phone_number_sid is not None
    kinds = [e["kind"] for e in emu.call_transcript(call.sid)]
    assert kinds[:3] == ["status", "fetch", "status"]  # ringing, VoiceUrl, answered
    sent = next(e for e in emu.call_transcript(call.sid) if e["kind"] == "message")
    assert sent["to"] == CALLER and sent["from"] == OWNED and sent["body"] == "Thanks for calling"
    assert twilio.messages(sent["message_sid"]).fetch().direction == "outbound-call"


def test_step_by_step_digits(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    _configure(twilio, OWNED, voice_url=receiver.url("/incoming"))
    receiver.reply(
        "/incoming", twiml("<Gather numDigits='4' action='/code'><Say>Code?</Say></Gather>")
    )
    receiver.reply("/code", twiml("<Say>OK</Say>"))
    call = emu.simulate_incoming_call(CALLER, OWNED)
    emu.settle()  # the Gather waits for keys: settle returns without them
    assert not any(e["kind"] == "gather" for e in emu.call_transcript(call.sid))
    assert twilio.calls(call.sid).fetch().status == "in-progress"
    emu.press_digits(call.sid, "12")
    emu.settle()
    assert receiver.at("/code") == []
    emu.press_digits(call.sid, "34")
    emu.settle()
    assert receiver.at("/code")[0].form["Digits"] == "1234"
    assert twilio.calls(call.sid).fetch().status == "completed"
    with pytest.raises(EmulatorError) as info:
        emu.press_digits(call.sid, "1")
    assert info.value.code == 21220


def test_speech_and_voice_fallback_url(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    _configure(
        twilio,
        OWNED_2,
        voice_url=receiver.url("/broken"),
        voice_method="GET",
        voice_fallback_url=receiver.url("/fallback"),
    )
    receiver.reply("/broken", Reply(500, b"oops", "text/plain"))
    receiver.reply(
        "/fallback", twiml("<Gather input='speech' action='/heard'><Say>Speak</Say></Gather>")
    )
    receiver.reply("/heard", twiml("<Hangup/>"))
    call = emu.simulate_incoming_call(CALLER, OWNED_2, speech="talk to sales")
    emu.settle()
    assert receiver.at("/broken")[0].method == "GET"
    fallback = receiver.at("/fallback")[0].form
    assert fallback["ErrorCode"] == "11200" and fallback["ErrorUrl"] == receiver.url("/broken")
    heard = receiver.at("/heard")[0].form
    assert heard["SpeechResult"] == "talk to sales" and heard["Confidence"] == "0.9"
    assert_all_signed(emu.auth_token, receiver)
    notes = emu.notifications(call.sid)
    assert [n.error_code for n in notes] == [11200]


def test_reject_ends_busy_and_bad_simulations(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _configure(twilio, OWNED, voice_url=receiver.url("/incoming"))
    receiver.reply("/incoming", twiml("<Reject reason='busy'/>"))
    call = emu.simulate_incoming_call(CALLER, OWNED, digits="")
    emu.settle()
    assert twilio.calls(call.sid).fetch().status == "busy"
    with pytest.raises(EmulatorError) as info:
        emu.simulate_incoming_call(CALLER, "+15550000000")
    assert info.value.status == 404
    with pytest.raises(EmulatorError) as info:
        emu.simulate_incoming_call(CALLER, OWNED_2)  # no VoiceUrl
    assert info.value.status == 400
    with pytest.raises(EmulatorError) as info:
        emu.simulate_incoming_call("not a number", OWNED)
    assert info.value.code == 21212


def test_control_plane_calls(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    _configure(twilio, OWNED, voice_url=receiver.url("/incoming"))
    receiver.reply(
        "/incoming", twiml("<Gather numDigits='3' action='/pin'><Say>PIN</Say></Gather>")
    )
    receiver.reply("/pin", twiml("<Say>Done</Say>"))
    http = httpx.Client(
        base_url=f"{emu.base_url}/_emulator", auth=(emu.account_sid, emu.auth_token)
    )
    made = http.post("/calls/inbound", json={"from": CALLER, "to": OWNED})
    assert made.status_code == 201, made.text
    sid = made.json()["sid"]
    assert made.json()["status"] == "ringing"
    assert http.post("/settle", json={}).status_code == 200
    pressed = http.post(f"/calls/{sid}/digits", json={"digits": "987"})
    assert pressed.status_code == 200
    assert http.post("/settle", json={}).status_code == 200
    transcript = http.get(f"/calls/{sid}/transcript").json()
    assert transcript["status"] == "completed"
    gathered = [e for e in transcript["transcript"] if e["kind"] == "gather"]
    assert gathered[0]["digits"] == "987"
    callbacks = http.get(f"/calls/{sid}/callbacks", params={"kind": "voice-request"}).json()
    assert [d["url"] for d in callbacks["callbacks"]] == [
        receiver.url("/incoming"), receiver.url("/pin"),
    ]  # fmt: skip
    # bad input is a 4xx, never a 500
    assert http.post(f"/calls/{sid}/digits", json={"digits": "1"}).status_code == 400
    assert http.post("/calls/inbound", json={"to": OWNED}).status_code == 400
    assert http.post("/calls/inbound", json={"from": CALLER, "to": ["x"]}).status_code == 400
    unknown = "CA" + "0" * 32
    assert http.get(f"/calls/{unknown}/transcript").status_code == 404
    assert http.post(f"/calls/{unknown}/speech", json={"speech": "hi"}).status_code == 404
    bad_rule = http.post("/rules", json={"kind": "call", "outcome": "delivered"})
    assert bad_rule.status_code == 400
    bad_params = http.post(
        "/rules", json={"kind": "call", "outcome": "completed", "params": {"digits": "12x"}}
    )
    assert bad_params.status_code == 400
    good = http.post(
        "/rules", json={"kind": "call", "outcome": "busy", "to": "+1415*", "params": {"ring": 2}}
    )
    assert good.status_code == 201 and good.json()["outcome"] == "busy"
    http.close()
