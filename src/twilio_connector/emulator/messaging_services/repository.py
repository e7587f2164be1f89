"""The ``messaging_services`` and ``messaging_service_numbers`` tables: DDL and statements."""

from __future__ import annotations

import msgspec

from ..store import Store
from .records import PoolNumberRecord, ServiceRecord

__all__ = ["ServiceRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messaging_services (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  friendly_name TEXT NOT NULL, settings TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messaging_service_numbers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, service_sid TEXT NOT NULL,
  number_sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
"""
_SERVICE_COLUMNS = "sid, account_sid, friendly_name, settings, date_created, date_updated"
_SAVE_SERVICE = (
    f"INSERT INTO messaging_services ({_SERVICE_COLUMNS}) VALUES (?,?,?,?,?,?) "
    "ON CONFLICT(sid) DO UPDATE SET friendly_name=excluded.friendly_name, "
    "settings=excluded.settings, date_updated=excluded.date_updated"
)
_DELETE_SERVICE = "DELETE FROM messaging_services WHERE sid=?"
_ALL_SERVICES = f"SELECT {_SERVICE_COLUMNS} FROM messaging_services ORDER BY seq"
_NUMBER_COLUMNS = "service_sid, number_sid, account_sid, date_created, date_updated"
_ADD_NUMBER = f"INSERT INTO messaging_service_numbers ({_NUMBER_COLUMNS}) VALUES (?,?,?,?,?)"
_REMOVE_NUMBER = "DELETE FROM messaging_service_numbers WHERE number_sid=?"
_REMOVE_POOL = "DELETE FROM messaging_service_numbers WHERE service_sid=?"
_ALL_NUMBERS = f"SELECT {_NUMBER_COLUMNS} FROM messaging_service_numbers ORDER BY seq"


class ServiceRepository:
    """Services of every account and their pool entries, oldest first."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def save(self, s: ServiceRecord) -> None:
        settings = msgspec.json.encode(s.settings).decode()
        self._store.execute(
            _SAVE_SERVICE,
            (s.sid, s.account_sid, s.friendly_name, settings, s.date_created, s.date_updated),
        )

    def delete(self, sid: str) -> None:
        """The service and its pool."""
        self._store.execute(_REMOVE_POOL, (sid,))
        self._store.execute(_DELETE_SERVICE, (sid,))

    def all(self) -> list[ServiceRecord]:
        return [
            ServiceRecord(r[0], r[1], r[2], msgspec.json.decode(r[3]), r[4], r[5])
            for r in self._store.query(_ALL_SERVICES)
        ]

    def add_number(self, p: PoolNumberRecord) -> None:
        self._store.execute(
            _ADD_NUMBER,
            (p.service_sid, p.number_sid, p.account_sid, p.date_created, p.date_updated),
        )

    def remove_number(self, number_sid: str) -> None:
        self._store.execute(_REMOVE_NUMBER, (number_sid,))

    def numbers(self) -> list[PoolNumberRecord]:
        return [PoolNumberRecord(*row) for row in self._store.query(_ALL_NUMBERS)]
