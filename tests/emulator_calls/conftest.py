"""Fixtures for the voice-call emulator tests (helpers live in ``calls_testkit``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))

from calls_testkit import OWNED, OWNED_2
from emulator_testkit import OpenApi, Receiver, load_openapi
from twilio.rest import Client

from twilio_connector.emulator import Emulator


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(phone_numbers=(OWNED, OWNED_2)) as e:
        yield e


@pytest.fixture
def twilio(emu: Emulator) -> Client:
    client = Client(emu.account_sid, emu.auth_token)
    client.api.base_url = emu.base_url
    return client


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return load_openapi()
