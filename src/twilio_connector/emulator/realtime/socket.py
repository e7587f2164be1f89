"""The WebSockets a call opens to an app (``<Stream url>``, ``<ConversationRelay url>``).

Opened as Twilio opens them (TWILIO.md §22.2): an ``x-twilio-signature`` header, the §7
HMAC-SHA1 of the URL exactly as written in the TwiML, with no parameters, keyed by the
account's auth token. ``wss://`` is what Twilio accepts; the emulator also accepts ``ws://``
so that a local agent needs no certificate. Frames are bounded (1 MiB, as the message codecs),
the opening handshake by ``open_timeout``; failures become Twilio's 319xx codes.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.frames import Close

from ..._wire import redact_userinfo
from ...realtime.media_streams import MAX_MESSAGE_BYTES
from ...signature import compute_signature
from ..voice.environment import SocketClosed, SocketError

__all__ = ["OPEN_TIMEOUT", "WebSocketToApp", "open_app_socket"]

log = logging.getLogger("twilio_connector.emulator")

OPEN_TIMEOUT = 10.0
"""Real seconds for the TCP connect and the opening handshake (then 31901)."""
CLOSE_TIMEOUT = 2.0
"""Real seconds the closing handshake may take before the connection is dropped."""
ERROR_TIMEOUT = 31901
ERROR_REFUSED = 31902
ERROR_UNREACHABLE = 31904
ERROR_TLS = 31910
ERROR_HANDSHAKE = 31920
ERROR_SCHEME = 31922
ERROR_MALFORMED_URL = 31923


class WebSocketToApp:
    """:class:`~..voice.environment.RealtimeSocket` over a ``websockets`` client connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: ClientConnection) -> None:
        self._conn = conn

    async def send(self, text: str) -> None:
        if self._conn.protocol.close_rcvd is not None:  # the app is closing: nothing to send
            raise _closed_by(self._conn.protocol.close_rcvd)
        try:
            await self._conn.send(text)
        except ConnectionClosed as exc:
            raise _closed(exc) from None

    async def recv(self) -> str:
        while True:
            try:
                data = await self._conn.recv()
            except ConnectionClosed as exc:
                raise _closed(exc) from None
            if isinstance(data, str):
                return data
            try:
                return data.decode("utf-8")  # a binary frame: Twilio expects text; be lenient
            except UnicodeDecodeError:
                continue

    async def close(self, code: int = 1000) -> None:
        try:
            await self._conn.close(code)
        except Exception:  # closing never fails a call
            log.debug("closing an app socket failed", exc_info=True)


def _closed(exc: ConnectionClosed) -> SocketClosed:
    return _closed_by(exc.rcvd)


def _closed_by(frame: Close | None) -> SocketClosed:
    return SocketClosed(frame.code if frame is not None else None, frame.reason if frame else "")


def _shown(url: str) -> str:
    """``url`` as an error may show it: no password, at most 200 characters."""
    return redact_userinfo(url)[:200]


def check_socket_url(url: str) -> None:
    """Raise :class:`SocketError` (31922 scheme, 31923 malformed) before any connection."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SocketError(ERROR_MALFORMED_URL, f"malformed WebSocket URL {_shown(url)!r}") from None
    if parts.scheme not in ("wss", "ws"):
        raise SocketError(ERROR_SCHEME, f"URL scheme {parts.scheme!r} not supported: use wss://")
    if not parts.hostname or (port is not None and not 0 < port < 65536):
        raise SocketError(ERROR_MALFORMED_URL, f"malformed WebSocket URL {_shown(url)!r}")


async def open_app_socket(
    url: str, auth_token: str, *, open_timeout: float = OPEN_TIMEOUT
) -> WebSocketToApp:
    """Connect to ``url`` with the signed handshake; :class:`SocketError` if it fails."""
    check_socket_url(url)
    signature = compute_signature(auth_token, url, None)
    headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
    try:
        conn = await connect(
            url,
            additional_headers=headers,
            open_timeout=open_timeout,
            max_size=MAX_MESSAGE_BYTES,
            compression=None,
            user_agent_header=None,
            ping_interval=None,
            close_timeout=CLOSE_TIMEOUT,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise SocketError(
            ERROR_HANDSHAKE, f"the app answered HTTP {status} to the handshake"
        ) from None
    except (InvalidURI, ValueError):
        raise SocketError(ERROR_MALFORMED_URL, f"malformed WebSocket URL {_shown(url)!r}") from None
    except InvalidHandshake as exc:
        raise SocketError(ERROR_HANDSHAKE, f"WebSocket handshake failed: {exc}"[:300]) from None
    except (asyncio.TimeoutError, TimeoutError):
        raise SocketError(ERROR_TIMEOUT, "WebSocket connect timed out") from None
    except ssl.SSLError as exc:
        raise SocketError(ERROR_TLS, f"TLS error: {exc.reason}") from None
    except ConnectionRefusedError:
        raise SocketError(ERROR_REFUSED, "the WebSocket connection was refused") from None
    except OSError as exc:
        raise SocketError(
            ERROR_UNREACHABLE, f"WebSocket host unreachable: {exc.strerror}"
        ) from None
    return WebSocketToApp(conn)
