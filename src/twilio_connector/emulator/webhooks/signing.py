"""SharedKey webhook signing, matched by URL like Twilio's Webhooks Rules (TWILIO.md 21).

A signing rule names a shared key (``key_id``, ``secret``, ``algorithm``: ``HMAC_SHA256``
by default, or ``HMAC_SHA1``) and the webhooks it covers: every URL starting with
``url_prefix`` (which ends with ``/``) or exactly ``url`` (no trailing ``/``). URLs are
compared as signed: no ``#fragment``, no ``user:pass@``, before a GET's params are added.
An exact rule wins over prefixes, a longer prefix over a shorter one (Twilio's own
precedence is unconfirmed). A matching webhook is signed with the secret and algorithm
and carries ``X-Twilio-Webhooks-Signature-Settings: key=<key_id>,algorithm=<algorithm>``;
the others keep HMAC-SHA1 with the account's auth token. A rule for a prefix or URL
that already has one replaces it (rotation: point it at the next key).

Rules are kept in the emulator's store (table ``webhook_signing``: across restarts with
a ``db_path``; ``reset`` forgets them). Control plane (main-account Basic auth):

=============================================  =============================================
``GET    /_emulator/webhook-signing``          the rules (secrets are never shown)
``POST   /_emulator/webhook-signing``          ``key_id``, ``secret``, ``algorithm``, and
                                               ``url_prefix`` or ``url`` -> 201 the rule
``DELETE /_emulator/webhook-signing[/{id}]``   remove one rule, or all
=============================================  =============================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ...signature import HMAC_SHA1, HMAC_SHA256
from ..errors import EmulatorError, invalid_param, not_found
from ..http import Request, Response, json_response
from ..router import Router
from ..store import Store

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["SigningRule", "SigningTable", "install", "signed_url"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_signing (
  id INTEGER PRIMARY KEY AUTOINCREMENT, match_type TEXT NOT NULL, pattern TEXT NOT NULL UNIQUE,
  key_id TEXT NOT NULL, secret TEXT NOT NULL, algorithm TEXT NOT NULL);
"""
_ALGORITHMS = (HMAC_SHA1, HMAC_SHA256)
PREFIX = "/_emulator/webhook-signing"


@dataclass(frozen=True)
class SigningRule:
    """Sign webhooks under ``url_prefix`` (or to exactly ``url``) with a shared key."""

    key_id: str
    secret: str = field(repr=False)
    algorithm: str = HMAC_SHA256
    url_prefix: str | None = None
    url: str | None = None
    id: int = 0

    @property
    def signing_key(self) -> tuple[str, str]:
        """``(secret, algorithm)`` to sign with."""
        return self.secret, self.algorithm

    @property
    def settings_header(self) -> str:
        """The ``X-Twilio-Webhooks-Signature-Settings`` value."""
        return f"key={self.key_id},algorithm={self.algorithm}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "url_prefix": self.url_prefix,
            "url": self.url,
        }


def signed_url(url: str) -> str:
    """``url`` as it is signed and matched: no fragment, no ``user:pass@``."""
    url = url.split("#", 1)[0]
    if "@" not in url:
        return url
    s = urlsplit(url)
    return urlunsplit((s.scheme, s.netloc.rsplit("@", 1)[-1], s.path, s.query, ""))


def _checked(rule: SigningRule) -> SigningRule:
    key_id = rule.key_id
    if not key_id or not isinstance(key_id, str) or "," in key_id or key_id != key_id.strip():
        raise ValueError("key_id must be a non-empty string without ',' or outer spaces")
    if not rule.secret or not isinstance(rule.secret, str):
        raise ValueError("secret must be a non-empty string")
    algorithm = str(rule.algorithm).strip().upper()
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"algorithm must be {HMAC_SHA256} or {HMAC_SHA1}")
    if (rule.url_prefix is None) == (rule.url is None):
        raise ValueError("give exactly one of url_prefix and url")
    pattern = rule.url_prefix if rule.url_prefix is not None else rule.url
    assert pattern is not None
    if urlsplit(pattern).scheme not in ("http", "https") or not urlsplit(pattern).netloc:
        raise ValueError("url_prefix / url must be an absolute http(s) URL")
    if rule.url_prefix is not None and not rule.url_prefix.endswith("/"):
        raise ValueError("url_prefix must end with '/'")
    if rule.url is not None and rule.url.endswith("/"):
        raise ValueError("url must not end with '/' (use url_prefix)")
    if signed_url(pattern) != pattern:
        raise ValueError("url_prefix / url must not carry a #fragment or user:pass@")
    return SigningRule(rule.key_id, rule.secret, algorithm, rule.url_prefix, rule.url, rule.id)


