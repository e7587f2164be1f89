"""SMS segment counting (GSM 03.38 default alphabet vs UCS-2), as carriers and Twilio do it.

GSM-7: 160 septets in one segment, 153 per segment when concatenated; extension-table
characters cost two septets. A single character outside GSM-7 switches the whole message
to UCS-2: 70 UTF-16 code units in one segment, 67 per segment; characters outside the BMP
cost two units. An escape pair or a surrogate pair is never split across two segments.
"""

from __future__ import annotations

__all__ = ["Encoding", "count_segments", "encoding_of"]

from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM_SINGLE, _GSM_MULTI = 160, 153
_UCS_SINGLE, _UCS_MULTI = 70, 67


def encoding_of(text: str) -> Encoding:
    """``"GSM-7"`` if every character is in the GSM 03.38 basic or extension table."""
    for ch in text:
        if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION:
            return "UCS-2"
    return "GSM-7"


def _pack(costs: list[int], single: int, multi: int) -> int:
    total = sum(costs)
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:  # never split a 2-unit character
            segments += 1
            used = 0
        used += cost
    return segments


def count_segments(text: str) -> int:
    """Number of SMS segments ``text`` needs (0 for an empty body)."""
    if not text:
        return 0
    if text.isascii() and text.isprintable() and "`" not in text:
        # Fast path: printable ASCII minus backtick is GSM-7; extension chars cost 2.
        n = len(text) + sum(text.count(ch) for ch in "^{}\\[~]|\f")
        if n <= _GSM_SINGLE:
            return 1
    if encoding_of(text) == "GSM-7":
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return _pack(costs, _GSM_SINGLE, _GSM_MULTI)
    costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return _pack(costs, _UCS_SINGLE, _UCS_MULTI)
