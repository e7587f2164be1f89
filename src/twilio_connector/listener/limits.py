"""Bounded cost of slow clients: a header timeout and connection cap, and a body deadline.

uvicorn (0.55) has no header timeout: ``timeout_keep_alive`` only runs between requests
and stops at the first byte of the next one, and ``limit_concurrency`` answers 503 only
once a request's headers are complete. A client that connects and then sends its head
slowly, or never, would hold its connection forever. :func:`guarded_protocol` subclasses
uvicorn's httptools or h11 protocol (used by :meth:`TwilioListener.run`):

* a connection must deliver each request head within ``header_timeout`` seconds of
  connecting, or of the response to its previous request; else it is closed. Trickling
  bytes does not extend the deadline;
* at most ``max_connections`` are open: a new connection first closes the one that has
  waited longest for its next request head (the new one itself if every other is
  mid-request), so slow clients cannot lock out Twilio.

:class:`BodyDeadlines` is the body deadline the ASGI app applies under any server: the
whole body within ``timeout`` seconds of the headers, else 408 and the connection is closed.
:class:`LargeBodies` makes the app answer bodies over :data:`LARGE_BODY` one at a time:
Twilio's form callbacks are a few KiB and Event Streams batches need no reply, so a flood
of large forged bodies queues behind itself instead of in front of small valid callbacks.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, cast

from twilio_connector._asgi import BodyTooLarge, InvalidContentLength, read_body
from twilio_connector.listener.core import BAD_REQUEST, TOO_LARGE, WebhookResponse

__all__ = [
    "LARGE_BODY",
    "TIMEOUT",
    "TOO_LARGE_CLOSE",
    "BodyDeadlines",
    "ConnectionGuard",
    "LargeBodies",
    "guarded_protocol",
]

LARGE_BODY = 64 * 1024
_CLOSE = (("connection", "close"),)  # ASGI only: WSGI forbids hop-by-hop headers
TOO_LARGE_CLOSE = WebhookResponse(413, TOO_LARGE.body, TOO_LARGE.content_type, _CLOSE)
"""413 before the body is read: the rest of it is not read either."""
TIMEOUT = WebhookResponse(408, b"request body not received in time\n", headers=_CLOSE)

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]


def _interval(timeout: float) -> float:
    """How often deadlines are checked: one timer per interval, none per request."""
    return min(1.0, timeout / 4)


class ConnectionGuard:
    """One server's connections, and those waiting for a request head (oldest first).

    Deadlines are checked by one periodic sweep, so a connection is closed between
    ``header_timeout`` and ``header_timeout`` + a quarter of it (at most 1 s) late.
    """

    def __init__(self, header_timeout: float, max_connections: int) -> None:
        if not header_timeout > 0 or max_connections < 1:
            raise ValueError("header_timeout must be positive and max_connections >= 1")
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self.open: set[asyncio.BaseProtocol] = set()
        # insertion order = deadline order (the timeout is the same for all)
        self.waiting: dict[asyncio.BaseProtocol, tuple[float, asyncio.Transport]] = {}
        self.closed_slow = 0  # connections closed by the header timeout
        self.evicted = 0  # connections closed to make room
        self._sweeper: asyncio.TimerHandle | None = None

    def admit(self, conn: asyncio.BaseProtocol, transport: asyncio.Transport) -> None:
        self.open.add(conn)
        self.wait(conn, transport)
        while len(self.open) > self.max_connections and self.waiting:
            self.evicted += 1
            self._close(next(iter(self.waiting)))

    def wait(self, conn: asyncio.BaseProtocol, transport: asyncio.Transport) -> None:
        """``conn`` waits for a request head: start its deadline (unless running)."""
        if conn in self.waiting or conn not in self.open or transport.is_closing():
            return
        loop = asyncio.get_running_loop()
        self.waiting[conn] = (loop.time() + self.header_timeout, transport)
        if self._sweeper is None:
            self._sweeper = loop.call_later(_interval(self.header_timeout), self._sweep)

    def headers_done(self, conn: asyncio.BaseProtocol) -> None:
        self.waiting.pop(conn, None)

    def lost(self, conn: asyncio.BaseProtocol) -> None:
        self.waiting.pop(conn, None)
        self.open.discard(conn)

    def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for conn, (deadline, _transport) in list(self.waiting.items()):
            if deadline > now:
                break
            self.closed_slow += 1
            self._close(conn)
        self._sweeper = (
            loop.call_later(_interval(self.header_timeout), self._sweep) if self.waiting else None
        )

    def _close(self, conn: asyncio.BaseProtocol) -> None:
        entry = self.waiting.pop(conn, None)
        self.open.discard(conn)
        if entry is not None:
            entry[1].close()


def guarded_protocol(
    http: str, header_timeout: float, max_connections: int
) -> tuple[type[asyncio.Protocol], ConnectionGuard]:
    """uvicorn's ``http`` protocol class (``"httptools"`` or ``"h11"``) with a guard."""
    guard = ConnectionGuard(header_timeout, max_connections)

    class Admitted(asyncio.Protocol):
        """Connections enter and leave the guard (mixed in before uvicorn's protocol)."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            guard.admit(self, cast(asyncio.Transport, transport))

        def connection_lost(self, exc: Exception | None) -> None:
            guard.lost(self)
            super().connection_lost(exc)

    if http == "httptools":
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        class GuardedHttpTools(Admitted, HttpToolsProtocol):
            def on_message_begin(self) -> None:
                super().on_message_begin()
                guard.wait(self, self.transport)

            def on_headers_complete(self) -> None:
                guard.headers_done(self)
                super().on_headers_complete()

            def on_response_complete(self) -> None:
                super().on_response_complete()
                if self.timeout_keep_alive_task is not None:  # idle until the next request
                    guard.wait(self, self.transport)

        return GuardedHttpTools, guard
    if http != "h11":
        raise ValueError(f"unsupported http implementation {http!r}")
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11(Admitted, H11Protocol):
        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is h11.IDLE:  # the head is not complete yet
                guard.wait(self, self.transport)
            else:
                guard.headers_done(self)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.timeout_keep_alive_task is not None and self.conn.their_state is h11.IDLE:
                guard.wait(self, self.transport)

    return GuardedH11, guard


class LargeBodies:
    """One semaphore per event loop: large bodies are handled one at a time."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate: asyncio.Semaphore | None = None

    def gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._gate is None or self._loop is not loop:
            self._loop, self._gate = loop, asyncio.Semaphore(1)
        return self._gate


