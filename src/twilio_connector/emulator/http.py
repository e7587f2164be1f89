"""The emulator's own small request/response types and parameter parsing.

Parameters follow Twilio's conventions: PascalCase names, repeated keys for lists,
``true``/``false`` booleans. A value of the wrong type is a 400 with a clear message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urlsplit

import msgspec

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

MAX_FIELDS = 1000
MAX_JSON_DEPTH = 32
MAX_URL_LENGTH = 4000
_URL_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")


def _unquote(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    if "%" in text:
        text = unquote(text, errors="strict")
    return text


def parse_form(raw: str) -> dict[str, list[str]]:
    """Parse ``a=1&b=2&a=3`` like ``parse_qsl`` but strictly: percent-escapes must decode
    to UTF-8, at most 1000 fields, no NUL characters."""
    out: dict[str, list[str]] = {}
    if not raw:
        return out
    parts = raw.split("&")
    if len(parts) > MAX_FIELDS:
        raise EmulatorError(400, 20001, f"Too many parameters (max {MAX_FIELDS})")
    try:
        for part in parts:
            if not part:
                continue
            key, _, value = part.partition("=")
            key, value = _unquote(key), _unquote(value)
            if "\x00" in key or "\x00" in value:
                raise EmulatorError(400, 20001, "NUL characters are not allowed in parameters")
            bucket = out.get(key)
            if bucket is None:
                out[key] = [value]
            else:
                bucket.append(value)
    except UnicodeDecodeError:
        raise EmulatorError(400, 20001, "Malformed form or query string: invalid UTF-8") from None
    return out


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
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise invalid_param(name, raw, "expected true or false")

    def get_choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> Any:
        raw = self.get(name)
        if raw is None or raw == "":
            return default
        for choice in choices:
            if raw.lower() == choice.lower():
                return choice
        raise invalid_param(name, raw, f"must be one of {', '.join(choices)}")

    def get_datetime(self, name: str) -> datetime | None:
        """ISO 8601 date or datetime (``2024-01-02``, ``2024-01-02T03:04:05Z``), UTC."""
        raw = self.get(name)
        if raw is None or raw == "":
            return None
        return parse_iso(name, raw)

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


def parse_iso(name: str, raw: str) -> datetime:
    text = raw.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        if not 1970 <= value.astimezone(timezone.utc).year <= 9000:
            raise ValueError("out of range")
    except (ValueError, OverflowError):
        raise invalid_param(name, raw, "expected an ISO 8601 date (YYYY-MM-DD)") from None
    return value


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
