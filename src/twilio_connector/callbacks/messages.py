"""Messaging webhooks: the message status callback and the inbound message (TWILIO.md 6.1-6.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from twilio_connector.callbacks.base import RawParams, Rule, TwilioEvent

__all__ = ["IncomingMessage", "MessageMedia", "SmsStatusChangeEvent"]

_MESSAGE_SID = ("MessageSid", "SmsSid", "SmsMessageSid")
_MAX_MEDIA = 100
_INBOUND_STATUSES = frozenset({"received", "receiving", "Received", "Receiving"})


def _channel(address: str | None, message_sid: str | None, has_media: bool) -> str:
    """``whatsapp`` (or another prefix) for a channel address, else ``mms`` or ``sms``."""
    if address and ":" in address and not address.startswith("+"):
        return address.split(":", 1)[0].lower()
    if has_media or (message_sid or "").startswith("MM"):
        return "mms"
    return "sms"


def _message_status(params: Mapping[str, str]) -> str | None:
    """The status of a status callback; ``None`` for an inbound message."""
    if (params.get("EventType") or "").upper() == "READ":
        return "read"
    status = params.get("MessageStatus")
    if status is None or status in _INBOUND_STATUSES:
        return None
    return status


class MessageMedia(msgspec.Struct, frozen=True):
    """One media item of an inbound message (``MediaUrl{N}``, ``MediaContentType{N}``)."""

    url: str
    content_type: str | None = None


class SmsStatusChangeEvent(TwilioEvent, frozen=True, kw_only=True):
    """An outbound message changed status (``sms.<status>``).

    ``status`` is the value Twilio sent (``delivered``, ``partially_delivered``, ``read``...);
    ``channel`` is ``sms``, ``mms``, ``whatsapp``...
    """

    status: str = ""
    channel: str = "sms"
    account_sid: str | None = None
    api_version: str | None = None
    from_: str | None = None
    message_sid: str | None = None
    message_status: str | None = None
    sms_sid: str | None = None
    sms_status: str | None = None
    to: str | None = None
    messaging_service_sid: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    raw_dlr_done_date: str | None = None
    channel_install_sid: str | None = None
    channel_status_message: str | None = None
    channel_prefix: str | None = None
    channel_to_address: str | None = None
    event_type: str | None = None

    rule = Rule(
        "sms.",
        _MESSAGE_SID,
        when=(("MessageStatus",), ("EventType",)),
        status=_message_status,
        ranks={
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
        },
        rank=4,
        dedup=True,
    )
    _derived = TwilioEvent._derived | {"status", "channel"}

    @classmethod
    def _derive(cls, fields: dict[str, Any], raw: RawParams) -> None:
        get = fields.get
        status = get("message_status") or get("sms_status")
        if (get("event_type") or "").upper() == "READ":
            status = "read"
        fields["status"] = (status or fields["name"][4:]).strip().lower()
        fields["channel"] = (get("channel_prefix") or "").lower() or _channel(
            get("from_") or get("to"), get("message_sid"), False
        )


class IncomingMessage(TwilioEvent, frozen=True, kw_only=True):
    """An inbound SMS, MMS or WhatsApp message (``sms.received``); the reply is TwiML.

    ``media`` stands for the ``MediaUrl{N}``/``MediaContentType{N}`` pairs. A request to
    the number's fallback URL also carries ``error_code`` and ``error_url``.
    """

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
    error_code: int | None = None
    error_url: str | None = None

    rule = Rule("sms.received", _MESSAGE_SID, replies=True, dedup=True)
    _derived = TwilioEvent._derived | {"channel", "media"}

    @classmethod
    def _derive(cls, fields: dict[str, Any], raw: RawParams) -> None:
        media = []
        for i in range(_MAX_MEDIA):
            url = raw.get(f"MediaUrl{i}")
            if url is None:
                break
            media.append(MessageMedia(url, raw.get(f"MediaContentType{i}")))
        fields["media"] = tuple(media)
        fields["channel"] = _channel(fields.get("from_"), fields.get("message_sid"), bool(media))

    def _more_params(self, out: dict[str, str]) -> None:
        for i, item in enumerate(self.media):
            out[f"MediaUrl{i}"] = item.url
            if item.content_type is not None:
                out[f"MediaContentType{i}"] = item.content_type

    def unmapped_params(self) -> list[str]:
        media = {f"MediaUrl{i}" for i in range(len(self.media))}
        media |= {f"MediaContentType{i}" for i, m in enumerate(self.media) if m.content_type}
        return [key for key in super().unmapped_params() if key not in media]