async def _read(
    receive: Receive, limit: int, content_length: str | None
) -> bytes | WebhookResponse | None:
    try:
        return await read_body(receive, limit, content_length)
    except BodyTooLarge:
        return TOO_LARGE_CLOSE
    except InvalidContentLength:
        return BAD_REQUEST


class _Reads:
    """The body reads in flight on one event loop, swept by one timer."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.deadlines: dict[asyncio.Task[Any], float] = {}
        self.expired: set[asyncio.Task[Any]] = set()
        self.sweeper: asyncio.TimerHandle | None = None

    def arm(self, interval: float) -> None:
        if self.sweeper is None:
            self.sweeper = self.loop.call_later(interval, self.sweep, interval)

    def sweep(self, interval: float) -> None:
        self.sweeper = None
        now = self.loop.time()
        for task, deadline in list(self.deadlines.items()):
            if deadline <= now:
                del self.deadlines[task]
                self.expired.add(task)
                task.cancel()
        if self.deadlines:
            self.arm(interval)


class BodyDeadlines:
    """Body reads that outlive ``timeout`` are cancelled and answered 408.

    One periodic sweep per event loop instead of a timer per request (a timer costs
    about as much as the rest of reading a small body); a read ends between ``timeout``
    and ``timeout`` + a quarter of it (at most 1 s).
    """

    def __init__(self) -> None:
        self._reads: _Reads | None = None

    async def read(
        self, receive: Receive, limit: int, timeout: float, content_length: str | None = None
    ) -> bytes | WebhookResponse | None:
        """The request body; ``TOO_LARGE_CLOSE`` over ``limit`` bytes (as declared by
        ``content_length`` or as sent), ``BAD_REQUEST`` for a malformed ``content_length``,
        ``TIMEOUT`` after ``timeout`` seconds, None if the client disconnected."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - ASGI servers always run the app in a task
            return await _read(receive, limit, content_length)
        reads = self._reads
        if reads is None or reads.loop is not loop:
            reads = self._reads = _Reads(loop)
        reads.deadlines[task] = loop.time() + timeout
        reads.arm(_interval(timeout))
        try:
            return await _read(receive, limit, content_length)
        except asyncio.CancelledError:
            if task not in reads.expired:
                raise
            reads.expired.discard(task)
            if sys.version_info >= (3, 11):
                task.uncancel()
            return TIMEOUT
        finally:
            reads.deadlines.pop(task, None)
