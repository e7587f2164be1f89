"""The SQLite journal of a bulk run, and the lock that gives one run at a time.

The journal has one line per CSV row (keyed by :attr:`BulkRow.key`): its state, the
message SID once sent, and for a refused row Twilio's error code and message. Journals
written before the ``to_number`` and ``code`` columns existed are upgraded in place.

:func:`hold_lock` takes ``fcntl.flock(LOCK_EX | LOCK_NB)`` on ``<journal>.lock`` and writes
the holder's pid into it; a second holder gets :class:`JournalBusyError` at once (never
waits). The lock file stays on disk (removing it would let a third run lock a new file
while the second still holds the old one); the kernel releases the lock when the holder
exits, however it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .rows import BulkRow

__all__ = ["Failure", "Journal", "JournalBusyError", "hold_lock", "lock_path"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS rows (key TEXT PRIMARY KEY, idx INTEGER, state TEXT,"
    " sid TEXT, error TEXT, attempted_at REAL, to_number TEXT, code INTEGER)"
)
_ADDED_COLUMNS = {"to_number": "TEXT", "code": "INTEGER"}
_MARK = (
    "INSERT INTO rows(key, idx, state, sid, error, attempted_at, to_number, code)"
    " VALUES (?,?,?,?,?,?,?,?)"
    " ON CONFLICT(key) DO UPDATE SET state=excluded.state, sid=excluded.sid,"
    " error=excluded.error, to_number=excluded.to_number, code=excluded.code,"
    " attempted_at=COALESCE(rows.attempted_at, excluded.attempted_at)"
)
_STATE = "SELECT state, attempted_at FROM rows WHERE key=?"
_SIDS = "SELECT sid FROM rows WHERE state='sent' AND sid IS NOT NULL"
_REKEY = "UPDATE rows SET key=? WHERE key=?"
_FAILURES = (
    "SELECT key, idx, state, to_number, code, error FROM rows"
    " WHERE state IN ('failed', 'unknown') ORDER BY idx"
)


@dataclass(frozen=True)
class Failure:
    """A row that was not sent: refused by Twilio (``failed``) or of unknown outcome."""

    row: int
    """The row number (1 = the first row after the header)."""
    to: str
    state: str
    code: int | None
    message: str


class JournalBusyError(RuntimeError):
    """Another run holds the journal's lock: this run must not send anything."""


def lock_path(journal_path: Path) -> Path:
    return journal_path.with_name(journal_path.name + ".lock")


@contextlib.contextmanager
def hold_lock(journal_path: Path) -> Iterator[None]:
    """Hold the journal's lock (non-blocking: :class:`JournalBusyError` if it is taken)."""
    path = lock_path(journal_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise JournalBusyError(
                f"another send-bulk run{who} is using the journal {journal_path} "
                f"(lock {path}); nothing was sent"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class Journal:
    """The SQLite journal of a bulk run (one file per CSV by default)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(_SCHEMA)
        present = {row[1] for row in self.db.execute("PRAGMA table_info(rows)")}
        for name, kind in _ADDED_COLUMNS.items():
            if name not in present:
                self.db.execute(f"ALTER TABLE rows ADD COLUMN {name} {kind}")

    def state(self, row: BulkRow) -> tuple[str, float | None]:
        found = self.db.execute(_STATE, (row.key,)).fetchone()
        if found is None:  # a journal from before content keys: take the row's old line over
            found = self.db.execute(_STATE, (row.legacy_key,)).fetchone()
            if found is not None:
                self.db.execute(_REKEY, (row.key, row.legacy_key))
        return (found[0], found[1]) if found else ("pending", None)

    def mark(
        self,
        row: BulkRow,
        state: str,
        sid: str | None = None,
        error: str | None = None,
        code: int | None = None,
    ) -> None:
        self.db.execute(_MARK, (row.key, row.index, state, sid, error, time.time(), row.to, code))

    def sids(self) -> set[str]:
        """The SIDs of the messages the journal records as sent (each one row's answer)."""
        return {sid for (sid,) in self.db.execute(_SIDS)}

    def failures(self, rows: list[BulkRow] | None = None) -> list[Failure]:
        """Rows not sent (``failed``, ``unknown``), by row number; only ``rows`` if given."""
        wanted = None if rows is None else {r.key for r in rows}
        return [
            Failure(idx + 1, to or "", state, code, error or "")
            for key, idx, state, to, code, error in self.db.execute(_FAILURES)
            if wanted is None or key in wanted
        ]

    def close(self) -> None:
        self.db.close()
