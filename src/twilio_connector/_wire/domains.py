"""Twilio's API domains (``api``, ``messaging``, ``verify``, ``content`` ...) and their base URLs.

Real Twilio serves each product on its own host: ``https://messaging.twilio.com/v1/...``.
The emulator (or any other ``base_url``) serves them under a path prefix named after the
host: ``{base_url}/messaging/v1/...``; the 2010-04-01 API (domain ``api``) stays at the root.
This is the one definition; the client, the emulator's routes and :func:`sdk_client`
(the official SDK pointed at the emulator) all read it.
"""

from __future__ import annotations

import re

from .urls import same_origin

__all__ = [
    "API_DOMAIN",
    "DOMAINS",
    "domain_base_url",
    "domain_prefix",
    "is_domain_name",
    "serves_url",
]

API_DOMAIN = "api"
"""The domain of the 2010-04-01 API."""
DOMAINS = ("api", "messaging", "verify", "content")
"""The domains this project's resources and emulator serve."""
_DOMAIN_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}\Z")
_TWILIO_HOST = re.compile(r"(?:[a-z0-9-]{1,63}\.){1,4}twilio\.com\Z")


def _twilio_host_rest(base_url: str) -> tuple[str, str] | None:
    """(scheme, host after ``api``) when ``base_url`` is Twilio's own API host
    (``https://api.twilio.com``, ``https://api.dublin.ie1.twilio.com``), else ``None``."""
    scheme, sep, rest = base_url.partition("://")
    if not sep:
        return None
    host = rest.split("/", 1)[0].lower()
    if host.startswith("api.") and host.endswith(".twilio.com") and "/" not in rest.strip("/"):
        return scheme, host[len("api") :]
    return None


def is_domain_name(domain: str) -> bool:
    """Whether ``domain`` can name a Twilio API domain (``verify``, ``lookups``: a DNS label)."""
    return _DOMAIN_NAME.fullmatch(domain) is not None


def serves_url(base_url: str, url: str) -> bool:
    """Whether a client whose 2010 API is at ``base_url`` may send its credentials to the
    absolute ``url``: the same origin (the emulator serves every domain there), or, for
    Twilio's own API host, HTTPS on a ``*.twilio.com`` host (``verify.twilio.com``)."""
    if same_origin(base_url, url):
        return True
    if _twilio_host_rest(base_url.rstrip("/")) is None:
        return False
    scheme, sep, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].lower()
    return scheme.lower() == "https" and sep != "" and _TWILIO_HOST.fullmatch(host) is not None


def domain_prefix(domain: str) -> str:
    """The path prefix of ``domain`` on a non-Twilio base URL: ``""`` for ``api``,
    ``"/messaging"`` for ``messaging``."""
    return "" if domain == API_DOMAIN else f"/{domain}"


def domain_base_url(base_url: str, domain: str) -> str:
    """Where ``domain`` lives for a client whose 2010 API is at ``base_url``.

    ``https://api.twilio.com`` -> ``https://messaging.twilio.com`` (regional hosts keep
    their edge and region); any other base URL -> ``{base_url}/messaging``.
    """
    base_url = base_url.rstrip("/")
    if domain == API_DOMAIN:
        return base_url
    twilio = _twilio_host_rest(base_url)
    if twilio is not None:
        scheme, rest = twilio
        return f"{scheme}://{domain}{rest}"
    return base_url + domain_prefix(domain)
