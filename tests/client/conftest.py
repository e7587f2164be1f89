"""Fixtures: a real local Twilio-shaped server and sync/async clients pointed at it.

Tests that take ``client`` or ``make_client`` run twice, once with
:class:`TwilioClient` and once with :class:`AsyncTwilioClient`; the body calls
operations through ``await maybe(...)`` so the same code drives both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from client_testkit import FakeTwilio, make_config

from twilio_connector import AsyncTwilioClient, TwilioClient


@pytest.fixture
def server() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., FakeTwilio]]:
    """Start extra servers with options (e.g. a short keep-alive timeout)."""
    started: list[FakeTwilio] = []

    def start(**options: Any) -> FakeTwilio:
        fake = FakeTwilio(**options).start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


ClientFactory = Callable[..., Any]


@pytest.fixture
async def make_client(kind: str, server: FakeTwilio) -> AsyncIterator[ClientFactory]:
    """``make_client(auth="token"|"api_key", base_url=..., on_retry=..., **config)``."""
    made: list[Any] = []

    def make(
        *,
        auth: str = "token",
        base_url: str | None = None,
        on_retry: Callable[..., None] | None = None,
        **config: Any,
    ) -> Any:
        cfg = make_config(base_url or server.url, auth=auth, **config)
        cls = TwilioClient if kind == "sync" else AsyncTwilioClient
        client = cls(cfg, on_retry=on_retry)
        made.append(client)
        return client

    yield make
    await _close(made)


@pytest.fixture
def client(make_client: ClientFactory) -> Any:
    return make_client()


async def _close(clients: list[Any]) -> None:
    for client in clients:
        if isinstance(client, TwilioClient):
            client.close()
        else:
            await client.aclose()


TWILIO_API = "http://api.twilio.com"
"""Twilio's API host (over plain HTTP so that the fake server can proxy it)."""


@pytest.fixture
async def proxied(kind: str, server: FakeTwilio) -> AsyncIterator[Callable[[], Any]]:
    """Clients configured for Twilio's own host whose HTTP goes through ``server`` as a
    proxy: what arrives there is the absolute URL the client chose (``messaging.twilio.com``
    ...). The transports are ours: the clients do not close what they were given."""
    made: list[Any] = []
    transports: list[httpx.Client | aiohttp.ClientSession] = []

    def make() -> Any:
        config = make_config(TWILIO_API)
        if kind == "sync":
            http = httpx.Client(proxy=server.url)
            transports.append(http)
            client: Any = TwilioClient(config, http_client=http)
        else:
            session = aiohttp.ClientSession(proxy=server.url)
            transports.append(session)
            client = AsyncTwilioClient(config, session=session)
        made.append(client)
        return client

    yield make
    await _close(made)
    for transport in transports:
        if isinstance(transport, httpx.Client):
            transport.close()
        else:
            await transport.close()
