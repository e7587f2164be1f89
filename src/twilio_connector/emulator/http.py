"""The emulator's own small request/response types and parameter parsing.

Parameters follow Twilio's conventions: PascalCase names, repeated keys for lists,
``true``/``false`` booleans. A value of the wrong type is a 400 with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import msgspec

from .._wire import (
    DateRange,
    InvalidParameter,
    MalformedPayload,
    parse_date_filters,
    parse_form_strict,
    parse_iso_datetime,
    to_bool,
)
from .accounts.records import AccountRecord
from .errors import EmulatorError, invalid_param

__all__ = [
    "Request",
    "Response",
    "decode_json_object",
    "is_http_url",
    "json_response",
    "parse_form",
]

MAX_JSON_DEPTH = 32
MAX_URL_LENGTH = 4000
_URL_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")


def parse_form(raw: str) -> dict[str, list[str]]:
    """A form body or query string, strictly (:func:`~twilio_connector._wire.parse_form_strict`:
    UTF-8 escapes, at most 1000 fields, no NUL characters); a bad one is a 400/20001."""
    try:
        return parse_form_strict(raw)
    except MalformedPayload as exc:
        raise EmulatorError(400, 20001, str(exc)) from None


def _invalid(exc: InvalidParameter) -> EmulatorError:
    return invalid_param(exc.name, exc.value, exc.why)


@dataclass
class Request:
    """A parsed HTTP request. ``params`` are the body form (POST) or the query (GET/DELETE)."""

    method: str
    path: str
    query_string: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, list[str]]
    path_params: dict[str, str] = field(default_factory=dict)
    account: AccountRecord | None = None
    principal: AccountRecord | None = None
    via_api_key: bool = False

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else default

    def get_all(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def has(self, name: str) -> bool:
        return name in self.params

    def get_int(self, name: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise invalid_param(name, raw, "expected an integer") from None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise invalid_param(name, raw, f"must be between {lo} and {hi}")
        return value

    def get_bool(self, name: str, default: bool | None = None) -> bool | None:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        value = to_bool(raw)
        if value is None:
            raise invalid_param(name, raw, "expected true or false")
        return value

    def get_choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> Any:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        for choice in choices:
            if raw.lower() == choice.lower():
                return choice
        raise invalid_param(name, raw, f"must be one of {', '.join(choices)}")

    def get_datetime(self, name: str) -> datetime | None:
        """An ISO 8601 date or date-time (``2024-01-02``, ``2024-01-02T03:04:05Z``) in UTC,
        years 1970 to 9000; a bad one is a 400 that says what is wrong."""
        raw = self.get(name)
        if raw is None or raw == "":
            return None
        try:
            return parse_iso_datetime(name, raw)
        except InvalidParameter as exc:
            raise _invalid(exc) from None

    def get_date_range(self, name: str) -> DateRange:
        """The list filters ``Name`` (that UTC day), ``Name<`` (on or before) and ``Name>``
        (on or after) as one range (:func:`~twilio_connector._wire.parse_date_filters`)."""
        try:
            return parse_date_filters(name, self.get)
        except InvalidParameter as exc:
            raise _invalid(exc) from None

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (control plane), or the form params flattened."""
        ctype = self.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            return decode_json_object(self.body, "JSON body") if self.body else {}
        return {k: (v[0] if len(v) == 1 else v) for k, v in self.params.items()}


def decode_json_object(raw: bytes | str, what: str) -> dict[str, Any]:
    """A JSON object nested at most :data:`MAX_JSON_DEPTH` deep, else 400/20001."""
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise EmulatorError(400, 20001, f"{what} is not valid JSON") from None
    except RecursionError:
        value = None
        too_deep = True
    else:
        too_deep = _deeper_than(value, MAX_JSON_DEPTH)
    if too_deep:
        raise EmulatorError(400, 20001, f"{what} is nested too deeply")
    if not isinstance(value, dict):
        raise EmulatorError(400, 20001, f"{what} must be an object")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def is_http_url(url: str) -> bool:
    """Whether Twilio would take ``url`` as a webhook/media URL: absolute http(s), a host
    without ``_``, a valid port, no spaces or control characters, at most 4000 characters."""
    if len(url) > MAX_URL_LENGTH or _URL_BAD_CHARS.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:  # e.g. "http://[::1" (unclosed IPv6 literal), "http://h:99999"
        return False
    return parts.scheme in ("http", "https") and bool(host) and "_" not in (host or "")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


_encoder = msgspec.json.Encoder()


def json_response(payload: bytes | Any, status: int = 200) -> Response:
    """A JSON response; ``payload`` is already-encoded bytes or msgspec-encodable data."""
    body = payload if isinstance(payload, bytes) else _encoder.encode(payload)
    return Response(status, body)
