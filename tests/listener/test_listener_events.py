"""Every kind of Twilio callback reaches the right handler as a typed event (real HTTP)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from listener_testkit import (
    ACCOUNT,
    TOKEN,
    Recorder,
    call_status,
    inbound_sms,
    post_signed,
    sid,
    sms_status,
    voice_base,
)
from support.wait import wait_until

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener import (
    CallStatusChangeEvent,
    DialResult,
    GatherResult,
    IncomingCall,
    IncomingMessage,
    RecordingStatusEvent,
    SmsStatusChangeEvent,
    StreamEvent,
    TwilioListener,
    TwilioService,
    UnknownEvent,
)
from twilio_connector.signature import body_sha256, compute_signature
from twilio_connector.twiml import MessagingResponse, VoiceResponse

SEED_DECORATORS = [
    "on_sms_queued",
    "on_sms_sent",
    "on_sms_delivered",
    "on_sms_sending",
    "on_sms_undelivered",
    "on_sms_failed",
    "on_sms_read",
    "on_call_initiated",
    "on_call_rang",
    "on_call_answered",
    "on_call_completed",
    "on_call_busy",
    "on_call_no_answer",
    "on_call_failed",
    "on_call_canceled",
    "on_recording",
]


@pytest.fixture
def wired(make_listener, start):
    """A served listener with every named decorator recording under its own name."""
    listener = make_listener()
    rec = Recorder()
    for name in SEED_DECORATORS:
        getattr(listener, name)(lambda e, name=name: rec.add(name, e))

    @listener.on("stream.*")
    async def stream(event):
        rec.add("stream", event)

    @listener.on("unknown")
    def unknown(event):
        rec.add("unknown", event)

    server = start(listener.app)
    return listener, rec, server.url + "/twilio/events"


STATUS_CASES = [
    ("on_sms_queued", sms_status(sid("SM", 1), "queued"), "sms.queued"),
    ("on_sms_sent", sms_status(sid("SM", 2), "sent"), "sms.sent"),
    ("on_sms_delivered", sms_status(sid("SM", 3), "delivered", RawDlrDoneDate="2607171206"), ""),
    ("on_sms_sending", sms_status(sid("SM", 4), "sending"), "sms.sending"),
    ("on_sms_undelivered", sms_status(sid("SM", 5), "undelivered", ErrorCode="30003"), ""),
    ("on_sms_failed", sms_status(sid("SM", 6), "failed", ErrorCode="30008"), "sms.failed"),
    ("on_sms_read", sms_status(sid("SM", 7), "read", EventType="READ"), "sms.read"),
    ("on_call_initiated", call_status(sid("CA", 1), "initiated", 0), "call.initiated"),
    ("on_call_rang", call_status(sid("CA", 2), "ringing", 1), "call.ringing"),
    ("on_call_answered", call_status(sid("CA", 3), "in-progress", 2), "call.answered"),
    ("on_call_busy", call_status(sid("CA", 5), "busy", 3), "call.busy"),
    ("on_call_no_answer", call_status(sid("CA", 6), "no-answer", 3), "call.no_answer"),
    ("on_call_failed", call_status(sid("CA", 7), "failed", 3), "call.failed"),
    ("on_call_canceled", call_status(sid("CA", 8), "canceled", 3), "call.canceled"),
]


@pytest.mark.parametrize(
    ("handler", "params", "name"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES]
)
def test_status_callback_reaches_its_named_handler(wired, http, handler, params, name):
    _, rec, url = wired
    response = post_signed(http, url, params)
    assert response.status_code == 200
    assert response.content == b""  # status callbacks: Twilio ignores the body
    (event,) = rec.wait(1, handler)
    assert rec.labels() == [handler]  # no other handler fired
    assert event.raw["AccountSid"] == ACCOUNT
    if name:
        assert event.name == name
    sent = params.get("CallStatus") or params.get("MessageStatus")
    assert event.status == sent  # the value Twilio sent, e.g. "in-progress", "no-answer"


def test_message_status_fields_are_typed(wired, http):
    _, rec, url = wired
    message = sid("SM", 42)
    params = sms_status(
        message, "undelivered", ErrorCode="30003", MessagingServiceSid="MG" + "1" * 32
    )
    post_signed(http, url, params, idempotency_token="idem-1")
    (event,) = rec.wait(1, "on_sms_undelivered")
    assert isinstance(event, SmsStatusChangeEvent)
    assert event.name == "sms.undelivered"
    assert (event.message_sid, event.sms_sid, event.status) == (message, message, "undelivered")
    assert event.error_code == 30003
    assert event.from_ == "+15017250604" and event.to == "+15558675310"
    assert event.messaging_service_sid == "MG" + "1" * 32
    assert event.channel == "sms"
    assert event.idempotency_token == "idem-1"
    assert dict(event.raw) == params


def test_whatsapp_status_is_an_sms_event_on_the_whatsapp_channel(wired, http):
    _, rec, url = wired
    params = sms_status(sid("SM", 43), "read", ChannelPrefix="whatsapp", EventType="READ")
    params["To"] = "whatsapp:+15558675310"
    post_signed(http, url, params)
    (event,) = rec.wait(1, "on_sms_read")
    assert event.channel == "whatsapp" and event.channel_prefix == "whatsapp"
    assert event.event_type == "READ"


def test_call_completed_fields_are_typed(wired, http):
    _, rec, url = wired
    call = sid("CA", 99)
    params = call_status(
        call, "completed", 3, CallDuration="49", Duration="1", SipResponseCode="200",
        AnsweredBy="human", RecordingSid="RE" + "2" * 32,
    )  # fmt: skip
    post_signed(http, url, params)
    (event,) = rec.wait(1, "on_call_completed")
    assert isinstance(event, CallStatusChangeEvent)
    assert (event.name, event.status, event.call_status) == (
        "call.completed",
        "completed",
        "completed",
    )
    assert event.call_sid == call and event.sequence_number == 3
    assert event.call_duration == 49 and event.duration == 1 and event.sip_response_code == 200
    assert event.timestamp == datetime(2024, 11, 4, 12, 0, tzinfo=timezone.utc)
    assert event.answered_by == "human" and event.direction == "outbound-api"
    assert event.stir_verstat == "TN-Validation-Passed-A" and event.caller_country == "US"


def test_recording_status_callback(wired, http):
    _, rec, url = wired
    params = {
        "AccountSid": ACCOUNT,
        "CallSid": sid("CA", 10),
        "RecordingSid": sid("RE", 10),
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE1",
        "RecordingStatus": "completed",
        "RecordingDuration": "12",
        "RecordingChannels": "2",
        "RecordingStartTime": "Mon, 04 Nov 2024 12:00:05 +0000",
        "RecordingSource": "OutboundAPI",
        "RecordingTrack": "both",
        "ErrorCode": "0",
    }
    post_signed(http, url, params)
    (event,) = rec.wait(1, "on_recording")
    assert isinstance(event, RecordingStatusEvent)
    assert (event.name, event.status) == ("recording.completed", "completed")
    assert event.recording_duration == 12 and event.recording_channels == 2
    assert event.recording_start_time == datetime(2024, 11, 4, 12, 0, 5, tzinfo=timezone.utc)
    assert event.error_code == 0 and event.recording_track == "both"


def test_unknown_payload_is_kept_and_reported(wired, http):
    listener, rec, url = wired
    params = {"AccountSid": ACCOUNT, "SomethingNew": "yes"}
    response = post_signed(http, url, params)
    assert response.status_code == 200
    (event,) = rec.wait(1, "unknown")
    assert isinstance(event, UnknownEvent) and event.raw["SomethingNew"] == "yes"
    with listener.open_inbox() as inbox:
        (row,) = inbox.records()
    assert row.name == "unknown" and b"SomethingNew=yes" in row.payload


def test_unknown_payload_without_handler_is_marked_unhandled(make_listener, start, http, caplog):
    listener = make_listener()
    url = start(listener.app).url + "/hook"
    caplog.set_level("INFO", logger="twilio_connector.listener")
    assert post_signed(http, url, {"Mystery": "1"}).status_code == 200
    with listener.open_inbox() as inbox:
        assert wait_until(lambda: [r.status for r in inbox.records()] == ["unhandled"])
    assert any("no handler for unknown" in r.getMessage() for r in caplog.records)


def test_event_streams_batch_is_typed_and_deduplicated_by_id(wired, http):
    _, rec, url = wired
    events = [
        {
            "specversion": "1.0",
            "type": "com.twilio.messaging.message.delivered",
            "source": "/2010-04-01/Accounts/AC/Messages/SM1.json",
            "id": f"EZ{n}",
            "dataschema": "https://events-schemas.twilio.com/Messaging.MessageStatus/8",
            "datacontenttype": "application/json",
            "time": "2025-01-01T00:00:00.000Z",
            "data": {"messageSid": sid("SM", 500 + n), "messageStatus": "DELIVERED"},
        }
        for n in range(3)
    ]
    body = json.dumps(events).encode()
    signed_url = f"{url}?bodySHA256={body_sha256(body)}"
    headers = {
        "X-Twilio-Signature": compute_signature(TOKEN, signed_url),
        "Content-Type": "application/json",
    }
    assert http.post(signed_url, content=body, headers=headers).status_code == 200
    got = rec.wait(3, "stream")
    assert all(isinstance(e, StreamEvent) for e in got)
    assert sorted(e.id for e in got) == ["EZ0", "EZ1", "EZ2"]
    assert got[0].name == "stream.messaging.message.delivered"
    assert got[0].data["messageStatus"] == "DELIVERED"
    # Redelivered (at-least-once): acknowledged, not dispatched again.
    assert http.post(signed_url, content=body, headers=headers).status_code == 200
    single = json.dumps(events[0]).encode()
    single_url = f"{url}?bodySHA256={body_sha256(single)}"
    headers["X-Twilio-Signature"] = compute_signature(TOKEN, single_url)
    assert http.post(single_url, content=single, headers=headers).status_code == 200
    assert len(rec.events("stream")) == 3


# ------------------------------------------------------------------ reply-bearing events


@pytest.fixture
def replies(make_listener, start):
    listener = make_listener()
    rec = Recorder()

    @listener.on_sms_received
    def inbound(event: IncomingMessage):
        rec.add("sms", event)
        reply = MessagingResponse()
        reply.message(f"echo: {event.body}")
        return reply

    @listener.on_whatsapp_received
    async def whatsapp(event: IncomingMessage):
        rec.add("whatsapp", event)

    @listener.on_incoming_call
    async def call(event: IncomingCall):
        rec.add("call", event)
        response = VoiceResponse()
        response.say("Hello from the listener")
        return response

    @listener.on_gather
    def gather(event: GatherResult):
        rec.add("gather", event)
        return "<Response><Hangup/></Response>"

    @listener.on("call.dial")
    def dial(event: DialResult):
        rec.add("dial", event)  # no return value: empty <Response/>

    return listener, rec, start(listener.app).url + "/voice"


def test_inbound_sms_reply_is_the_handlers_twiml(replies, http):
    _, rec, url = replies
    params = inbound_sms(sid("SM", 900), "hi there")
    response = post_signed(http, url, params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    expected = MessagingResponse()
    expected.message("echo: hi there")
    assert response.text == str(expected)
    (event,) = rec.events("sms")
    assert isinstance(event, IncomingMessage)
    assert event.body == "hi there" and event.channel == "sms" and event.num_media == 0
    assert event.from_city == "SAN FRANCISCO" and event.num_segments == 1
    assert rec.events("whatsapp") == []  # channel filter


def test_inbound_mms_media_and_whatsapp_profile_fields(replies, http):
    _, rec, url = replies
    params = inbound_sms(
        sid("MM", 901),
        "look",
        NumMedia="2",
        MediaUrl0="https://api.twilio.com/media/ME0",
        MediaContentType0="image/jpeg",
        MediaUrl1="https://api.twilio.com/media/ME1",
        MediaContentType1="image/png",
        ProfileName="Ada",
        WaId="14158675309",
        Forwarded="true",
        Latitude="37.77",
        Longitude="-122.41",
        ButtonPayload="yes-please",
        MessageType="image",
    )
    params["From"] = "whatsapp:+14158675309"
    response = post_signed(http, url, params)
    assert response.status_code == 200 and "echo: look" in response.text
    (event,) = rec.events("sms")
    assert (event,) == tuple(rec.events("whatsapp"))
    assert event.channel == "whatsapp"
    assert [(m.url, m.content_type) for m in event.media] == [
        ("https://api.twilio.com/media/ME0", "image/jpeg"),
        ("https://api.twilio.com/media/ME1", "image/png"),
    ]
    assert event.profile_name == "Ada" and event.wa_id == "14158675309"
    assert event.forwarded is True and event.latitude == 37.77 and event.longitude == -122.41
    assert event.button_payload == "yes-please" and event.message_type == "image"


def test_incoming_call_gather_and_dial_replies(replies, http):
    _, rec, url = replies
    call = sid("CA", 902)
    response = post_signed(http, url, voice_base(call, "ringing"))
    assert response.text.endswith("<Response><Say>Hello from the listener</Say></Response>")
    (incoming,) = rec.events("call")
    assert isinstance(incoming, IncomingCall) and incoming.call_status == "ringing"

    gather = voice_base(call, "in-progress", Digits="1234", FinishedOnKey="#", Confidence="0.9")
    assert post_signed(http, url, gather).text == "<Response><Hangup/></Response>"
    (result,) = rec.events("gather")
    assert isinstance(result, GatherResult)
    assert (result.digits, result.finished_on_key, result.confidence) == ("1234", "#", 0.9)

    dial = voice_base(call, "in-progress", DialCallStatus="busy", DialCallDuration="0")
    response = post_signed(http, url, dial)
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    (outcome,) = rec.events("dial")
    assert outcome.dial_call_status == "busy" and outcome.dial_call_duration == 0


def test_repeated_parameters_stay_in_raw(replies, http):
    _, rec, url = replies
    params: dict[str, Any] = inbound_sms(sid("SM", 903), "multi")
    params["Tag"] = ["b", "a"]
    post_signed(http, url, params)
    (event,) = rec.events("sms")
    assert event.raw.getall("Tag") == ["b", "a"] and event.raw["Tag"] == "b"


# ------------------------------------------------------------------ registration


def test_service_class_methods_are_attached_by_event_name(make_listener, start, http):
    rec = Recorder()

    class Handlers(TwilioService):
        async def on_sms_delivered(self, event):
            rec.add("delivered", event)

        def on_call_rang(self, event):
            rec.add("rang", event)

        def _helper(self):  # private helpers are allowed
            return None

    listener = make_listener()
    listener.attach(Handlers())
    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 700), "delivered"))
    post_signed(http, url, call_status(sid("CA", 700), "ringing", 1))
    rec.wait(1, "delivered")
    rec.wait(1, "rang")


def test_misnamed_service_method_is_an_error_at_attach_time():
    class Typo(TwilioService):
        def on_sms_delivred(self, event):
            pass

    listener = TwilioListener(TOKEN, inbox_path=":memory:")
    with pytest.raises(ConfigurationError, match="on_sms_delivered"):
        listener.attach(Typo())


def test_unknown_event_names_are_errors_with_suggestions():
    listener = TwilioListener(TOKEN, inbox_path=":memory:")
    with pytest.raises(ConfigurationError, match=r"did you mean sms\.delivered"):
        listener.on("sms.delivred")
    with pytest.raises(ConfigurationError):
        listener.on("fax.*")
    listener.on("call.*")(lambda e: None)  # a wildcard that matches is fine
    listener.on("stream.anything.new")(lambda e: None)  # Event Streams types are open-ended


def test_wildcard_handlers_receive_every_matching_event(make_listener, start, http):
    rec = Recorder()
    listener = make_listener()
    listener.on("call.*")(lambda e: rec.add("call", e))
    listener.on("*")(lambda e: rec.add("any", e))
    url = start(listener.app).url + "/"
    for n, status in enumerate(["initiated", "ringing", "in-progress", "completed"]):
        post_signed(http, url, call_status(sid("CA", 800), status, n))
    post_signed(http, url, sms_status(sid("SM", 800), "sent"))
    got = rec.wait(4, "call")
    assert [e.name for e in got] == [
        "call.initiated",
        "call.ringing",
        "call.answered",
        "call.completed",
    ]
    rec.wait(5, "any")
