"""Typed Twilio webhook events and the form decoding the listener does before classifying.

The event classes are the webhook payloads of :mod:`twilio_connector.callbacks` (the
emulator builds the same structs), plus :class:`StreamEvent` and :class:`UnknownEvent`.
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
``call.amd``                MachineDetectionResult      async AMD result (``AsyncAmd=true``)
``call.incoming``           IncomingCall                voice URL request (reply: TwiML)
``call.gather``             GatherResult                ``<Gather action>`` (reply: TwiML)
``call.dial``               DialResult                  ``<Dial action>`` (reply: TwiML)
``call.record``             RecordResult                ``<Record action>`` (reply: TwiML)
``call.enqueue``            EnqueueResult               ``<Enqueue action>`` (reply: TwiML)
``call.enqueue_wait``       EnqueueWaitRequest          ``<Enqueue waitUrl>`` (reply: TwiML)
``call.sms``                SmsVerbResult               voice ``<Sms action>`` (reply: TwiML)
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

from typing import Any

import msgspec

from twilio_connector._wire import MalformedPayload, parse_form
from twilio_connector.callbacks import (
    FORM_KINDS,
    CallStatusChangeEvent,
    ConversationRelayResult,
    DialResult,
    EnqueueResult,
    EnqueueWaitRequest,
    GatherResult,
    IncomingCall,
    IncomingMessage,
    MachineDetectionResult,
    MessageMedia,
    RawParams,
    RecordingStatusEvent,
    RecordResult,
    SmsStatusChangeEvent,
    SmsVerbResult,
    StreamStatusEvent,
    TwilioEvent,
    to_int,
)

__all__ = [
    "EVENT_CLASSES",
    "CallStatusChangeEvent",
    "ConversationRelayResult",
    "DialResult",
    "EnqueueResult",
    "EnqueueWaitRequest",
    "GatherResult",
    "IncomingCall",
    "IncomingMessage",
    "MachineDetectionResult",
    "MalformedPayload",
    "MessageMedia",
    "RawParams",
    "RecordResult",
    "RecordingStatusEvent",
    "SmsStatusChangeEvent",
    "SmsVerbResult",
    "StreamEvent",
    "StreamStatusEvent",
    "TwilioEvent",
    "UnknownEvent",
    "parse_form",
    "to_int",
]


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

    _derived = TwilioEvent._derived | {
        "id", "type", "source", "specversion", "subject", "time", "dataschema",
        "datacontenttype", "data", "envelope",
    }  # fmt: skip


class UnknownEvent(TwilioEvent, frozen=True, kw_only=True):
    """A verified payload that matches no known callback (``unknown``); kept in the inbox."""

    content_type: str = "form"
    body: bytes = b""

    _derived = TwilioEvent._derived | {"content_type", "body"}


EVENT_CLASSES: tuple[type[TwilioEvent], ...] = (*FORM_KINDS, StreamEvent, UnknownEvent)
