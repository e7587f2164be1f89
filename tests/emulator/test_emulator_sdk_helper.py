"""``emu.sdk_client()`` / ``point_sdk``: the official Python SDK reaches the emulator even
where the environment names a Twilio edge or region (which the SDK would fold into the host)."""

from __future__ import annotations

import httpx
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


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/messaging/v1/Services/MG" + "0" * 32, "/v1/Services/MG" + "0" * 32),
        ("/verify/v2/Services/VA" + "0" * 32, "/v2/Services/VA" + "0" * 32),
        ("/content/v1/Content/HX" + "0" * 32, "/v1/Content/HX" + "0" * 32),
    ],
)
def test_a_404_on_a_product_host_names_the_path_as_that_host_has_it(
    emu: Emulator, path: str, named: str
) -> None:
    """Twilio serves these on their own hosts (``verify.twilio.com/v2/...``): the emulator's
    path prefix is not part of the message."""
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        answer = http.get(path)
    assert (answer.status_code, answer.json()["code"]) == (404, 20404)
    assert answer.json()["message"] == f"The requested resource {named} was not found"
    messages = f"/2010-04-01/Accounts/{emu.account_sid}/Messages/SM{'0' * 32}.json"
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        assert messages in http.get(messages).json()["message"]
