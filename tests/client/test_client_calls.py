"""Calls over a real socket: ``make_voice_call`` and ``client.calls``, sync and async."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone
from typing import Any

import pytest
from client_testkit import (
    CALL_SID,
    RECORDING_SID,
    ROOT,
    FakeTwilio,
    Reply,
    call,
    collect,
    maybe,
    page,
    recording,
)

from twilio_connector import Call, Recording, StatusCallback, VoiceCallInput

CALLS = f"{ROOT}/Calls.json"
ONE = f"{ROOT}/Calls/{CALL_SID}.json"
UTC = timezone.utc


def say_text(document: str) -> str:
    """The text of the single ``<Say>`` in a TwiML document (parsed, so escaping is checked)."""
    root = ET.fromstring(document.encode())
    assert root.tag == "Response"
    (say,) = list(root)
    assert say.tag == "Say"
    return say.text or ""


async def test_make_voice_call_text_is_escaped_say(server: FakeTwilio, client: Any) -> None:
    server.on("POST", CALLS, Reply(201, json=call()))
    text = 'Hello <Ada> & "Bob" \'s </Say><Hangup/>'
    result = await maybe(
        client.make_voice_call(
            from_="+15005550006", to="+14155550100", voice_input=VoiceCallInput.text(text)
        )
    )
    req = server.only()
    assert (req.method, req.path) == ("POST", CALLS)
    assert req.field("To") == "+14155550100"
    assert req.field("From") == "+15005550006"
    twiml = req.field("Twiml")
    assert "<Hangup" not in twiml.replace("&lt;Hangup", "")  # no markup injected
    assert "&lt;Ada&gt; &amp;" in twiml
    assert say_text(twiml) == text  # round-trips exactly once parsed
    assert "Url" not in req.form_dict
    assert isinstance(result, Call)
    assert result.sid == CALL_SID
    assert result.from_ == "+15005550006"
    assert result.date_created == datetime(2015, 7, 30, 20, 12, 31, tzinfo=UTC)
    assert result.start_time is None


async def test_make_voice_call_twiml_url(server: FakeTwilio, client: Any) -> None:
    server.on("POST", CALLS, Reply(201, json=call()))
    voice = VoiceCallInput("https://example.com/voice.xml", VoiceCallInput.TWIML_URL)
    await maybe(client.make_voice_call("+15005550006", "+14155550100", voice))
    req = server.only()
    assert req.form == [
        ("To", "+14155550100"),
        ("From", "+15005550006"),
        ("Url", "https://example.com/voice.xml"),
    ]


async def test_make_voice_call_twiml_document(server: FakeTwilio, client: Any) -> None:
    from twilio_connector.twiml import VoiceResponse

    server.on("POST", CALLS, Reply(201, json=call()))
    doc = VoiceResponse()
    doc.say("Goodbye")
    doc.hangup()
    await maybe(client.make_voice_call("+15005550006", "+14155550100", VoiceCallInput.twiml(doc)))
    req = server.only()
    assert req.field("Twiml") == str(doc)
    assert "Url" not in req.form_dict


async def test_make_voice_call_status_callback_events(server: FakeTwilio, client: Any) -> None:
    server.on("POST", CALLS, Reply(201, json=call()))
    callback = StatusCallback(
        "https://example.com/status", method="get", events=["initiated", "ringing", "completed"]
    )
    await maybe(
        client.make_voice_call(
            "+15005550006",
            "+14155550100",
            VoiceCallInput.twiml_url("https://example.com/v"),
            status_callback=callback,
        )
    )
    req = server.only()
    assert req.field("StatusCallback") == "https://example.com/status"
    assert req.field("StatusCallbackMethod") == "GET"
    assert req.values("StatusCallbackEvent") == ["initiated", "ringing", "completed"]


async def test_make_voice_call_plain_callback_url(server: FakeTwilio, client: Any) -> None:
    server.on("POST", CALLS, Reply(201, json=call()))
    await maybe(
        client.make_voice_call(
            "+15005550006",
            "+14155550100",
            VoiceCallInput.text("hi"),
            status_callback="https://example.com/s",
        )
    )
    form = server.only().form_dict
    assert form["StatusCallback"] == ["https://example.com/s"]
    assert form["StatusCallbackMethod"] == ["POST"]
    assert "StatusCallbackEvent" not in form


async def test_create_with_every_option(server: FakeTwilio, client: Any) -> None:
    server.on("POST", CALLS, Reply(201, json=call(answered_by="human")))
    result = await maybe(
        client.calls.create(
            to="sip:alice@example.com",
            from_="+15005550006",
            url="https://example.com/twiml",
            method="GET",
            status_callback=StatusCallback.all_events("https://example.com/events"),
            timeout=15,
            record=True,
            recording_status_callback="https://example.com/rec",
            machine_detection="DetectMessageEnd",
            send_digits="1234#",
            fallback_url="https://example.com/fallback",
            time_limit=600,
            extra_params={"Trim": "do-not-trim"},
        )
    )
    form = server.only().form_dict
    assert form["To"] == ["sip:alice@example.com"]
    assert form["Url"] == ["https://example.com/twiml"]
    assert form["Method"] == ["GET"]
    assert form["StatusCallback"] == ["https://example.com/events"]
    assert form["StatusCallbackMethod"] == ["POST"]
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert form["Timeout"] == ["15"]
    assert form["Record"] == ["true"]
    assert form["RecordingStatusCallback"] == ["https://example.com/rec"]
    assert form["MachineDetection"] == ["DetectMessageEnd"]
    assert form["SendDigits"] == ["1234#"]
    assert form["FallbackUrl"] == ["https://example.com/fallback"]
    assert form["TimeLimit"] == ["600"]
    assert form["Trim"] == ["do-not-trim"]
    assert result.answered_by == "human"


async def test_create_with_inline_twiml(server: FakeTwilio, client: Any) -> None:
    server.on("POST", CALLS, Reply(201, json=call()))
    doc = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>x</Say></Response>'
    await maybe(client.calls.create(to="+1415", from_="+1500", twiml=doc))
    assert server.only().form == [("To", "+1415"), ("From", "+1500"), ("Twiml", doc)]


async def test_create_without_instructions_is_refused_before_sending(
    server: FakeTwilio, client: Any
) -> None:
    with pytest.raises(ValueError, match="url, twiml"):
        await maybe(client.calls.create(to="+1415", from_="+1500"))
    assert server.requests == []


async def test_fetch(server: FakeTwilio, client: Any) -> None:
    server.on(
        "GET",
        ONE,
        call(status="completed", duration="17", start_time=client_date(), end_time=client_date()),
    )
    result = await maybe(client.calls.fetch(CALL_SID))
    assert server.only().path == ONE
    assert result.status == "completed"
    assert result.duration == "17"
    assert result.end_time == datetime(2015, 7, 30, 20, 12, 31, tzinfo=UTC)


def client_date() -> str:
    return "Thu, 30 Jul 2015 20:12:31 +0000"


async def test_list_and_iter_with_filters(server: FakeTwilio, client: Any) -> None:
    second = "CA" + "ab" * 16
    server.on("GET", CALLS, page("calls", [call(), call(second)], CALLS))
    listed = await maybe(
        client.calls.list(
            to="+14155550100",
            status="completed",
            start_time_after=date(2024, 1, 1),
            start_time_before=datetime(2024, 2, 1, 23, 0, tzinfo=UTC),
            limit=5,
        )
    )
    iterated = await collect(client.calls.iter(from_="+15005550006", parent_call_sid=CALL_SID))
    first, again = server.requests
    assert first.query == [
        ("To", "+14155550100"),
        ("Status", "completed"),
        ("StartTime<", "2024-02-01"),
        ("StartTime>", "2024-01-01"),
        ("PageSize", "5"),
    ]
    assert again.query_dict == {
        "From": ["+15005550006"],
        "ParentCallSid": [CALL_SID],
        "PageSize": ["50"],
    }
    assert [c.sid for c in listed] == [CALL_SID, second]
    assert [c.sid for c in iterated] == [CALL_SID, second]


async def test_update_redirect(server: FakeTwilio, client: Any) -> None:
    server.on("POST", ONE, call(status="in-progress"))
    result = await maybe(
        client.calls.update(CALL_SID, url="https://example.com/next", method="POST", time_limit=30)
    )
    req = server.only()
    assert (req.method, req.path) == ("POST", ONE)
    assert req.form == [
        ("Url", "https://example.com/next"),
        ("Method", "POST"),
        ("TimeLimit", "30"),
    ]
    assert result.status == "in-progress"


async def test_update_twiml_object(server: FakeTwilio, client: Any) -> None:
    from twilio_connector.twiml import VoiceResponse

    server.on("POST", ONE, call())
    doc = VoiceResponse()
    doc.say("moved")
    await maybe(client.calls.update(CALL_SID, twiml=doc))
    assert server.only().form == [("Twiml", str(doc))]


@pytest.mark.parametrize(("op", "status"), [("hangup", "completed"), ("cancel", "canceled")])
async def test_hangup_and_cancel(server: FakeTwilio, client: Any, op: str, status: str) -> None:
    server.on("POST", ONE, call(status=status))
    result = await maybe(getattr(client.calls, op)(CALL_SID))
    assert server.only().form == [("Status", status)]
    assert result.status == status


async def test_delete(server: FakeTwilio, client: Any) -> None:
    server.on("DELETE", ONE, Reply(204))
    assert await maybe(client.calls.delete(CALL_SID)) is None
    assert (server.only().method, server.only().path) == ("DELETE", ONE)


async def test_recordings(server: FakeTwilio, client: Any) -> None:
    listing = f"{ROOT}/Calls/{CALL_SID}/Recordings.json"
    one = f"{ROOT}/Recordings/{RECORDING_SID}.json"
    server.on("GET", listing, page("recordings", [recording()], listing))
    server.on("GET", one, recording(media_url="https://api.twilio.com/x.wav"))
    server.on("DELETE", one, Reply(204))

    listed = await maybe(client.calls.list_recordings(CALL_SID))
    fetched = await maybe(client.calls.fetch_recording(RECORDING_SID))
    deleted = await maybe(client.calls.delete_recording(RECORDING_SID))

    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", listing),
        ("GET", one),
        ("DELETE", one),
    ]
    assert [r.sid for r in listed] == [RECORDING_SID]
    assert isinstance(fetched, Recording)
    assert fetched.call_sid == CALL_SID
    assert fetched.duration == "4"
    assert fetched.channels == 1
    assert fetched.start_time == datetime(2015, 7, 30, 20, 12, 31, tzinfo=UTC)
    assert deleted is None
