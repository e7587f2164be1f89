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

import binascii
import re
from typing import Any

import msgspec

from twilio_connector.callbacks import (
    FORM_KINDS,
    CallStatusChangeEvent,
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
    TwilioEvent,
    to_int,
)

__all__ = [
    "EVENT_CLASSES",
    "CallStatusChangeEvent",
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
    "TwilioEvent",
    "UnknownEvent",
    "parse_form",
    "to_int",
]


class MalformedPayload(ValueError):
    """A body that cannot be decoded (bad UTF-8, bad percent-encoding, bad JSON)."""


_HEX = "0123456789abcdefABCDEF"
_ASCII_ESCAPES = {f"{a}{b}": chr(int(a + b, 16)) for a in "01234567" for b in _HEX}
_BYTE_ESCAPES = {f"{a}{b}": int(a + b, 16) for a in _HEX for b in _HEX}


_LONG = 256  # longer components are decoded by _unquote_long
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_ESCAPE_SHAPE = bytes(
    ord("h") if chr(c) in _HEX else ord("%") if c == ord("%") else ord("x") for c in range(256)
)
_PERCENT_TO_EQUALS = bytes.maketrans(b"%", b"=")


def _unquote(text: str) -> str:
    """Percent-decode a form component (``+`` is a space); malformed escapes stay literal."""
    if len(text) > _LONG:
        return _unquote_long(text)
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    head, *rest = text.split("%")
    chars = [head]
    for part in rest:  # fast path: ASCII escapes such as %2B in phone numbers
        char = _ASCII_ESCAPES.get(part[:2])
        if char is None:
            return _unquote_bytes(head, rest)
        chars.append(char)
        chars.append(part[2:])
    return "".join(chars)


def _unquote_bytes(head: str, rest: list[str]) -> str:
    out = bytearray(head.encode())
    for part in rest:
        code = _BYTE_ESCAPES.get(part[:2])
        if code is None:
            out += b"%"
            out += part.encode()
        else:
            out.append(code)
            out += part[2:].encode()
    return out.decode("utf-8")


def _unquote_long(text: str) -> str:
    """:func:`_unquote` in C time: escapes rewritten as quoted-printable for ``a2b_qp``.

    Every ``=`` becomes ``=3D`` and every malformed ``%`` ``=25``, so that afterwards each
    ``=`` starts a valid escape and ``a2b_qp`` (no soft breaks left) decodes exactly them.
    A python loop over 350k escapes would cost ~40 ms of event-loop time per MiB.
    """
    raw = text.encode()
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" not in raw:
        return raw.decode()
    if b"=" in raw:
        raw = raw.replace(b"=", b"=3D")
    shape = raw.translate(_ESCAPE_SHAPE)
    if shape.count(b"%hh") != shape.count(b"%"):  # malformed escapes: keep them literal
        raw = _BAD_ESCAPE.sub(b"=25", raw)
    return binascii.a2b_qp(raw.translate(_PERCENT_TO_EQUALS)).decode("utf-8")


def parse_form(body: bytes | str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` (blank values kept, ``+`` is a space)."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        out: list[tuple[str, str]] = []
        for part in text.split("&"):
            if not part:
                continue
            key, _, value = part.partition("=")
            if "%" in key or "+" in key:
                key = _unquote(key)
            if "%" in value or "+" in value:
                value = _unquote(value)
            out.append((key, value))
        return out
    except UnicodeError as exc:
        raise MalformedPayload("form body is not valid UTF-8") from exc


# --------------------------------------------------------------------------- event types


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
