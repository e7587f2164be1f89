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

Rules are kept in the emulator's store (table ``webhook_signing``, :mod:`.repository`:
across restarts with a ``db_path``; ``reset`` forgets them). The control routes under
``/_emulator/webhook-signing`` are in :mod:`.control`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..._wire import signed_url
from ...signature import HMAC_SHA1, HMAC_SHA256
from ..store import Store
from .records import SigningRule
from .repository import SigningRuleRepository

__all__ = ["SigningRule", "SigningTable"]

_ALGORITHMS = (HMAC_SHA1, HMAC_SHA256)


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
        self._repo = SigningRuleRepository(store)
        self._exact: dict[str, SigningRule] = {}
        self._prefixes: list[SigningRule] = []  # longest first
        self.load()

    def load(self) -> None:
        self._exact.clear()
        self._prefixes.clear()
        for rule in self._repo.all():
            self._remember(rule)

    def _remember(self, rule: SigningRule) -> None:
        if rule.url is not None:
            self._exact[rule.url] = rule
            return
        self._prefixes = [r for r in self._prefixes if r.url_prefix != rule.url_prefix]
        self._prefixes.append(rule)
        self._prefixes.sort(key=lambda r: -len(r.url_prefix or ""))

    def add(self, rule: SigningRule) -> SigningRule:
        """Store ``rule`` (replacing the one for the same prefix/URL); ValueError if invalid."""
        stored = self._repo.replace(_checked(rule))
        self._remember(stored)
        return stored

    def remove(self, rule_id: int) -> bool:
        found = any(r.id == rule_id for r in self.all())
        self._repo.delete(rule_id)
        self._exact = {u: r for u, r in self._exact.items() if r.id != rule_id}
        self._prefixes = [r for r in self._prefixes if r.id != rule_id]
        return found

    def clear(self) -> None:
        self._repo.delete_all()
        self._exact.clear()
        self._prefixes.clear()

    def all(self) -> list[SigningRule]:
        return sorted([*self._exact.values(), *self._prefixes], key=lambda r: r.id)

    def match(self, url: str) -> SigningRule | None:
        """The rule for ``url`` as signed (no fragment, no ``user:pass@``), if any."""
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
