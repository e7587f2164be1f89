"""Bounded cost of bad requests: field cap, slow heads and bodies, connection cap, deep JSON.

Real sockets throughout. Timeouts are configured short and the assertions only say that
the server closed a connection before a generous client-side deadline (behaviour, not
speed).
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from listener_testkit import (
    FORM,
    SERVER_OPTIONS,
    TOKEN,
    Recorder,
    post_signed,
    sid,
    signed_headers,
    sms_status,
)
from support.wait import wait_until

from twilio_connector._asgi.server import ServerThread
from twilio_connector._wire.forms import _unquote_long
from twilio_connector.listener import TwilioListener
from twilio_connector.listener.events import MalformedPayload, parse_form
from twilio_connector.listener.limits import ConnectionGuard, guarded_protocol
from twilio_connector.signature import body_sha256, compute_signature

CLOSE_WITHIN = 15.0  # client-side deadline; the server is configured to close far sooner


def _stored(listener: TwilioListener) -> int:
    with listener.open_inbox() as inbox:
        return len(inbox.records())


@pytest.fixture
def served(
    make_listener: Callable[..., TwilioListener], start: Callable[..., ServerThread]
) -> Callable[..., tuple[TwilioListener, Recorder, str]]:
    def serve(**options: Any) -> tuple[TwilioListener, Recorder, str]:
        rec = Recorder()
        listener = make_listener(**options)
        listener.on("*")(lambda e: rec.add(e.name, e))
        return listener, rec, start(listener.app).url

    return serve


# -- form field cap ------------------------------------------------------------------------------


def test_more_form_fields_than_the_cap_is_413_and_nothing_is_stored(
    served: Callable[..., tuple[TwilioListener, Recorder, str]], http: httpx.Client
) -> None:
    listener, rec, base = served()
    url = base + "/status"
    params = sms_status(sid("SM", 1), "delivered")
    padded = {**params, **{f"X{i}": "1" for i in range(501 - len(params))}}
    assert len(padded) == 501
    # correctly signed, still refused: the cap is decided before parsing or verifying
    response = http.post(url, data=padded, headers=signed_headers(url, padded))
    assert response.status_code == 413
    get_url = url + "?" + urlencode(padded)
    response = http.get(get_url, headers={"X-Twilio-Signature": compute_signature(TOKEN, get_url)})
    assert response.status_code == 413
    # 500 fields are fine
    exact = {**params, **{f"X{i}": "1" for i in range(500 - len(params))}}
    assert post_signed(http, url, exact).status_code == 200
    rec.wait(1)
    assert _stored(listener) == 1


def test_field_cap_is_configurable(
    served: Callable[..., tuple[TwilioListener, Recorder, str]], http: httpx.Client
) -> None:
    listener, _rec, base = served(max_form_fields=5)
    params = sms_status(sid("SM", 2), "delivered")  # 8 fields
    assert post_signed(http, base + "/status", params).status_code == 413
    assert _stored(listener) == 0


@pytest.mark.parametrize("form_cap", ["default", "raised"])
@pytest.mark.parametrize("shape", ["many fields", "one field", "escapes"])
def test_forged_one_mebibyte_bodies_get_4xx(
    served: Callable[..., tuple[TwilioListener, Recorder, str]],
    http: httpx.Client,
    shape: str,
    form_cap: str,
) -> None:
    size = 1024 * 1024
    raised = {"max_form_bytes": 2 * size} if form_cap == "raised" else {}
    listener, rec, base = served(auth_token=[TOKEN, "next-token"], **raised)
    if shape == "many fields":
        body = b"&".join(b"F%d=v" % i for i in range(200_000))[:size]
    elif shape == "one field":
        body = b"Body=" + b"x" * (size - 5)
    else:
        body = b"Body=" + b"%41" * ((size - 5) // 3)
    headers = {"X-Twilio-Signature": "A" * 28, **FORM}
    response = http.post(base + "/sms", content=body, headers=headers)
    # A form body over max_form_bytes (64 KiB) is refused unread; past a raised cap, the
    # field cap or the signature check refuses it.
    expected = 413 if form_cap == "default" or shape == "many fields" else 403
    assert response.status_code == expected
    assert _stored(listener) == 0 and rec.items == []


def test_declared_oversize_body_is_413_without_reading_it(
    served: Callable[..., tuple[TwilioListener, Recorder, str]], sockets: list[socket.socket]
) -> None:
    listener, _rec, base = served()
    s = _connect(
        int(base.rsplit(":", 1)[1]),
        sockets,
        b"POST /sms HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 2097152\r\nX-Twilio-Signature: " + b"A" * 28 + b"\r\n\r\n",
    )
    reply = _read_all(s)
    assert reply.startswith(b"HTTP/1.1 413") and b"connection: close" in reply.lower()
    assert _stored(listener) == 0


# -- slow clients ---------------------------------------------------------------------------------


class GuardedServer(ServerThread):
    """The listener under uvicorn with the guarded protocol, as ``run()`` serves it."""

    def __init__(self, app: Any, http: str, header_timeout: float, max_connections: int) -> None:
        protocol, self.guard = guarded_protocol(http, header_timeout, max_connections)
        super().__init__(app, http=protocol, name="guarded-listener", **SERVER_OPTIONS)
        self.start()


@pytest.fixture
def guarded(
    make_listener: Callable[..., TwilioListener],
) -> Iterator[Callable[..., tuple[TwilioListener, Recorder, GuardedServer]]]:
    servers: list[GuardedServer] = []

    def serve(
        http: str = "httptools", header_timeout: float = 0.5, max_connections: int = 1000, **kw: Any
    ) -> tuple[TwilioListener, Recorder, GuardedServer]:
        rec = Recorder()
        listener = make_listener(**kw)
        listener.on("*")(lambda e: rec.add(e.name, e))
        server = GuardedServer(listener.app, http, header_timeout, max_connections)
        servers.append(server)
        return listener, rec, server

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for s in opened:
        s.close()


def _connect(port: int, opened: list[socket.socket], first: bytes = b"") -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=CLOSE_WITHIN)
    opened.append(s)
    if first:
        s.sendall(first)
    return s


def _closed_by_server(s: socket.socket) -> bool:
    """Block (up to the socket timeout) until the server closes; False if it never does."""
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
            if b"HTTP/1.1 5" in data:  # a 5xx is not a close
                return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def _is_closed(s: socket.socket) -> bool:
    """Non-blocking: has the server closed ``s``?"""
    readable, _, _ = select.select([s], [], [], 0)
    if not readable:
        return False
    try:
        return s.recv(1, socket.MSG_PEEK) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def _read_all(s: socket.socket) -> bytes:
    """Everything until the server closes (or the socket timeout)."""
    reply = b""
    try:
        while chunk := s.recv(4096):
            reply += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return reply


PARTIAL = b"POST /status HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-"


@pytest.mark.parametrize("http_impl", ["httptools", "h11"])
def test_slow_request_heads_are_closed(
    guarded: Callable[..., tuple[TwilioListener, Recorder, GuardedServer]],
    sockets: list[socket.socket],
    http_impl: str,
) -> None:
    _listener, _rec, server = guarded(http=http_impl, header_timeout=0.5)
    partial_line = _connect(server.port, sockets, b"POST /sta")
    partial_head = _connect(server.port, sockets, PARTIAL)
    silent = _connect(server.port, sockets)
    for s in (partial_line, partial_head, silent):
        assert _closed_by_server(s)
    assert server.guard.closed_slow >= 3


@pytest.mark.parametrize("http_impl", ["httptools", "h11"])
def test_trickling_a_head_does_not_extend_the_deadline(
    guarded: Callable[..., tuple[TwilioListener, Recorder, GuardedServer]],
    sockets: list[socket.socket],
    http_impl: str,
) -> None:
    _listener, _rec, server = guarded(http=http_impl, header_timeout=0.5)
    s = _connect(server.port, sockets, b"P")
    deadline = time.monotonic() + CLOSE_WITHIN
    closed = False
    for byte in PARTIAL[1:] * 1000:
        if time.monotonic() > deadline:
            break
        try:
            s.send(bytes([byte]))
        except OSError:
            closed = True
            break
        if _is_closed(s):
            closed = True
            break
        time.sleep(0.02)
    assert closed


@pytest.mark.parametrize("http_impl", ["httptools", "h11"])
def test_keep_alive_connection_with_a_slow_second_head_is_closed(
    guarded: Callable[..., tuple[TwilioListener, Recorder, GuardedServer]],
    sockets: list[socket.socket],
    http_impl: str,
) -> None:
    _listener, rec, server = guarded(http=http_impl, header_timeout=0.5)
    url = server.url + "/status"
    params = sms_status(sid("SM", 3), "delivered")
    body = urlencode(params).encode()
    head = (
        f"POST /status HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        f"X-Twilio-Signature: {compute_signature(TOKEN, url, params)}\r\n\r\n"
    ).encode()
    s = _connect(server.port, sockets, head + body)
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 200")
    rec.wait(1)
    s.sendall(b"POST /status HTTP/1.1\r\nHo")
    assert _closed_by_server(s)


def test_slow_body_gets_408_and_is_closed(
    served: Callable[..., tuple[TwilioListener, Recorder, str]], sockets: list[socket.socket]
) -> None:
    listener, _rec, base = served(body_timeout=0.5)
    port = int(base.rsplit(":", 1)[1])
    s = _connect(
        port,
        sockets,
        b"POST /status HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
        b"\r\nContent-Length: 100\r\nX-Twilio-Signature: " + b"A" * 28 + b"\r\n\r\nMessageSid=",
    )
    reply = _read_all(s)
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert b"connection: close" in reply.lower()
    assert _stored(listener) == 0


def test_valid_callbacks_are_served_while_200_slow_connections_are_open(
    guarded: Callable[..., tuple[TwilioListener, Recorder, GuardedServer]],
    sockets: list[socket.socket],
    http: httpx.Client,
) -> None:
    listener, rec, server = guarded(header_timeout=60.0)
    slow = [_connect(server.port, sockets, PARTIAL) for _ in range(200)]
    url = server.url + "/status"
    for n in range(20):
        assert post_signed(http, url, sms_status(sid("SM", 100 + n), "delivered")).is_success
    rec.wait(20)
    assert not any(_is_closed(s) for s in slow)  # nothing had to give way
    assert _stored(listener) == 20


def test_over_the_connection_cap_the_oldest_waiting_connection_gives_way(
    guarded: Callable[..., tuple[TwilioListener, Recorder, GuardedServer]],
    sockets: list[socket.socket],
    http: httpx.Client,
) -> None:
    _listener, rec, server = guarded(header_timeout=60.0, max_connections=20)
    slow = []
    for _ in range(30):
        slow.append(_connect(server.port, sockets, PARTIAL))
        # wait for the server to have taken the connection, so the order is the arrival order
        assert wait_until(lambda: len(server.guard.open) + server.guard.evicted >= len(slow))
    url = server.url + "/status"
    assert post_signed(http, url, sms_status(sid("SM", 200), "delivered")).is_success
    rec.wait(1)
    # the ten oldest made room for the newer ones, one more for the valid request
    assert wait_until(lambda: all(_is_closed(s) for s in slow[:11]))
    assert not any(_is_closed(s) for s in slow[11:])


def test_guard_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        ConnectionGuard(0, 10)
    with pytest.raises(ValueError):
        ConnectionGuard(1.0, 0)
    with pytest.raises(ValueError):
        guarded_protocol("zttp", 1.0, 10)


APP = textwrap.dedent(
    """
    import os
    from twilio_connector.listener import TwilioListener

    listener = TwilioListener(os.environ["LIMITS_TOKEN"], inbox_path=os.environ["LIMITS_INBOX"])
    """
)


def test_cli_listen_closes_slow_heads(tmp_path: Path, sockets: list[socket.socket]) -> None:
    (tmp_path / "limits_app.py").write_text(APP)
    env = {
        **os.environ,
        "LIMITS_TOKEN": TOKEN,
        "LIMITS_INBOX": str(tmp_path / "inbox.sqlite3"),
    }
    code = "from twilio_connector.listener.cli import listen; listen()"
    args = ["limits_app:listener", "--port", "0", "--log-level", "error"]
    args += ["--header-timeout", "0.5", "--max-connections", "50", "--body-timeout", "5"]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://"), line
        base = line.split()[2]
        port = int(base.rsplit(":", 1)[1])
        s = _connect(port, sockets, b"POST /status HTTP/1.1\r\nHost: x\r\n")
        assert _closed_by_server(s)
        params = sms_status(sid("SM", 300), "delivered")
        with httpx.Client() as client:
            headers = signed_headers(f"{base}/status", params)
            response = client.post(f"{base}/status", data=params, headers=headers)
        assert response.status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# -- validly signed bodies that cannot be parsed -------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[" * 20_000 + b"]" * 20_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000, b'{"id": "\xff"}'],
    ids=["deep array", "deep object", "bad utf-8"],
)
def test_validly_signed_json_that_cannot_be_parsed_is_400(
    served: Callable[..., tuple[TwilioListener, Recorder, str]], http: httpx.Client, body: bytes
) -> None:
    listener, rec, base = served()
    url = f"{base}/events?bodySHA256={body_sha256(body)}"
    headers = {
        "X-Twilio-Signature": compute_signature(TOKEN, url),
        "Content-Type": "application/json",
    }
    response = http.post(url, content=body, headers=headers)
    assert response.status_code == 400
    assert _stored(listener) == 0 and rec.items == []


# -- the fast percent-decoder agrees with the standard library -------------------------------------

pieces = st.sampled_from(
    ["%", "%4", "%41", "%2B", "%3D", "%e2%82%ac", "%C3%A9", "%ff", "%zz", "=", "+", "a", "F",
     "3", "D", "\r\n", "é", "日本", "%%", "%=", "%3=", "h", "%hh"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(pieces, min_size=1, max_size=200), pad=st.integers(0, 300))
def test_long_component_decoder_matches_the_standard_library(parts: list[str], pad: int) -> None:
    text = "x" * pad + "".join(parts)
    try:
        expected: str | None = unquote_plus(text, errors="strict")
    except UnicodeDecodeError:
        expected = None
    try:
        got: str | None = _unquote_long(text)
    except UnicodeDecodeError:
        got = None
    assert got == expected
    body = f"k={text}&{quote('ké')}={text}".encode()
    try:
        want: list[tuple[str, str]] | None = parse_qsl(
            body.decode(), keep_blank_values=True, errors="strict"
        )
    except UnicodeDecodeError:
        want = None
    if want is None:
        with pytest.raises(MalformedPayload):
            parse_form(body)
    else:
        assert parse_form(body) == want


def test_large_valid_bodies_are_served_one_at_a_time_and_all_stored(
    served: Callable[..., tuple[TwilioListener, Recorder, str]],
) -> None:
    listener, rec, base = served()

    def post_batch(n: int) -> int:
        events = [
            {"id": f"ev-{n}-{i}", "type": "com.twilio.messaging.message.delivered",
             "data": {"messageSid": sid("SM", n * 1000 + i), "pad": "x" * 1000}}
            for i in range(100)
        ]  # fmt: skip
        body = json.dumps(events).encode()
        assert len(body) > 64 * 1024
        url = f"{base}/events?bodySHA256={body_sha256(body)}"
        headers = {
            "X-Twilio-Signature": compute_signature(TOKEN, url),
            "Content-Type": "application/json",
        }
        with httpx.Client(timeout=30) as client:
            return client.post(url, content=body, headers=headers).status_code

    results: list[int] = []
    threads = [threading.Thread(target=lambda n=n: results.append(post_batch(n))) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [200] * 6
    assert len({e.id for e in rec.wait(600)}) == 600
    with listener.open_inbox() as inbox:
        assert sum(inbox.counts().values()) == 600


def test_wsgi_413_carries_no_hop_by_hop_header(
    make_listener: Callable[..., TwilioListener], sockets: list[socket.socket]
) -> None:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from twilio_connector.listener import make_wsgi_app

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    listener = make_listener()
    server = make_server("127.0.0.1", 0, make_wsgi_app(listener), handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        s = _connect(
            server.server_port,
            sockets,
            b"POST /sms HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 2097152\r\n\r\n",
        )
        assert _read_all(s).startswith(b"HTTP/1.0 413")  # wsgiref would answer 500 otherwise
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        listener.close()
