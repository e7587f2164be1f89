"""The signed WebSocket handshake: the URL Twilio signed, and checking its signature.

Twilio opens a Media Streams or ConversationRelay socket with a lowercase
``x-twilio-signature`` header: the ``X-Twilio-Signature`` MAC (TWILIO.md §7) of the socket's
``wss://`` URL with no body parameters (§22.2). The check here accepts that URL two ways:

* as requested, query string included, with no parameters (how the emulator signs, and
  how Twilio signs an ordinary GET webhook);
* without its query string, the query's pairs given as the parameters (how Twilio's own
  agent framework rebuilds it; which of the two Twilio uses is unconfirmed).

Both go through :func:`twilio_connector.signature.validate_signature`, so an explicit or
missing default port (443 for ``wss``, 80 for ``ws``) and several auth tokens during a
rotation are handled as for webhooks. Pure functions of the ASGI scope: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from twilio_connector._wire import MalformedPayload, parse_form
from twilio_connector.signature import validate_signature

__all__ = [
    "SIGNATURE_HEADER",
    "handshake_headers",
    "request_path",
    "socket_url",
    "verify_handshake",
    "ws_scheme",
]

SIGNATURE_HEADER = "x-twilio-signature"
"""The handshake's signature header, as ASGI spells it (lowercase)."""

_SAFE_PATH = "/:@!$&'()*+,;=~"
_MAX_SIGNATURE = 128  # a base64 HMAC-SHA1 is 28 characters; SHA-256 44
_WS_SCHEMES = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}


def handshake_headers(scope: Mapping[str, Any]) -> dict[str, str]:
    """The scope's headers by lowercase name (a repeated header joined with ``", "``)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = bytes(raw_name).decode("latin-1").lower()
        value = bytes(raw_value).decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    return value.split(",", 1)[0].strip() or None


def ws_scheme(scheme: str) -> str:
    """``https``/``wss`` -> ``wss``, ``http``/``ws`` -> ``ws`` (others unchanged)."""
    return _WS_SCHEMES.get(scheme.lower(), scheme.lower())


def request_path(scope: Mapping[str, Any]) -> str:
    """The path as the client sent it (percent-encoding kept), without the query."""
    raw_path = scope.get("raw_path")
    if raw_path:
        return bytes(raw_path).decode("latin-1").split("?", 1)[0]
    path, root = str(scope.get("path", "/")), str(scope.get("root_path", ""))
    if root and not path.startswith(root):  # older servers: path relative to root_path
        path = root + path
    return quote(path or "/", safe=_SAFE_PATH)


def socket_url(scope: Mapping[str, Any], *, public_url: str | None = None) -> str:
    """The URL Twilio requested for this handshake (the one it signed).

    ``public_url``: the full public URL of this socket (``wss://example.com/media``), for
    an app behind a proxy or tunnel; the request's query string is appended when
    ``public_url`` has none. Without it: ``wss`` when the request came over TLS or with
    ``X-Forwarded-Proto: https`` (else ``ws``), the ``Host`` header, the path as sent and
    the query string.
    """
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    if public_url is not None:
        if query and not urlsplit(public_url).query:
            return f"{public_url}?{query}"
        return public_url
    headers = handshake_headers(scope)
    scheme = ws_scheme(str(scope.get("scheme", "ws")))
    forwarded = _first(headers.get("x-forwarded-proto"))
    if forwarded is not None:
        scheme = ws_scheme(forwarded)
    host = headers.get("host")
    if not host:
        server = scope.get("server")
        if not server:
            raise ValueError("no Host header")
        name, port = server[0], server[1]
        host = f"[{name}]:{port}" if ":" in str(name) else f"{name}:{port}"
    tail = request_path(scope)
    return f"{scheme}://{host}{tail}?{query}" if query else f"{scheme}://{host}{tail}"


def _query_pairs(url: str) -> tuple[str, list[tuple[str, str]]] | None:
    parts = urlsplit(url)
    if not parts.query:
        return None
    try:
        pairs = list(parse_form(parts.query))
    except MalformedPayload:
        return None
    return parts._replace(query="").geturl(), pairs


def verify_handshake(url: str, signature: str | None, auth_token: str | Sequence[str]) -> bool:
    """True if ``signature`` is Twilio's for the socket ``url`` under any of the tokens."""
    if not signature or len(signature) > _MAX_SIGNATURE:
        return False
    if validate_signature(auth_token, url, None, signature):
        return True
    split = _query_pairs(url)
    if split is None:
        return False
    base, pairs = split
    params: Iterable[tuple[str, str]] = pairs
    return validate_signature(auth_token, base, params, signature)
