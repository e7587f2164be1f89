"""``TwilioListener``: handlers + settings + the ASGI app (raw ASGI, no framework objects).

``listener.app`` (the listener itself is the ASGI callable) serves Twilio webhooks on every
path; mount it in Starlette/FastAPI or run it standalone with :meth:`TwilioListener.run`
(uvicorn). Started by the ASGI lifespan, by :meth:`start`, or lazily on the first request.
Under a framework that does not forward lifespan to mounted apps, use
``FastAPI(lifespan=listener.lifespan)`` (or call ``start``/``stop``) so that shutdown drains.

WebSocket scopes go to the realtime socket handlers registered by exact path
(``@listener.media_stream("/media")``, ``@listener.conversation_relay("/relay")``): the
handshake is checked with the listener's auth token(s) against the socket's URL, built like a
webhook's (``public_url`` with ``https`` -> ``wss``, or the forwarded headers when trusted);
any other path is refused (close 1008: HTTP 403).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import logging
import threading
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Mapping,
    MutableMapping,
    Sequence,
)
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from twilio_connector._asgi import serve_lifespan
from twilio_connector._extras import require
from twilio_connector._wire import FORM_CONTENT_TYPE
from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.core import (
    ACK,
    ACK_EMPTY,
    UNAVAILABLE,
    ListenerSettings,
    Runtime,
    WebhookRequest,
    WebhookResponse,
)
from twilio_connector.listener.dispatch import Delivery, RedeliveryPolicy
from twilio_connector.listener.inbox import (
    DEFAULT_INBOX_PATH,
    InboxLocation,
    InboxStore,
    open_store,
)
from twilio_connector.listener.limits import (
    LARGE_BODY,
    BodyDeadlines,
    ConnectionGuard,
    LargeBodies,
    guarded_protocol,
)
from twilio_connector.listener.loop_thread import LoopThread
from twilio_connector.listener.registry import HandlerRegistry, SocketRoute
from twilio_connector.listener.replies import reply_body
from twilio_connector.realtime.media_streams import MAX_MESSAGE_BYTES
from twilio_connector.realtime.sockets import HandshakeRejected, run_handler
from twilio_connector.realtime.sockets_handshake import (
    handshake_headers,
    request_path,
    ws_scheme,
)
from twilio_connector.signature import auth_tokens

__all__ = ["TwilioListener", "reply_body"]

log = logging.getLogger("twilio_connector.listener")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_ACK_HEADERS = ACK.asgi_headers()
_ACK_EMPTY_HEADERS = ACK_EMPTY.asgi_headers()
_CORE_HEADERS = frozenset(
    {
        b"content-type",
        b"content-length",
        b"host",
        b"x-twilio-signature",
        b"x-twilio-webhooks-signature-settings",
        b"i-twilio-idempotency-token",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"x-forwarded-port",
    }
)
_SAFE_PATH = "/:@!$&'()*+,;=~"


def _check_public_url(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            "public_url must be an http(s) base URL without query or fragment, "
            "e.g. https://example.ngrok.app or https://example.com/twilio"
        )
    return url


class TwilioListener(HandlerRegistry):
    """Verified, durable Twilio webhook listener.

    ``auth_token``: the account auth token, or several during a rotation (any may sign).
    ``shared_keys``: SharedKey secrets by key id (``{"webhooks_sharedkey_01": secret}``;
    several during a rotation): a request whose ``X-Twilio-Webhooks-Signature-Settings``
    names an algorithm is checked with the secret of its ``key=`` id and that algorithm
    (unknown id or algorithm: 403); requests without it with the auth token(s). A listener
    may have shared keys and no auth token.
    ``public_url``: the public base URL Twilio calls (``https://x.ngrok.app``, or with a path
    prefix that a proxy strips); the request path and query are appended to it. Without it
    the URL is the request's own, rebuilt from ``X-Forwarded-Proto/Host/Port`` only when
    ``trust_forwarded_headers`` is set. ``inbox``: where events are stored: a SQLite file
    path or ``sqlite:///path`` (default ``./twilio-connector-inbox.sqlite3``; ``":memory:"``
    is not durable; one listener process per file), or
    ``postgresql://user:password@host:port/db`` (any number of replicas; the ``postgres``
    extra). ``inbox_path`` is the older name of ``inbox``.
    ``max_body_bytes``: larger bodies get 413. ``validate_signatures=False`` accepts
    unsigned requests (tests only).

    Delivery: ``retry`` (backoff for failing handlers: first retry after about 1 s, dead
    letter after 5 failures by default); ``reply_timeout`` (how long an inbound message or
    call handler may take before an empty ``<Response/>`` goes back; Twilio waits 15 s);
    ``handler_timeout`` (seconds one attempt of a handler may take, 30 by default; a
    handler's own ``on(..., timeout=)`` overrides it; an attempt past it is a failure);
    ``drain_timeout`` (graceful shutdown: running handlers get this long, then they are
    cancelled and their events stay pending); ``max_concurrency`` (handlers running at once);
    ``handler_threads`` (pool for sync handlers); ``max_backlog`` (events held in memory,
    the rest wait in the inbox); ``ordering_delay`` (seconds a status event waits so that a
    late earlier status of the same SID can overtake it; 0 by default).

    Inbox: ``synchronous`` (SQLite ``NORMAL``: survives kill -9; ``FULL``: also power loss);
    ``retention`` (seconds done events are kept; dead letters are kept until replayed);
    ``dedup_window`` (SQLite: how many recent events duplicates are recognised against);
    ``dedup_ttl`` (PostgreSQL: seconds a duplicate is recognised, 24 h by default);
    ``lease_timeout`` (PostgreSQL: seconds after which the events held by a replica that
    stopped renewing are run by another); ``lock_timeout`` (SQLite: how long a second
    process waits for the one holding the file to stop, as in a rolling restart, before it
    gives up with :class:`~twilio_connector.listener.inbox.InboxBusyError`);
    ``poll_interval`` (how often replays and other replicas' work are picked up).

    Limits: ``max_form_fields`` (more fields in a form body or GET query: 413, decided
    before parsing); ``max_form_bytes`` (a form body larger than this, 64 KiB by default,
    gets 413 before it is read: Twilio's form callbacks are a few KiB; ``max_body_bytes``
    still bounds JSON bodies); ``body_timeout`` (seconds to receive the whole body once the headers
    are in, else 408 and the connection is closed). Bodies over 64 KiB are handled one at a
    time. :meth:`run` adds header timeouts and a connection cap.
    """

    def __init__(
        self,
        auth_token: str | Sequence[str] | None = None,
        public_url: str | None = None,
        inbox_path: str | Path | None = None,
        trust_forwarded_headers: bool = False,
        max_body_bytes: int = 1_048_576,
        *,
        inbox: str | Path | None = None,
        lease_timeout: float = 30.0,
        dedup_ttl: float = 86400.0,
        lock_timeout: float = 60.0,
        handler_timeout: float = 30.0,
        validate_signatures: bool = True,
        retry: RedeliveryPolicy | None = None,
        reply_timeout: float = 10.0,
        drain_timeout: float = 10.0,
        max_concurrency: int = 64,
        max_backlog: int = 10_000,
        ordering_delay: float = 0.0,
        handler_threads: int = 8,
        synchronous: str = "NORMAL",
        retention: float = 7 * 86400.0,
        poll_interval: float = 1.0,
        dedup_window: int = 100_000,
        shared_keys: Mapping[str, str] | None = None,
        max_form_fields: int = 500,
        max_form_bytes: int = 65_536,
        body_timeout: float = 10.0,
    ) -> None:
        super().__init__()
        tokens = auth_tokens(auth_token)
        keys = tuple((shared_keys or {}).items())
        if any(not isinstance(v, str) or not v for pair in keys for v in pair):
            raise ConfigurationError("shared key ids and secrets must be non-empty strings")
        if validate_signatures and not tokens and not keys:
            raise ConfigurationError(
                "no auth token: pass auth_token=... (or shared_keys=...), or "
                "validate_signatures=False to accept unsigned requests (never in production)"
            )
        if min(max_form_fields, max_form_bytes) < 1 or not body_timeout > 0:
            raise ConfigurationError(
                "max_form_fields and max_form_bytes must be >= 1, body_timeout positive"
            )
        if dedup_window < 2:
            raise ConfigurationError("dedup_window must be at least 2")
        if min(max_body_bytes, max_concurrency, max_backlog, handler_threads) < 1:
            raise ConfigurationError(
                "max_body_bytes, max_concurrency, max_backlog and handler_threads must be >= 1"
            )
        if min(reply_timeout, poll_interval) <= 0 or min(drain_timeout, ordering_delay) < 0:
            raise ConfigurationError("timeouts and intervals must be positive")
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ConfigurationError("synchronous must be OFF, NORMAL, FULL or EXTRA")
        if inbox is not None and inbox_path is not None:
            raise ConfigurationError("pass inbox= or inbox_path=, not both")
        if min(lease_timeout, dedup_ttl, handler_timeout) <= 0 or lock_timeout < 0:
            raise ConfigurationError(
                "lease_timeout, dedup_ttl and handler_timeout must be positive"
            )
        where = inbox if inbox is not None else inbox_path
        location = InboxLocation.parse(str(where) if where is not None else DEFAULT_INBOX_PATH)
        self.settings = ListenerSettings(
            tokens=tokens,
            validate_signatures=validate_signatures,
            public_url=_check_public_url(public_url),
            trust_forwarded_headers=trust_forwarded_headers,
            max_body_bytes=max_body_bytes,
            inbox=location,
            lease_timeout=lease_timeout,
            dedup_ttl=dedup_ttl,
            lock_timeout=lock_timeout,
            handler_timeout=handler_timeout,
            synchronous=synchronous,
            retry=retry or RedeliveryPolicy(),
            reply_timeout=reply_timeout,
            drain_timeout=drain_timeout,
            max_concurrency=max_concurrency,
            max_backlog=max_backlog,
            ordering_delay=ordering_delay,
            handler_threads=handler_threads,
            retention=retention,
            poll_interval=poll_interval,
            dedup_window=dedup_window,
            shared_keys=keys,
            max_form_fields=max_form_fields,
            max_form_bytes=max_form_bytes,
            body_timeout=body_timeout,
        )
        self._runtime: Runtime | None = None
        self._stopped = False  # stop() was called: requests get 503 until start() again
        self._start_lock: asyncio.Lock | None = None
        self._bridge: LoopThread | None = None
        self._bridge_lock = threading.Lock()
        self._large_bodies = LargeBodies()
        self._body_deadlines = BodyDeadlines()

    def __repr__(self) -> str:  # never shows the tokens or shared key secrets
        s = self.settings
        keys = f", shared_keys={[k for k, _ in s.shared_keys]!r}" if s.shared_keys else ""
        return f"TwilioListener(public_url={s.public_url!r}, inbox={s.inbox.display!r}{keys})"

    @property
    def app(self) -> TwilioListener:
        """The ASGI application (the listener itself)."""
        return self

    @property
    def inbox_path(self) -> str:
        """Where the inbox is, without any password (a file path or a PostgreSQL URL)."""
        return self.settings.inbox.display

    @property
    def running(self) -> bool:
        return self._runtime is not None

    def use_inbox(self, location: str | Path) -> None:
        """Store events at ``location`` instead (before the listener starts)."""
        if self._runtime is not None:
            raise ConfigurationError("the listener is running: stop it before changing its inbox")
        parsed = InboxLocation.parse(str(location))
        self.settings = dataclasses.replace(self.settings, inbox=parsed)

    def open_inbox(self) -> InboxStore:
        """A separate connection to this listener's inbox (list, replay); close it after use."""
        return open_store(self.settings.inbox)

    def replay(self, ids: Sequence[int] | None = None) -> int:
        """Make dead letters (or the given ids) pending again; a running listener picks them up."""
        with self.open_inbox() as inbox:
            return inbox.replay(ids)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Open the inbox, resume pending events and start dispatching (idempotent)."""
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            self._stopped = False
            if self._runtime is None:
                runtime = Runtime(self.settings, self, reply_body)
                await runtime.start()
                self._runtime = runtime

    async def stop(self) -> None:
        """Drain running handlers (up to ``drain_timeout``), record their results, close."""
        self._stopped = True
        runtime, self._runtime = self._runtime, None
        if runtime is not None:
            await runtime.stop()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: object = None) -> AsyncIterator[None]:
        """``FastAPI(lifespan=listener.lifespan)`` / Starlette ``lifespan=`` helper."""
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def handle(self, request: WebhookRequest) -> WebhookResponse:
        """Answer one request (starting the listener if needed); adapters call this."""
        runtime = self._runtime or await self._lazy_start()
        if runtime is None:
            return UNAVAILABLE
        return await runtime.handle(request)

    async def _lazy_start(self) -> Runtime | None:
        """Start on first use; None once :meth:`stop` was called or if starting failed."""
        if self._stopped:
            return None
        try:
            await self.start()
        except Exception:
            log.exception("listener failed to start")
            return None
        return self._runtime

    # ------------------------------------------------------------------ ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            deferred: list[Delivery] = []
            try:
                response = await self._http(scope, receive, deferred)
            except Exception:  # a bug must not become a 500: Twilio would retry blindly
                log.exception("webhook request failed")
                response = UNAVAILABLE
            if response is None:
                return  # the client went away before sending its body
            if response is ACK_EMPTY:
                headers = _ACK_EMPTY_HEADERS
            elif response is ACK:
                headers = _ACK_HEADERS
            else:
                headers = response.asgi_headers()
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            await send({"type": "http.response.body", "body": response.body})
            runtime = self._runtime
            if deferred and runtime is not None and runtime.dispatcher is not None:
                try:
                    for d in deferred:  # the 2xx is out: run the handlers on this task
                        await runtime.dispatcher.run_here(d)
                except asyncio.CancelledError:
                    pass  # shutting down: the answer went out and the event stays pending
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            route = self._route_for(scope)
            if route is None:
                await send({"type": "websocket.close", "code": 1008})
            else:
                await self._socket(route, scope, receive, send)

    def _route_for(self, scope: Scope) -> SocketRoute | None:
        path = str(scope.get("path", "/"))
        route = self.socket_route(path)
        root = str(scope.get("root_path", ""))
        if route is None and root and path.startswith(root):  # mounted under a prefix
            route = self.socket_route(path[len(root) :] or "/")
        return route

    async def _socket(self, route: SocketRoute, scope: Scope, receive: Receive, send: Send) -> None:
        s = self.settings
        try:
            socket = await route.socket.accept(
                scope,
                receive,
                send,
                auth_token=s.tokens,
                public_url=self._socket_url(scope),
                verify=s.validate_signatures,
            )
        except HandshakeRejected:
            return
        await run_handler(route.handler, socket)

    def _socket_url(self, scope: Scope) -> str | None:
        """The socket's public URL without its query, or None: rebuilt from the request."""
        s = self.settings
        path = request_path(scope)
        if s.public_url is not None:
            base = s.public_url.rstrip("/")
            scheme, sep, rest = base.partition("://")
            return f"{ws_scheme(scheme)}{sep}{rest}{path}"
        if not s.trust_forwarded_headers:
            return None
        headers = handshake_headers(scope)
        host = _first(headers.get("x-forwarded-host")) or headers.get("host")
        if not host:
            return None
        proto = _first(headers.get("x-forwarded-proto")) or str(scope.get("scheme", "ws"))
        scheme = ws_scheme(proto)
        port = _first(headers.get("x-forwarded-port"))
        has_port = ":" in host.rsplit("]", 1)[-1]
        if port and not has_port and {"wss": "443", "ws": "80"}.get(scheme) != port:
            host = f"{host}:{port}"
        return f"{scheme}://{host}{path}"

    async def _http(
        self, scope: Scope, receive: Receive, deferred: list[Delivery]
    ) -> WebhookResponse | None:
        # Only the headers the core reads are decoded (ASGI names are lowercase already);
        # a repeated header is joined with ", ".
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            if raw_name in _CORE_HEADERS:
                name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
        limit = self.settings.max_body_bytes
        if headers.get("content-type", "").startswith(FORM_CONTENT_TYPE):
            limit = min(limit, self.settings.max_form_bytes)
        body = await self._body_deadlines.read(
            receive, limit, self.settings.body_timeout, headers.get("content-length")
        )
        if not isinstance(body, bytes):
            return body  # too large, too slow (408) or the client went away (None)
        raw_path = scope.get("raw_path")
        if raw_path:
            path = raw_path.decode("latin-1").split("?", 1)[0]
        else:
            path = quote(scope.get("root_path", "") + scope.get("path", "/"), safe=_SAFE_PATH)
        request = WebhookRequest(
            scope["method"],
            scope.get("scheme", "http"),
            headers.get("host"),
            path,
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            body,
        )
        runtime = self._runtime or await self._lazy_start()
        if runtime is None:
            return UNAVAILABLE
        if len(body) > LARGE_BODY:  # one at a time, after the small ones already waiting
            async with self._large_bodies.gate():
                await asyncio.sleep(0)
                return await runtime.handle(request, deferred)
        return await runtime.handle(request, deferred)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await serve_lifespan(receive, send, self._start_for_lifespan, self.stop)

    async def _start_for_lifespan(self) -> None:
        try:
            await self.start()
        except ConfigurationError as exc:  # a clear cause: no traceback
            log.error("listener failed to start: %s", exc)
            raise
        except Exception:
            log.exception("listener failed to start")
            raise

    # ------------------------------------------------------------------ standalone

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 8080,
        *,
        log_level: str = "info",
        on_bind: Callable[[str, int], None] | None = None,
        header_timeout: float = 10.0,
        max_connections: int = 1000,
        body_timeout: float | None = None,
    ) -> None:
        """Serve with uvicorn (httptools + uvloop when installed) until SIGINT/SIGTERM.

        ``port=0`` picks a free port; ``on_bind(host, port)`` is told the bound address.
        ``header_timeout``: seconds a connection has to send each request head (from
        connecting, or from its previous response), else it is closed. ``max_connections``:
        over it, the connection that has waited longest for a request head is closed
        (see :mod:`.limits`). ``body_timeout`` replaces the listener's setting when given.
        """
        import uvicorn

        from twilio_connector._asgi import server as asgi_server

        if body_timeout is not None:
            if not body_timeout > 0:
                raise ConfigurationError("body_timeout must be positive")
            self.settings = dataclasses.replace(self.settings, body_timeout=body_timeout)
        sockets = bool(self.socket_routes)
        if sockets:
            require("realtime", "websockets")
        try:
            protocol, guard = guarded_protocol(
                _pick("httptools", "h11"), header_timeout, max_connections
            )
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if sockets:
            protocol = _upgrading(protocol, guard)

        sock = asgi_server.bind_socket(host, port)
        bound = sock.getsockname()[1]
        config = uvicorn.Config(
            self,
            lifespan="on",
            loop=_pick("uvloop", "asyncio"),
            http=protocol,
            # webhooks only: no websocket stack in memory; with socket handlers the
            # sans-I/O websockets implementation (the legacy one is deprecated)
            ws="websockets-sansio" if sockets else "none",
            ws_max_size=MAX_MESSAGE_BYTES,
            ws_per_message_deflate=False,
            interface="asgi3",
            access_log=False,
            proxy_headers=False,
            server_header=False,
            date_header=False,
            log_level=log_level,
            timeout_graceful_shutdown=int(self.settings.drain_timeout) + 1,
        )
        sock.listen(config.backlog)  # connections made once on_bind was told are queued
        if on_bind is not None:
            on_bind(host, bound)
        log.info("twilio listener on http://%s:%d (inbox %s)", host, bound, self.inbox_path)
        listener = self

        class Server(asgi_server.Server):
            def handle_exit(self, sig: int, frame: Any) -> None:
                # The drain starts now: handlers get drain_timeout from here, not from the
                # lifespan shutdown that uvicorn sends once connections have closed.
                runtime = listener._runtime
                if runtime is not None and runtime.dispatcher is not None:
                    runtime.dispatcher.begin_drain(listener.settings.drain_timeout)
                super().handle_exit(sig, frame)

        Server(config).run(sockets=[sock])

    # ------------------------------------------------------------------ sync bridge

    def handle_sync(self, request: WebhookRequest, timeout: float = 30.0) -> WebhookResponse:
        """Answer from a synchronous (WSGI) thread: the core runs on a background loop thread."""
        bridge = self._bridge
        if bridge is None:
            with self._bridge_lock:
                if self._stopped:
                    return UNAVAILABLE
                if self._bridge is None:
                    self._bridge = LoopThread("twilio-listener-loop")
                    self._bridge.call(self.start())
                bridge = self._bridge
        try:
            return bridge.call(self.handle(request), timeout)
        except (concurrent.futures.TimeoutError, RuntimeError):
            log.error("webhook not answered within %.0fs (or the loop stopped)", timeout)
            return UNAVAILABLE

    def close(self) -> None:
        """Stop the background loop used by :meth:`handle_sync` (drains handlers first)."""
        with self._bridge_lock:
            bridge, self._bridge = self._bridge, None
        if bridge is not None:
            try:
                bridge.call(self.stop(), self.settings.drain_timeout + 5)
            finally:
                bridge.shutdown()


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    return value.split(",", 1)[0].strip() or None


def _upgrading(protocol: type[asyncio.Protocol], guard: ConnectionGuard) -> type[asyncio.Protocol]:
    """``protocol`` that leaves the connection guard when it upgrades to a WebSocket: the
    HTTP protocol's ``connection_lost`` never runs after the switch, and a socket is not a
    connection waiting for a request head."""

    class Upgrading(protocol):  # type: ignore[misc, valid-type]
        def handle_websocket_upgrade(self, *args: Any) -> None:
            guard.lost(self)
            super().handle_websocket_upgrade(*args)

    return Upgrading


def _pick(preferred: str, fallback: str) -> str:
    try:
        __import__(preferred)
    except ImportError:
        return fallback
    return preferred
