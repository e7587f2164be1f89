"""The ``notifications`` table: its DDL and every statement on it."""

from __future__ import annotations

from collections.abc import Sequence

from ..store import Store, placeholders
from .records import NotificationRecord

__all__ = ["NotificationRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, ts REAL NOT NULL,
  account_sid TEXT NOT NULL, resource_sid TEXT, error_code INTEGER NOT NULL,
  log_level TEXT NOT NULL, message TEXT NOT NULL, url TEXT);
"""
_COLUMNS = "sid, ts, account_sid, resource_sid, error_code, log_level, message, url"
_INSERT = f"INSERT INTO notifications ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)"
_ALL = f"SELECT {_COLUMNS} FROM notifications ORDER BY seq"
_OF_RESOURCE = f"SELECT {_COLUMNS} FROM notifications WHERE resource_sid = ? ORDER BY seq"


class NotificationRepository:
    """Debugger notifications, in the order they were raised."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def insert(self, n: NotificationRecord) -> None:
        self._store.execute(
            _INSERT,
            (n.sid, n.timestamp, n.account_sid, n.resource_sid, n.error_code, n.log_level,
             n.message, n.url),
        )  # fmt: skip

    def all(self, resource_sid: str | None = None) -> list[NotificationRecord]:
        """Every notification, oldest first, or those about one resource."""
        if resource_sid is None:
            rows = self._store.query(_ALL)
        else:
            rows = self._store.query(_OF_RESOURCE, (resource_sid,))
        return [NotificationRecord(*row) for row in rows]

    def recent(self, account_sids: Sequence[str], limit: int = 50) -> list[NotificationRecord]:
        """The newest notifications of some accounts, newest first (the web inbox)."""
        if not account_sids:
            return []
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM notifications"
            f" WHERE account_sid IN ({placeholders(account_sids)})"
            " ORDER BY seq DESC LIMIT ?",
            (*account_sids, limit),
        )
        return [NotificationRecord(*row) for row in rows]
