"""The Messaging Services tables: DDL and statements.

``messaging_services``, the pools (``messaging_service_numbers``,
``messaging_service_short_codes``, ``messaging_service_alpha_senders``) and the sticky-sender
mappings (``messaging_sticky_senders``: per service, recipient -> the ``From`` it got).
"""

from __future__ import annotations

import msgspec

from ..store import Store
from .records import AlphaSenderRecord, PoolNumberRecord, PoolShortCodeRecord, ServiceRecord

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
CREATE TABLE IF NOT EXISTS messaging_service_short_codes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, service_sid TEXT NOT NULL,
  short_code_sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messaging_service_alpha_senders (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE,
  service_sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, alpha_sender TEXT NOT NULL,
  date_created REAL NOT NULL, date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messaging_sticky_senders (
  service_sid TEXT NOT NULL, recipient TEXT NOT NULL, sender TEXT NOT NULL,
  PRIMARY KEY (service_sid, recipient));
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
_SC_COLUMNS = "service_sid, short_code_sid, account_sid, date_created, date_updated"
_ADD_SC = f"INSERT INTO messaging_service_short_codes ({_SC_COLUMNS}) VALUES (?,?,?,?,?)"
_REMOVE_SC = "DELETE FROM messaging_service_short_codes WHERE short_code_sid=?"
_ALL_SC = f"SELECT {_SC_COLUMNS} FROM messaging_service_short_codes ORDER BY seq"
_ALPHA_COLUMNS = "sid, service_sid, account_sid, alpha_sender, date_created, date_updated"
_ADD_ALPHA = f"INSERT INTO messaging_service_alpha_senders ({_ALPHA_COLUMNS}) VALUES (?,?,?,?,?,?)"
_REMOVE_ALPHA = "DELETE FROM messaging_service_alpha_senders WHERE sid=?"
_ALL_ALPHA = f"SELECT {_ALPHA_COLUMNS} FROM messaging_service_alpha_senders ORDER BY seq"
_SET_STICKY = (
    "INSERT INTO messaging_sticky_senders (service_sid, recipient, sender) VALUES (?,?,?) "
    "ON CONFLICT(service_sid, recipient) DO UPDATE SET sender=excluded.sender"
)
_DROP_STICKY = "DELETE FROM messaging_sticky_senders WHERE service_sid=? AND sender=?"
_STICKY_OF = "SELECT sender FROM messaging_sticky_senders WHERE service_sid=? AND recipient=?"
_STICKY_PAGE = (  # by the primary key (service_sid, recipient): bounded
    "SELECT recipient, sender FROM messaging_sticky_senders WHERE service_sid = ?"
    " ORDER BY recipient LIMIT ?"
)
_STICKY_COUNT = "SELECT COUNT(*) FROM messaging_sticky_senders WHERE service_sid = ?"
_REMOVE_SERVICE_ROWS = (
    "DELETE FROM messaging_service_short_codes WHERE service_sid=?",
    "DELETE FROM messaging_service_alpha_senders WHERE service_sid=?",
    "DELETE FROM messaging_sticky_senders WHERE service_sid=?",
)


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
        """The service, its pools and its sticky mappings."""
        self._store.execute(_REMOVE_POOL, (sid,))
        for statement in _REMOVE_SERVICE_ROWS:
            self._store.execute(statement, (sid,))
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

    def add_short_code(self, p: PoolShortCodeRecord) -> None:
        self._store.execute(
            _ADD_SC,
            (p.service_sid, p.short_code_sid, p.account_sid, p.date_created, p.date_updated),
        )

    def remove_short_code(self, short_code_sid: str) -> None:
        self._store.execute(_REMOVE_SC, (short_code_sid,))

    def short_codes(self) -> list[PoolShortCodeRecord]:
        return [PoolShortCodeRecord(*row) for row in self._store.query(_ALL_SC)]

    def add_alpha_sender(self, a: AlphaSenderRecord) -> None:
        self._store.execute(
            _ADD_ALPHA,
            (a.sid, a.service_sid, a.account_sid, a.alpha_sender, a.date_created, a.date_updated),
        )

    def remove_alpha_sender(self, sid: str) -> None:
        self._store.execute(_REMOVE_ALPHA, (sid,))

    def alpha_senders(self) -> list[AlphaSenderRecord]:
        return [AlphaSenderRecord(*row) for row in self._store.query(_ALL_ALPHA)]

    def set_sticky(self, service_sid: str, recipient: str, sender: str) -> None:
        self._store.execute(_SET_STICKY, (service_sid, recipient, sender))

    def drop_sticky(self, service_sid: str, sender: str) -> None:
        """Every mapping of the service to ``sender`` (it left the pool)."""
        self._store.execute(_DROP_STICKY, (service_sid, sender))

    def sticky_page(self, service_sid: str, limit: int) -> tuple[list[tuple[str, str]], int]:
        """The first ``limit`` mappings of a service by recipient, and how many it has."""
        total = int(self._store.query_one(_STICKY_COUNT, (service_sid,))[0])
        if not total:
            return [], 0
        rows = self._store.query(_STICKY_PAGE, (service_sid, limit))
        return [(str(r[0]), str(r[1])) for r in rows], total

    def sticky_of(self, service_sid: str, recipient: str) -> str | None:
        """The ``From`` mapped to ``recipient`` in the service (by the primary key). The
        table is written at once, never buffered: the read needs no flush of the buffered
        message rows (which a send through a service would otherwise force)."""
        row = self._store.conn.execute(_STICKY_OF, (service_sid, recipient)).fetchone()
        return None if row is None else str(row[0])
