"""What both agent-side sockets share: the checked accept, text frames in and out, close.

A socket wraps one raw ASGI ``websocket`` connection (``scope``, ``receive``, ``send``): no
framework objects, no dependency beyond msgspec, so it runs under any ASGI server
(uvicorn with ``websockets``/``wsproto``, hypercorn, daphne) and inside Starlette/FastAPI.

:meth:`AgentSocket.accept` reads the ``websocket.connect`` event, checks the signature
(:mod:`.sockets_handshake`) and answers ``websocket.accept``; a missing or wrong signature
gets ``websocket.close`` (1008) *before* accepting, which the server turns into an HTTP 403,
and raises :class:`HandshakeRejected`, so the agent's code never runs for a forged caller.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any, TypeVar

from twilio_connector.errors import ConfigurationError, TwilioError
from twilio_connector.signature import auth_tokens

from ._codec import MAX_MESSAGE_BYTES
from .sockets_handshake import SIGNATURE_HEADER, handshake_headers, socket_url, verify_handshake

__all__ = [
    "POLICY_VIOLATION",
    "AgentSocket",
    "HandshakeRejected",
    "Receive",
    "Scope",
    "Send",
    "SocketClosedError",
    "check_verification",
]

log = logging.getLogger("twilio_connector.realtime")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

POLICY_VIOLATION = 1008
"""The close code of a refused handshake (HTTP 403 before the upgrade)."""

S = TypeVar("S", bound="AgentSocket")


class HandshakeRejected(TwilioError):
    """The handshake was refused (bad or missing signature, or the client left first);
    the connection is already closed and the agent's handler must not run."""


class SocketClosedError(TwilioError):
    """A send on a socket that is closed (by the peer or by :meth:`AgentSocket.close`)."""


def check_verification(auth_token: str | Sequence[str] | None, verify: bool) -> tuple[str, ...]:
    """The tokens to check handshakes with; ConfigurationError when verifying without one."""
    tokens = auth_tokens(auth_token)
    if verify and not tokens:
        raise ConfigurationError(
            "no auth token to check the handshake signature: pass auth_token=..., or "
            "verify=False to accept unsigned sockets (local experiments only)"
        )
    return tokens


class AgentSocket:
    """One accepted socket (the agent's side). Build it with :meth:`accept`."""

    protocol_name = "WebSocket"

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, *, max_message_bytes: int
    ) -> None:
        self.scope = scope
        self._receive = receive
        self._send = send
        self.max_message_bytes = max_message_bytes
        self.close_code: int | None = None
        """The close code once the socket is closed (the peer's, or the one sent)."""
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__name__} {self.scope.get('path', '')!r} {state}>"

    @property
    def closed(self) -> bool:
        return self._closed

    @classmethod
    async def accept(
        cls: type[S],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        auth_token: str | Sequence[str] | None,
        public_url: str | None = None,
        verify: bool = True,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> S:
        """Check the handshake and accept the socket.

        ``auth_token``: the account's auth token (or several during a rotation) that signs
        the handshake. ``public_url``: this socket's full public URL when the app is behind
        a proxy or tunnel (``wss://example.ngrok.app/media``); else it is rebuilt from the
        request (:func:`~.sockets_handshake.socket_url`). ``verify=False`` accepts unsigned
        sockets (local experiments only; ``auth_token`` may then be None).
        ``max_message_bytes``: larger frames are skipped unread.

        Raises :class:`HandshakeRejected` (the connection closed with 1008: HTTP 403) on a
        missing or invalid signature, :class:`ConfigurationError` when ``verify`` is set
        without a token.
        """
        if scope.get("type") != "websocket":
            raise ValueError(f"not a websocket scope: {scope.get('type')!r}")
        tokens = check_verification(auth_token, verify)
        if max_message_bytes < 1:
            raise ConfigurationError("max_message_bytes must be >= 1")
        first = await receive()
        if first.get("type") != "websocket.connect":
            raise HandshakeRejected("the client went away before the handshake")
        if verify:
            path = str(scope.get("path", ""))[:200]
            signature = handshake_headers(scope).get(SIGNATURE_HEADER)
            try:
                url = socket_url(scope, public_url=public_url)
            except ValueError:
                url = None
            if url is None or not verify_handshake(url, signature, tokens):
                why = "missing" if not signature else "invalid"
                log.warning(
                    "%s handshake refused on %r: %s x-twilio-signature (checked against %s)",
                    cls.protocol_name,
                    path,
                    why,
                    "no URL: no Host header" if url is None else _shown(url),
                )
                await send({"type": "websocket.close", "code": POLICY_VIOLATION})
                raise HandshakeRejected(f"{why} x-twilio-signature on {path!r}")
        await send({"type": "websocket.accept"})
        return cls(scope, receive, send, max_message_bytes=max_message_bytes)

    async def _next_frame(self) -> str | bytes | None:
        """The next text (or binary) frame; None once the peer has closed."""
        while not self._closed:
            message = await self._receive()
            kind = message.get("type")
            if kind == "websocket.receive":
                text = message.get("text")
                if text is not None:
                    return str(text)
                data = message.get("bytes")
                if data is not None:
                    return bytes(data)
            elif kind == "websocket.disconnect":
                self._closed = True
                self.close_code = message.get("code", 1005)
        return None

    async def send_raw(self, text: str) -> None:
        """Send one text frame as given (the typed helpers build and send their messages)."""
        if self._closed:
            raise SocketClosedError(f"the {self.protocol_name} socket is closed")
        try:
            await self._send({"type": "websocket.send", "text": text})
        except OSError:  # uvicorn's ClientDisconnected: the peer is gone
            self._closed = True
            raise SocketClosedError(f"the {self.protocol_name} socket is closed") from None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the socket (idempotent; a peer that already left is not an error)."""
        if self._closed:
            return
        self._closed = True
        self.close_code = code
        try:
            await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except (OSError, RuntimeError):  # gone already, or the server saw the close first
            log.debug("closing a %s socket that was already gone", self.protocol_name)


def _shown(url: str) -> str:
    """``url`` for a log line: without its query (it may carry a caller's details)."""
    return url.split("?", 1)[0][:300]
