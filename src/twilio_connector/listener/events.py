"""Typed Twilio webhook events and the classifier that turns a payload into one.

Event names follow one scheme, ``<resource>.<status>``, lowercase, hyphens turned into
underscores, so that a handler method name is ``on_`` + the name with dots as underscores:

==========================  ==========================  ========================================
event name                  class                       Twilio callback
==========================  ==========================  ========================================
``sms.queued`` ...          SmsStatusChangeEvent        message status callback; one name per
                                                        ``MessageStatus``: accepted, scheduled,
                                                        queued, sending, sent, delivered,
                                                        undelivered, failed, read, canceled,
                                                        partially_delivered
``sms.received``            IncomingMessage             inbound SMS/MMS/WhatsApp (reply: TwiML)
``call.initiated`` ...      CallStatusChangeEvent       voice status callback: initiated,
                                                        ringing, answered (``in-progress``),
                                                        completed, busy, no_answer, failed,
                                                        canceled, queued
``call.incoming``           IncomingCall                voice URL request (reply: TwiML)
``call.gather``             GatherResult                ``<Gather action>`` (reply: TwiML)
``call.dial``               DialResult                  ``<Dial action>`` (reply: TwiML)
``call.record``             RecordResult                ``<Record action>`` (reply: TwiML)
``call.enqueue``            EnqueueResult               ``<Enqueue action>`` (reply: TwiML)
``recording.completed`` ..  RecordingStatusEvent        recording status callback: in_progress,
                                                        completed, absent, failed
``stream.<type>``           StreamEvent                 Event Streams CloudEvent; ``<type>`` is
                                                        the CloudEvent type without
                                                        ``com.twilio.``, e.g.
                                                        ``stream.messaging.message.delivered``
``unknown``                 UnknownEvent                anything else (kept and reported)
==========================  ==========================  ========================================

WhatsApp and other channels use the same ``sms.*`` events; ``event.channel`` says
``"sms"``, ``"mms"``, ``"whatsapp"``, ... Every parameter Twilio documents is a snake_case
attribute (``From`` is ``from_``); ``raw`` keeps every parameter exactly as received,
including ones Twilio adds later, and ``idempotency_token`` is the
``I-Twilio-Idempotency-Token`` header.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

import msgspec

from twilio_connector._wire import MalformedPayload, parse_form, to_bool, to_float, to_int
from twilio_connector.models import parse_rfc2822

__all__ = [
    "EVENT_CLASSES",
    "CallStatusChangeEvent",
    "DialResult",
    "EnqueueResult",
    "GatherResult",
    "IncomingCall",
    "IncomingMessage",
    "MalformedPayload",
    "MessageMedia",
    "RawParams",
    "RecordResult",
    "RecordingStatusEvent",
    "SmsStatusChangeEvent",
    "StreamEvent",
    "TwilioEvent",
    "UnknownEvent",
    "parse_form",
    "to_int",
]


class RawParams(Mapping[str, str]):
    """The original parameters, as a read-only multi-dict.

    ``raw["Body"]`` is the first value of a name; :meth:`getall` gives every value and
    :meth:`multi_items` every ``(name, value)`` pair in the order received.
    """

    __slots__ = ("_first", "_pairs")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = tuple(pairs)
        first = dict(self._pairs)
        if len(first) != len(self._pairs):  # a repeated name: keep its first value
            first = {}
            for key, value in self._pairs:
                if key not in first:
                    first[key] = value
        self._first = first

    def __getitem__(self, key: str) -> str:
        return self._first[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def __contains__(self, key: object) -> bool:
        return key in self._first

    def get(self, key: str, default: Any = None) -> Any:
        return self._first.get(key, default)

    @property
    def first(self) -> Mapping[str, str]:
        """The first value of every name, as a plain (read-only by contract) mapping."""
        return self._first

    def getall(self, key: str) -> list[str]:
        """Every value sent for ``key`` (empty list if none)."""
        return [v for k, v in self._pairs if k == key]

    def multi_items(self) -> tuple[tuple[str, str], ...]:
        """Every ``(name, value)`` pair, repeated names included, in order."""
        return self._pairs

    def __repr__(self) -> str:
        return f"RawParams({list(self._pairs)!r})"


# --------------------------------------------------------------------------- conversions


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_rfc2822(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


_CONVERTERS: dict[Any, Any] = {
    str | None: None,
    int | None: to_int,
    float | None: to_float,
    bool | None: to_bool,
    datetime | None: _datetime,
}


def _param_name(field: str) -> str:
    return "".join(part.capitalize() for part in field.rstrip("_").split("_"))


# --------------------------------------------------------------------------- event types


class TwilioEvent(msgspec.Struct, kw_only=True, frozen=True):
    """Base of every event: its ``name``, the ``raw`` parameters and the idempotency token."""

    name: str
    raw: RawParams
    idempotency_token: str | None = None

    _derived: ClassVar[frozenset[str]] = frozenset({"name", "raw", "idempotency_token"})

    @classmethod
    def _fields_from(cls, raw: RawParams) -> dict[str, Any]:
        """Attribute values for the parameters present (absent ones keep their default)."""
        spec = _SPECS.get(cls)
        if spec is None:
            spec = _SPECS[cls] = {
                _param_name(f.name): (f.name, _CONVERTERS[f.type])
                for f in msgspec.structs.fields(cls)
                if f.name not in cls._derived
            }
        fields: dict[str, Any] = {}
        for param, value in raw._first.items():
            target = spec.get(param)
            if target is not None:
                field, conv = target
                fields[field] = value if conv is None else conv(value)
        return fields


_SPECS: dict[type[TwilioEvent], dict[str, tuple[str, Any]]] = {}
"""Per event class: Twilio parameter -> (attribute, converter or None), built on first use."""


class MessageMedia(msgspec.Struct, frozen=True):
    """One media item of an inbound message (``MediaUrl{N}``, ``MediaContentType{N}``)."""

    url: str
    content_type: str | None = None


class SmsStatusChangeEvent(TwilioEvent, frozen=True, kw_only=True):
    """An outbound message changed status (``sms.<status>``).

    ``status`` is the value Twilio sent (``delivered``, ``partially_delivered``, ``read``...).
    """

    status: str = ""
    channel: str = "sms"
    message_sid: str | None = None
    sms_sid: str | None = None
    message_status: str | None = None
    sms_status: str | None = None
    account_sid: str | None = None
    messaging_service_sid: str | None = None
    from_: str | None = None
    to: str | None = None
    api_version: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    raw_dlr_done_date: str | None = None
    channel_install_sid: str | None = None
    channel_status_message: str | None = None
    channel_prefix: str | None = None
    channel_to_address: str | None = None
    event_type: str | None = None

    _derived = TwilioEvent._derived | {"status", "channel"}


class IncomingMessage(TwilioEvent, frozen=True, kw_only=True):
    """An inbound SMS, MMS or WhatsApp message (``sms.received``); the reply is TwiML."""

    channel: str = "sms"
    media: tuple[MessageMedia, ...] = ()
    message_sid: str | None = None
    sms_sid: str | None = None
    sms_message_sid: str | None = None
    account_sid: str | None = None
    messaging_service_sid: str | None = None
    from_: str | None = None
    to: str | None = None
    body: str | None = None
    num_media: int | None = None
    num_segments: int | None = None
    sms_status: str | None = None
    api_version: str | None = None
    message_type: str | None = None
    from_city: str | None = None
    from_state: str | None = None
    from_zip: str | None = None
    from_country: str | None = None
    to_city: str | None = None
    to_state: str | None = None
    to_zip: str | None = None
    to_country: str | None = None
    profile_name: str | None = None
    wa_id: str | None = None
    forwarded: bool | None = None
    frequently_forwarded: bool | None = None
    button_text: str | None = None
    button_payload: str | None = None
    button_type: str | None = None
    interactive_data: str | None = None
    flow_data: str | None = None
    channel_metadata: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    label: str | None = None
    original_replied_message_sender: str | None = None
    original_replied_message_sid: str | None = None
    referral_body: str | None = None
    referral_headline: str | None = None
    referral_source_id: str | None = None
    referral_source_type: str | None = None
    referral_source_url: str | None = None
    referral_media_id: str | None = None
    referral_media_content_type: str | None = None
    referral_media_url: str | None = None
    referral_num_media: int | None = None
    referral_ctwa_clid: str | None = None

    _derived = TwilioEvent._derived | {"channel", "media"}


class _CallEvent(TwilioEvent, frozen=True, kw_only=True):
    """Parameters Twilio sends with every voice request (TWILIO.md 6.4)."""

    call_sid: str | None = None
    account_sid: str | None = None
    from_: str | None = None
    to: str | None = None
    caller: str | None = None
    called: str | None = None
    call_status: str | None = None
    api_version: str | None = None
    direction: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    parent_call_sid: str | None = None
    call_token: str | None = None
    application_sid: str | None = None
    from_city: str | None = None
    from_state: str | None = None
    from_zip: str | None = None
    from_country: str | None = None
    to_city: str | None = None
    to_state: str | None = None
    to_zip: str | None = None
    to_country: str | None = None
    caller_city: str | None = None
    caller_state: str | None = None
    caller_zip: str | None = None
    caller_country: str | None = None
    called_city: str | None = None
    called_state: str | None = None
    called_zip: str | None = None
    called_country: str | None = None
    stir_verstat: str | None = None
    stir_passport_token: str | None = None
    stir_status: str | None = None
    answered_by: str | None = None
    machine_detection_duration: int | None = None


class IncomingCall(_CallEvent, frozen=True, kw_only=True):
    """A voice URL request: an inbound call, or an API call asking for TwiML (``call.incoming``)."""


class CallStatusChangeEvent(_CallEvent, frozen=True, kw_only=True):
    """A voice status callback (``call.<status>``; ``in-progress`` is ``call.answered``).

    ``status`` is the ``CallStatus`` Twilio sent (``ringing``, ``in-progress``, ``no-answer``...).
    """

    status: str = ""
    callback_source: str | None = None
    sequence_number: int | None = None
    timestamp: datetime | None = None
    call_duration: int | None = None
    duration: int | None = None
    sip_response_code: int | None = None
    recording_url: str | None = None
    recording_sid: str | None = None
    recording_duration: int | None = None

    _derived = TwilioEvent._derived | {"status"}


class GatherResult(_CallEvent, frozen=True, kw_only=True):
    """Input collected by ``<Gather>`` (``call.gather``); the reply is TwiML."""

    digits: str | None = None
    finished_on_key: str | None = None
    speech_result: str | None = None
    confidence: float | None = None
    unstable_speech_result: str | None = None
    stable_speech_result: str | None = None
    sequence_number: int | None = None


class DialResult(_CallEvent, frozen=True, kw_only=True):
    """The outcome of ``<Dial>`` (``call.dial``); the reply is TwiML."""

    dial_call_status: str | None = None
    dial_call_sid: str | None = None
    dial_call_duration: int | None = None
    dial_bridged: bool | None = None
    recording_url: str | None = None


class RecordResult(_CallEvent, frozen=True, kw_only=True):
    """The outcome of ``<Record>`` (``call.record``); the reply is TwiML."""

    recording_url: str | None = None
    recording_duration: int | None = None
    recording_sid: str | None = None
    digits: str | None = None


class EnqueueResult(_CallEvent, frozen=True, kw_only=True):
    """The outcome of ``<Enqueue>`` (``call.enqueue``); the reply is TwiML."""

    queue_result: str | None = None
    queue_sid: str | None = None
    queue_time: int | None = None


class RecordingStatusEvent(TwilioEvent, frozen=True, kw_only=True):
    """A recording status callback (``recording.<status>``; ``status`` as Twilio sent it)."""

    status: str = ""
    account_sid: str | None = None
    call_sid: str | None = None
    conference_sid: str | None = None
    recording_sid: str | None = None
    recording_url: str | None = None
    recording_status: str | None = None
    recording_duration: int | None = None
    recording_channels: int | None = None
    recording_start_time: datetime | None = None
    recording_source: str | None = None
    recording_track: str | None = None
    error_code: int | None = None

    _derived = TwilioEvent._derived | {"status"}


class StreamEvent(TwilioEvent, frozen=True, kw_only=True):
    """One Event Streams CloudEvent (``stream.<type without com.twilio.>``).

    ``raw`` holds the envelope's scalar attributes as strings; ``envelope`` the whole
    decoded object and ``data`` its ``data`` member (camelCase keys, as Twilio sends them).
    """

    id: str = ""
    type: str = ""
    source: str | None = None
    specversion: str | None = None
    subject: str | None = None
    time: str | None = None
    dataschema: str | None = None
    datacontenttype: str | None = None
    data: Any = None
    envelope: dict[str, Any] = msgspec.field(default_factory=dict)


class UnknownEvent(TwilioEvent, frozen=True, kw_only=True):
    """A verified payload that matches no known callback (``unknown``); kept in the inbox."""

    content_type: str = "form"
    body: bytes = b""


EVENT_CLASSES: tuple[type[TwilioEvent], ...] = (
    SmsStatusChangeEvent,
    IncomingMessage,
    CallStatusChangeEvent,
    IncomingCall,
    GatherResult,
    DialResult,
    RecordResult,
    EnqueueResult,
    RecordingStatusEvent,
    StreamEvent,
    UnknownEvent,
)
