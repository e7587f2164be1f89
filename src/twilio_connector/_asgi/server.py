"""The server side of the toolkit: uvicorn on a background thread, stopped at once.

uvicorn (0.55) stops slowly on purpose: ``Server.main_loop`` looks at ``should_exit``
every 0.1 s and ``Server.shutdown`` sleeps 0.1 s before it even looks at the
connections. A test suite starts and stops hundreds of servers, so :class:`Server`
overrides those two public methods: the main loop also wakes when :meth:`Server.wake` is
called, and a server with no request in flight closes its listeners and idle
connections and runs the lifespan shutdown without the fixed pause; with a request in
flight it is uvicorn's own graceful shutdown. Nothing else of uvicorn is replaced:
``Config`` builds the protocol (a custom ``http=`` class included) and ``Server.serve``
runs the lifespan and the startup.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import uvicorn

from .app import ASGIApp, Hook

__all__ = ["Server", "ServerThread", "bind_socket", "new_event_loop"]

_TICK = 0.1  # uvicorn's: default headers (Date) refreshed, should_exit looked at
_IDLE_CLOSE = 0.1  # how long closed idle connections get to report that they are gone


# -- serving ----------------------------------------------------------------------------------


def bind_socket(
    host: str = "127.0.0.1", port: int = 0, backlog: int | None = None
) -> socket.socket:
    """A TCP socket bound to ``host:port`` (IPv6 when ``host`` has a colon; port 0: a free
    one), listening when ``backlog`` is given. Made with ``IPPROTO_TCP`` so that asyncio
    sets ``TCP_NODELAY`` on the connections it accepts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        if backlog is not None:
            sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def new_event_loop(kind: str = "auto") -> asyncio.AbstractEventLoop:
    """A new event loop: ``"uvloop"``, ``"asyncio"``, or ``"auto"`` (uvloop when installed)."""
    if kind not in ("auto", "uvloop", "asyncio"):
        raise ValueError(f"unknown event loop {kind!r} (auto, uvloop or asyncio)")
    if kind != "asyncio":
        try:
            import uvloop
        except ImportError:  # pragma: no cover - uvloop is a dependency off Windows
            if kind == "uvloop":
                raise
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


