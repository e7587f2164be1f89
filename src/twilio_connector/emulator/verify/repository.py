"""The ``verify_services`` and ``verifications`` tables: DDL and statements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ..store import Store
from .records import SendAttempt, VerificationRecord, VerifyServiceRecord

__all__ = ["VerifyRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS verify_services (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  friendly_name TEXT NOT NULL, settings TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS verifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, service_sid TEXT NOT NULL,
  account_sid TEXT NOT NULL, to_address TEXT NOT NULL, channel TEXT NOT NULL,
  code TEXT NOT NULL, status TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL, expires_at REAL NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS verifications_by_to ON verifications (to_address, service_sid);
CREATE INDEX IF NOT EXISTS verifications_by_service ON verifications (service_sid);
"""
_SERVICE_COLUMNS = "sid, account_sid, friendly_name, settings, date_created, date_updated"
_SAVE_SERVICE = (
    f"INSERT INTO verify_services ({_SERVICE_COLUMNS}) VALUES (?,?,?,?,?,?) "
    "ON CONFLICT(sid) DO UPDATE SET friendly_name=excluded.friendly_name, "
    "settings=excluded.settings, date_updated=excluded.date_updated"
)
_DELETE_SERVICE = "DELETE FROM verify_services WHERE sid=?"
_ALL_SERVICES = f"SELECT {_SERVICE_COLUMNS} FROM verify_services ORDER BY seq"
_COLUMNS = (
    "sid, service_sid, account_sid, to_address, channel, code, status, date_created, "
    "date_updated, expires_at, data"
)
_SAVE = (
    f"INSERT INTO verifications ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(sid) DO UPDATE SET channel=excluded.channel, code=excluded.code, "
    "status=excluded.status, date_updated=excluded.date_updated, data=excluded.data"
)
_GET = f"SELECT {_COLUMNS} FROM verifications WHERE sid=?"
_LATEST_FOR = (
    f"SELECT {_COLUMNS} FROM verifications WHERE to_address=? AND service_sid=? "
    "ORDER BY seq DESC LIMIT 1"
)
_DELETE_OF_SERVICE = "DELETE FROM verifications WHERE service_sid=?"


class _Data(msgspec.Struct, omit_defaults=True):
    """The verification's columns that no query filters on, as one JSON document."""

    attempts: list[tuple[str, str, float, str | None]] = []
    checks: int = 0
    amount: str | None = None
    payee: str | None = None
    locale: str | None = None
    custom_friendly_name: str | None = None


_encode_data = msgspec.json.Encoder().encode
_decode_data = msgspec.json.Decoder(_Data).decode


def _row(v: VerificationRecord) -> tuple[Any, ...]:
    data = _Data(
        [(a.attempt_sid, a.channel, a.time, a.resource_sid) for a in v.attempts],
        v.checks, v.amount, v.payee, v.locale, v.custom_friendly_name,
    )  # fmt: skip
    return (
        v.sid, v.service_sid, v.account_sid, v.to, v.channel, v.code, v.status,
        v.date_created, v.date_updated, v.expires_at, _encode_data(data).decode(),
    )  # fmt: skip


def _record(row: Any) -> VerificationRecord:
    data = _decode_data(row[10])
    sid, service_sid, account_sid, to, channel, code, status, created, updated, expires = row[:10]
    return VerificationRecord(
        sid, service_sid, account_sid, to, channel, code, status, created, updated, expires,
        attempts=[SendAttempt(*a) for a in data.attempts],
        checks=data.checks, amount=data.amount, payee=data.payee, locale=data.locale,
        custom_friendly_name=data.custom_friendly_name,
    )  # fmt: skip


class VerifyRepository:
    """Services (every account's, oldest first) and verifications."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    # -- services ---------------------------------------------------------------------------

    def save_service(self, s: VerifyServiceRecord) -> None:
        settings = msgspec.json.encode(s.settings).decode()
        self._store.execute(
            _SAVE_SERVICE,
            (s.sid, s.account_sid, s.friendly_name, settings, s.date_created, s.date_updated),
        )

    def delete_service(self, sid: str) -> None:
        """The service and its verifications."""
        self._store.execute(_DELETE_OF_SERVICE, (sid,))
        self._store.execute(_DELETE_SERVICE, (sid,))

    def services(self) -> list[VerifyServiceRecord]:
        return [
            VerifyServiceRecord(r[0], r[1], r[2], msgspec.json.decode(r[3]), r[4], r[5])
            for r in self._store.query(_ALL_SERVICES)
        ]

    # -- verifications ----------------------------------------------------------------------

    def save(self, v: VerificationRecord) -> None:
        self._store.execute(_SAVE, _row(v))

    def get(self, sid: str) -> VerificationRecord | None:
        row = self._store.query_one(_GET, (sid,))
        return None if row is None else _record(row)

    def latest_for(self, service_sid: str, to: str) -> VerificationRecord | None:
        """The newest verification of ``to`` in the service."""
        row = self._store.query_one(_LATEST_FOR, (to, service_sid))
        return None if row is None else _record(row)

    def newest(
        self, to: str | None, service_sid: str | None, limit: int
    ) -> list[VerificationRecord]:
        """Verifications, newest first, optionally of one ``to`` and/or service."""
        where, args = [], []
        if to is not None:
            where.append("to_address=?")
            args.append(to)
        if service_sid is not None:
            where.append("service_sid=?")
            args.append(service_sid)
        clause = " AND ".join(where) or "1"
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM verifications WHERE {clause} ORDER BY seq DESC LIMIT ?",
            (*args, limit),
        )
        return [_record(r) for r in rows]

    # -- what the web inbox reads (read-only) -------------------------------------------------

    def page_of_accounts(
        self, account_sids: Sequence[str], to: str | None, before_seq: int | None, limit: int
    ) -> list[tuple[int, VerificationRecord]]:
        """Up to ``limit`` verifications of the accounts, newest first, as ``(seq,
        record)``: of one ``to`` when given, older than ``before_seq`` (a keyset cursor)
        when given. Statuses as stored (``expired`` is applied by the reader)."""
        if not account_sids:
            return []
        marks = ",".join("?" * len(account_sids))
        where, args = [f"account_sid IN ({marks})"], list[object](account_sids)
        if to is not None:
            where.append("to_address=?")
            args.append(to)
        if before_seq is not None:
            where.append("seq<?")
            args.append(before_seq)
        rows = self._store.query(
            f"SELECT seq, {_COLUMNS} FROM verifications WHERE {' AND '.join(where)} "
            "ORDER BY seq DESC LIMIT ?",
            (*args, limit),
        )
        return [(int(r[0]), _record(r[1:])) for r in rows]
