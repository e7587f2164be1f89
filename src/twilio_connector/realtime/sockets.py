"""The agent's side of both realtime protocols: typed sockets and ASGI apps around them.

Two ways in, both plain ASGI (no dependency beyond msgspec):

* an ASGI app per socket, which checks the handshake, runs the agent's coroutine with the
  accepted socket and closes it afterwards::

      async def echo(socket: MediaStreamSocket) -> None:
          async for message in socket:
              if isinstance(message, media_streams.Media):
                  await socket.send_media(message.media.payload)

      app = media_stream_app(echo, auth_token=AUTH_TOKEN)  # any ASGI server, or
      Starlette(routes=[WebSocketRoute("/media", app)])

  (``conversation_relay_app`` likewise); ``TwilioListener.media_stream("/media")`` and
  ``.conversation_relay("/relay")`` register the same coroutines on a webhook listener;

* inside an ASGI app of your own: ``socket = await MediaStreamSocket.accept(scope,
  receive, send, auth_token=...)`` (:class:`HandshakeRejected` when the signature is bad).

The sockets are in :mod:`.sockets_media` and :mod:`.sockets_relay`, the handshake check in
:mod:`.sockets_handshake`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from twilio_connector._asgi import serve_lifespan

from ._codec import MAX_MESSAGE_BYTES
from .sockets_base import (
    AgentSocket,
    HandshakeRejected,
    Receive,
    Scope,
    Send,
    SocketClosedError,
    check_verification,
    log,
)
from .sockets_handshake import socket_url, verify_handshake
from .sockets_media import MediaStreamEvent, MediaStreamSocket, StreamNotStartedError
from .sockets_relay import ConversationRelayEvent, ConversationRelaySocket

__all__ = [
    "AgentSocket",
    "ConversationRelayEvent",
    "ConversationRelaySocket",
    "HandshakeRejected",
    "MediaStreamEvent",
    "MediaStreamSocket",
    "SocketApp",
    "SocketClosedError",
    "StreamNotStartedError",
    "conversation_relay_app",
    "media_stream_app",
    "run_handler",
    "socket_url",
    "verify_handshake",
]

S = TypeVar("S", bound=AgentSocket)

INTERNAL_ERROR = 1011
"""The close code when the agent's handler raised."""

_NOT_A_SOCKET = b"this URL is a WebSocket endpoint (Twilio Media Streams / ConversationRelay)\n"


async def run_handler(handler: Callable[[S], Awaitable[None]], socket: S) -> None:
    """Run ``handler(socket)``, then close the socket: 1000, or 1011 if the handler raised
    (logged; a closed peer is not an error)."""
    code = 1000
    try:
        await handler(socket)
    except SocketClosedError:
        log.debug("the peer closed the socket while the handler was sending")
    except Exception:
        code = INTERNAL_ERROR
        log.exception("the %s handler failed", socket.protocol_name)
    finally:
        await socket.close(code)


class SocketApp(Generic[S]):
    """An ASGI app that accepts one kind of socket and runs ``handler`` on it.

    ``websocket`` scopes: checked handshake, then the handler; ``http``: 426 Upgrade
    Required; ``lifespan``: answered (nothing to start). A class, not a function, so that
    Starlette's ``WebSocketRoute`` treats it as an ASGI app. Its repr shows no token.
    """

    def __init__(
        self,
        kind: type[S],
        handler: Callable[[S], Awaitable[None]],
        *,
        auth_token: str | Sequence[str] | None,
        public_url: str | None,
        verify: bool,
        max_message_bytes: int,
    ) -> None:
        if not callable(handler):
            raise TypeError("handler must be an async function taking the socket")
        self._tokens = check_verification(auth_token, verify)
        self._kind = kind
        self.handler = handler
        self.public_url = public_url
        self.verify = verify
        self.max_message_bytes = max_message_bytes

    def __repr__(self) -> str:
        name = getattr(self.handler, "__qualname__", type(self.handler).__name__)
        return f"<SocketApp {self._kind.__name__} {name} verify={self.verify}>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            try:
                socket = await self._kind.accept(
                    scope,
                    receive,
                    send,
                    auth_token=self._tokens,
                    public_url=self.public_url,
                    verify=self.verify,
                    max_message_bytes=self.max_message_bytes,
                )
            except HandshakeRejected:
                return
            await run_handler(self.handler, socket)
        elif kind == "http":
            await send(
                {
                    "type": "http.response.start",
                    "status": 426,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"upgrade", b"websocket"),
                        (b"connection", b"Upgrade"),
                        (b"content-length", str(len(_NOT_A_SOCKET)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": _NOT_A_SOCKET})
        elif kind == "lifespan":
            await serve_lifespan(receive, send)


def media_stream_app(
    handler: Callable[[MediaStreamSocket], Awaitable[None]],
    *,
    auth_token: str | Sequence[str] | None,
    public_url: str | None = None,
    verify: bool = True,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
) -> SocketApp[MediaStreamSocket]:
    """An ASGI app serving ``<Connect><Stream>`` / ``<Start><Stream>`` sockets with
    ``handler`` (options as :meth:`AgentSocket.accept`)."""
    return SocketApp(
        MediaStreamSocket,
        handler,
        auth_token=auth_token,
        public_url=public_url,
        verify=verify,
        max_message_bytes=max_message_bytes,
    )


def conversation_relay_app(
    handler: Callable[[ConversationRelaySocket], Awaitable[None]],
    *,
    auth_token: str | Sequence[str] | None,
    public_url: str | None = None,
    verify: bool = True,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
) -> SocketApp[ConversationRelaySocket]:
    """An ASGI app serving ``<Connect><ConversationRelay>`` sockets with ``handler``."""
    return SocketApp(
        ConversationRelaySocket,
        handler,
        auth_token=auth_token,
        public_url=public_url,
        verify=verify,
        max_message_bytes=max_message_bytes,
    )
