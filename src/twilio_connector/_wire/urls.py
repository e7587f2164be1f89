"""Credentials in a URL's userinfo (``https://user:pass@host/path``).

Twilio takes webhook Basic-auth credentials from the URL, percent-decoded, and strips
them (and any ``#fragment``) from the URL it signs and requests. The URL is split as text,
so a URL that :func:`urllib.parse.urlsplit` refuses (``http://[::1``) is still handled,
and nothing here raises.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin

__all__ = [
    "Userinfo",
    "redact_userinfo",
    "resolve_url",
    "same_origin",
    "signed_url",
    "split_userinfo",
]


@dataclass(frozen=True, slots=True)
class Userinfo:
    """The decoded ``user:password`` of a URL (the password is never shown in the repr)."""

    username: str
    password: str = field(default="", repr=False)

    def basic_authorization(self) -> str:
        """The ``Authorization`` header value: ``Basic base64(user:password)``."""
        credentials = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(credentials).decode("ascii")


def _netloc_bounds(url: str) -> tuple[int, int] | None:
    """Where the authority of ``scheme://authority/...`` starts and ends, if there is one."""
    mark = url.find("://")
    if mark <= 0:
        return None
    start = mark + 3
    end = len(url)
    for stop in "/?#":
        found = url.find(stop, start)
        if found != -1 and found < end:
            end = found
    return start, end


def _split(url: str) -> tuple[str, str | None]:
    """(the URL without userinfo, the raw userinfo or ``None``)."""
    if "@" not in url:
        return url, None
    bounds = _netloc_bounds(url)
    if bounds is None:
        return url, None
    start, end = bounds
    at = url.rfind("@", start, end)
    if at == -1:
        return url, None
    return url[:start] + url[at + 1 :], url[start:at]


def split_userinfo(url: str) -> tuple[str, Userinfo | None]:
    """(the URL without ``user:pass@``, the decoded credentials or ``None``); the fragment is
    kept. ``https://a%40b:p%3Aw@host/x`` -> (``https://host/x``, ``Userinfo("a@b", "p:w")``)."""
    rest, raw = _split(url)
    if raw is None:
        return url, None
    user, _, password = raw.partition(":")
    return rest, Userinfo(unquote(user), unquote(password))


def signed_url(url: str) -> str:
    """``url`` as Twilio signs and requests it: without ``#fragment`` and ``user:pass@``."""
    if "#" in url:
        url = url.partition("#")[0]
    return _split(url)[0]


def redact_userinfo(url: str) -> str:
    """``url`` with the password of its userinfo shown as ``***`` (for logs, reprs and pages);
    a URL without a password is unchanged."""
    rest, raw = _split(url)
    if raw is None or ":" not in raw:
        return url
    user = raw.partition(":")[0]
    start = rest.find("://") + 3
    return f"{rest[:start]}{user}:***@{rest[start:]}"


def resolve_url(base: str, url: str) -> str:
    """``url`` resolved against ``base`` (a TwiML ``action`` relative to its document), or
    ``url`` unchanged when either cannot be parsed (``http://[::1``): the request that uses
    it then fails as an invalid URL (11100) instead of raising here."""
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _origin(url: str) -> tuple[str, str] | None:
    """(scheme, host[:port]) of ``url`` in lower case, userinfo left out; ``None`` if it
    has no authority."""
    bounds = _netloc_bounds(url)
    if bounds is None:
        return None
    start, end = bounds
    authority = url[start:end]
    return url[: start - 3].lower(), authority.rpartition("@")[2].lower()


def same_origin(url: str, other: str) -> bool:
    """Whether two absolute URLs share scheme and authority (where credentials may go)."""
    mine = _origin(url)
    return mine is not None and mine == _origin(other)
