"""Fixtures for the emulator tests (helpers live in ``emulator_testkit``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulator_testkit import OpenApi, Receiver, load_openapi
from twilio.rest import Client

from twilio_connector.emulator import Emulator


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


# -- the emulator and clients ------------------------------------------------------------------


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator(phone_numbers=("+15017122661", "+15017122662")) as e:
        yield e


@pytest.fixture
def twilio(emu: Emulator) -> Client:
    client = Client(emu.account_sid, emu.auth_token)
    client.api.base_url = emu.base_url
    return client


# -- OpenAPI response validation -------------------------------------------------------------


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return load_openapi()
