"""The ASGI toolkit: body limits, the lifespan, and uvicorn on a background thread.

Servers are real (uvicorn on 127.0.0.1, port 0) and are talked to over real sockets.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from uvicorn.protocols.http.h11_impl import H11Protocol

from twilio_connector._asgi import (
    BodyTooLarge,
    InvalidContentLength,
    Message,
    read_body,
    serve_lifespan,
)
from twilio_connector._asgi.server import ServerThread, bind_socket


class Feed:
    """An ASGI ``receive`` that hands out ``items`` in turn and counts what was taken."""

    def __init__(self, *items: Message) -> None:
        self.queue = list(items)
        self.taken = 0

    async def __call__(self) -> Message:
        self.taken += 1
        return self.queue.pop(0)


def chunk(body: bytes, more: bool = False) -> Message:
    return {"type": "http.request", "body": body, "more_body": more}


# -- read_body -----------------------------------------------------------------------------------


async def test_read_body_joins_the_chunks() -> None:
    receive = Feed(chunk(b"ab", True), chunk(b"", True), chunk(b"cd"))
    assert await read_body(receive, 4) == b"abcd"
    assert await read_body(Feed(chunk(b"whole")), 5, b"5") == b"whole"
    assert await read_body(Feed({"type": "http.request"}), 0) == b""


async def test_read_body_refuses_more_than_the_limit_as_soon_as_it_is_known() -> None:
    with pytest.raises(BodyTooLarge):
        await read_body(Feed(chunk(b"abcde")), 4)
    receive = Feed(chunk(b"ab", True), chunk(b"cd", True), chunk(b"e", True), chunk(b"f"))
    with pytest.raises(BodyTooLarge):
        await read_body(receive, 4)
    assert receive.taken == 3  # the rest is not read
    declared = Feed(chunk(b"x"))
    with pytest.raises(BodyTooLarge):
        await read_body(declared, 4, "5")
    assert declared.taken == 0  # refused on the header alone


@pytest.mark.parametrize("header", ["", "-1", "1.5", "0x10", " 3", b"12a"])
async def test_read_body_refuses_a_malformed_content_length(header: str | bytes) -> None:
    receive = Feed(chunk(b"abc"))
    with pytest.raises(InvalidContentLength):
        await read_body(receive, 100, header)
    assert receive.taken == 0


async def test_read_body_is_none_when_the_client_goes_away() -> None:
    assert await read_body(Feed({"type": "http.disconnect"}), 10) is None
    receive = Feed(chunk(b"ab", True), {"type": "http.disconnect"})
    assert await read_body(receive, 10) is None


# -- serve_lifespan ------------------------------------------------------------------------------


async def test_lifespan_runs_the_hooks_and_reports_failures() -> None:
    sent: list[Message] = []
    ran: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def startup() -> None:
        ran.append("startup")

    async def shutdown() -> None:
        ran.append("shutdown")

    receive = Feed({"type": "lifespan.startup"}, {"type": "lifespan.shutdown"})
    await serve_lifespan(receive, send, startup, shutdown)
    assert ran == ["startup", "shutdown"]
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

    async def broken() -> None:
        raise OSError("the inbox is locked")

    sent.clear()
    await serve_lifespan(Feed({"type": "lifespan.startup"}), send, broken)
    assert sent == [{"type": "lifespan.startup.failed", "message": "the inbox is locked"}]
    sent.clear()
    receive = Feed({"type": "lifespan.startup"}, {"type": "lifespan.shutdown"})
    await serve_lifespan(receive, send, None, broken)
    assert sent == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.failed", "message": "the inbox is locked"},
    ]


# -- ServerThread --------------------------------------------------------------------------------


class Echo:
    """Answers every request with its body (at most ``limit`` bytes, else 413); the
    lifespan hooks record that they ran."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self.events: list[str] = []
        self.release = threading.Event()  # /wait answers once this is set

    async def startup(self) -> None:
        self.events.append("startup")

    async def shutdown(self) -> None:
        self.events.append("shutdown")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send, self.startup, self.shutdown)
            return
        length = dict(scope["headers"]).get(b"content-length")
        try:
            body = await read_body(receive, self.limit, length)
        except BodyTooLarge:
            body, status = b"too large", 413
        else:
            status = 200
        if scope["path"] == "/wait":
            self.events.append("waiting")
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
        body = body or b""
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=20) as client:
        yield client


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except OSError:
        return True
    return False


