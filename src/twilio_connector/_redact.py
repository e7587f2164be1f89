"""Redaction of credentials in everything an error or a log line shows.

One :class:`Redactor` per client, built from its config's secrets (the auth token or API
secret and the base64 Basic credentials that carry it). It also blanks credentials it does
not know by shape: ``Basic <base64>`` and the password of ``scheme://user:password@``.
Text is always redacted *before* it is cut short, so a secret that starts just before a
cut cannot leak its first characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ResponseHeaders

__all__ = ["HIDDEN_HEADERS", "MASK", "Redactor", "shorten"]

MASK = "***"
HIDDEN_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "set-cookie2"}
)
"""Response headers an error never keeps."""

# a credential, not an English word: 12+ base64 characters with a digit, "+" or "/"
_BASIC = re.compile(r"(?i)\b(basic)\s+(?=[A-Za-z0-9+/]*[0-9+/])[A-Za-z0-9+/]{12,}={0,2}")
# Bounded repetitions and a scheme that starts a token: linear in the text's length (an
# unbounded scheme made a long run of letters cost O(n^2) in backtracking).
_URL_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s/?#@:]{0,256}):[^\s/?#@]{0,256}@"
)
_MAX_DEPTH = 32
_MAX_HEADERS = 200
_MAX_HEADER_VALUE = 2000


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (with an ellipsis). Redact first."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Redactor:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first: a secret that contains another is replaced whole.
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def text(self, text: str) -> str:
        """``text`` with every credential masked (cut a long text to a bound *before* this only
        when the result is then cut shorter still: see :meth:`bounded`)."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        if "://" in text and "@" in text:
            text = _URL_PASSWORD.sub(rf"\1:{MASK}@", text)
        if "asic" in text or "ASIC" in text:
            text = _BASIC.sub(rf"\1 {MASK}", text)
        return text

    def bounded(self, text: str, limit: int) -> str:
        """``text`` redacted and cut to ``limit`` characters, at a cost bounded by ``limit``:
        it is first cut to 64 times that, then redacted, then cut (a secret straddling the
        first cut lies beyond the second)."""
        return shorten(self.text(text[: limit * 64]), limit)

    def value(self, value: Any, depth: int = 0) -> Any:
        """A decoded JSON value with every string (keys too) redacted; nesting is bounded."""
        if isinstance(value, str):
            return self.text(value)
        if depth >= _MAX_DEPTH:
            return None
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, depth + 1) for v in value]
        return value

    def headers(self, headers: Mapping[str, str]) -> ResponseHeaders:
        """The response headers an error keeps: credentials dropped, values redacted."""
        kept: list[tuple[str, str]] = []
        for name, value in headers.items():
            if name.lower() in HIDDEN_HEADERS:
                continue
            kept.append((self.text(name), self.bounded(value, _MAX_HEADER_VALUE)))
            if len(kept) >= _MAX_HEADERS:
                break
        return ResponseHeaders(kept)
