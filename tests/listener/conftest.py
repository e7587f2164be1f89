"""Fixtures: listeners with an inbox in tmp_path, served by real uvicorn on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from listener_testkit import TOKEN, ServerThread, http_client

from twilio_connector.listener import RetryPolicy, TwilioListener

FAST_RETRY = RetryPolicy(max_attempts=3, initial_delay=0.05, max_delay=0.2, jitter=0.0)


@pytest.fixture
def make_listener(tmp_path: Path) -> Callable[..., TwilioListener]:
    """Build listeners with test defaults (fast retries and polling, inbox in tmp_path)."""
    count = 0

    def make(**options: Any) -> TwilioListener:
        nonlocal count
        count += 1
        options.setdefault("auth_token", TOKEN)
        options.setdefault("inbox_path", tmp_path / f"inbox-{count}.sqlite3")
        options.setdefault("retry", FAST_RETRY)
        options.setdefault("poll_interval", 0.05)
        options.setdefault("drain_timeout", 5.0)
        return TwilioListener(**options)

    return make


@pytest.fixture
def start() -> Iterator[Callable[..., ServerThread]]:
    """Serve ASGI apps on free ports; every server is stopped (and drained) after the test."""
    servers: list[ServerThread] = []

    def run(app: Any, **options: Any) -> ServerThread:
        server = ServerThread(app, **options).start()
        servers.append(server)
        return server

    yield run
    for server in reversed(servers):
        server.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with http_client() as client:
        yield client
