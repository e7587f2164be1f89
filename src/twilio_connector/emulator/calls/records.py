"""Calls and Recordings as the emulator stores them (records + SQL, no behaviour).

:class:`CallRecord` / :class:`RecordingRecord` are internal shapes (epoch-second times);
:mod:`.serialize` turns them into the :mod:`twilio_connector.models` wire shapes.
:class:`CallStore` adds the ``calls`` and ``recordings`` tables to the emulator's store
(they take part in ``reset``) and writes calls behind: a changed call is upserted before
the next read or commit, so a call's many status changes cost one row write per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..store import Store

__all__ = [
    "CALL_COLUMNS",
    "RECORDING_COLUMNS",
    "CallRecord",
    "CallStore",
    "RecordingRecord",
    "call_from_row",
    "recording_from_row",
]

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
CREATE TABLE IF NOT EXISTS recordings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  call_sid TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL, duration INTEGER NOT NULL,
  channels INTEGER NOT NULL, track TEXT NOT NULL, start_time REAL NOT NULL,
  date_created REAL NOT NULL, date_updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS recordings_by_account ON recordings (account_sid, seq);
CREATE INDEX IF NOT EXISTS recordings_by_call ON recordings (call_sid, seq);
"""

CALL_COLUMNS = (
    "sid, account_sid, direction, from_, to_, status, date_created, date_updated, "
    "parent_call_sid, phone_number_sid, start_time, end_time, duration, price, answered_by, "
    "forwarded_from, caller_name"
)
_UPSERT_CALL = (
    f"INSERT INTO calls ({CALL_COLUMNS}, transcript) VALUES ({', '.join('?' * 18)}) "
    "ON CONFLICT(sid) DO UPDATE SET status=excluded.status, date_updated=excluded.date_updated, "
    "start_time=excluded.start_time, end_time=excluded.end_time, duration=excluded.duration, "
    "price=excluded.price, answered_by=excluded.answered_by, "
    "transcript=coalesce(excluded.transcript, transcript)"
)
RECORDING_COLUMNS = (
    "sid, account_sid, call_sid, source, status, duration, channels, track, start_time, "
    "date_created, date_updated"
)
TERMINAL = ("completed", "busy", "no-answer", "failed", "canceled")


@dataclass(slots=True, eq=False)
class CallRecord:
    sid: str
    account_sid: str
    direction: str
    from_: str
    to: str
    status: str
    date_created: float
    date_updated: float
    parent_call_sid: str | None = None
    phone_number_sid: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    duration: int | None = None
    price: str | None = None
    answered_by: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    transcript: str | None = None
    """The finished call's transcript as JSON (live calls keep theirs in memory)."""


@dataclass(slots=True, eq=False)
class RecordingRecord:
    sid: str
    account_sid: str
    call_sid: str
    source: str
    status: str
    duration: int
    channels: int
    track: str
    start_time: float
    date_created: float
    date_updated: float


def _call_row(c: CallRecord) -> tuple[Any, ...]:
    return (
        c.sid, c.account_sid, c.direction, c.from_, c.to, c.status, c.date_created,
        c.date_updated, c.parent_call_sid, c.phone_number_sid, c.start_time, c.end_time,
        c.duration, c.price, c.answered_by, c.forwarded_from, c.caller_name, c.transcript,
    )  # fmt: skip


def call_from_row(row: Sequence[Any]) -> CallRecord:
    return CallRecord(*row[:17])


def recording_from_row(row: Sequence[Any]) -> RecordingRecord:
    return RecordingRecord(*row[:11])


class CallStore:
    """SQL for calls and recordings, on top of the emulator's :class:`~.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.add_schema(_SCHEMA)
        self._dirty: dict[str, CallRecord] = {}

    # -- calls ------------------------------------------------------------------------------

    def save(self, call: CallRecord) -> None:
        """Upsert ``call`` before the next read or commit."""
        self._dirty[call.sid] = call
        self.store.defer(self._flush)

    def _flush(self) -> None:
        if self._dirty:
            rows = [_call_row(c) for c in self._dirty.values()]
            self._dirty.clear()
            self.store.executemany(_UPSERT_CALL, rows)

    def drop_pending(self) -> None:
        self._dirty.clear()

    def get(self, account_sid: str, sid: str) -> CallRecord | None:
        row = self.store.query_one(
            f"SELECT {CALL_COLUMNS} FROM calls WHERE sid=? AND account_sid=?", (sid, account_sid)
        )
        return None if row is None else call_from_row(row)

    def transcript(self, sid: str) -> str | None:
        row = self.store.query_one("SELECT transcript FROM calls WHERE sid=?", (sid,))
        return None if row is None else row[0]

    def seq_of(self, account_sid: str, sid: str) -> int | None:
        row = self.store.query_one(
            "SELECT seq FROM calls WHERE sid=? AND account_sid=?", (sid, account_sid)
        )
        return None if row is None else int(row[0])

    def delete(self, sid: str) -> None:
        self._dirty.pop(sid, None)
        self.store.execute("DELETE FROM calls WHERE sid=?", (sid,))

    def end_abandoned(self, now: float) -> int:
        """Calls a previous run left live: answered ones completed, others canceled."""
        cur = self.store.execute(
            "UPDATE calls SET status = CASE status WHEN 'in-progress' THEN 'completed' "
            "ELSE 'canceled' END, end_time=?, date_updated=? "
            f"WHERE status NOT IN ({', '.join('?' * len(TERMINAL))})",
            (now, now, *TERMINAL),
        )
        return cur.rowcount

    # -- recordings -------------------------------------------------------------------------

    def add_recording(self, r: RecordingRecord) -> None:
        self.store.execute(
            f"INSERT INTO recordings ({RECORDING_COLUMNS}) VALUES ({', '.join('?' * 11)})",
            (r.sid, r.account_sid, r.call_sid, r.source, r.status, r.duration, r.channels,
             r.track, r.start_time, r.date_created, r.date_updated),
        )  # fmt: skip

    def get_recording(
        self, account_sid: str, sid: str, call_sid: str | None = None
    ) -> RecordingRecord | None:
        sql = f"SELECT {RECORDING_COLUMNS} FROM recordings WHERE sid=? AND account_sid=?"
        args: tuple[str, ...] = (sid, account_sid)
        if call_sid is not None:
            sql += " AND call_sid=?"
            args += (call_sid,)
        row = self.store.query_one(sql, args)
        return None if row is None else recording_from_row(row)

    def recording_seq(self, account_sid: str, sid: str) -> int | None:
        row = self.store.query_one(
            "SELECT seq FROM recordings WHERE sid=? AND account_sid=?", (sid, account_sid)
        )
        return None if row is None else int(row[0])

    def delete_recording(self, sid: str) -> None:
        self.store.execute("DELETE FROM recordings WHERE sid=?", (sid,))
