"""``X-Twilio-Signature``: compute and validate Twilio webhook signatures.

One implementation, used by the client's users, the listener and the emulator.

Form webhooks (POST ``application/x-www-form-urlencoded``, or GET with no body)::

    signature = base64(HMAC-SHA1(auth_token, url + "".join(name + value for sorted params)))

The URL is the exact URL Twilio requested (query string as sent, no ``#fragment``).
Parameters are sorted by name (case-sensitive); a repeated name contributes one
``name + value`` per distinct value, values sorted.

JSON webhooks (Event Streams and some newer products) carry no params in the
signature: the URL holds ``bodySHA256=<hex sha256 of the raw body>`` and the
signature covers that URL alone.

Validation accepts the URL both with any explicit port removed and with the
default port added, because Twilio signs some callbacks one way and some the
other, and compares in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit

__all__ = [
    "Params",
    "body_sha256",
    "compute_signature",
    "signature_urls",
    "validate_signature",
]

Params = (
    Mapping[str, str] | Mapping[str, Sequence[str]] | Iterable[tuple[str, str]] | str | bytes | None
)
"""Form params as a mapping (values may be lists), a sequence of pairs, or a raw JSON body."""

_DEFAULT_PORTS = {"https": 443, "http": 80}


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


def _payload(url: str, params: Mapping[str, object] | Iterable[tuple[str, str]] | None) -> str:
    if not params:
        return url
    # Distinct (name, value) pairs, sorted by name then value: repeated keys sign once per value.
    parts = [url]
    for key, value in sorted(set(_pairs(params))):
        parts.append(key)
        parts.append(value)
    return "".join(parts)


def _strip_fragment_and_userinfo(url: str) -> str:
    if "#" not in url and "@" not in url:
        return url
    s = urlsplit(url)
    netloc = s.netloc.rsplit("@", 1)[-1]
    return urlunsplit((s.scheme, netloc, s.path, s.query, ""))


def _hmac_b64(auth_token: str, payload: str) -> str:
    digest = hmac.digest(auth_token.encode(), payload.encode(), "sha1")
    return base64.b64encode(digest).decode("ascii")


def body_sha256(body: str | bytes) -> str:
    """Lowercase hex SHA-256 of a raw request body (the ``bodySHA256`` query value)."""
    raw = body.encode() if isinstance(body, str) else body
    return hashlib.sha256(raw).hexdigest()


def compute_signature(auth_token: str, url: str, params: Params = None) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for ``url`` and form ``params``.

    ``url`` is used exactly as given (minus any ``#fragment`` and ``user:pass@``).
    For a JSON webhook, pass ``params=None``: the URL must already carry ``bodySHA256``.
    Passing a str/bytes body is treated the same way (the body is not part of the HMAC).
    """
    url = _strip_fragment_and_userinfo(url)
    if isinstance(params, (str, bytes)):
        params = None
    return _hmac_b64(auth_token, _payload(url, params))


def signature_urls(url: str) -> tuple[str, ...]:
    """The URL forms a validator accepts: as given, without its port, with the default port."""
    url = _strip_fragment_and_userinfo(url)
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
    auth_token: str | Sequence[str], url: str, params: Params, signature: str | None
) -> bool:
    """True if ``signature`` is valid for ``url`` and ``params`` under any given token.

    ``params`` is a mapping, a sequence of ``(name, value)`` pairs (repeated names allowed),
    or the raw body (str/bytes) of a JSON webhook, which is checked against the URL's
    ``bodySHA256`` query parameter. Several tokens may be passed during a rotation.
    """
    if not signature:
        return False
    tokens = [auth_token] if isinstance(auth_token, str) else list(auth_token)
    form: Mapping[str, object] | Iterable[tuple[str, str]] | None
    if isinstance(params, (str, bytes)):
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        expected = query.get("bodySHA256")
        if expected is None or not hmac.compare_digest(expected.lower(), body_sha256(params)):
            return False
        form = None
    else:
        form = params
    candidates = signature_urls(url)
    ok = False
    for token in tokens:
        for candidate in candidates:
            # Evaluate every candidate so timing does not reveal which form matched.
            ok |= hmac.compare_digest(_hmac_b64(token, _payload(candidate, form)), signature)
    return ok
