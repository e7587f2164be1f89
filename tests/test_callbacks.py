"""Build and parse of each webhook payload struct, and what identifies each kind."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import msgspec
import pytest

from twilio_connector.callbacks import (
    EVENT_NAMES,
    FORM_KINDS,
    CallStatusChangeEvent,
    DialResult,
    GatherResult,
    IncomingCall,
    IncomingMessage,
    MachineDetectionResult,
    MessageMedia,
    RawParams,
    RecordingStatusEvent,
    RecordResult,
    SmsStatusChangeEvent,
    TwilioEvent,
)
from twilio_connector.listener.classify import KNOWN_EVENTS, classify_form

WHEN = datetime(2024, 11, 4, 12, 0, 5, tzinfo=timezone.utc)
STATUS_VALUES = {"CallStatus": "completed", "MessageStatus": "delivered", "EventType": None}
STATUS_VALUES |= {"RecordingStatus": "completed"}


def _value(param: str, annotation: Any) -> Any:
    if param in STATUS_VALUES:
        return STATUS_VALUES[param]
    return {
        str | None: f"{param}-value",
        int | None: 7,
        float | None: 0.25,
        bool | None: True,
        datetime | None: WHEN,
    }[annotation]


def full(kind: type[TwilioEvent]) -> TwilioEvent:
    """An instance with every typed attribute set."""
    attrs = {f.name: f for f in msgspec.structs.fields(kind)}
    values = {
        attr: _value(param, attrs[attr].type) for param, attr in kind.fields_by_param().items()
    }
    if kind is IncomingMessage:
        values["media"] = (MessageMedia("https://m/0", "image/png"), MessageMedia("https://m/1"))
    return kind(**values)


def typed(event: TwilioEvent) -> dict[str, Any]:
    return {attr: getattr(event, attr) for attr in type(event).fields_by_param().values()}


@pytest.mark.parametrize("kind", FORM_KINDS, ids=lambda k: k.__name__)
def test_every_kind_round_trips_and_is_identified_by_its_own_params(kind):
    built = full(kind)
    params = built.to_params()
    parsed = kind.from_params(params)
    assert typed(parsed) == typed(built)
    assert parsed.to_params() == params
    assert parsed.unmapped_params() == []
    assert classify_form(params).kind is kind
    assert classify_form(params).name == parsed.name
    assert kind.rule is not None and kind.rule.matches(params)


@pytest.mark.parametrize("kind", FORM_KINDS, ids=lambda k: k.__name__)
def test_attributes_are_twilio_parameter_names(kind):
    names = kind.fields_by_param()
    assert all(param[0].isupper() and "_" not in param for param in names)
    assert set(names.values()) | kind._derived == set(kind.__struct_fields__)


def test_values_are_formatted_as_twilio_sends_them():
    params = DialResult(
        call_sid="CA1", dial_bridged=False, dial_call_duration=0, call_status=""
    ).to_params()
    assert params == {
        "CallSid": "CA1",
        "CallStatus": "",
        "DialBridged": "false",
        "DialCallDuration": "0",
    }
    assert GatherResult(confidence=1.0).to_params() == {"Confidence": "1"}
    assert GatherResult(confidence=0.87654321).to_params() == {"Confidence": "0.87654321"}
    status = CallStatusChangeEvent(timestamp=WHEN, sequence_number=3).to_params()
    assert status == {"SequenceNumber": "3", "Timestamp": "Mon, 04 Nov 2024 12:00:05 +0000"}
    assert IncomingMessage(from_="+1", wa_id="1").to_params() == {"From": "+1", "WaId": "1"}


def test_parsing_is_lenient_and_keeps_the_raw_values():
    raw = RawParams(
        [
            ("CallSid", "CA1"),
            ("Digits", "12"),
            ("Confidence", "nan"),
            ("SequenceNumber", "x"),
            ("Brand", "new"),
            ("Digits", "99"),
        ]
    )
    event = GatherResult.from_params(raw, idempotency_token="tok")
    assert (event.name, event.digits, event.confidence, event.sequence_number) == (
        "call.gather",
        "12",
        None,
        None,
    )
    assert event.raw["Confidence"] == "nan" and event.raw.getall("Digits") == ["12", "99"]
    assert event.unmapped_params() == ["Brand"] and event.idempotency_token == "tok"


def test_inbound_media_are_pairs_of_parameters():
    params = {"MessageSid": "MM1", "NumMedia": "2", "MediaUrl0": "https://m/0"}
    params |= {"MediaContentType0": "image/png", "MediaUrl1": "https://m/1", "MediaUrl9": "x"}
    event = IncomingMessage.from_params(params)
    assert event.media == (MessageMedia("https://m/0", "image/png"), MessageMedia("https://m/1"))
    assert (event.channel, event.num_media) == ("mms", 2)
    assert event.unmapped_params() == ["MediaUrl9"]  # not contiguous: not a media item


def test_status_kinds_derive_name_status_and_channel():
    read = SmsStatusChangeEvent.from_params(
        {"MessageSid": "SM1", "MessageStatus": "delivered", "EventType": "READ"}
        | {"ChannelPrefix": "WhatsApp"}
    )
    assert (read.name, read.status, read.channel) == ("sms.read", "read", "whatsapp")
    answered = CallStatusChangeEvent.from_params(
        {"CallSid": "CA1", "CallStatus": "in-progress", "CallbackSource": "call-progress-events"}
    )
    assert (answered.name, answered.status) == ("call.answered", "in-progress")
    rec = RecordingStatusEvent.from_params({"RecordingSid": "RE1", "RecordingStatus": "absent"})
    assert (rec.name, rec.status) == ("recording.absent", "absent")


AMD = {"AccountSid": "AC1", "CallSid": "CA1", "AnsweredBy": "machine_start"}


@pytest.mark.parametrize(
    ("params", "kind", "name", "inline"),
    [
        (AMD | {"MachineDetectionDuration": "2000"}, MachineDetectionResult, "call.amd", False),
        (AMD | {"CallStatus": "in-progress"}, IncomingCall, "call.incoming", True),  # sync AMD
        (AMD | {"CallStatus": "completed", "CallbackSource": "x"}, CallStatusChangeEvent, "", 0),
        ({"CallSid": "CA1", "RecordingUrl": "u", "Digits": "#"}, RecordResult, "call.record", 1),
        ({"CallSid": "CA1", "DialCallStatus": "busy", "RecordingUrl": "u"}, DialResult, "", 1),
        ({"CallSid": "CA1", "SequenceNumber": "1"}, IncomingCall, "call.incoming", True),
        ({"CallSid": "CA1", "SmsSid": "SM1", "SmsStatus": "sent"}, None, "call.sms", True),
        ({"CallSid": "CA1", "QueuePosition": "1"}, None, "call.enqueue_wait", True),
        ({"MessageSid": "SM1", "MessageStatus": "received"}, IncomingMessage, "sms.received", 1),
        ({"SmsSid": "SM1", "MessageStatus": "no-such"}, SmsStatusChangeEvent, "sms.no_such", 0),
        ({"RecordingSid": "RE1", "CallSid": "CA1", "RecordingUrl": "u"}, RecordResult, "", 1),
        ({"CallSid": "", "Digits": "1"}, None, "unknown", False),
    ],
)
def test_precedence_between_kinds(params, kind, name, inline):
    c = classify_form(params)
    if kind is not None:
        assert c.kind is kind
    if name:
        assert c.name == name
    assert c.inline is bool(inline)


def test_amd_callback_is_deduplicated_by_call():
    c = classify_form(AMD)
    assert (c.resource_sid, c.dedup_key) == ("CA1", "call.amd:CA1")


def test_every_event_name_is_known_to_the_listener():
    assert EVENT_NAMES <= KNOWN_EVENTS
    assert {"call.amd", "call.enqueue_wait", "call.sms", "call.no_answer"} <= EVENT_NAMES
    assert {"sms.partially_delivered", "recording.in_progress", "sms.received"} <= EVENT_NAMES


def test_a_built_payload_has_no_receipt():
    built = IncomingCall(call_sid="CA1")
    assert (built.name, len(built.raw), built.idempotency_token) == ("", 0, None)
    assert IncomingCall.from_params(built.to_params()).name == "call.incoming"
