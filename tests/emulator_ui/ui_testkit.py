"""Helpers for the web inbox tests: numbers, a signed-in HTTP client, page helpers."""

from __future__ import annotations

import re

import httpx
from support.emulator import OWNED_2

from twilio_connector.emulator import Emulator

__all__ = ["HANDSET", "OWNED_WA", "UI", "csrf_of", "thread_of", "ui_http"]

UI = "/_emulator/ui"
OWNED_WA = OWNED_2  # the second owned number is a WhatsApp sender in these tests
HANDSET = "+15558675310"


def ui_http(emu: Emulator) -> httpx.Client:
    """An HTTP client signed in to the inbox (Basic auth, like the control plane)."""
    return httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, "the page has no inbound form"
    return match.group(1)


def thread_of(html: str) -> str:
    """The thread column of a messages page (without the sidebar and the webhooks)."""
    return html.split('id="thread"', 1)[1].split('class="side-hooks"', 1)[0]
