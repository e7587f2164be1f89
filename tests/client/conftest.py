"""Fixtures: a real local Twilio-shaped server and sync/async clients pointed at it.

Tests that take ``client`` or ``make_client`` run twice, once with
:class:`TwilioClient` and once with :class:`AsyncTwilioClient`; the body calls
operations through ``await maybe(...)`` so the same code drives both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

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
    for client in made:
        if isinstance(client, TwilioClient):
            client.close()
        else:
            await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> Any:
    return make_client()
