"""Serve your own WSGI app (Flask, Django ...) on a free port for a test, so that the
emulator's webhooks (status callbacks, inbound messages, voice URLs) can reach it.

::

    with serve_wsgi(create_app()) as app_url:
        twilio_emulator.configure_number(sms_url=f"{app_url}/sms")

Standard library only (``wsgiref`` with a thread per request); quiet (no access log).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

__all__ = ["serve_wsgi"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_wsgi(app: WSGIApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on ``host`` and a free port; yields its base URL (``http://host:port``)
    and stops the server (and its thread) on exit."""
    server = make_server(host, 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="wsgi-app-under-test",
        daemon=True,
    )  # fmt: skip
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5.0)
