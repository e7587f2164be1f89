"""The ``contents`` table: DDL and statements (JSON columns for variables, types, approval)."""

from __future__ import annotations

from typing import Any

import msgspec

from ..store import Store
from .records import ContentRecord

__all__ = ["ContentRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contents (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  friendly_name TEXT NOT NULL, language TEXT NOT NULL, variables TEXT NOT NULL,
  types TEXT NOT NULL, approval TEXT, date_created REAL NOT NULL, date_updated REAL NOT NULL);
"""
_COLUMNS = (
    "sid, account_sid, friendly_name, language, variables, types, approval, date_created, "
    "date_updated"
)
_SAVE = (
    f"INSERT INTO contents ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(sid) DO UPDATE SET friendly_name=excluded.friendly_name, "
    "language=excluded.language, variables=excluded.variables, types=excluded.types, "
    "approval=excluded.approval, date_updated=excluded.date_updated"
)
_DELETE = "DELETE FROM contents WHERE sid=?"
_ALL = f"SELECT {_COLUMNS} FROM contents ORDER BY seq"


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _record(r: Any) -> ContentRecord:
    decode = msgspec.json.decode
    approval = decode(r[6]) if r[6] else None
    return ContentRecord(r[0], r[1], r[2], r[3], decode(r[4]), decode(r[5]), approval, r[7], r[8])


class ContentRepository:
    """Templates of every account, oldest first."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def save(self, c: ContentRecord) -> None:
        approval = None if c.approval is None else _json(c.approval)
        self._store.execute(
            _SAVE,
            (
                c.sid, c.account_sid, c.friendly_name, c.language, _json(c.variables),
                _json(c.types), approval, c.date_created, c.date_updated,
            ),
        )  # fmt: skip

    def delete(self, sid: str) -> None:
        self._store.execute(_DELETE, (sid,))

    def all(self) -> list[ContentRecord]:
        return [_record(r) for r in self._store.query(_ALL)]
