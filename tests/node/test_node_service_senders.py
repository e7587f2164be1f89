"""twilio-node on a Messaging Service's ShortCodes and AlphaSenders pools, and a send through
the service whose sender the pool picks (an alpha sender for a UK recipient)."""

from __future__ import annotations

import re

from support.emulator import OWNED
from support.node import NodeScripts
from twilio.rest import Client

from twilio_connector.emulator import Emulator


def test_short_codes_alpha_senders_and_a_send_through_the_pool(
    node: NodeScripts, emu: Emulator, twilio: Client
) -> None:
    service = twilio.messaging.v1.services.create(friendly_name="senders").sid
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    twilio.messaging.v1.services(service).phone_numbers.create(phone_number_sid=number)
    short_code = emu.add_short_code("55501")
    got = node("service_senders", {"serviceSid": service, "shortCodeSid": short_code.sid})

    assert (got["shortCode"]["sid"], got["shortCode"]["shortCode"]) == (short_code.sid, "55501")
    assert got["shortCode"]["serviceSid"] == service and got["shortCodes"] == ["55501"]
    alpha = got["alpha"]
    assert re.fullmatch(r"AI[0-9a-f]{32}", alpha["sid"]) and alpha["alphaSender"] == "Acme"
    assert got["alphaFetched"]["sid"] == alpha["sid"]
    assert got["secondAlpha"]["status"] == 400  # one alpha sender per service
    sent = got["sent"]
    assert (sent["status"], sent["from"], sent["messagingServiceSid"]) == (
        "accepted", None, service
    )  # fmt: skip
    emu.settle()
    assert twilio.messages(sent["sid"]).fetch().from_ == "Acme"  # alpha sender outside US/CA
    assert (got["removedAlpha"], got["removedShortCode"]) == (True, True)
    assert twilio.messaging.v1.services(service).alpha_senders.list() == []