class Server(uvicorn.Server):
    """``uvicorn.Server`` that stops at once: see the module docstring."""

    def __init__(
        self, config: uvicorn.Config, on_serving: Callable[[], None] | None = None
    ) -> None:
        super().__init__(config)
        self._on_serving = on_serving
        self._loop: asyncio.AbstractEventLoop | None = None
        self._woken: asyncio.Event | None = None

    async def main_loop(self) -> None:
        """uvicorn's loop (``on_tick`` every 0.1 s) that also ends when woken."""
        self._loop = asyncio.get_running_loop()
        self._woken = woken = asyncio.Event()
        if self._on_serving is not None:
            self._on_serving()
        for counter in itertools.count():
            if await self.on_tick(counter % 864_000):
                return
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(woken.wait(), _TICK)

    def wake(self) -> None:
        """Set ``should_exit`` and end the main loop now (from any thread)."""
        self.should_exit = True
        loop, woken = self._loop, self._woken
        if loop is not None and woken is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(woken.set)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop accepting, close idle connections; uvicorn's graceful shutdown only when a
        request is still in flight."""
        state = self.server_state
        for server in self.servers:
            server.close()
        for connection in list(state.connections):
            connection.shutdown()  # an idle keep-alive connection closes now
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _IDLE_CLOSE
        while state.connections and not state.tasks and loop.time() < deadline:
            await asyncio.sleep(0.001)  # connection_lost comes on a later iteration
        if state.connections or state.tasks:
            await super().shutdown(sockets)
            return
        for sock in sockets or ():
            sock.close()
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


class ServerThread:
    """An ASGI app served by uvicorn on its own event loop in a daemon thread.

    ``app`` is the application, or ``setup``: a coroutine function run on the server's
    loop before serving that returns it (state that must live on that loop);
    ``teardown`` runs there after the server stopped (also when ``setup`` or the startup
    failed). ``sock``: an already bound socket (the server closes it), else one is bound
    to ``host:port`` (port 0: a free one) at construction, so :attr:`port` and
    :attr:`url` are known at once. ``loop``: ``"auto"`` (uvloop when installed),
    ``"uvloop"`` or ``"asyncio"``. Other keywords go to ``uvicorn.Config`` (``lifespan``,
    ``http`` with a name or a protocol class, ``timeout_graceful_shutdown`` ...); the
    defaults differ in ``log_level="warning"``, ``access_log=False`` and
    ``interface="asgi3"``.

    :meth:`start` returns once the server accepts connections (RuntimeError if it could
    not start); :meth:`stop` stops it, runs ``teardown`` and joins the thread; it may be
    called any number of times, also before :meth:`start`.
    """

    def __init__(
        self,
        app: ASGIApp | None = None,
        *,
        setup: Callable[[], Awaitable[ASGIApp]] | None = None,
        teardown: Hook | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        sock: socket.socket | None = None,
        loop: str = "auto",
        name: str = "asgi-server",
        **config: Any,
    ) -> None:
        if (app is None) == (setup is None):
            raise TypeError("pass app or setup, not both")
        self._app, self._setup, self._teardown = app, setup, teardown
        self._loop_kind = loop
        self.name = name
        # interface: uvicorn's guess takes a bound method (an app's handler) for ASGI 2
        self._options: dict[str, Any] = {
            "log_level": "warning", "access_log": False, "interface": "asgi3", **config
        }  # fmt: skip
        self._sock = sock if sock is not None else bind_socket(host, port)
        bound = self._sock.getsockname()
        self.host: str = bound[0] if sock is not None else host
        self.port: int = bound[1]
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._ready = threading.Event()
        self._stopping = threading.Event()
        # Set once the loop thread is done: waiting on this rather than Thread.join matters,
        # as a Ctrl-C landing inside join() can make the thread look finished while it
        # still runs (bpo-45274), and the process would exit mid-shutdown.
        self._finished = threading.Event()
        self._error: BaseException | None = None
        self._used = False

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The server's event loop (to run coroutines there: ``run_coroutine_threadsafe``)."""
        if self._loop is None or self._finished.is_set():
            raise RuntimeError(f"{self.name} is not running")
        return self._loop

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    def start(self, timeout: float = 15.0) -> ServerThread:
        with self._lock:
            if self._used:
                raise RuntimeError(f"{self.name} was already started (make a new one)")
            self._used = True
            self._loop = new_event_loop(self._loop_kind)
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError(f"{self.name} did not start within {timeout} s")
        error = self._error
        if error is not None:
            self.stop()
            raise RuntimeError(f"{self.name} failed to start: {_describe(error)}") from error
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop serving (requests in flight get ``timeout_graceful_shutdown``), run
        ``teardown`` and join the thread. Idempotent."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._used = True
            self._stopping.set()
        if thread is None:
            if not self._finished.is_set():
                self._sock.close()  # never started
            return
        server = self._server
        if server is not None:
            server.wake()
        if not self._finished.wait(timeout):
            raise RuntimeError(f"{self.name} did not stop within {timeout} s")
        thread.join(1.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server has stopped (or ``timeout``); True if it has."""
        return self._finished.wait(timeout)

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- on the server's thread --------------------------------------------------------------

    def _run(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._main())
        finally:
            try:
                _cancel_remaining(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                self._sock.close()
                loop.close()
                self._ready.set()
                self._finished.set()

    async def _main(self) -> None:
        try:
            app = self._app if self._setup is None else await self._setup()
            assert app is not None
            server = Server(uvicorn.Config(app, **self._options), on_serving=self._ready.set)
            self._server = server
            if self._stopping.is_set():  # stop() came while setting up: start, then stop
                server.should_exit = True
            await server.serve(sockets=[self._sock])
            if not server.started:
                raise RuntimeError("uvicorn did not start (see its log)")
        except BaseException as exc:  # SystemExit: uvicorn's exit on a failed lifespan startup
            if self._ready.is_set():
                raise
            self._error = exc
        finally:
            if self._teardown is not None:
                await self._teardown()


def _describe(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return "the application's lifespan startup failed (see the log)"
    return str(error) or type(error).__name__


def _cancel_remaining(loop: asyncio.AbstractEventLoop) -> None:
    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
