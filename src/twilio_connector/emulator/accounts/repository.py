"""The ``accounts`` table: its DDL and every statement on it."""

from __future__ import annotations

from ..store import Store
from .records import AccountRecord

__all__ = ["AccountRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, owner_sid TEXT NOT NULL,
  auth_token TEXT NOT NULL, friendly_name TEXT NOT NULL, status TEXT NOT NULL,
  type TEXT NOT NULL, balance TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
"""
_COLUMNS = (
    "sid, owner_sid, auth_token, friendly_name, status, type, balance, date_created, date_updated"
)
_SAVE = (
    f"INSERT INTO accounts ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(sid) DO UPDATE SET auth_token=excluded.auth_token, "
    "friendly_name=excluded.friendly_name, status=excluded.status, "
    "balance=excluded.balance, date_updated=excluded.date_updated"
)
_ALL = f"SELECT {_COLUMNS} FROM accounts ORDER BY seq"


class AccountRepository:
    """Accounts and subaccounts, oldest first."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def save(self, a: AccountRecord) -> None:
        """Insert ``a`` or update its token, name, status and balance."""
        self._store.execute(
            _SAVE,
            (a.sid, a.owner_sid, a.auth_token, a.friendly_name, a.status, a.type, a.balance,
             a.date_created, a.date_updated),
        )  # fmt: skip

    def all(self) -> list[AccountRecord]:
        return [AccountRecord(*row) for row in self._store.query(_ALL)]
