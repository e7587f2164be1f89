"""The Content API's content types (``twilio/text``, ``twilio/quick-reply`` ...) as typed objects.

One definition of each type's JSON (TWILIO.md §19.2), read by both sides: the client
encodes them into a template's ``types`` (``client.content.create(types=[TwilioText(...)])``)
and the emulator decodes a create body with them, so a missing required field or a value of
the wrong type is refused with the field's path (``$.body``). Fields left ``None`` are not
sent. Types without a struct here (``twilio/catalog``, ``twilio/flows``, ``whatsapp/flows``,
``twilio/schedule``) pass through as plain dicts (:data:`OPAQUE_TYPES`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import msgspec

__all__ = [
    "CONTENT_TYPES",
    "OPAQUE_TYPES",
    "AuthenticationAction",
    "CallToActionAction",
    "CardAction",
    "CarouselAction",
    "CarouselCard",
    "ContentType",
    "ListItem",
    "QuickReplyAction",
    "TwilioCallToAction",
    "TwilioCard",
    "TwilioCarousel",
    "TwilioListPicker",
    "TwilioLocation",
    "TwilioMedia",
    "TwilioQuickReply",
    "TwilioText",
    "WhatsAppAuthentication",
    "WhatsAppCard",
    "types_json",
]


class _Part(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A JSON object of a content type (unknown keys are ignored, ``None`` left out)."""


class QuickReplyAction(_Part):
    title: str
    id: str | None = None
    type: str | None = None
    """``QUICK_REPLY`` (the default)."""


class CallToActionAction(_Part):
    type: str
    """``URL``, ``PHONE_NUMBER``, ``COPY_CODE``, ``VOICE_CALL``, ``VOICE_CALL_REQUEST``."""
    title: str | None = None
    url: str | None = None
    phone: str | None = None
    code: str | None = None
    id: str | None = None


class CardAction(_Part):
    type: str
    """``URL``, ``PHONE_NUMBER``, ``QUICK_REPLY``, ``COPY_CODE``, ``VOICE_CALL``."""
    title: str | None = None
    url: str | None = None
    phone: str | None = None
    id: str | None = None
    code: str | None = None
    webview_size: str | None = None


class CarouselAction(_Part):
    type: str
    """``URL``, ``PHONE_NUMBER``, ``QUICK_REPLY``."""
    title: str | None = None
    url: str | None = None
    phone: str | None = None
    id: str | None = None


class ListItem(_Part):
    item: str
    id: str | None = None
    description: str | None = None


class AuthenticationAction(_Part):
    type: str
    """``COPY_CODE``."""
    copy_code_text: str | None = None


class CarouselCard(_Part):
    actions: list[CarouselAction]
    title: str | None = None
    body: str | None = None
    media: str | None = None


class ContentType(_Part):
    """Base of the typed content types; ``key`` is the type's name in ``types``."""

    key: ClassVar[str] = ""


class TwilioText(ContentType):
    key: ClassVar[str] = "twilio/text"
    body: str


class TwilioMedia(ContentType):
    key: ClassVar[str] = "twilio/media"
    media: list[str]
    body: str | None = None


class TwilioLocation(ContentType):
    key: ClassVar[str] = "twilio/location"
    latitude: float
    longitude: float
    label: str | None = None
    id: str | None = None
    address: str | None = None


class TwilioQuickReply(ContentType):
    key: ClassVar[str] = "twilio/quick-reply"
    body: str
    actions: list[QuickReplyAction]


class TwilioCallToAction(ContentType):
    key: ClassVar[str] = "twilio/call-to-action"
    body: str
    actions: list[CallToActionAction]


class TwilioListPicker(ContentType):
    key: ClassVar[str] = "twilio/list-picker"
    body: str
    button: str
    items: list[ListItem]


class TwilioCard(ContentType):
    key: ClassVar[str] = "twilio/card"
    title: str
    subtitle: str | None = None
    media: list[str] | None = None
    actions: list[CardAction] | None = None


class WhatsAppCard(ContentType):
    key: ClassVar[str] = "whatsapp/card"
    body: str
    footer: str | None = None
    media: list[str] | None = None
    header_text: str | None = None
    actions: list[CardAction] | None = None


class WhatsAppAuthentication(ContentType):
    key: ClassVar[str] = "whatsapp/authentication"
    actions: list[AuthenticationAction]
    add_security_recommendation: bool | None = None
    code_expiration_minutes: int | None = None


class TwilioCarousel(ContentType):
    key: ClassVar[str] = "twilio/carousel"
    body: str
    cards: list[CarouselCard]


_TYPED: tuple[type[ContentType], ...] = (
    TwilioText, TwilioMedia, TwilioLocation, TwilioQuickReply, TwilioCallToAction,
    TwilioListPicker, TwilioCard, WhatsAppCard, WhatsAppAuthentication, TwilioCarousel,
)  # fmt: skip
CONTENT_TYPES: dict[str, type[ContentType]] = {t.key: t for t in _TYPED}
"""The typed content types by key."""
OPAQUE_TYPES = frozenset({"twilio/catalog", "twilio/flows", "whatsapp/flows", "twilio/schedule"})
"""Known types taken as plain JSON objects (their schemas are large and rarely emulated)."""


def types_json(
    types: Sequence[ContentType] | Mapping[str, ContentType | Mapping[str, Any]],
) -> dict[str, Any]:
    """A template's ``types`` object from typed types (a list, each under its ``key``) or a
    mapping of key to a typed type or a plain dict."""
    items = [(t.key, t) for t in types] if not isinstance(types, Mapping) else types.items()
    out: dict[str, Any] = {}
    for key, value in items:
        out[key] = msgspec.to_builtins(value) if isinstance(value, ContentType) else dict(value)
    return out
