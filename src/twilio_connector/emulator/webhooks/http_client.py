"""A lean HTTP/1.1 client for webhook deliveries (keep-alive pool, httptools parser).

Why not aiohttp here: a delivery through ``aiohttp.ClientSession`` costs ~150 µs of CPU
(request/response objects, per-request timers, tracing hooks), this client ~25 µs, and the
emulator must sign and deliver several thousand callbacks a second on one core. It does
exactly what webhooks need: http and https (verified TLS, SNI), persistent connections
per (scheme, host, port), Twilio's timeouts (connect; read = first byte and between
packets; a total deadline), chunked or sized bodies (kept up to a limit), redirects.

Redirects follow the Fetch rules: credentials (``Authorization``, ``X-Twilio-Signature`` and
its settings, cookies) are never sent to another origin; a 303 (and a 301/302 after a POST)
becomes a GET without the body and without the headers that described it.

Errors are :class:`HttpError` subclasses carrying Twilio's debugger code (11205, 11200 ...).
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass
from typing import cast
from urllib.parse import urljoin, urlsplit

import httptools

from ...signature import SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER

__all__ = [
    "ConnectFailed",
    "HttpClient",
    "HttpError",
    "HttpResponse",
    "ReadTimeout",
]

_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 10
_BAD_URL_CHARS = frozenset(" \t\r\n\x00")
_CREDENTIAL_HEADERS = frozenset(
    h.lower()
    for h in ("Authorization", "Proxy-Authorization", "Cookie", SIGNATURE_HEADER,
              SIGNATURE_SETTINGS_HEADER)
)  # fmt: skip
_BODY_HEADERS = frozenset({"content-type", "content-encoding", "content-language"})


class HttpError(Exception):
    """No usable HTTP answer. ``category`` is Twilio's retry class (``ct``/``rt``)."""

    code = 11200
    category = "rt"


class InvalidUrl(HttpError):
    code = 11100
    category = "ct"


class ConnectFailed(HttpError):
    code = 11205
    category = "ct"


class DnsFailed(ConnectFailed):
    code = 11210


class TlsFailed(ConnectFailed):
    code = 11220


class CertificateInvalid(TlsFailed):
    code = 11237


class ReadTimeout(HttpError):
    code = 11200
    category = "rt"


class ProtocolViolation(HttpError):
    code = 11206
    category = "rt"


