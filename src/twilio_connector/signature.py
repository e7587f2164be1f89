"""``X-Twilio-Signature``: compute and validate Twilio webhook signatures.

One implementation, used by the client's users, the listener and the emulator.

Form webhooks (POST ``application/x-www-form-urlencoded``, or GET with no body)::

    signature = base64(HMAC(secret, url + "".join(name + value for sorted params)))

The URL is the exact URL Twilio requested (query string as sent, no ``#fragment``).
Parameters are sorted by name (case-sensitive); a repeated name contributes one
``name + value`` per distinct value, values sorted.

JSON webhooks (Event Streams and some newer products) carry no params in the
signature: the URL holds ``bodySHA256=<hex sha256 of the raw body>`` and the
signature covers that URL alone.

Two schemes share that string. Classic: HMAC-SHA1 keyed with the account's auth token.
SharedKey: when a Webhooks Rule matches, Twilio signs with a SharedKey secret and the
Setting's algorithm (``HMAC_SHA256`` or ``HMAC_SHA1``) and announces it with
``X-Twilio-Webhooks-Signature-Settings: key=<key id>,algorithm=HMAC_SHA256``
(:func:`parse_signature_settings`).

Validation accepts the URL both with any explicit port removed and with the
default port added, because Twilio signs some callbacks one way and some the
other, and compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from ._wire import MalformedPayload, parse_form, signed_url
from .errors import ConfigurationError

__all__ = [
    "HMAC_SHA1",
    "HMAC_SHA256",
    "SIGNATURE_HEADER",
    "SIGNATURE_SETTINGS_HEADER",
    "Params",
    "SignatureSettings",
    "auth_tokens",
    "body_sha256",
    "compute_signature",
    "parse_signature_settings",
    "signature_urls",
    "validate_signature",
]

SIGNATURE_HEADER = "X-Twilio-Signature"
"""The header carrying the base64 MAC (both schemes)."""
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
"""Sent with SharedKey signatures: ``key=<key id>,algorithm=<algorithm>``."""
HMAC_SHA1 = "HMAC_SHA1"
HMAC_SHA256 = "HMAC_SHA256"

Params = (
    Mapping[str, str] | Mapping[str, Sequence[str]] | Iterable[tuple[str, str]] | str | bytes | None
)
"""Form params as a mapping (values may be lists), a sequence of pairs, or a raw JSON body."""

_DEFAULT_PORTS = {"https": 443, "http": 80, "wss": 443, "ws": 80}  # ws(s): socket handshakes
_DIGESTS = {HMAC_SHA1: "sha1", HMAC_SHA256: "sha256"}
_B64_LENGTHS = {"sha1": 28, "sha256": 44}


class SignatureSettings(NamedTuple):
    """A parsed ``X-Twilio-Webhooks-Signature-Settings`` header.

    ``legacy`` is True when the header is absent, empty or names no algorithm: the request
    is signed the classic way (HMAC-SHA1 with the auth token) and ``key_id`` is None.
    Otherwise ``algorithm`` is the announced name, upper-cased (possibly one this module
    does not support) and ``key_id`` the ``key=`` value (None if missing).
    """

    key_id: str | None
    algorithm: str
    legacy: bool


_LEGACY = SignatureSettings(None, HMAC_SHA1, True)


def auth_tokens(auth_token: str | Sequence[str] | None) -> tuple[str, ...]:
    """The token(s) a receiver checks signatures with, as a tuple (several during a
    rotation); ``ConfigurationError`` unless each is a non-empty string."""
    if auth_token is None:
        tokens: tuple[str, ...] = ()
    elif isinstance(auth_token, str):
        tokens = (auth_token,)
    else:
        tokens = tuple(auth_token)
    if any(not isinstance(t, str) or not t for t in tokens):
        raise ConfigurationError("auth tokens must be non-empty strings")
    return tokens


def parse_signature_settings(header: str | None) -> SignatureSettings:
    """Parse ``key=<id>,algorithm=<name>`` (spaces tolerated; unknown names ignored)."""
    if not header:
        return _LEGACY
    key_id: str | None = None
    algorithm: str | None = None
    for part in header.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            continue
        name, value = name.strip().lower(), value.strip()
        if name == "algorithm":
            algorithm = value
        elif name == "key":
            key_id = value or None
    if not algorithm:
        return _LEGACY
    return SignatureSettings(key_id, algorithm.upper(), False)


def _digest(algorithm: str) -> str | None:
    return _DIGESTS.get(algorithm) or _DIGESTS.get(algorithm.strip().upper())


def _pairs(params: Mapping[str, object] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        out: list[tuple[str, str]] = []
        for key, value in params.items():
            if isinstance(value, (list, tuple)):
                out.extend((key, str(v)) for v in value)
            else:
                out.append((key, str(value)))
        return out
    return [(str(k), str(v)) for k, v in params]


def _suffix(params: Mapping[str, object] | Iterable[tuple[str, str]] | None) -> bytes:
    """What follows the URL in the signed string, UTF-8 encoded."""
    if not params:
        return b""
    # Distinct (name, value) pairs, sorted by name then value: repeated keys sign once per value.
    return "".join([k + v for k, v in sorted(set(_pairs(params)))]).encode()


def body_sha256(body: str | bytes) -> str:
    """Lowercase hex SHA-256 of a raw request body (the ``bodySHA256`` query value)."""
    raw = body.encode() if isinstance(body, str) else body
    return hashlib.sha256(raw).hexdigest()


def compute_signature(
    auth_token: str, url: str, params: Params = None, algorithm: str = HMAC_SHA1
) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for ``url`` and form ``params``.

    ``auth_token`` is the auth token (classic) or a SharedKey secret; ``algorithm`` is
    ``"HMAC_SHA1"`` (default) or ``"HMAC_SHA256"``, case-insensitive; others raise
    ``ValueError``. ``url`` is used exactly as given (minus any ``#fragment`` and
    ``user:pass@``). For a JSON webhook, pass ``params=None``: the URL must already carry
    ``bodySHA256``. Passing a str/bytes body is treated the same way (the body is not
    part of the HMAC).
    """
    digest = _digest(algorithm)
    if digest is None:
        raise ValueError(f"unsupported signature algorithm {algorithm!r}")
    url = signed_url(url)
    form = None if isinstance(params, (str, bytes)) else params
    mac = hmac.digest(auth_token.encode(), url.encode() + _suffix(form), digest)
    return base64.b64encode(mac).decode("ascii")


