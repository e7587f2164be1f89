"""Fixtures for the web inbox tests (helpers live in ``ui_testkit``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from ui_testkit import OWNED_WA, ui_http

from twilio_connector.client import TwilioClient
from twilio_connector.emulator import Emulator


@pytest.fixture
def emulator_numbers() -> tuple[str, ...]:
    return (OWNED, f"whatsapp:{OWNED_WA}")


@pytest.fixture
def receiver(receiver: Receiver) -> Receiver:
    """The shared receiver; ``/sms`` answers with a TwiML reply."""
    receiver.reply("/sms", twiml("<Message>Thanks, got it!</Message>"))
    return receiver


@pytest.fixture
def client(emu: Emulator) -> Iterator[TwilioClient]:
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as c:
        yield c


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with ui_http(emu) as h:
        yield h


@pytest.fixture
def sms_number(client: TwilioClient, receiver: Receiver) -> str:
    """The owned SMS number, its SmsUrl pointing at the receiver (which replies in TwiML)."""
    (number,) = client.incoming_phone_numbers.list(phone_number=OWNED)
    client.incoming_phone_numbers.update(number.sid, sms_url=receiver.url("/sms"))
    return OWNED
