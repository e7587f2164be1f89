"""API keys (``SK…`` + secret): created, renamed and revoked per account (no HTTP in here).

The secret is shown once, at creation; only its SHA-256 hash is kept. :meth:`Keys.verify`
is what Basic authentication (:mod:`..accounts.state`) calls for an ``SK…`` username.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from ..accounts.records import AccountRecord
from ..accounts.state import check_friendly_name
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import KeyRecord
from .repository import KeyRepository

__all__ = ["Keys"]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Keys:
    """All API keys, cached in memory (checked per request) and persisted."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._repo = KeyRepository(store)
        self._clock = clock
        self._keys: dict[str, KeyRecord] = {}
        self.load()

    def load(self) -> None:
        self._keys = {k.sid: k for k in self._repo.all()}

    def create(self, account: AccountRecord, friendly_name: str | None) -> tuple[KeyRecord, str]:
        """A new key for ``account`` and its secret (the only time the secret is known)."""
        name = friendly_name or ""
        check_friendly_name(name)
        now = self._clock.now()
        secret = secrets.token_hex(16)
        key = KeyRecord(new_sid("SK"), account.sid, _digest(secret), name, now, now)
        self._keys[key.sid] = key
        self._repo.save(key)
        return key, secret

    def of_account(self, account: AccountRecord) -> list[KeyRecord]:
        return [k for k in self._keys.values() if k.account_sid == account.sid]

    def get(self, account: AccountRecord, sid: str) -> KeyRecord | None:
        key = self._keys.get(sid)
        return key if key is not None and key.account_sid == account.sid else None

    def update(self, key: KeyRecord, friendly_name: str | None) -> KeyRecord:
        if friendly_name is not None:
            check_friendly_name(friendly_name)
            key.friendly_name = friendly_name
        key.date_updated = self._clock.now()
        self._repo.save(key)
        return key

    def delete(self, key: KeyRecord) -> None:
        self._keys.pop(key.sid, None)
        self._repo.delete(key.sid)

    def exists(self, sid: str) -> bool:
        return sid in self._keys

    def verify(self, sid: str, secret: str) -> str | None:
        """The account SID a key acts for, if ``secret`` is the key's secret."""
        key = self._keys.get(sid)
        if key is not None and hmac.compare_digest(key.secret_hash, _digest(secret)):
            return key.account_sid
        return None