class TooManyRedirects(HttpError):
    code = 11215
    category = "4xx"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    host_header: str
    request_target: str

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def _parse_target(url: str) -> _Target:
    if any(ch in _BAD_URL_CHARS for ch in url):
        raise InvalidUrl("URL contains whitespace or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidUrl(f"unsupported URL {url[:100]!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidUrl("invalid port") from None
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    default = port == (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(parts.scheme, host, port, shown if default else f"{shown}:{port}", target)


class _Connection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_body: int) -> None:
        self.loop = loop
        self.max_body = max_body
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[None] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.read_timeout = 15.0
        self.deadline = 0.0
        self.closed = False
        self.got_bytes = False
        self._reset()

    def _reset(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.size = 0
        self.complete = False
        self.headers_done = False
        self.keep_alive = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        if self.waiter is not None:
            self._arm()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ProtocolViolation(f"invalid HTTP response: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        delimited = "content-length" in self.headers or "chunked" in self.headers.get(
            "transfer-encoding", ""
        )
        if self.headers_done and not self.complete and not delimited:
            self.on_message_complete()  # body delimited by the end of the connection
        if self.waiter is not None and not self.complete:
            self._fail(ConnectFailed("connection closed") if not self.got_bytes
                       else ProtocolViolation("connection closed mid-response"))  # fmt: skip

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.headers_done = True
        self.keep_alive = bool(self.parser.should_keep_alive())

    def on_body(self, body: bytes) -> None:
        if self.size <= self.max_body:
            self.body.append(body)
        self.size += len(body)

    def on_message_complete(self) -> None:
        self.complete = True
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # request cycle
    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        wait = min(self.read_timeout, self.deadline - self.loop.time())
        self.timer = self.loop.call_later(max(0.0, wait), self._timed_out)

    def _timed_out(self) -> None:
        self.timer = None
        self._fail(ReadTimeout("timeout waiting for the response"))
        if self.transport is not None:
            self.transport.abort()

    def _fail(self, exc: HttpError) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    async def exchange(self, request: bytes, read_timeout: float, deadline: float) -> None:
        assert self.transport is not None
        self._reset()
        self.got_bytes = False
        self.read_timeout = read_timeout
        self.deadline = deadline
        self.waiter = self.loop.create_future()
        self._arm()
        self.transport.write(request)
        await self.waiter

    @property
    def usable(self) -> bool:
        """Open (the transport may be closing before ``connection_lost`` has run)."""
        return not self.closed and self.transport is not None and not self.transport.is_closing()

    def reusable(self) -> bool:
        return self.complete and self.keep_alive and self.usable

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class HttpClient:
    """Sends requests over pooled keep-alive connections. Use from one event loop."""

    def __init__(self, max_idle_per_target: int = 64, max_body: int = 64 * 1024 + 1) -> None:
        self.max_idle = max_idle_per_target
        self.max_body = max_body
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._targets: dict[str, _Target] = {}
        self._ssl: ssl.SSLContext | None = None

    def _target(self, url: str) -> _Target:
        target = self._targets.get(url)
        if target is None:
            target = _parse_target(url)
            if len(self._targets) > 10_000:
                self._targets.clear()
            self._targets[url] = target
        return target

    async def request(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        *,
        connect_timeout: float,
        read_timeout: float,
        total_timeout: float,
    ) -> HttpResponse:
        """One request (following redirects) within ``total_timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + total_timeout
        if total_timeout <= 0:
            raise ReadTimeout("total timeout (tt) exhausted")
        for _ in range(_MAX_REDIRECTS + 1):
            response = await self._once(loop, method, url, headers, body, connect_timeout,
                                        read_timeout, deadline)  # fmt: skip
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or not location:
                return response
            target = urljoin(url, location)
            if self._target(target).key != self._target(url).key:
                headers = [(k, v) for k, v in headers if k.lower() not in _CREDENTIAL_HEADERS]
            url = target
            if (response.status == 303 and method not in ("GET", "HEAD")) or (
                response.status in (301, 302) and method == "POST"
            ):
                method, body = "GET", None
                headers = [(k, v) for k, v in headers if k.lower() not in _BODY_HEADERS]
        raise TooManyRedirects("too many redirects")

    async def _once(
        self,
        loop: asyncio.AbstractEventLoop,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        connect_timeout: float,
        read_timeout: float,
        deadline: float,
    ) -> HttpResponse:
        target = self._target(url)
        lines = [f"{method} {target.request_target} HTTP/1.1", f"Host: {target.host_header}"]
        lines.extend(f"{k}: {v}" for k, v in headers)
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        request = head + body if body else head
        for fresh in (False, True):
            conn = None if fresh else self._take_idle(target)
            if conn is None:
                conn = await self._connect(loop, target, connect_timeout, deadline)
                fresh = True
            try:
                await conn.exchange(request, read_timeout, deadline)
            except ConnectFailed:
                conn.close()
                if fresh:
                    raise
                continue  # a pooled connection the server had closed: retry on a new one
            except BaseException:
                conn.close()
                raise
            response = HttpResponse(conn.parser.get_status_code(), conn.headers,
                                    b"".join(conn.body)[: self.max_body], url)  # fmt: skip
            if conn.reusable():
                self._give_back(target, conn)
            else:
                conn.close()
            return response
        raise ConnectFailed("connection failed")  # pragma: no cover - loop always returns

    def _take_idle(self, target: _Target) -> _Connection | None:
        pool = self._idle.get(target.key)
        while pool:
            conn = pool.pop()
            if conn.usable:
                return conn
        return None

    def _give_back(self, target: _Target, conn: _Connection) -> None:
        pool = self._idle.setdefault(target.key, [])
        if len(pool) < self.max_idle:
            pool.append(conn)
        else:
            conn.close()

    async def _connect(
        self, loop: asyncio.AbstractEventLoop, target: _Target, timeout: float, deadline: float
    ) -> _Connection:
        wait = min(timeout, deadline - loop.time())
        if wait <= 0:
            raise ReadTimeout("total timeout exhausted")
        tls = None
        if target.scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            tls = self._ssl
        started = time.monotonic()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(loop, self.max_body), target.host, target.port, ssl=tls,
                    server_hostname=target.host if tls else None,
                ),
                wait,
            )  # fmt: skip
        except asyncio.TimeoutError:
            raise ConnectFailed(
                f"connect timeout after {time.monotonic() - started:.1f} s"
            ) from None
        except socket.gaierror as exc:
            raise DnsFailed(f"cannot resolve host: {exc.strerror}") from None
        except ssl.SSLCertVerificationError as exc:
            raise CertificateInvalid(f"certificate error: {exc.verify_message}") from None
        except ssl.SSLError as exc:
            raise TlsFailed(f"TLS handshake failed: {exc.reason}") from None
        except OSError as exc:
            raise ConnectFailed(f"connection failure: {exc.strerror or exc}") from None
        return conn

    def close(self) -> None:
        for pool in self._idle.values():
            for conn in pool:
                conn.close()
        self._idle.clear()
