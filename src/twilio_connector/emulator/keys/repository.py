"""The ``api_keys`` table: its DDL and every statement on it."""

from __future__ import annotations

from ..store import Store
from .records import KeyRecord

__all__ = ["KeyRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  secret_hash TEXT NOT NULL, friendly_name TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
"""
_COLUMNS = "sid, account_sid, secret_hash, friendly_name, date_created, date_updated"
_SAVE = (
    f"INSERT INTO api_keys ({_COLUMNS}) VALUES (?,?,?,?,?,?) ON CONFLICT(sid) DO UPDATE SET "
    "friendly_name=excluded.friendly_name, date_updated=excluded.date_updated"
)
_DELETE = "DELETE FROM api_keys WHERE sid=?"
_ALL = f"SELECT {_COLUMNS} FROM api_keys ORDER BY seq"


class KeyRepository:
    """API keys of every account, oldest first."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def save(self, k: KeyRecord) -> None:
        """Insert ``k`` or update its name (the secret never changes)."""
        self._store.execute(
            _SAVE,
            (k.sid, k.account_sid, k.secret_hash, k.friendly_name, k.date_created, k.date_updated),
        )

    def delete(self, sid: str) -> None:
        self._store.execute(_DELETE, (sid,))

    def all(self) -> list[KeyRecord]:
        return [KeyRecord(*row) for row in self._store.query(_ALL)]
