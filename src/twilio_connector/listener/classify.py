"""Classifying a verified payload: which event, which resource, which dedup key.

:func:`classify_form` and :func:`classify_stream` decide cheaply (no event object) what the
inbox needs to store and the dispatcher needs to route; :func:`build_event` builds the typed
event from a stored payload. See :mod:`twilio_connector.listener.events` for the names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import msgspec

from twilio_connector.listener.events import (
    CallStatusChangeEvent,
    DialResult,
    EnqueueResult,
    GatherResult,
    IncomingCall,
    IncomingMessage,
    MalformedPayload,
    MessageMedia,
    RawParams,
    RecordingStatusEvent,
    RecordResult,
    SmsStatusChangeEvent,
    StreamEvent,
    TwilioEvent,
    UnknownEvent,
    parse_form,
    to_int,
)

__all__ = [
    "KNOWN_EVENTS",
    "Classified",
    "build_event",
    "build_form_event",
    "classify_form",
    "classify_stream",
    "split_stream_payload",
]


_STATUS_NAMES: dict[str, str] = {}


def _status_name(status: str) -> str:
    name = _STATUS_NAMES.get(status)
    if name is None:
        name = status.strip().lower().replace("-", "_").replace(" ", "_") or "unknown"
        if len(_STATUS_NAMES) < 256:  # Twilio sends a handful of values; stay bounded
            _STATUS_NAMES[status] = name
    return name


def _channel(address: str | None, message_sid: str | None, has_media: bool) -> str:
    if address and ":" in address and not address.startswith("+"):
        return address.split(":", 1)[0].lower()
    if has_media or (message_sid or "").startswith("MM"):
        return "mms"
    return "sms"


_SMS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "partially_delivered": 4,
    "read": 5,
}
_CALL_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "answered": 3}
_RECORDING_RANK = {"in_progress": 0}
_STREAM_TYPES = (
    "messaging.message.queued",
    "messaging.message.sent",
    "messaging.message.delivered",
    "messaging.message.undelivered",
    "messaging.message.failed",
    "messaging.message.read",
    "messaging.inbound-message.received",
    "voice.status-callback.call.initiated",
    "voice.status-callback.call.ringing",
    "voice.status-callback.call.answered",
    "voice.status-callback.call.completed",
    "voice.twiml.gather.finished",
    "voice.twiml.dial.finished",
    "voice.twiml.record.finished",
    "voice.twiml.call.redirected",
    "voice.api-request.call.created",
    "voice.status-callback.recording.processed",
    "voice.status-callback.amd.detected",
    "error-logs.error.logged",
)

KNOWN_EVENTS: frozenset[str] = frozenset(
    [f"sms.{s}" for s in _SMS_RANK]
    + ["sms.received"]
    + [f"call.{s}" for s in ("queued", "initiated", "ringing", "answered", "completed")]
    + [f"call.{s}" for s in ("busy", "no_answer", "failed", "canceled")]
    + ["call.incoming", "call.gather", "call.dial", "call.record", "call.enqueue"]
    + [f"recording.{s}" for s in ("in_progress", "completed", "absent", "failed")]
    + [f"stream.{t}" for t in _STREAM_TYPES]
    + ["unknown"]
)
"""Every event name Twilio is known to send (``stream.*`` names beyond these are accepted)."""


class Classified(NamedTuple):
    """What the listener needs to store and route a payload before building the event."""

    kind: type[TwilioEvent]
    name: str
    resource_sid: str | None
    dedup_key: str | None
    rank: int
    inline: bool


def classify_form(p: Mapping[str, str]) -> Classified:
    """Classify form parameters (first value per name) into an event kind and name."""
    get = p.get
    status = get("RecordingStatus")
    if status is not None and "RecordingSid" in p:
        st = _status_name(status)
        sid = p["RecordingSid"]
        name = "recording." + st
        return Classified(
            RecordingStatusEvent, name, sid, name + ":" + sid, _RECORDING_RANK.get(st, 1), False
        )
    call_sid = get("CallSid")
    if call_sid is not None:
        if "CallbackSource" in p or ("SequenceNumber" in p and "Timestamp" in p):
            st = _status_name(get("CallStatus") or "unknown")
            if st == "in_progress":
                st = "answered"
            seq = to_int(get("SequenceNumber"))
            rank = seq if seq is not None else _CALL_RANK.get(st, 4)
            name = "call." + st
            return Classified(
                CallStatusChangeEvent, name, call_sid, name + ":" + call_sid, rank, False
            )
        if "DialCallStatus" in p:
            return Classified(DialResult, "call.dial", call_sid, None, 0, True)
        if "QueueResult" in p:
            return Classified(EnqueueResult, "call.enqueue", call_sid, None, 0, True)
        if "RecordingUrl" in p:
            return Classified(RecordResult, "call.record", call_sid, None, 0, True)
        if (
            "Digits" in p
            or "SpeechResult" in p
            or "FinishedOnKey" in p
            or "UnstableSpeechResult" in p
        ):
            return Classified(GatherResult, "call.gather", call_sid, None, 0, True)
        return Classified(IncomingCall, "call.incoming", call_sid, None, 0, True)
    message_sid = get("MessageSid") or get("SmsSid") or get("SmsMessageSid")
    if message_sid is not None:
        status = get("MessageStatus")
        if (get("EventType") or "").upper() == "READ":
            status = "read"
        if status is not None and status not in ("received", "receiving"):
            st = _status_name(status)
            name = "sms." + st
            return Classified(
                SmsStatusChangeEvent,
                name,
                message_sid,
                name + ":" + message_sid,
                _SMS_RANK.get(st, 4),
                False,
            )
        name = "sms.received"
        return Classified(IncomingMessage, name, message_sid, name + ":" + message_sid, 0, True)
    return Classified(UnknownEvent, "unknown", None, None, 0, False)


def split_stream_payload(body: bytes) -> list[tuple[Any, bytes]]:
    """Decode an Event Streams body: one ``(decoded CloudEvent, its own JSON)`` per event.

    A JSON array gives one entry per element; any other JSON value is one entry. A body
    that is not JSON, not UTF-8 or nested too deeply raises :class:`MalformedPayload`.
    """
    try:
        doc = msgspec.json.decode(body)
        if isinstance(doc, list):
            return [(item, msgspec.json.encode(item)) for item in doc]
    except msgspec.DecodeError as exc:
        raise MalformedPayload("body is not valid JSON") from exc
    except (RecursionError, msgspec.EncodeError) as exc:
        raise MalformedPayload("JSON body nested too deeply") from exc
    return [(doc, body)]


def _stream_sid(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    for key in ("messageSid", "callSid", "recordingSid", "CallSid", "MessageSid"):
        value = data.get(key)
        if isinstance(value, str):
            return value
    request = data.get("request")
    if isinstance(request, dict):
        params = request.get("parameters")
        if isinstance(params, dict):
            value = params.get("CallSid")
            if isinstance(value, str):
                return value
    return None


def classify_stream(doc: Any) -> Classified:
    """Classify one decoded CloudEvent; anything without a string ``type`` and ``id`` is unknown."""
    if not (isinstance(doc, dict) and isinstance(doc.get("type"), str)):
        return Classified(UnknownEvent, "unknown", None, None, 0, False)
    event_id = doc.get("id")
    if not isinstance(event_id, str):
        return Classified(UnknownEvent, "unknown", None, None, 0, False)
    etype: str = doc["type"]
    short = etype[len("com.twilio.") :] if etype.startswith("com.twilio.") else etype
    status = _status_name(short.rsplit(".", 1)[-1])
    rank = _SMS_RANK.get(status, _CALL_RANK.get(status, 4))
    sid = _stream_sid(doc.get("data"))
    return Classified(StreamEvent, "stream." + short, sid, "stream:" + event_id, rank, False)


def build_form_event(
    kind: type[TwilioEvent], name: str, raw: RawParams, token: str | None
) -> TwilioEvent:
    fields = kind._fields_from(raw)
    fields["name"] = name
    fields["raw"] = raw
    fields["idempotency_token"] = token
    get = fields.get
    if kind is SmsStatusChangeEvent:
        read = (get("event_type") or "").upper() == "READ"
        status = get("message_status") or get("sms_status")
        fields["status"] = "read" if read else (status or name[4:]).strip().lower()
        fields["channel"] = (get("channel_prefix") or "").lower() or _channel(
            get("from_") or get("to"), get("message_sid"), False
        )
    elif kind is IncomingMessage:
        media = []
        for i in range(100):
            url = raw.get(f"MediaUrl{i}")
            if url is None:
                break
            media.append(MessageMedia(url, raw.get(f"MediaContentType{i}")))
        fields["media"] = tuple(media)
        fields["channel"] = _channel(get("from_"), get("message_sid"), bool(media))
    elif kind is CallStatusChangeEvent:
        fields["status"] = (get("call_status") or "").strip().lower()
    elif kind is RecordingStatusEvent:
        fields["status"] = (get("recording_status") or "").strip().lower()
    return kind(**fields)


def _build_stream(name: str, doc: Any, body: bytes, token: str | None) -> TwilioEvent:
    if not isinstance(doc, dict) or not name.startswith("stream."):
        return UnknownEvent(
            name="unknown", raw=RawParams(), idempotency_token=token, content_type="json", body=body
        )
    scalars = [(k, v if isinstance(v, str) else str(v)) for k, v in doc.items() if k != "data"]

    def text(key: str) -> str | None:
        value = doc.get(key)
        return value if isinstance(value, str) else None

    return StreamEvent(
        name=name,
        raw=RawParams(scalars),
        idempotency_token=token,
        id=str(doc.get("id", "")),
        type=str(doc.get("type", "")),
        source=text("source"),
        specversion=text("specversion"),
        subject=text("subject"),
        time=text("time"),
        dataschema=text("dataschema"),
        datacontenttype=text("datacontenttype"),
        data=doc.get("data"),
        envelope=doc,
    )


def build_event(
    content_type: str,
    payload: bytes,
    token: str | None,
    raw: RawParams | None = None,
) -> TwilioEvent:
    """Build the typed event for a stored payload (``content_type`` is ``"form"`` or ``"json"``).

    Pass ``raw`` when the form was already parsed to skip parsing it again.
    """
    if content_type == "json":
        try:
            doc = msgspec.json.decode(payload)
        except msgspec.DecodeError:
            doc = None
        return _build_stream(classify_stream(doc).name, doc, payload, token)
    if raw is None:
        raw = RawParams(parse_form(payload))
    cls = classify_form(raw.first)
    if cls.kind is UnknownEvent:
        return UnknownEvent(name="unknown", raw=raw, idempotency_token=token, body=payload)
    return build_form_event(cls.kind, cls.name, raw, token)
