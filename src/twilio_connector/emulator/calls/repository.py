"""The ``calls`` table: its DDL and every SQL statement on it.

Writes are behind: :meth:`CallRepository.save` keeps the changed call and upserts it before
the next read or commit (:meth:`~..store.Store.defer`), so a call's many status changes cost
one row write per batch. The table takes part in ``Store.reset``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..._wire import DateRange
from ..pagination import UNBOUNDED, PageRequest, date_conditions, paginate_sql
from ..store import Store, placeholders
from .records import CallRecord

__all__ = ["TERMINAL", "CallFilter", "CallRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  direction TEXT NOT NULL, from_ TEXT NOT NULL, to_ TEXT NOT NULL, status TEXT NOT NULL,
  date_created REAL NOT NULL, date_updated REAL NOT NULL, parent_call_sid TEXT,
  phone_number_sid TEXT, start_time REAL, end_time REAL, duration INTEGER, price TEXT,
  answered_by TEXT, forwarded_from TEXT, caller_name TEXT, transcript TEXT);
CREATE INDEX IF NOT EXISTS calls_by_account ON calls (account_sid, seq);
CREATE INDEX IF NOT EXISTS calls_by_to ON calls (account_sid, to_, seq);
CREATE INDEX IF NOT EXISTS calls_by_from ON calls (account_sid, from_, seq);
CREATE INDEX IF NOT EXISTS calls_by_parent ON calls (parent_call_sid, seq);
"""
_COLUMNS = (
    "sid, account_sid, direction, from_, to_, status, date_created, date_updated, "
    "parent_call_sid, phone_number_sid, start_time, end_time, duration, price, answered_by, "
    "forwarded_from, caller_name"
)
_UPSERT = (
    f"INSERT INTO calls ({_COLUMNS}, transcript) VALUES ({', '.join('?' * 18)}) "
    "ON CONFLICT(sid) DO UPDATE SET status=excluded.status, date_updated=excluded.date_updated, "
    "start_time=excluded.start_time, end_time=excluded.end_time, duration=excluded.duration, "
    "price=excluded.price, answered_by=excluded.answered_by, "
    "transcript=coalesce(excluded.transcript, transcript)"
)
_GET = f"SELECT {_COLUMNS} FROM calls WHERE sid=? AND account_sid=?"
TERMINAL = ("completed", "busy", "no-answer", "failed", "canceled")
_END_ABANDONED = (
    "UPDATE calls SET status = CASE status WHEN 'in-progress' THEN 'completed' "
    "ELSE 'canceled' END, end_time=?, date_updated=? "
    f"WHERE status NOT IN ({', '.join('?' * len(TERMINAL))})"
)


@dataclass(frozen=True)
class CallFilter:
    """The ``GET /Calls.json`` filters (``None``/empty: not filtered)."""

    to: str | None = None
    from_: str | None = None
    parent_call_sid: str | None = None
    status: str | None = None
    start_time: DateRange = UNBOUNDED
    end_time: DateRange = UNBOUNDED


def _row(c: CallRecord) -> tuple[Any, ...]:
    return (
        c.sid, c.account_sid, c.direction, c.from_, c.to, c.status, c.date_created,
        c.date_updated, c.parent_call_sid, c.phone_number_sid, c.start_time, c.end_time,
        c.duration, c.price, c.answered_by, c.forwarded_from, c.caller_name, c.transcript,
    )  # fmt: skip


def _record(row: Sequence[Any]) -> CallRecord:
    return CallRecord(*row)


class CallRepository:
    """SQL for calls, on the emulator's :class:`~..store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.add_schema(_SCHEMA)
        self._dirty: dict[str, CallRecord] = {}

    # -- writes -----------------------------------------------------------------------------

    def save(self, call: CallRecord) -> None:
        """Upsert ``call`` before the next read or commit."""
        self._dirty[call.sid] = call
        self.store.defer(self._flush)

    def _flush(self) -> None:
        if self._dirty:
            rows = [_row(c) for c in self._dirty.values()]
            self._dirty.clear()
            self.store.executemany(_UPSERT, rows)

    def drop_pending(self) -> None:
        self._dirty.clear()

    def delete(self, sid: str) -> None:
        self._dirty.pop(sid, None)
        self.store.execute("DELETE FROM calls WHERE sid=?", (sid,))

    def end_abandoned(self, now: float) -> int:
        """Calls a previous run left live: answered ones completed, others canceled."""
        return self.store.execute(_END_ABANDONED, (now, now, *TERMINAL)).rowcount

    # -- reads ------------------------------------------------------------------------------

    def get(self, account_sid: str, sid: str) -> CallRecord | None:
        row = self.store.query_one(_GET, (sid, account_sid))
        return None if row is None else _record(row)

    def exists(self, sid: str, account_sid: str | None = None) -> bool:
        sql, args = "SELECT 1 FROM calls WHERE sid=?", [sid]
        if account_sid is not None:
            sql += " AND account_sid=?"
            args.append(account_sid)
        return self.store.query_one(sql, args) is not None

    def status(self, sid: str) -> str | None:
        row = self.store.query_one("SELECT status FROM calls WHERE sid=?", (sid,))
        return None if row is None else str(row[0])

    def transcript(self, sid: str) -> str | None:
        row = self.store.query_one("SELECT transcript FROM calls WHERE sid=?", (sid,))
        return None if row is None else row[0]

    def page(
        self, account_sid: str, where: CallFilter, preq: PageRequest
    ) -> tuple[list[CallRecord], bool]:
        """One page of the account's calls, newest first: (records, has_next)."""
        conditions: list[str] = ["account_sid = ?"]
        args: list[Any] = [account_sid]
        for column, value in (
            ("to_", where.to), ("from_", where.from_),
            ("parent_call_sid", where.parent_call_sid), ("status", where.status),
        ):  # fmt: skip
            if value:
                conditions.append(f"{column} = ?")
                args.append(value)
        for column, selected in (("start_time", where.start_time), ("end_time", where.end_time)):
            more, more_args = date_conditions(column, selected)
            conditions += more
            args += more_args
        rows, has_next = paginate_sql(
            self.store, table="calls", columns=_COLUMNS, where=conditions, args=args,
            preq=preq, seq_of=lambda sid: self._seq(account_sid, sid),
        )  # fmt: skip
        return [_record(r) for r in rows], has_next

    def _seq(self, account_sid: str, sid: str) -> int | None:
        row = self.store.query_one(
            "SELECT seq FROM calls WHERE sid=? AND account_sid=?", (sid, account_sid)
        )
        return None if row is None else int(row[0])

    def recent(self, account_sids: Sequence[str], limit: int) -> list[CallRecord]:
        """The newest calls of these accounts, transcripts included (the web inbox)."""
        if not account_sids:
            return []
        rows = self.store.query(
            f"SELECT {_COLUMNS}, transcript FROM calls "
            f"WHERE account_sid IN ({placeholders(account_sids)}) "
            "ORDER BY seq DESC LIMIT ?",
            (*account_sids, limit),
        )
        return [_record(r) for r in rows]
