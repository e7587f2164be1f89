"""One decoder per direction and protocol: a msgspec tagged union, a size limit, clear errors.

A message is decoded once, straight into its struct (msgspec picks the class from the tag).
Only when that fails is the text looked at again: an unknown tag becomes the protocol's
``Unknown`` (Twilio adds events; a receiver should skip, not crash), anything else is an
:class:`InvalidMessageError` naming the field from msgspec's ``- at `$.path``` suffix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import msgspec

from .errors import InvalidMessageError, Protocol

__all__ = ["MAX_MESSAGE_BYTES", "MessageDecoder", "encoder"]

MAX_MESSAGE_BYTES = 1 << 20
"""The largest message decoded by default (1 MiB: about 2 minutes of base64 μ-law)."""

_DETAIL_CHARS = 160
_AT = re.compile(r"\s+- at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"missing required field `(?P<name>[^`]+)`")

encoder = msgspec.json.Encoder()
_any = msgspec.json.Decoder(dict[str, Any])

M = TypeVar("M")
U = TypeVar("U")


def _field_of(message: str) -> tuple[str, str | None]:
    """msgspec's error text -> (what is wrong, the dotted wire path of the field)."""
    detail, path = message, ""
    at = _AT.search(message)
    if at:
        detail, path = message[: at.start()], at.group("path")
    missing = _MISSING.search(detail)
    if missing:
        path = f"{path}.{missing.group('name')}"
    field = path.lstrip(".") or None
    if len(detail) > _DETAIL_CHARS:
        detail = detail[:_DETAIL_CHARS] + "..."
    return detail, field


class MessageDecoder(Generic[M, U]):
    """Decode one direction of one protocol: ``decoder(text)`` -> a known message or ``U``."""

    def __init__(
        self,
        union: Any,
        *,
        protocol: Protocol,
        tag_field: str,
        unknown: Callable[[str, dict[str, Any]], U],
        malformed_code: int,
        invalid_code: int,
    ) -> None:
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(union)
        self._protocol: Protocol = protocol
        self._tag = tag_field
        self._unknown = unknown
        self._malformed = malformed_code
        self._invalid = invalid_code

    def __call__(
        self, data: str | bytes | bytearray | memoryview, *, max_bytes: int = MAX_MESSAGE_BYTES
    ) -> M | U:
        if len(data) > max_bytes:  # str: characters, at most 4 bytes each; both bounded
            raise self._error(f"a message is at most {max_bytes} bytes, got {len(data)}", None)
        try:
            message: M = self._decoder.decode(data)
        except msgspec.ValidationError as exc:
            return self._retry(data, str(exc))
        except msgspec.DecodeError as exc:
            raise self._error(f"not JSON ({exc})", None, code=self._malformed) from None
        except RecursionError:  # msgspec's guard against deep nesting ([[[[...)
            raise self._error("nested too deeply", None) from None
        return message

    def _retry(self, data: str | bytes | bytearray | memoryview, reason: str) -> U:
        detail, field = _field_of(reason)
        if field == self._tag and detail.startswith("Invalid value"):
            try:
                fields = _any.decode(data)  # valid JSON as far as the tag: read it whole
            except RecursionError:
                raise self._error("nested too deeply", None) from None
            except msgspec.DecodeError as exc:
                raise self._error(f"not JSON ({exc})", None, code=self._malformed) from None
            tag = fields.get(self._tag)
            if isinstance(tag, str):
                return self._unknown(tag, fields)
        if field is None and not detail.startswith("Object missing"):
            detail = f"{detail} (a message is a JSON object)"
        raise self._error(detail, field)

    def _error(self, detail: str, field: str | None, *, code: int | None = None) -> Exception:
        return InvalidMessageError(
            self._protocol, detail, field=field, code=self._invalid if code is None else code
        )
