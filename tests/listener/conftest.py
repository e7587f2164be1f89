"""Fixtures: listeners with an inbox in tmp_path, served by real uvicorn on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from listener_testkit import TOKEN, http_client, listener_server
from pg_fixtures import pg_cluster, pg_url  # noqa: F401

from twilio_connector._asgi.server import ServerThread
from twilio_connector.listener import RedeliveryPolicy, TwilioListener

FAST_RETRY = RedeliveryPolicy(max_attempts=3, initial_delay=0.05, max_delay=0.2, jitter=0.0)
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once per inbox backend (request it, or ``usefixtures("backend")``)."""
    return str(request.param)


@pytest.fixture
def new_inbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Fresh inbox locations on the test's backend (SQLite unless it uses ``backend``)."""
    kind = request.getfixturevalue("backend") if "backend" in request.fixturenames else "sqlite"
    made: list[str] = []

    def make() -> str:
        if kind == "sqlite":
            location = str(tmp_path / f"inbox-{len(made) + 1}.sqlite3")
        else:
            location = request.getfixturevalue("pg_cluster").new_database()
        made.append(location)
        return location

    yield make
    if kind == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        for url in made:
            cluster.drop_database(url)


@pytest.fixture
def make_listener(new_inbox: Callable[[], str]) -> Callable[..., TwilioListener]:
    """Build listeners with test defaults (fast retries and polling, a fresh inbox)."""

    def make(**options: Any) -> TwilioListener:
        options.setdefault("auth_token", TOKEN)
        if "inbox_path" not in options:
            options.setdefault("inbox", new_inbox())
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("poll_interval", 0.05)
        options.setdefault("drain_timeout", 5.0)
        options.setdefault("lease_timeout", 3.0)
        return TwilioListener(**options)

    return make


@pytest.fixture
def start() -> Iterator[Callable[..., ServerThread]]:
    """Serve ASGI apps on free ports; every server is stopped (and drained) after the test."""
    servers: list[ServerThread] = []

    def run(app: Any, **options: Any) -> ServerThread:
        server = listener_server(app, **options)
        servers.append(server)
        return server

    yield run
    for server in reversed(servers):
        server.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with http_client() as client:
        yield client
