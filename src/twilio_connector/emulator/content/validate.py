"""A template's create body, checked as Twilio's Content API would (TWILIO.md 19.2, 19.3).

The body is a JSON object: ``language`` and ``types`` required, ``friendly_name`` and
``variables`` optional (the official SDK sends ``null`` for what is unset, at every level:
taken as absent). Each type is decoded with its struct from
:mod:`twilio_connector.content_types`, so a missing field or a wrong type names its path.
Placeholders are ``{{1}}`` or ``{{Name}}`` (letters, digits, ``_``; at most 16 characters);
``{{}}``, ``{{ 1 }}`` and an unclosed ``{{x}`` are refused. Limits: 100 distinct variables,
keys of 16 characters, values (defaults) of 1600; bodies 1600 characters (1024 for the
interactive types, as documented for quick replies); 1-10 actions, items and cards.

Every error is a 400 with code 20001 naming the field. **Unconfirmed**: the Content API's
own error codes for a bad template (TWILIO.md lists none), the per-type limits other than
quick-reply's, and the length limits on ``friendly_name`` (256) and ``language`` (16).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from ...content_types import CONTENT_TYPES, OPAQUE_TYPES
from ..errors import EmulatorError
from ..http import is_http_url

__all__ = [
    "MAX_TEXT",
    "MAX_VALUE",
    "MAX_VARIABLES",
    "PLACEHOLDER",
    "VARIABLE_NAME",
    "ContentDefinition",
    "body_limit",
    "check_key",
    "parse_content",
    "placeholders_in",
]

MAX_BODY_BYTES = 64 * 1024
MAX_VARIABLES = 100
MAX_KEY = 16
MAX_VALUE = 1600
MAX_NAME = 256
MAX_TEXT = 1600
MAX_INTERACTIVE_TEXT = 1024
MAX_SHORT_TEXT = 256
MAX_ITEMS = 10
PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_]{1,16})\}\}")
VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]{1,16}\Z")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8}){0,2}\Z")
_CTA_NEEDS = {"URL": "url", "PHONE_NUMBER": "phone", "COPY_CODE": "code"}
_CTA_TYPES = ("URL", "PHONE_NUMBER", "COPY_CODE", "VOICE_CALL", "VOICE_CALL_REQUEST")
_CARD_TYPES = ("URL", "PHONE_NUMBER", "QUICK_REPLY", "COPY_CODE", "VOICE_CALL")
_CAROUSEL_TYPES = ("URL", "PHONE_NUMBER", "QUICK_REPLY")
_INTERACTIVE = frozenset(
    {"twilio/quick-reply", "twilio/call-to-action", "twilio/list-picker", "whatsapp/card",
     "twilio/carousel"}
)  # fmt: skip


def invalid(message: str) -> EmulatorError:
    return EmulatorError(400, 20001, message)


@dataclass(frozen=True, slots=True)
class ContentDefinition:
    friendly_name: str
    language: str
    variables: dict[str, str]
    types: dict[str, Any]


def check_key(key: str, where: str) -> None:
    if not VARIABLE_NAME.match(key):
        raise invalid(
            f"Invalid variable name {key[:20]!r} in {where}: letters, digits or '_', "
            f"at most {MAX_KEY} characters"
        )


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value with its path (``$.actions[0].title``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def placeholders_in(value: Any) -> list[str]:
    """The variable names a type's JSON uses, in order of first use."""
    seen: dict[str, None] = {}
    for _, text in _strings(value, "$"):
        for name in PLACEHOLDER.findall(text):
            seen.setdefault(name, None)
    return list(seen)


def _check_placeholders(value: Any, type_key: str) -> None:
    for path, text in _strings(value, "$"):
        if "{{" in PLACEHOLDER.sub("", text):
            raise invalid(
                f"Malformed variable in {type_key} at {path}: use {{{{1}}}} or {{{{name}}}} "
                "(letters, digits or '_', at most 16 characters, no spaces)"
            )


def _text(value: str | None, what: str, limit: int, required: bool = True) -> None:
    if value is None or value == "":
        if required:
            raise invalid(f"{what} is required")
        return
    if len(value) > limit:
        raise invalid(f"{what} must be at most {limit} characters")


def _count(items: list[Any] | None, what: str, low: int = 1) -> None:
    n = len(items or ())
    if not low <= n <= MAX_ITEMS:
        raise invalid(f"{what} must have between {low} and {MAX_ITEMS} entries")


def _urls(urls: list[str] | None, what: str) -> None:
    for url in urls or ():
        if not is_http_url(PLACEHOLDER.sub("x", url)):
            raise invalid(f"{what} {url[:200]!r} is not a valid URL")


def _actions(actions: list[Any] | None, key: str, kinds: tuple[str, ...], low: int) -> None:
    _count(actions, f"{key} actions", low)
    for i, action in enumerate(actions or ()):
        kind = getattr(action, "type", None) or "QUICK_REPLY"
        if kind not in kinds:
            raise invalid(f"{key} actions[{i}].type must be one of {', '.join(kinds)}")
        if kind != "COPY_CODE" or key == "twilio/quick-reply":
            _text(action.title, f"{key} actions[{i}].title", MAX_SHORT_TEXT)
        needed = None if key == "whatsapp/authentication" else _CTA_NEEDS.get(kind)
        if needed is not None and not getattr(action, needed, None):
            raise invalid(f"{key} actions[{i}] of type {kind} needs '{needed}'")
        if kind == "URL":
            _urls([action.url], f"{key} actions[{i}].url")


