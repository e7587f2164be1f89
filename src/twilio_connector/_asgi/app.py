"""The app side of the toolkit: ASGI types, request bodies with a limit, the lifespan."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "ASGIApp",
    "BodyTooLarge",
    "Hook",
    "InvalidContentLength",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "read_body",
    "serve_lifespan",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
"""(scope, receive, send): loose on purpose, so that apps typed with ``dict`` scopes fit."""
Hook = Callable[[], Awaitable[None]]


# -- request bodies ---------------------------------------------------------------------------


class BodyTooLarge(ValueError):
    """The request declared or sent more bytes than the limit."""


class InvalidContentLength(ValueError):
    """The ``Content-Length`` header is not a decimal number."""


async def read_body(
    receive: Receive, limit: int, content_length: str | bytes | None = None
) -> bytes | None:
    """The whole request body; None if the client went away before sending it.

    ``content_length`` is the request's header, when it has one: over ``limit`` the body
    is refused before any of it is read. Raises :class:`BodyTooLarge` (declared or sent
    past ``limit`` bytes; the rest is not read) or :class:`InvalidContentLength`.
    """
    if content_length is not None:
        if not content_length.isdigit():
            raise InvalidContentLength("Content-Length must be a decimal number")
        if int(content_length) > limit:
            raise BodyTooLarge(f"the body is over {limit} bytes")
    message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    if len(body) > limit:
        raise BodyTooLarge(f"the body is over {limit} bytes")
    if not message.get("more_body", False):
        return body  # the usual case: the whole body in one message
    chunks = [body]
    size = len(body)
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the body is over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


# -- lifespan ---------------------------------------------------------------------------------


async def serve_lifespan(
    receive: Receive, send: Send, startup: Hook | None = None, shutdown: Hook | None = None
) -> None:
    """Answer an ASGI ``lifespan`` scope: run ``startup`` before reporting startup complete
    and ``shutdown`` before reporting shutdown complete. A hook that raises is reported as
    ``lifespan.*.failed`` with the exception's message (log it in the hook if it matters)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                if startup is not None:
                    await startup()
            except Exception as exc:
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            try:
                if shutdown is not None:
                    await shutdown()
            except Exception as exc:
                await send({"type": "lifespan.shutdown.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.shutdown.complete"})
            return
