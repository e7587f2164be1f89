"""The ``phone_numbers`` table: its DDL and every statement on it."""

from __future__ import annotations

import msgspec

from ..store import Store
from .records import NumberRecord

__all__ = ["NumberRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS phone_numbers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  phone_number TEXT NOT NULL UNIQUE, friendly_name TEXT NOT NULL, number_type TEXT NOT NULL,
  whatsapp INTEGER NOT NULL, config TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
"""
_COLUMNS = (
    "sid, account_sid, phone_number, friendly_name, number_type, whatsapp, config, "
    "date_created, date_updated"
)
_SAVE = (
    f"INSERT INTO phone_numbers ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(sid) DO UPDATE SET account_sid=excluded.account_sid, "
    "friendly_name=excluded.friendly_name, whatsapp=excluded.whatsapp, config=excluded.config, "
    "date_updated=excluded.date_updated"
)
_DELETE = "DELETE FROM phone_numbers WHERE sid=?"
_ALL = f"SELECT {_COLUMNS} FROM phone_numbers ORDER BY seq"


class NumberRepository:
    """Owned numbers of every account, oldest first (``config`` stored as JSON)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def save(self, n: NumberRecord) -> None:
        self._store.execute(
            _SAVE,
            (n.sid, n.account_sid, n.phone_number, n.friendly_name, n.number_type,
             int(n.whatsapp), msgspec.json.encode(n.config).decode(), n.date_created,
             n.date_updated),
        )  # fmt: skip

    def delete(self, sid: str) -> None:
        self._store.execute(_DELETE, (sid,))

    def all(self) -> list[NumberRecord]:
        out = []
        for r in self._store.query(_ALL):
            config = msgspec.json.decode(r[6])
            out.append(NumberRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), config, r[7], r[8]))
        return out
