"""The ``recordings`` table and its ``recording_audio`` side table: their DDL and every SQL
statement on them (both part of ``Store.reset``).

A recording's real audio (8 kHz μ-law, when it has any) is a BLOB in ``recording_audio``,
keyed by the recording's SID: a side table, so an existing database gains it with
``CREATE TABLE IF NOT EXISTS`` (no column to add), and lists never read the audio.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..._wire import DateRange
from ..pagination import UNBOUNDED, PageRequest, date_conditions, paginate_sql
from ..store import Store
from .records import RecordingRecord

__all__ = ["RecordingRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS recordings (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  call_sid TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL, duration INTEGER NOT NULL,
  channels INTEGER NOT NULL, track TEXT NOT NULL, start_time REAL NOT NULL,
  date_created REAL NOT NULL, date_updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS recordings_by_account ON recordings (account_sid, seq);
CREATE INDEX IF NOT EXISTS recordings_by_call ON recordings (call_sid, seq);
CREATE TABLE IF NOT EXISTS recording_audio (sid TEXT PRIMARY KEY, mulaw BLOB NOT NULL);
"""
_COLUMNS = (
    "sid, account_sid, call_sid, source, status, duration, channels, track, start_time, "
    "date_created, date_updated"
)
_INSERT = f"INSERT INTO recordings ({_COLUMNS}) VALUES ({', '.join('?' * 11)})"


def _record(row: Sequence[Any]) -> RecordingRecord:
    return RecordingRecord(*row)


class RecordingRepository:
    """SQL for recordings, on the emulator's :class:`~..store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.add_schema(_SCHEMA)

    def add(self, r: RecordingRecord) -> None:
        self.store.execute(
            _INSERT,
            (r.sid, r.account_sid, r.call_sid, r.source, r.status, r.duration, r.channels,
             r.track, r.start_time, r.date_created, r.date_updated),
        )  # fmt: skip

    def get(
        self, account_sid: str, sid: str, call_sid: str | None = None
    ) -> RecordingRecord | None:
        sql = f"SELECT {_COLUMNS} FROM recordings WHERE sid=? AND account_sid=?"
        args: tuple[str, ...] = (sid, account_sid)
        if call_sid is not None:
            sql += " AND call_sid=?"
            args += (call_sid,)
        row = self.store.query_one(sql, args)
        return None if row is None else _record(row)

    def delete(self, sid: str) -> None:
        """Delete the recording and its audio."""
        self.store.execute("DELETE FROM recordings WHERE sid=?", (sid,))
        self.store.execute("DELETE FROM recording_audio WHERE sid=?", (sid,))

    def add_audio(self, sid: str, mulaw: bytes) -> None:
        """Keep ``mulaw`` (8 kHz μ-law) as the audio of recording ``sid``."""
        self.store.execute(
            "INSERT OR REPLACE INTO recording_audio (sid, mulaw) VALUES (?, ?)", (sid, mulaw)
        )

    def audio(self, sid: str) -> bytes | None:
        """The recording's 8 kHz μ-law, or ``None`` when it has no real audio."""
        row = self.store.query_one("SELECT mulaw FROM recording_audio WHERE sid=?", (sid,))
        return None if row is None else bytes(row[0])

    def page(
        self,
        account_sid: str,
        preq: PageRequest,
        *,
        call_sid: str | None = None,
        date_created: DateRange = UNBOUNDED,
    ) -> tuple[list[RecordingRecord], bool]:
        """One page of the account's recordings (of one call), newest first."""
        where, args = ["account_sid = ?"], [account_sid]
        if call_sid:
            where.append("call_sid = ?")
            args.append(call_sid)
        more, more_args = date_conditions("date_created", date_created)
        rows, has_next = paginate_sql(
            self.store, table="recordings", columns=_COLUMNS, where=where + more,
            args=args + more_args, preq=preq, seq_of=lambda sid: self._seq(account_sid, sid),
        )  # fmt: skip
        return [_record(r) for r in rows], has_next

    def _seq(self, account_sid: str, sid: str) -> int | None:
        row = self.store.query_one(
            "SELECT seq FROM recordings WHERE sid=? AND account_sid=?", (sid, account_sid)
        )
        return None if row is None else int(row[0])
