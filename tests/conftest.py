"""Fixtures shared by every test directory: the webhook receiver, the emulator and SDK
clients on it, Twilio's OpenAPI spec. Helpers live in the ``support`` package."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest
from support.emulator import OWNED, OWNED_2
from support.openapi import MESSAGING_SPEC_PATH, OpenApi, load_openapi
from support.receiver import Receiver
from twilio.rest import Client

from twilio_connector.emulator import Emulator

# A suite started in the background by a non-interactive shell (`make test &`) inherits SIGINT
# ignored, and so would every child: the emulator and listener processes that tests stop with
# SIGINT, as Ctrl-C would, would then never stop. A handler here is reset to the default in
# each child, where Python turns SIGINT into KeyboardInterrupt again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# pytester (tests/testing_plugin runs pytest on small test files) must be enabled here: a
# conftest below the top level may not declare pytest_plugins.
pytest_plugins = ["pytester"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free port (closed after the test)."""
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def emulator_numbers() -> tuple[str, ...]:
    """The numbers the ``emu`` account owns; a directory's conftest may override this."""
    return (OWNED, OWNED_2)


@pytest.fixture
def emu(emulator_numbers: tuple[str, ...]) -> Iterator[Emulator]:
    """An in-memory emulator on a free port (fast timing), stopped after the test."""
    with Emulator(phone_numbers=emulator_numbers) as e:
        yield e


@pytest.fixture
def twilio(emu: Emulator) -> Client:
    """The official SDK pointed at ``emu``, signed in as its main account."""
    client: Client = emu.sdk_client()
    return client


@pytest.fixture(scope="session")
def openapi() -> OpenApi:
    return load_openapi()


@pytest.fixture(scope="session")
def openapi_messaging() -> OpenApi:
    """The messaging/v1 spec (Messaging Services)."""
    return load_openapi(MESSAGING_SPEC_PATH)
