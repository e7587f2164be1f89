"""Content templates through twilio-node (``client.content.v1``) on the emulator: what a
Node user writes per Twilio's docs works unchanged, end to end to a WhatsApp send."""

from __future__ import annotations

import re

from support.node import NodeScripts

from twilio_connector.emulator import Emulator

SANDBOX = "whatsapp:+14155238886"
USER = "whatsapp:+15551234567"


def test_templates_approval_and_a_send(node: NodeScripts, emu: Emulator) -> None:
    got = node("content", {"to": USER, "from": SANDBOX})
    created = got["created"]
    sid = created["sid"]
    assert re.fullmatch(r"HX[0-9a-f]{32}", sid)
    assert (created["friendlyName"], created["language"]) == ("order update", "en")
    assert created["types"]["twilio/quick-reply"]["actions"][0] == {"title": "Yes", "id": "yes"}
    assert created["url"] == f"{emu.base_url}/content/v1/Content/{sid}"
    assert got["fetched"]["sid"] == sid and got["listed"] == [sid]
    assert got["before"]["whatsapp"]["status"] == "unsubmitted"
    assert (got["approval"]["status"], got["approval"]["contentType"]) == (
        "approved",
        "twilio/quick-reply",
    )
    assert got["after"]["whatsapp"]["status"] == "approved"
    [listed] = got["withApprovals"]
    assert listed["approvalRequests"]["name"] == "order_update"
    assert got["legacy"] == []
    assert got["sent"]["body"] == "Hi Bo, was it on time?"
    assert got["delivered"]["status"] == "read"  # approved: outside the window too
    assert (got["invalid"]["status"], got["invalid"]["code"]) == (400, 20001)
    assert got["removed"] is True
    assert (got["afterRemove"]["status"], got["afterRemove"]["code"]) == (404, 20404)
