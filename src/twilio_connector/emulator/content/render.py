"""A template and a send's ``ContentVariables`` -> what the message carries (pure: no state).

The channel picks one of the template's types (:data:`CHANNEL_TYPES`: WhatsApp the richest,
SMS ``twilio/text`` first, then ``twilio/media`` (an MMS), then any type with a text);
variables are substituted everywhere in it, the send's values first, then the template's
defaults (``variables``); names with neither are reported in :attr:`Rendered.missing`.

The message's ``body`` is the type's text: ``body`` for ``twilio/text``, ``twilio/media`` and
the interactive types (quick-reply, call-to-action, list-picker, ``whatsapp/card``, carousel:
their buttons, actions and items are not part of it), ``title`` and ``subtitle`` on two lines
for ``twilio/card``, ``label`` and ``address`` for ``twilio/location``, WhatsApp's fixed
wording with the code (variable ``1``) for ``whatsapp/authentication``. **Unconfirmed**: how
Twilio's Message resource shows the text of the non-text types (the docs show only the
handset); these choices keep what a reader of the inbox needs. Media: ``twilio/media``'s
``media``, ``twilio/card``'s and ``whatsapp/card``'s ``media`` become the message's Media.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .validate import PLACEHOLDER, placeholders_in

__all__ = ["CHANNEL_TYPES", "Rendered", "choose_type", "render", "text_of"]

CHANNEL_TYPES: dict[str, tuple[str, ...]] = {
    "whatsapp": (
        "whatsapp/authentication", "whatsapp/card", "whatsapp/flows", "twilio/carousel",
        "twilio/catalog", "twilio/flows", "twilio/card", "twilio/list-picker",
        "twilio/call-to-action", "twilio/quick-reply", "twilio/location", "twilio/media",
        "twilio/text", "twilio/schedule",
    ),
    "sms": (
        "twilio/text", "twilio/media", "twilio/quick-reply", "twilio/call-to-action",
        "twilio/list-picker", "twilio/card", "whatsapp/card", "twilio/carousel",
    ),
}  # fmt: skip
"""The types a channel can carry, the one it prefers first."""
AUTH_CODE = "1"
"""The variable holding a ``whatsapp/authentication`` template's code."""


@dataclass(frozen=True, slots=True)
class Rendered:
    content_type: str
    body: str
    media: list[str] = field(default_factory=list)
    content: dict[str, Any] = field(default_factory=dict)
    """The chosen type's JSON with the variables substituted (buttons, actions, items)."""
    missing: list[str] = field(default_factory=list)
    """Variables the type uses that neither the send nor the template's defaults give."""


def choose_type(types: Mapping[str, Any], channel: str) -> str | None:
    """The type ``channel`` sends of a template's ``types``, or ``None`` if it can send none."""
    for key in CHANNEL_TYPES.get(channel, CHANNEL_TYPES["sms"]):
        if key in types:
            return key
    return None


def _substitute(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, values) for v in value]
    return value


def _authentication_text(content: Mapping[str, Any], code: str) -> str:
    text = f"*{code}* is your verification code."
    if content.get("add_security_recommendation"):
        text += " For your security, do not share this code."
    minutes = content.get("code_expiration_minutes")
    if minutes:
        text += f"\nThis code expires in {minutes} minutes."
    return text


def text_of(content_type: str, content: Mapping[str, Any], values: Mapping[str, str]) -> str:
    """The message body for a rendered type (see the module docstring)."""
    if content_type == "twilio/card":
        parts = [content.get("title"), content.get("subtitle")]
    elif content_type == "twilio/location":
        parts = [content.get("label"), content.get("address")]
    elif content_type == "whatsapp/authentication":
        return _authentication_text(content, values.get(AUTH_CODE, ""))
    else:
        parts = [content.get("body")]
    return "\n".join(p for p in parts if isinstance(p, str) and p)


def _media_of(content_type: str, content: Mapping[str, Any]) -> list[str]:
    if content_type in ("twilio/media", "twilio/card", "whatsapp/card"):
        media = content.get("media") or []
        return [m for m in media if isinstance(m, str)]
    return []


def render(
    types: Mapping[str, Any],
    defaults: Mapping[str, str],
    values: Mapping[str, str],
    channel: str,
) -> Rendered | None:
    """The message for ``channel`` (``None`` if the template has no type it can send)."""
    content_type = choose_type(types, channel)
    if content_type is None:
        return None
    merged = {**defaults, **values}
    raw = types[content_type]
    used = placeholders_in(raw)
    if content_type == "whatsapp/authentication":
        used.append(AUTH_CODE)
    missing = [name for name in used if name not in merged]
    content = _substitute(raw, merged)
    return Rendered(
        content_type=content_type,
        body=text_of(content_type, content, merged),
        media=_media_of(content_type, content),
        content=content,
        missing=missing,
    )
