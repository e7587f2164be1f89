"""The webhook receiver: what tests point status callbacks, SmsUrl and TwiML URLs at.

A real HTTP server (uvicorn through :class:`~twilio_connector._asgi.server.ServerThread`)
on a free port that records every request and answers with the :class:`Reply` configured
for its path (200 with an empty ``text/xml`` body by default)::

    receiver.reply("/voice", twiml("<Say>hi</Say>"))
    receiver.reply("/flaky", Reply(500), Reply(200))   # in turn; the last one repeats
    ...
    (hit,) = receiver.wait_for(lambda hits: len(hits) >= 1)
    assert hit.form["CallStatus"] == "ringing"
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from twilio_connector._asgi import read_body
from twilio_connector._asgi.server import ServerThread

__all__ = ["Received", "Receiver", "Reply", "twiml"]

MAX_BODY = 16 * 1024 * 1024
HANG_FOR = 30.0  # a hanging reply is released by close() or after this long


@dataclass
class Received:
    method: str
    path: str  # path + query string, as requested
    headers: httpx.Headers  # names are case-insensitive
    body: bytes
    url: str  # full URL the sender used (what it signed)
    received_at: float

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml"
    hang: bool = False  # answer only once the receiver closes
    headers: dict[str, str] = field(default_factory=dict)
    require_auth: str | None = None  # expected Authorization header, else 401 challenge


def twiml(body: str) -> Reply:
    """A 200 whose body is ``<Response>{body}</Response>``."""
    return Reply(body=f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'.encode())


class Receiver:
    """Records every request (:attr:`requests`, oldest first) and answers as configured."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.replies: dict[str, list[Reply] | Reply] = {}
        self._lock = threading.Condition()
        self._release: asyncio.Event | None = None  # made on the server's loop
        self._server = ServerThread(
            self._app, lifespan="off", name="webhook-receiver", proxy_headers=False,
            timeout_graceful_shutdown=2,
        ).start()  # fmt: skip
        self.port = self._server.port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer requests to ``path`` with ``replies`` in turn (the last one repeats)."""
        with self._lock:
            self.replies[path] = list(replies) if len(replies) > 1 else replies[0]

    def wait_for(
        self, predicate: Callable[[list[Received]], bool], timeout: float = 10.0
    ) -> list[Received]:
        """Block until ``predicate(requests)`` holds; the requests then (AssertionError if
        it does not within ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.requests):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"receiver: condition not met; received {len(self.requests)}: "
                        f"{[r.path for r in self.requests]}"
                    )
                self._lock.wait(left)
            return list(self.requests)

    def at(self, path: str) -> list[Received]:
        """The requests to ``path`` (the query string aside)."""
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    def close(self) -> None:
        release = self._release
        if release is not None and self._server.running:
            self._server.loop.call_soon_threadsafe(release.set)
        self._server.stop()

    # -- on the server's loop ------------------------------------------------------------------

    def _reply_for(self, path: str) -> Reply:
        with self._lock:
            configured = self.replies.get(path)
            if configured is None:
                return Reply()
            if isinstance(configured, list):
                return configured.pop(0) if len(configured) > 1 else configured[0]
            return configured

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive, MAX_BODY)
        if body is None:
            return
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        host, port = scope["server"]
        headers = httpx.Headers(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        )
        received = Received(
            scope["method"],
            target,
            headers,
            body,
            f"http://{host}:{port}{target}",
            time.monotonic(),
        )
        reply = self._reply_for(urlsplit(target).path)
        with self._lock:
            self.requests.append(received)
            self._lock.notify_all()
        if reply.hang:
            if self._release is None:
                self._release = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._release.wait(), HANG_FOR)
        if reply.require_auth and headers.get("Authorization") != reply.require_auth:
            reply = Reply(401, b"", "text/plain", headers={"WWW-Authenticate": "Basic"})
        response_headers = [(b"content-type", reply.content_type.encode())]
        response_headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        response_headers.append((b"content-length", str(len(reply.body)).encode()))
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": response_headers}
        )
        await send({"type": "http.response.body", "body": reply.body})
