"""``application/x-www-form-urlencoded``: the one encoder and the decoder in its two modes.

Twilio's parameters are PascalCase names; a list is the same name repeated; booleans are
``true``/``false``; date-times ISO 8601 UTC (``2024-01-02T03:04:05Z``), dates
``YYYY-MM-DD``; mappings JSON; ``None`` means "not sent" (the wire has no null).

Decoding, ``+`` is a space and ``%XX`` a byte; the bytes must be UTF-8. A ``%`` not followed
by two hex digits stays literal (as :func:`urllib.parse.parse_qsl` does), blank values are
kept, empty ``&&`` parts skipped. Two modes over one decoder:

* :func:`parse_form` (lenient, the listener's hot path): pairs in order, anything Twilio
  could send is accepted; only bytes that are not UTF-8 raise :class:`MalformedPayload`;
* :func:`parse_form_strict` (the emulator's requests): a multi-dict, and a bounded number of
  fields and no NUL characters, each refused with a clear :class:`MalformedPayload`.
"""

from __future__ import annotations

import binascii
import enum
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote_plus

from .dates import format_iso_datetime

__all__ = [
    "FORM_CONTENT_TYPE",
    "MAX_FIELDS",
    "MAX_NUMBERED",
    "ExtraParams",
    "MalformedPayload",
    "encode_form",
    "form",
    "form_value",
    "form_with_extra",
    "numbered_field",
    "numbered_params",
    "parse_form",
    "parse_form_strict",
    "to_bool",
    "to_float",
    "to_int",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 1000
"""The strict decoder's default cap on the number of fields."""
MAX_NUMBERED = 99
"""``Parameter1`` ... ``Parameter99``: the most name/value pairs a numbered list carries
(a REST Stream's custom parameters)."""


def numbered_field(prefix: str, n: int, part: str) -> str:
    """The wire name of part ``Name`` or ``Value`` of pair ``n`` (from 1): ``Parameter3.Name``."""
    return f"{prefix}{n}.{part}"


def numbered_params(
    prefix: str, pairs: Mapping[str, str] | Iterable[tuple[str, str]] | None
) -> list[tuple[str, str]]:
    """``{"a": "1"}`` as ``Parameter1.Name=a``, ``Parameter1.Value=1``; ``ValueError`` for
    more than :data:`MAX_NUMBERED` pairs or an empty name."""
    if pairs is None:
        return []
    items = list(pairs.items() if isinstance(pairs, Mapping) else pairs)
    if len(items) > MAX_NUMBERED:
        raise ValueError(f"at most {MAX_NUMBERED} {prefix.lower()}s, got {len(items)}")
    out: list[tuple[str, str]] = []
    for n, (name, value) in enumerate(items, 1):
        if not name:
            raise ValueError(f"{prefix} {n} has no name")
        out += [(numbered_field(prefix, n, "Name"), str(name)),
                (numbered_field(prefix, n, "Value"), str(value))]  # fmt: skip
    return out


class MalformedPayload(ValueError):
    """A body that cannot be decoded (bad UTF-8, bad percent-encoding, bad JSON)."""


# --------------------------------------------------------------------------- encoding


def form_value(value: Any) -> str:
    """One parameter value as Twilio reads it (see the module docstring)."""
    if isinstance(value, enum.Enum):  # str(StrMixin.member) would be "Cls.member"
        value = value.value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime):
        return format_iso_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return json.dumps(dict(value), separators=(",", ":"))
    return str(value)


def form(**params: Any) -> list[tuple[str, str]]:
    """Twilio form/query params from keyword arguments named as on the wire.

    ``None`` means "not given" (send ``""`` to clear a value). Lists, tuples and sets
    become repeated keys; every other value is written by :func:`form_value`.
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if type(value) is str:  # the common case, first
            pairs.append((key, value))
        elif isinstance(value, (list, tuple, set, frozenset)):
            pairs.extend((key, form_value(v)) for v in value)
        else:
            pairs.append((key, form_value(value)))
    return pairs


ExtraParams = Mapping[str, str | Sequence[str]]
"""Parameters Twilio added after this client was written, by their wire names, values as sent
(a sequence repeats the name): ``extra_params={"RiskCheck": "disable"}``."""


def form_with_extra(extra_params: ExtraParams | None, /, **params: Any) -> list[tuple[str, str]]:
    """:func:`form` of the typed ``params`` (wire names), then ``extra_params`` as given.

    An extra name that is one of ``params`` (in any case, even if that one is ``None``) raises
    ``ValueError``: use the typed argument. Names must be non-empty strings and values
    strings or sequences of strings (``TypeError`` otherwise); nothing is converted.
    """
    pairs = form(**params)
    if not extra_params:
        return pairs
    typed = {name.lower(): name for name in params}
    for name, value in extra_params.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"extra_params names are wire names (non-empty str), got {name!r}")
        if name.lower() in typed:
            raise ValueError(
                f"extra_params[{name!r}] is {typed[name.lower()]!r}, which a typed argument "
                "sends: use that keyword argument instead"
            )
        if isinstance(value, str):
            pairs.append((name, value))
        elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
            pairs.extend((name, v) for v in value)
        else:
            raise TypeError(
                f"extra_params[{name!r}] must be a str or a sequence of str (sent as given), "
                f"got {type(value).__name__}"
            )
    return pairs


_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
_FORM_ESCAPES = [
    chr(c) if c in _UNRESERVED else "+" if c == 32 else f"%{c:02X}" for c in range(128)
]
"""Every ASCII character's encoding, the unreserved ones too: ``str.translate`` is twice as
fast with a full table as with one that misses (each miss raises a ``LookupError``)."""


def _quote(text: str) -> str:
    """``quote_plus(text, safe="")`` with a fast path for ASCII (one C-level translate)."""
    if text.isascii():
        return text.translate(_FORM_ESCAPES)
    return quote_plus(text, safe="")


def encode_form(pairs: Iterable[tuple[str, str]]) -> str:
    """The encoded text, byte-for-byte what :func:`urllib.parse.urlencode` gives."""
    return "&".join([f"{_quote(k)}={_quote(v)}" for k, v in pairs])


# --------------------------------------------------------------------------- decoding

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
    """Lenient decoding: every ``(name, value)`` pair in order; raises
    :class:`MalformedPayload` only for bytes that are not UTF-8."""
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


def parse_form_strict(body: bytes | str, *, max_fields: int = MAX_FIELDS) -> dict[str, list[str]]:
    """Strict decoding: every value of each name, in order. Raises :class:`MalformedPayload`
    for more than ``max_fields`` fields, bytes that are not UTF-8 or a NUL character."""
    if not body:
        return {}
    separators = body.count(b"&") if isinstance(body, bytes) else body.count("&")
    if separators >= max_fields:
        raise MalformedPayload(f"Too many parameters (max {max_fields})")
    try:
        pairs = parse_form(body)
    except MalformedPayload:
        raise MalformedPayload("Malformed form or query string: invalid UTF-8") from None
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            raise MalformedPayload("NUL characters are not allowed in parameters")
        bucket = out.get(key)
        if bucket is None:
            out[key] = [value]
        else:
            bucket.append(value)
    return out


# --------------------------------------------------------------------------- lenient values


def to_int(value: str | None) -> int | None:
    """An integer parameter, or ``None`` when absent or not an integer."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def to_float(value: str | None) -> float | None:
    """A finite number, or ``None`` when absent, not a number, infinite or NaN."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def to_bool(value: str | None) -> bool | None:
    """``true``/``1``/``yes`` or ``false``/``0``/``no``/blank (any case); ``None`` otherwise."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no", ""):
        return False
    return None
