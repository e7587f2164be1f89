"""Every retry is the client's own, so ``on_retry`` sees it: aiohttp's silent re-send of an
idempotent request on a keep-alive connection the server closed is off (httpx has none).

The server answers the first request of each connection and keeps it open, then closes the
connection without answering when a second request arrives on it: the client's pooled
connection fails after the request was written, exactly the case aiohttp retried by itself.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from client_testkit import MESSAGE_SID, ROOT, make_config, maybe, message

from twilio_connector import AsyncTwilioClient, OutcomeUnknownError, RetryEvent, TwilioClient

ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"


class OneRequestPerConnection:
    """A raw HTTP/1.1 server: one answered request per connection, then a silent close."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests: list[str] = []  # request lines, answered or not
        self.connections = 0
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._accept = threading.Thread(target=self._serve, daemon=True)
        self._accept.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._conns.append(conn)
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _read_request(self, conn: socket.socket, buffer: bytes) -> tuple[str, bytes] | None:
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        with self._lock:
            self.requests.append(lines[0])
        return lines[0], rest[length:]

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                first = self._read_request(conn, b"")
                if first is None:
                    return
                body = json.dumps(message()).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                self._read_request(conn, first[1])  # the next request: never answered
            except OSError:
                return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.sock.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._accept.join(5)
        for thread in self._threads:
            thread.join(5)


@pytest.fixture
def flaky() -> Iterator[OneRequestPerConnection]:
    server = OneRequestPerConnection()
    try:
        yield server
    finally:
        server.close()


def make(kind: str, url: str, events: list[RetryEvent], **kwargs: Any) -> Any:
    cls = TwilioClient if kind == "sync" else AsyncTwilioClient
    return cls(make_config(url), on_retry=events.append, **kwargs)


async def close(client: Any) -> None:
    await maybe(client.aclose() if isinstance(client, AsyncTwilioClient) else client.close())


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_retry_on_closed_keep_alive_is_ours(
    flaky: OneRequestPerConnection, kind: str
) -> None:
    events: list[RetryEvent] = []
    client = make(kind, flaky.url, events)
    try:
        first = await maybe(client.get_message(MESSAGE_SID))
        second = await maybe(client.get_message(MESSAGE_SID))
    finally:
        await close(client)
    assert first.sid == second.sid == MESSAGE_SID
    # the second GET went out on the kept-alive connection, failed, and was retried once:
    # by the client's policy, which told on_retry
    assert flaky.requests == [f"GET {ONE} HTTP/1.1"] * 3
    assert flaky.connections == 2
    assert [(e.method, e.attempt) for e in events] == [("GET", 1)]
    assert events[0].reason.startswith("protocol error")


async def test_user_session_retry_is_ours_too(flaky: OneRequestPerConnection) -> None:
    events: list[RetryEvent] = []
    async with aiohttp.ClientSession() as session:
        client = make("async", flaky.url, events, session=session)
        await client.get_message(MESSAGE_SID)
        await client.get_message(MESSAGE_SID)
    assert len(flaky.requests) == 3
    assert [e.attempt for e in events] == [1]


async def test_no_retry_budget_means_no_retry(flaky: OneRequestPerConnection) -> None:
    """With max_retries=0 nothing is re-sent at all (aiohttp would have re-sent it)."""
    events: list[RetryEvent] = []
    client = AsyncTwilioClient(
        make_config(flaky.url, max_retries=0, retry=None), on_retry=events.append
    )
    try:
        await client.get_message(MESSAGE_SID)
        with pytest.raises(Exception) as info:
            await client.get_message(MESSAGE_SID)
    finally:
        await client.aclose()
    assert not isinstance(info.value, OutcomeUnknownError)  # a GET is safe: a plain error
    assert len(flaky.requests) == 2
    assert events == []
