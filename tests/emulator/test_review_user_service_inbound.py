"""Found by the new-user review of issue 12: inbound to a Messaging Service without an
inbound URL.

Twilio's spec (``messaging.v1.service.inbound_request_url``: "When this property is ``null``,
receiving inbound messages is disabled. All messages sent to the Twilio phone number or short
code will not be logged and received on the Account") and TWILIO.md §17.2/§17.6 ("``null`` =
inbound disabled (not logged, not delivered)"; "service with ``inbound_request_url=null`` ->
dropped") say the message is dropped. The emulator stores it (``received``, in the Messages
list and the web inbox) and only skips the webhook.
"""

from __future__ import annotations

import pytest
from twilio.rest import Client

from twilio_connector.emulator import Emulator

OWNED = "+15017122661"
HANDSET = "+14155550100"


@pytest.mark.xfail(
    strict=True,
    reason="emulator/messages/inbound.py stores an inbound message to a pooled number whose "
    "service has inbound_request_url null; Twilio drops it unlogged (spec, TWILIO.md §17.2)",
)
def test_inbound_to_a_service_without_an_inbound_url_is_not_logged(
    emu: Emulator, twilio: Client
) -> None:
    service = twilio.messaging.v1.services.create(friendly_name="no inbound")
    assert service.inbound_request_url is None and not service.use_inbound_webhook_on_number
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    twilio.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=number)

    emu.simulate_inbound_message(HANDSET, OWNED, "anyone there?")
    emu.settle()

    assert twilio.messages.list(from_=HANDSET) == []
