"""Found by the new-user review of issue 12: the official SDK's async client on the emulator.

``emu.sdk_client(username, password, **options)`` took ``**options`` but passed none of them to
``twilio.rest.Client``: ``emu.sdk_client(http_client=AsyncTwilioHttpClient())``, the SDK's way
to get ``*_async`` methods, was a ``TypeError``. The options now reach the ``Client``, and the
async SDK runs a Verify flow and a Messaging Service against the emulator. (Not Content: the
SDK's async HTTP client, twilio 9.13, form-encodes the JSON body of ``contents.create_async``
under a JSON content type, which the emulator refuses with 400 as Twilio's JSON-only endpoint
would.)
"""

from __future__ import annotations

import asyncio

import pytest
from twilio.http.async_http_client import AsyncTwilioHttpClient

from twilio_connector.emulator import Emulator, sdk_client

# the official SDK's async client passes aiohttp a BasicAuth, which aiohttp deprecates (theirs)
pytestmark = [
    pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'auth' parameter is deprecated:DeprecationWarning"),
]

TO = "+12125550100"


def test_the_async_sdk_runs_verify_and_messaging_services(emu: Emulator) -> None:
    async def flow() -> tuple[str, str, str]:
        http = AsyncTwilioHttpClient()
        try:
            sdk = emu.sdk_client(http_client=http)
            assert sdk.http_client is http
            verify = await sdk.verify.v2.services.create_async(friendly_name="Async")
            started = await sdk.verify.v2.services(verify.sid).verifications.create_async(
                to=TO, channel="sms"
            )
            code = emu.verification_code(TO)
            check = await sdk.verify.v2.services(verify.sid).verification_checks.create_async(
                to=TO, code=code
            )
            service = await sdk.messaging.v1.services.create_async(friendly_name="Async")
            return started.status, check.status, service.sid
        finally:
            await http.close()

    started, checked, service = asyncio.run(flow())
    assert (started, checked) == ("pending", "approved")
    assert service.startswith("MG")


def test_options_reach_the_sdk_client_from_the_module_function_too(emu: Emulator) -> None:
    client = sdk_client(emu, user_agent_extensions=["review/1"])
    assert client.user_agent_extensions == ["review/1"]
