"""Fixtures of the CLI tests: one emulator per module and the environment pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_kit import OWNED, emulator_env

from twilio_connector.emulator import Emulator


@pytest.fixture(scope="module")
def cli_emu() -> Iterator[Emulator]:
    """One in-memory emulator (fast timing) for the module's tests."""
    with Emulator(phone_numbers=(OWNED,)) as emulator:
        yield emulator


@pytest.fixture
def env(cli_emu: Emulator) -> dict[str, str]:
    return emulator_env(cli_emu)