def test_serves_on_a_free_port_and_stops_idempotently(http: httpx.Client) -> None:
    app = Echo()
    one = ServerThread(app, lifespan="on")
    two = ServerThread(app, lifespan="on")
    assert one.port and two.port and one.port != two.port
    assert one.url == f"http://127.0.0.1:{one.port}"
    with one, two:
        assert http.post(one.url + "/x", content=b"hello").content == b"hello"
        assert http.post(two.url + "/x", content=b"there").content == b"there"
        assert app.events == ["startup", "startup"]
    assert app.events == ["startup", "startup", "shutdown", "shutdown"]
    assert not one.running and refused(one.port) and refused(two.port)
    one.stop()  # again: nothing happens
    one.stop()
    assert app.events.count("shutdown") == 2
    with pytest.raises(RuntimeError, match="already started"):
        one.start()


def test_stop_before_start_releases_the_port() -> None:
    server = ServerThread(Echo())
    port = server.port
    server.stop()
    server.stop()
    bind_socket("127.0.0.1", port).close()  # the port is free again


def test_a_given_socket_is_served_and_closed(http: httpx.Client) -> None:
    sock = bind_socket("127.0.0.1", 0)
    with ServerThread(Echo(), sock=sock) as server:
        assert server.port == sock.getsockname()[1]
        assert http.post(server.url, content=b"on my socket").content == b"on my socket"
    assert sock.fileno() == -1


def test_body_limit_answers_413_over_a_real_socket(http: httpx.Client) -> None:
    with ServerThread(Echo(limit=8)) as server:
        assert http.post(server.url, content=b"12345678").status_code == 200
        too_big = http.post(server.url, content=b"123456789")
        assert (too_big.status_code, too_big.content) == (413, b"too large")

        def stream() -> Iterator[bytes]:  # chunked: no Content-Length to refuse it early
            yield b"12345"
            yield b"6789"

        assert http.post(server.url, content=stream()).status_code == 413


def test_a_failing_lifespan_startup_fails_start() -> None:
    class Broken(Echo):
        async def startup(self) -> None:
            raise OSError("no inbox")

    server = ServerThread(Broken(), lifespan="on")
    with pytest.raises(RuntimeError, match="failed to start"):
        server.start()
    assert refused(server.port)
    server.stop()


def test_setup_runs_on_the_server_loop_and_teardown_after_serving(http: httpx.Client) -> None:
    seen: dict[str, Any] = {}

    async def setup() -> Echo:
        seen["setup loop"] = asyncio.get_running_loop()
        return Echo()

    async def teardown() -> None:
        seen["teardown loop"] = asyncio.get_running_loop()
        seen["refused at teardown"] = refused(server.port)

    server = ServerThread(setup=setup, teardown=teardown)
    with server:
        assert seen["setup loop"] is server.loop
        assert http.post(server.url, content=b"set up").content == b"set up"
        assert "teardown loop" not in seen
    assert seen["teardown loop"] is seen["setup loop"]
    assert seen["refused at teardown"]
    with pytest.raises(RuntimeError, match="not running"):
        server.loop  # noqa: B018


def test_failing_setup_fails_start_and_still_tears_down() -> None:
    torn_down: list[bool] = []

    async def setup() -> Echo:
        raise ValueError("account_sid must start with AC")

    async def teardown() -> None:
        torn_down.append(True)

    server = ServerThread(setup=setup, teardown=teardown, name="the-app")
    with pytest.raises(RuntimeError, match="the-app failed to start: account_sid") as info:
        server.start()
    assert isinstance(info.value.__cause__, ValueError)
    assert torn_down == [True]
    assert refused(server.port)
    with pytest.raises(TypeError):
        ServerThread(Echo(), setup=setup)


def test_custom_protocol_class_is_used(http: httpx.Client) -> None:
    made: list[object] = []

    class Counted(H11Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            made.append(self)
            super().connection_made(transport)

    with ServerThread(Echo(), http=Counted) as server:
        assert http.post(server.url, content=b"via h11").content == b"via h11"
    assert len(made) == 1 and isinstance(made[0], Counted)


def test_stop_lets_a_request_in_flight_finish(http: httpx.Client) -> None:
    app = Echo()
    server = ServerThread(app).start()
    answers: list[httpx.Response] = []
    client = threading.Thread(
        target=lambda: answers.append(http.post(server.url + "/wait", content=b"late"))
    )
    client.start()
    try:
        while "waiting" not in app.events:  # the request is in the app
            client.join(0.01)
        stopping = threading.Thread(target=server.stop)
        stopping.start()
        app.release.set()
        stopping.join(30)
        client.join(30)
    finally:
        app.release.set()
        server.stop()
    assert not stopping.is_alive()
    assert [(a.status_code, a.content) for a in answers] == [(200, b"late")]
    assert refused(server.port)


def test_stop_closes_idle_keep_alive_connections() -> None:
    server = ServerThread(Echo()).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
            reply = b""
            while not reply.endswith(b"\r\n\r\nhi"):
                data = raw.recv(4096)
                assert data, reply
                reply += data
            assert reply.startswith(b"HTTP/1.1 200")
            server.stop()
            assert raw.recv(4096) == b""  # closed by the server, not left open
    finally:
        server.stop()
