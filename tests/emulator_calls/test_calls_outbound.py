"""Outbound calls over real sockets with the official SDK: lifecycle, callbacks, rules,
TwiML from a local app (Gather, action, Record), hang-up and cancel through the REST API."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from calls_testkit import EVENTS, HANDSET, MAGIC_FROM, assert_all_signed, statuses
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import Emulator, Timing


def test_inline_say_completes_with_four_signed_callbacks_in_order(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    call = twilio.calls.create(
        to=HANDSET,
        from_=MAGIC_FROM,
        twiml="<Response><Say>Hello from the emulator</Say></Response>",
        status_callback=receiver.url("/status"),
        status_callback_event=EVENTS,
    )
    assert call.status == "queued" and call.direction == "outbound-api"
    assert call.from_formatted == "(500) 555-0006"
    emu.settle()
    got = receiver.at("/status")
    assert [r.form["SequenceNumber"] for r in got] == ["0", "1", "2", "3"]  # arrival order
    assert [r.form["CallStatus"] for r in got] == [
        "initiated", "ringing", "in-progress", "completed",
    ]  # fmt: skip
    for r in got:
        form = r.form
        assert form["CallSid"] == call.sid and form["AccountSid"] == emu.account_sid
        assert form["CallbackSource"] == "call-progress-events"
        assert form["Direction"] == "outbound-api" and form["Called"] == HANDSET
        assert form["Timestamp"].endswith(" +0000")
        assert r.headers["User-Agent"] == "TwilioProxy/1.1"
    final = got[-1].form
    assert int(final["CallDuration"]) >= 1 and final["Duration"] == "1"
    assert final["SipResponseCode"] == "200"
    assert "CallDuration" not in got[2].form
    assert assert_all_signed(emu.auth_token, receiver) == 4
    fetched = twilio.calls(call.sid).fetch()
    assert fetched.status == "completed" and fetched.duration == final["CallDuration"]
    assert fetched.start_time is not None and fetched.end_time is not None
    assert fetched.price is not None and fetched.price.startswith("-")
    kinds = [e["kind"] for e in emu.call_transcript(call.sid)]
    assert kinds == ["status", "status", "status", "status", "say", "status", "end"]
    said = [e for e in emu.call_transcript(call.sid) if e["kind"] == "say"]
    assert said[0]["text"] == "Hello from the emulator"
    history = emu.call_callbacks(call.sid, kind="call-status")
    assert [d.param("SequenceNumber") for d in history] == ["0", "1", "2", "3"]


def test_default_events_only_completed(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    call = twilio.calls.create(
        to=HANDSET, from_=OWNED, twiml="<Response/>", status_callback=receiver.url("/s")
    )
    emu.settle()
    assert statuses(receiver, "/s") == [("completed", "0")]
    assert twilio.calls(call.sid).fetch().phone_number_sid is not None  # owned From


def test_url_call_gathers_posts_action_follows_and_records(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply(
        "/voice",
        twiml(
            "<Gather numDigits='4' action='/gathered' method='POST'>"
            "<Say>Enter your code</Say></Gather><Say>No input</Say>"
        ),
    )
    receiver.reply(
        "/gathered",
        twiml(
            "<Say>Thanks, leave a message</Say>"
            "<Record action='/recorded' maxLength='20' recordingStatusCallback='/recstatus'/>"
        ),
    )
    receiver.reply("/recorded", twiml("<Say>Bye</Say><Hangup/>"))
    emu.set_rule("completed", to="+14155550111", kind="call", digits="1234")
    call = twilio.calls.create(
        to="+14155550111",
        from_=OWNED,
        url=receiver.url("/voice"),
        status_callback=receiver.url("/status"),
    )
    emu.settle()
    voice = receiver.at("/voice")[0]
    assert voice.form["CallStatus"] == "in-progress" and voice.form["Direction"] == "outbound-api"
    assert voice.form["To"] == "+14155550111" and voice.form["Caller"] == OWNED
    gathered = receiver.at("/gathered")[0].form
    assert gathered["Digits"] == "1234" and gathered["FinishedOnKey"] == ""
    recorded = receiver.at("/recorded")[0].form
    rec_sid = recorded["RecordingSid"]
    assert recorded["RecordingUrl"].endswith(f"/Recordings/{rec_sid}")
    assert int(recorded["RecordingDuration"]) >= 1
    rec_status = receiver.at("/recstatus")[0].form
    assert rec_status["RecordingStatus"] == "completed" and rec_status["RecordingSid"] == rec_sid
    assert rec_status["RecordingSource"] == "RecordVerb" and rec_status["CallSid"] == call.sid
    assert [r.sid for r in twilio.calls(call.sid).recordings.list()] == [rec_sid]
    recording = twilio.recordings(rec_sid).fetch()
    assert recording.call_sid == call.sid and recording.duration == recorded["RecordingDuration"]
    audio = httpx.get(recorded["RecordingUrl"] + ".wav")
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    assert statuses(receiver, "/status") == [("completed", "0")]
    assert_all_signed(emu.auth_token, receiver)
    kinds = [e["kind"] for e in emu.call_transcript(call.sid)]
    assert kinds[-6:] == ["record", "fetch", "say", "hangup", "status", "end"]
    assert "gather" in kinds
    twilio.recordings(rec_sid).delete()
    assert twilio.calls(call.sid).recordings.list() == []


def test_get_method_and_record_true(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    receiver.reply("/twiml", twiml("<Pause length='2'/>"))
    call = twilio.calls.create(
        to=HANDSET,
        from_=MAGIC_FROM,
        url=receiver.url("/twiml?step=1"),
        method="GET",
        record=True,
        recording_status_callback=receiver.url("/rec"),
        status_callback=receiver.url("/status"),
    )
    emu.settle()
    fetch = receiver.at("/twiml")[0]
    assert fetch.method == "GET" and fetch.query["step"] == "1"
    assert fetch.query["CallSid"] == call.sid
    done = receiver.at("/status")[0].form
    assert done["RecordingSid"].startswith("RE") and done["RecordingUrl"].startswith("http://")
    rec = receiver.at("/rec")[0].form
    assert rec["RecordingSource"] == "OutboundAPI" and rec["RecordingSid"] == done["RecordingSid"]
    assert_all_signed(emu.auth_token, receiver)


@pytest.mark.parametrize(
    ("outcome", "sip"), [("busy", "486"), ("no-answer", "487"), ("failed", "404")]
)
def test_unanswered_outcomes_by_rule(
    outcome: str, sip: str, emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    to = "+14155550122"
    emu.set_rule(outcome, to=to, kind="call")
    call = twilio.calls.create(
        to=to,
        from_=MAGIC_FROM,
        url=receiver.url("/voice"),
        status_callback=receiver.url("/status"),
        status_callback_event=EVENTS,
        timeout=15,
    )
    emu.settle()
    expected = ["initiated"] if outcome == "failed" else ["initiated", "ringing"]
    got = statuses(receiver, "/status")
    assert [s for s, _ in got] == [*expected, outcome]
    final = receiver.at("/status")[-1].form
    assert final["SipResponseCode"] == sip and final["CallDuration"] == "0"
    assert receiver.at("/voice") == []  # never answered: no TwiML fetched
    fetched = twilio.calls(call.sid).fetch()
    assert fetched.status == outcome and fetched.duration is None and fetched.price is None
    ended = emu.call_transcript(call.sid)[-1]
    assert ended["kind"] == "end" and ended["reason"] == outcome
    if outcome == "no-answer":  # rang the whole Timeout
        ring = [e["at"] for e in emu.call_transcript(call.sid) if e["kind"] == "status"]
        assert ring[-1] - ring[-2] == pytest.approx(15.0)


def test_hang_up_a_live_call_via_update(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    emu.set_rule("completed", to=HANDSET, kind="call", interactive=True)
    receiver.reply("/voice", twiml("<Gather><Say>Waiting for you</Say></Gather>"))
    call = twilio.calls.create(
        to=HANDSET,
        from_=MAGIC_FROM,
        url=receiver.url("/voice"),
        status_callback=receiver.url("/status"),
        status_callback_event=EVENTS,
    )
    receiver.wait_for(lambda rs: any(r.path == "/voice" for r in rs))
    emu.settle()  # returns: the call only waits for the caller's keys
    assert twilio.calls(call.sid).fetch().status == "in-progress"
    ended = twilio.calls(call.sid).update(status="completed")
    assert ended.status == "completed"
    emu.settle()
    assert statuses(receiver, "/status")[-1] == ("completed", "3")
    hangups = [e for e in emu.call_transcript(call.sid) if e["kind"] == "hangup"]
    assert hangups == [{"kind": "hangup", "by": "api", "at": hangups[0]["at"]}]
    with pytest.raises(TwilioRestException) as info:
        twilio.calls(call.sid).update(status="completed")
    assert info.value.code == 21220 and info.value.status == 400


def test_redirect_a_live_call_with_twiml_then_url(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    emu.set_rule("completed", to=HANDSET, kind="call", interactive=True)
    receiver.reply("/voice", twiml("<Gather><Say>Hold on</Say></Gather>"))
    receiver.reply("/next", twiml("<Say>Redirected by URL</Say>"))
    call = twilio.calls.create(to=HANDSET, from_=MAGIC_FROM, url=receiver.url("/voice"))
    receiver.wait_for(lambda rs: any(r.path == "/voice" for r in rs))
    twilio.calls(call.sid).update(
        twiml="<Response><Say>Inline</Say><Redirect>" + receiver.url("/next") + "</Redirect>"
        "</Response>"
    )
    emu.settle()
    said = [e["text"] for e in emu.call_transcript(call.sid) if e["kind"] == "say"]
    assert said[-2:] == ["Inline", "Redirected by URL"]
    assert twilio.calls(call.sid).fetch().status == "completed"
    assert_all_signed(emu.auth_token, receiver)


@pytest.fixture
def slow_emu() -> Iterator[Emulator]:
    """10 ms per simulated second: a 600 s ring lasts 6 s, time enough to cancel it."""
    with Emulator(phone_numbers=(OWNED,), timing=Timing(scale=0.01)) as e:
        yield e


def test_cancel_a_ringing_call(slow_emu: Emulator, receiver: Receiver) -> None:
    twilio = Client(slow_emu.account_sid, slow_emu.auth_token)
    twilio.api.base_url = slow_emu.base_url
    slow_emu.set_rule("no-answer", to=HANDSET, kind="call")
    call = twilio.calls.create(
        to=HANDSET,
        from_=MAGIC_FROM,
        url=receiver.url("/voice"),
        status_callback=receiver.url("/status"),
        status_callback_event=EVENTS,
        timeout=600,
    )
    receiver.wait_for(lambda rs: any(r.form.get("CallStatus") == "ringing" for r in rs))
    canceled = twilio.calls(call.sid).update(status="canceled")
    assert canceled.status == "canceled"
    slow_emu.settle()
    assert statuses(receiver, "/status") == [
        ("initiated", "0"), ("ringing", "1"), ("canceled", "2"),
    ]  # fmt: skip
    assert receiver.at("/status")[-1].form["SipResponseCode"] == "487"
    assert receiver.at("/voice") == []
    assert slow_emu.call_transcript(call.sid)[-1]["reason"] == "api-hangup"
