"""The emulator's front door: the Host names it answers and the origins that may change state.

A browser keeps the emulator's Basic credentials once you have opened the web inbox, so any
page it loads could use them. Two checks, before routing and authentication:

* **Host** (DNS rebinding: ``evil.example`` re-pointed at 127.0.0.1 reads the emulator as
  if it were its own origin): a request's ``Host`` must be an IP literal (an address
  cannot be re-pointed), ``localhost``, the address the emulator is bound to or a name
  given at start (``Emulator(hosts=...)``, ``--host-name``). Ports are not compared: the
  rebinding threat is the name, and a proxy in front may use its own port. Else 400.
* **Origin** (cross-site requests): a request other than GET/HEAD/OPTIONS that carries an
  ``Origin`` must come from the emulator itself: http(s) with the host and port of the
  request's (already checked) ``Host``. ``Origin: null`` (sandboxed frames, ``data:``
  pages) is refused. Browsers send ``Origin`` on every such request; SDKs and curl send
  none and are not affected. ``Sec-Fetch-Site`` alone would not do: a page on another
  port of ``localhost`` is "same-site". Else 403 (20403).

:func:`exposure_warning` is the text logged (and printed by the CLI) when the emulator
listens beyond loopback.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from .errors import EmulatorError

__all__ = ["Guard", "exposure_warning"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_REMEMBERED = 256
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._")


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` (``[v6]:port`` too) -> (lower-case host, port), None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    else:
        host, sep, port_text = value.rpartition(":")
        if not sep:
            host, port_text = value, None
    if port_text is not None and not (
        port_text.isascii() and port_text.isdigit() and len(port_text) <= 5
    ):
        return None
    host = host[:-1] if host.endswith(".") else host  # "localhost." is "localhost"
    if not host:
        return None
    return host, None if port_text is None else int(port_text)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _name(entry: str) -> str:
    """A host name given at start (a port, if any, is dropped: ports are not compared)."""
    if _is_ip(entry.strip("[]")):
        return entry.strip("[]").lower()
    parsed = _split_host(entry)
    if parsed is None or not (_is_ip(parsed[0]) or set(parsed[0]) <= _NAME_CHARS):
        raise ValueError(f"invalid host name {entry!r} (expected e.g. 'emu.example.test')")
    return parsed[0]


class Guard:
    """Checks one request's Host and Origin; raises :class:`EmulatorError` to refuse it."""

    def __init__(self, bound_host: str, names: Iterable[str] = ()) -> None:
        self.names = frozenset({"localhost", _name(bound_host), *(_name(n) for n in names)})
        self._good_hosts: set[bytes] = set()  # Host header values already accepted

    def check(self, method: str, headers: Iterable[tuple[bytes, bytes]]) -> None:
        host = origin = None
        for name, value in headers:
            if name == b"host":
                host = value
            elif name == b"origin":
                origin = value
        if host is not None and host not in self._good_hosts:
            self._check_host(host)
        if origin is not None and method not in _SAFE_METHODS:
            self._check_origin(origin, host)

    def _check_host(self, raw: bytes) -> None:
        text = raw.decode("latin-1")
        parsed = _split_host(text)
        if parsed is None or not (parsed[0] in self.names or _is_ip(parsed[0])):
            allowed = ", ".join(sorted(self.names))
            raise EmulatorError(
                400,
                20001,
                f"Host {text[:100]!r} is not served by this emulator (DNS rebinding "
                f"protection). Use an IP address or {allowed}, or start it with "
                "hosts=[...] / --host-name NAME to serve another name.",
            )
        if len(self._good_hosts) < _MAX_REMEMBERED:
            self._good_hosts.add(raw)

    def _check_origin(self, raw: bytes, host: bytes | None) -> None:
        text = raw.decode("latin-1")
        if host is None or not _same_origin(text, host.decode("latin-1")):
            raise EmulatorError(
                403,
                20403,
                f"Cross-origin request refused: Origin {text[:100]!r} is not this emulator's "
                "own (a page of another site or port cannot change its state).",
            )


def _same_origin(origin: str, host: str) -> bool:
    """Whether ``origin`` (``scheme://host[:port]``) is the origin ``host`` is served at."""
    try:
        parts = urlsplit(origin)
        origin_port = parts.port
    except ValueError:
        return False
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path or parts.query:
        return False
    if parts.username is not None or parts.password is not None:
        return False
    served = _split_host(host)
    if served is None:
        return False
    default = _DEFAULT_PORTS[parts.scheme]
    return (parts.hostname.rstrip("."), origin_port or default) == (served[0], served[1] or default)


def exposure_warning(bound_host: str) -> str | None:
    """A warning when ``bound_host`` is reachable from other machines, else ``None``."""
    host = bound_host.strip("[]").lower()
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"the emulator listens on {bound_host}, beyond loopback: anyone who reaches it and "
        "knows the credentials can use it, and it sends webhooks wherever it is told. "
        "Bind 127.0.0.1 unless other machines must reach it."
    )
