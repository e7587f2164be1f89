"""The inbox's icon, drawn in code: a red ring on a transparent 32x32 square (the ring of the
header's logo), as a Windows ICO holding one 32-bit bitmap. Served at ``/favicon.ico``,
where browsers look for it, without credentials (it says nothing about the emulator).
"""

from __future__ import annotations

import math
import struct
from functools import cache

__all__ = ["CONTENT_TYPE", "SIZE", "favicon_ico"]

CONTENT_TYPE = "image/x-icon"
SIZE = 32
_RED = (0xF2, 0x2F, 0x46)  # the CSS --red of the inbox
_OUTER, _INNER = 15.0, 9.5  # ring radii in pixels


def _coverage(x: int, y: int) -> float:
    """How much of pixel (x, y) the ring covers (0..1), sampled 4x4 for smooth edges."""
    hits = 0
    centre = SIZE / 2
    for sy in range(4):
        for sx in range(4):
            d = math.hypot(x + (sx + 0.5) / 4 - centre, y + (sy + 0.5) / 4 - centre)
            hits += _INNER <= d <= _OUTER
    return hits / 16


@cache
def favicon_ico() -> bytes:
    """The ICO file: ICONDIR, one ICONDIRENTRY, a BITMAPINFOHEADER, BGRA rows bottom-up,
    then the (unused, all-zero) 1-bit AND mask."""
    red, green, blue = _RED
    pixels = bytearray()
    for y in reversed(range(SIZE)):  # bitmaps store the bottom row first
        for x in range(SIZE):
            alpha = round(255 * _coverage(x, y))
            pixels += bytes((blue, green, red, alpha))
    mask = bytes(((SIZE + 31) // 32) * 4 * SIZE)
    header = struct.pack("<IiiHHIIiiII", 40, SIZE, 2 * SIZE, 1, 32, 0, len(pixels), 0, 0, 0, 0)
    image = header + bytes(pixels) + mask
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image
