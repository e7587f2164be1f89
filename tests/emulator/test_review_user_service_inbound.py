"""Found by the new-user review of issue 12: inbound to a Messaging Service without an
inbound URL.

Twilio's spec (the description of ``messaging.v1.service.inbound_request_url``) and
TWILIO.md §17.2/§17.6 say a ``null`` inbound URL disables inbound: the message is dropped,
neither stored (not in the Messages list or the web inbox) nor delivered.
"""

from __future__ import annotations

from twilio.rest import Client

from twilio_connector.emulator import Emulator

OWNED = "+15017122661"
HANDSET = "+14155550100"


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