class SigningTable:
    """Signing rules in memory (checked per delivery) and in the store."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)
        self._exact: dict[str, SigningRule] = {}
        self._prefixes: list[SigningRule] = []  # longest first
        self.load()

    def load(self) -> None:
        rows = self._store.query(
            "SELECT id, match_type, pattern, key_id, secret, algorithm FROM webhook_signing "
            "ORDER BY id"
        )
        self._exact.clear()
        self._prefixes.clear()
        for rid, match_type, pattern, key_id, secret, algorithm in rows:
            prefix, exact = (None, pattern) if match_type == "exact" else (pattern, None)
            self._remember(SigningRule(key_id, secret, algorithm, prefix, exact, rid))

    def _remember(self, rule: SigningRule) -> None:
        if rule.url is not None:
            self._exact[rule.url] = rule
            return
        self._prefixes = [r for r in self._prefixes if r.url_prefix != rule.url_prefix]
        self._prefixes.append(rule)
        self._prefixes.sort(key=lambda r: -len(r.url_prefix or ""))

    def add(self, rule: SigningRule) -> SigningRule:
        """Store ``rule`` (replacing the one for the same prefix/URL); ValueError if invalid."""
        rule = _checked(rule)
        exact = rule.url is not None
        pattern = rule.url if exact else rule.url_prefix
        self._store.execute("DELETE FROM webhook_signing WHERE pattern=?", (pattern,))
        cur = self._store.execute(
            "INSERT INTO webhook_signing (match_type, pattern, key_id, secret, algorithm) "
            "VALUES (?,?,?,?,?)",
            ("exact" if exact else "prefix", pattern, rule.key_id, rule.secret, rule.algorithm),
        )
        stored = SigningRule(
            rule.key_id, rule.secret, rule.algorithm, rule.url_prefix, rule.url,
            int(cur.lastrowid or 0),
        )  # fmt: skip
        self._remember(stored)
        return stored

    def remove(self, rule_id: int) -> bool:
        found = any(r.id == rule_id for r in self.all())
        self._store.execute("DELETE FROM webhook_signing WHERE id=?", (rule_id,))
        self._exact = {u: r for u, r in self._exact.items() if r.id != rule_id}
        self._prefixes = [r for r in self._prefixes if r.id != rule_id]
        return found

    def clear(self) -> None:
        self._store.execute("DELETE FROM webhook_signing")
        self._exact.clear()
        self._prefixes.clear()

    def all(self) -> list[SigningRule]:
        return sorted([*self._exact.values(), *self._prefixes], key=lambda r: r.id)

    def match(self, url: str) -> SigningRule | None:
        """The rule for ``url`` (as signed: see :func:`signed_url`), if any."""
        if not self._exact and not self._prefixes:
            return None
        rule = self._exact.get(url)
        if rule is not None:
            return rule
        for rule in self._prefixes:
            assert rule.url_prefix is not None
            if url.startswith(rule.url_prefix):
                return rule
        return None


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, (list, dict)):
        raise invalid_param(key, None, "expected a single value")
    return str(value)


def install(core: EmulatorCore, router: Router) -> None:
    async def list_rules(req: Request) -> Response:
        return json_response({"rules": [r.to_dict() for r in core.signing.all()]})

    async def add_rule(req: Request) -> Response:
        data = req.json()
        rule = SigningRule(
            key_id=_text(data, "key_id") or "",
            secret=_text(data, "secret") or "",
            algorithm=_text(data, "algorithm") or HMAC_SHA256,
            url_prefix=_text(data, "url_prefix"),
            url=_text(data, "url"),
        )
        try:
            stored = core.signing.add(rule)
        except ValueError as exc:  # the messages never contain the secret
            raise EmulatorError(400, 20001, f"Invalid webhook signing rule: {exc}") from None
        return json_response(stored.to_dict(), 201)

    async def clear_rules(req: Request) -> Response:
        core.signing.clear()
        return Response(204, b"")

    async def delete_rule(req: Request) -> Response:
        if not core.signing.remove(int(req.path_params["id"])):
            raise not_found(req.path)
        return Response(204, b"")

    router.add("GET", PREFIX, list_rules, auth="main")
    router.add("POST", PREFIX, add_rule, auth="main")
    router.add("DELETE", PREFIX, clear_rules, auth="main")
    router.add("DELETE", f"{PREFIX}/{{id:[0-9]{{1,18}}}}", delete_rule, auth="main")