def signature_urls(url: str) -> tuple[str, ...]:
    """The URL forms a validator accepts: as given, without its port, with the default port."""
    url = signed_url(url)
    s = urlsplit(url)
    host = s.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = s.port
    except ValueError:
        return (url,)
    without = urlunsplit((s.scheme, host, s.path, s.query, ""))
    default = _DEFAULT_PORTS.get(s.scheme.lower())
    with_port = (
        url
        if port is not None or default is None
        else urlunsplit((s.scheme, f"{host}:{default}", s.path, s.query, ""))
    )
    forms = [url, without, with_port]
    if s.path in ("", "/"):
        # A URL configured as "https://host" is requested as "https://host/": accept both.
        other = "/" if s.path == "" else ""
        forms += [urlunsplit((s.scheme, urlsplit(f).netloc, other, s.query, "")) for f in forms]
    return tuple(dict.fromkeys(forms))


def validate_signature(
    auth_token: str | Sequence[str],
    url: str,
    params: Params,
    signature: str | None,
    algorithm: str = HMAC_SHA1,
) -> bool:
    """True if ``signature`` is valid for ``url`` and ``params`` under any given secret.

    ``auth_token`` is an auth token or SharedKey secret, or several during a rotation;
    ``algorithm`` as for :func:`compute_signature` (an unsupported one gives False).
    ``params`` is a mapping, a sequence of ``(name, value)`` pairs (repeated names allowed),
    or the raw body (str/bytes) of a JSON webhook, which is checked against the URL's
    ``bodySHA256`` query parameter.

    The params are sorted and encoded once for every URL form and secret. A signature
    that matches the URL as given under the first secret returns at once; otherwise
    every (secret, URL form) pair is computed and compared in constant time.
    """
    digest = _digest(algorithm)
    if digest is None or not signature or not signature.isascii():
        return False
    expected_mac = signature.encode("ascii")
    if len(expected_mac) != _B64_LENGTHS[digest]:
        return False  # the length of a base64 MAC is public; no secret is involved
    secrets = [auth_token] if isinstance(auth_token, str) else list(auth_token)
    if not secrets:
        return False
    form: Mapping[str, object] | Iterable[tuple[str, str]] | None
    if isinstance(params, (str, bytes)):
        try:
            query = dict(parse_form(urlsplit(url).query))
        except MalformedPayload:  # not UTF-8: no bodySHA256 can be read from it
            return False
        expected = query.get("bodySHA256")
        if expected is None or not expected.isascii():
            return False
        if not hmac.compare_digest(expected.lower(), body_sha256(params)):
            return False
        form = None
    else:
        form = params
    suffix = _suffix(form)
    # One-shot C HMACs: cheaper than copying a prepared object for small bodies and the
    # same for large ones (joining the URL and the suffix is a memcpy).
    first = secrets[0].encode()
    url = signed_url(url)
    mac = hmac.digest(first, url.encode() + suffix, digest)
    if hmac.compare_digest(base64.b64encode(mac), expected_mac):
        return True
    ok = False
    candidates = signature_urls(url)  # [0] is the URL as given
    for i, secret in enumerate(secrets):
        key = first if i == 0 else secret.encode()
        for j, candidate in enumerate(candidates):
            if i or j:  # every other pair is evaluated: timing shows no near miss
                mac = hmac.digest(key, candidate.encode() + suffix, digest)
                ok |= hmac.compare_digest(base64.b64encode(mac), expected_mac)
    return ok
