"""``/favicon.ico``: a real ICO drawn in code, served without credentials, cached."""

from __future__ import annotations

import struct

import httpx
import pytest
from ui_testkit import UI

from twilio_connector.emulator import Emulator


def test_favicon_is_a_32px_icon_with_a_cache_header(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.base_url) as anon:  # browsers ask before any login
        r = anon.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/x-icon"
    assert "max-age=86400" in r.headers["cache-control"]
    ico = r.content
    reserved, kind, count = struct.unpack_from("<HHH", ico, 0)
    assert (reserved, kind, count) == (0, 1, 1)
    width, height, _, _, planes, bits, size, offset = struct.unpack_from("<BBBBHHII", ico, 6)
    assert (width, height, planes, bits) == (32, 32, 1, 32)
    assert offset == 22 and offset + size == len(ico)
    header, bmp_w, bmp_h = struct.unpack_from("<Iii", ico, offset)
    assert (header, bmp_w, bmp_h) == (40, 32, 64)  # XOR bitmap + AND mask

    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        row = 31 - y  # bottom-up rows
        b, g, r_, a = ico[offset + 40 + (row * 32 + x) * 4 : offset + 40 + (row * 32 + x) * 4 + 4]
        return r_, g, b, a

    assert pixel(16, 16)[3] == 0  # the centre of the ring is transparent
    assert pixel(0, 0)[3] == 0  # and so is the corner
    assert pixel(16, 3) == (0xF2, 0x2F, 0x46, 255)  # the ring is the inbox's red


@pytest.mark.parametrize("params", [{}, {"view": "calls"}, {"view": "search", "q": "x"}])
def test_pages_link_the_icon(http: httpx.Client, params: dict[str, str]) -> None:
    assert '<link rel="icon" href="/favicon.ico"' in http.get(UI, params=params).text


def test_the_error_page_links_it_too(http: httpx.Client) -> None:
    r = http.get(UI, params={"view": "nope"})
    assert r.status_code == 400 and '<link rel="icon" href="/favicon.ico"' in r.text
