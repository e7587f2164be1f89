"""``emu.sdk_client()`` / ``point_sdk``: the official Python SDK reaches the emulator even
where the environment names a Twilio edge or region (which the SDK would fold into the host)."""

from __future__ import annotations

import pytest

from twilio_connector.emulator import Emulator


def test_the_sdk_helper_clears_edge_and_region(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    client = emu.sdk_client()
    assert (client.edge, client.region) == (None, None)
    assert client.api.v2010.accounts(emu.account_sid).fetch().sid == emu.account_sid
    services = client.messaging.v1.services.list()
    assert services == []
