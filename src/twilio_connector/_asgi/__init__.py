"""A small ASGI toolkit shared by the emulator, the listener, the demo and the tests.

The app side (:mod:`.app`, imported here; no server needed):

* :func:`read_body`: a request body, whole, refused past a byte limit (declared or sent);
* :func:`serve_lifespan`: the ASGI lifespan protocol around startup/shutdown hooks.

The server side (:mod:`.server`, imports uvicorn):

* :func:`~.server.bind_socket`: a listening TCP socket (port 0: a free one);
* :class:`~.server.Server`: ``uvicorn.Server`` that stops as soon as it is told to;
* :class:`~.server.ServerThread`: an ASGI app served by uvicorn on a background thread.
"""

from __future__ import annotations

from .app import (
    ASGIApp,
    BodyTooLarge,
    InvalidContentLength,
    Message,
    Receive,
    Scope,
    Send,
    read_body,
    serve_lifespan,
)

__all__ = [
    "ASGIApp",
    "BodyTooLarge",
    "InvalidContentLength",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "read_body",
    "serve_lifespan",
]
