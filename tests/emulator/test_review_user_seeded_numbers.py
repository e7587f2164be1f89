"""Found by the new-user review of issue 12: a UK mobile number the emulator is started with
(``Emulator(phone_numbers=...)``, ``--phone-number``, the plugin's ``twilio_emulator_numbers``)
was seeded as a *local* number, and UK local numbers are voice only: it showed
``capabilities.sms`` false, and a Messaging Service never picked it for UK recipients
(country-code geomatch, TWILIO.md §17.4) but sent from the US number of the pool, although
sending from it directly worked. A UK number starting ``+447`` is a mobile, as one bought
through ``AvailablePhoneNumbers/GB/Mobile`` is: voice and SMS.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twilio_connector import TwilioClient
from twilio_connector.emulator import Emulator

US, UK, UK_LANDLINE = "+14155550001", "+447700900003", "+442071838750"


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(phone_numbers=(US, UK, UK_LANDLINE)) as emulator:
        yield emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[TwilioClient]:
    with TwilioClient(account_sid=emu.account_sid, auth_token=emu.auth_token,
                      base_url=emu.base_url) as client:  # fmt: skip
        yield client


def test_a_seeded_uk_mobile_can_send_sms(client: TwilioClient) -> None:
    numbers = {n.phone_number: n.capabilities for n in client.incoming_phone_numbers.list()}
    assert (numbers[UK].voice, numbers[UK].sms) == (True, True)
    assert (numbers[UK_LANDLINE].voice, numbers[UK_LANDLINE].sms) == (True, False)
    assert numbers[US].sms


def test_a_service_sends_to_the_uk_from_its_uk_mobile(emu: Emulator, client: TwilioClient) -> None:
    service = client.messaging_services.create("Geomatch")
    pool = client.messaging_services.phone_numbers(service.sid)
    for number in client.incoming_phone_numbers.list():
        if number.phone_number in (US, UK):
            pool.add(number.sid)
    to_uk = client.send_sms(None, "+447700900999", "hi", messaging_service_sid=service.sid)
    to_us = client.send_sms(None, "+12125551234", "hi", messaging_service_sid=service.sid)
    emu.settle()
    assert client.get_message(to_uk.sid).from_ == UK
    assert client.get_message(to_us.sid).from_ == US


def test_a_voice_only_number_cannot_send_sms(client: TwilioClient) -> None:
    """Twilio refuses a ``From`` that cannot send messages (21606); the emulator delivered
    an SMS from a UK landline, whose capabilities it lists as voice only."""
    from twilio_connector import InvalidRequestError

    with pytest.raises(InvalidRequestError) as refused:
        client.send_sms(UK_LANDLINE, "+447700900999", "hi")
    assert refused.value.code == 21606