def body_limit(key: str) -> int:
    """The longest text a type may carry (also after substitution, when sent)."""
    return MAX_INTERACTIVE_TEXT if key in _INTERACTIVE else MAX_TEXT


def _check_type(key: str, t: Any) -> None:
    """The rules msgspec's field types cannot say (non-empty, limits, action kinds)."""
    limit = body_limit(key)
    if key == "twilio/text":
        _text(t.body, f"{key} body", limit)
    elif key == "twilio/media":
        _count(t.media, f"{key} media")
        _urls(t.media, f"{key} media")
        _text(t.body, f"{key} body", limit, required=False)
    elif key == "twilio/location":
        if not (-90 <= t.latitude <= 90 and -180 <= t.longitude <= 180):
            raise invalid(f"{key} latitude/longitude out of range")
    elif key == "twilio/quick-reply":
        _text(t.body, f"{key} body", limit)
        _actions(t.actions, key, ("QUICK_REPLY",), 1)
    elif key == "twilio/call-to-action":
        _text(t.body, f"{key} body", limit)
        _actions(t.actions, key, _CTA_TYPES, 1)
    elif key == "twilio/list-picker":
        _text(t.body, f"{key} body", limit)
        _text(t.button, f"{key} button", MAX_SHORT_TEXT)
        _count(t.items, f"{key} items")
        for i, item in enumerate(t.items):
            _text(item.item, f"{key} items[{i}].item", MAX_SHORT_TEXT)
    elif key == "twilio/card":
        _text(t.title, f"{key} title", limit)
        _urls(t.media, f"{key} media")
        _actions(t.actions, key, _CARD_TYPES, 0)
    elif key == "whatsapp/card":
        _text(t.body, f"{key} body", limit)
        _urls(t.media, f"{key} media")
        _actions(t.actions, key, _CARD_TYPES, 0)
    elif key == "whatsapp/authentication":
        _actions(t.actions, key, ("COPY_CODE",), 1)
        minutes = t.code_expiration_minutes
        if minutes is not None and not 1 <= minutes <= 90:
            raise invalid(f"{key} code_expiration_minutes must be between 1 and 90")
    elif key == "twilio/carousel":
        _text(t.body, f"{key} body", limit)
        _count(t.cards, f"{key} cards")
        for i, card in enumerate(t.cards):
            _actions(card.actions, f"{key} cards[{i}]", _CAROUSEL_TYPES, 1)
            if card.media:
                _urls([card.media], f"{key} cards[{i}].media")


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _parse_type(key: str, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise invalid(f"types.{key[:40]} must be an object")
    _check_placeholders(raw, key)
    if key in OPAQUE_TYPES:
        return _without_nulls(raw)
    struct = CONTENT_TYPES.get(key)
    if struct is None:
        known = ", ".join(sorted([*CONTENT_TYPES, *OPAQUE_TYPES]))
        raise invalid(f"Unknown content type {key[:40]!r}: one of {known}")
    try:
        typed = msgspec.convert(_without_nulls(raw), struct)
    except msgspec.ValidationError as exc:
        raise invalid(f"Invalid {key}: {exc}") from None
    _check_type(key, typed)
    return msgspec.to_builtins(typed)


def _variables(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise invalid("variables must be an object of name to default value")
    if len(raw) > MAX_VARIABLES:
        raise invalid(f"variables: at most {MAX_VARIABLES}")
    out: dict[str, str] = {}
    for key, value in raw.items():
        check_key(key, "variables")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise invalid(f"variables.{key} must be a string")
        text = str(value)
        if len(text) > MAX_VALUE:
            raise invalid(f"variables.{key} must be at most {MAX_VALUE} characters")
        out[key] = text
    return out


def parse_content(body: dict[str, Any], size: int) -> ContentDefinition:
    """The template a create body describes (``size``: the body's length in bytes)."""
    if size > MAX_BODY_BYTES:
        raise invalid(f"The template is too large (at most {MAX_BODY_BYTES} bytes)")
    language = body.get("language")
    if language is None or language == "":
        raise invalid("Missing required parameter language")
    if not isinstance(language, str) or not _LANGUAGE.match(language) or len(language) > 16:
        raise invalid(f"Invalid language {str(language)[:20]!r}: an ISO 639-1 code such as 'en'")
    name = body.get("friendly_name")
    if name is not None and not isinstance(name, str):
        raise invalid("friendly_name must be a string")
    if name is not None and len(name) > MAX_NAME:
        raise invalid(f"friendly_name must be at most {MAX_NAME} characters")
    raw_types = body.get("types")
    if not isinstance(raw_types, dict):
        raise invalid("Missing required parameter types (an object of content types)")
    present = {k: v for k, v in raw_types.items() if v is not None}
    if not present:
        raise invalid("types must hold at least one content type")
    types = {key: _parse_type(key, value) for key, value in present.items()}
    used = {n for t in types.values() for n in placeholders_in(t)}
    if len(used) > MAX_VARIABLES:
        raise invalid(f"A template uses at most {MAX_VARIABLES} variables")
    return ContentDefinition(name or "", language, _variables(body.get("variables")), types)
