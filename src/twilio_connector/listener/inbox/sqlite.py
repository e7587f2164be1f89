"""The SQLite inbox: every verified callback is stored here before Twilio gets its 2xx.

SQLite in WAL mode; :class:`Inbox` is the synchronous store, used by the listener (through
:class:`~twilio_connector.listener.committer.GroupCommitter`) and by the
``twilio-connector inbox`` commands. One listener process owns an inbox file at a time,
enforced by :class:`OwnerLock` (``<inbox>.lock``): a second listener waits for the lock
(a rolling restart: the new process takes over once the old one has drained) and gives up
with :class:`InboxBusyError` naming the holder. The CLI may read and replay alongside.
Several replicas need the PostgreSQL backend (``postgres.py``).

Layout, chosen so the hot path is two appends per event: ``events`` holds each callback
(its row is written once, and updated only on the rare paths: retry, dead letter, no
handler, replay); a success appends the id to ``done``; ``meta.settled_below`` is a
watermark under which every event has an outcome, so a restart only scans newer rows.

Statuses as shown: ``pending`` (to run, or waiting for a retry at ``next_attempt_at``),
``done``, ``unhandled`` (no handler was registered), ``dead`` (failed ``max_attempts``
times; replayable). With the default ``synchronous="NORMAL"`` a committed row survives the
process being killed (kill -9); ``synchronous="FULL"`` also survives power loss at the
cost of an fsync per batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.inbox.records import (
    STATUSES,
    InboxRecord,
    NewRecord,
    Update,
    check_statuses,
)

try:
    import fcntl
except ImportError:  # not POSIX: the single-owner rule is documented, not enforced
    fcntl = None  # type: ignore[assignment]

__all__ = ["DEFAULT_INBOX_PATH", "Inbox", "InboxBusyError", "OwnerLock"]

DEFAULT_INBOX_PATH = "twilio-connector-inbox.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    received_at REAL NOT NULL,
    name TEXT NOT NULL,
    resource_sid TEXT,
    rank INTEGER NOT NULL DEFAULT 0,
    token TEXT,
    dedup_key TEXT,
    inline INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    payload BLOB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    reply BLOB,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_flagged ON events(status, id)
    WHERE status IN ('replay', 'dead');
CREATE TABLE IF NOT EXISTS done (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

_COLUMNS = (
    "e.id, e.received_at, e.name, e.resource_sid, e.rank, e.token, e.dedup_key, e.inline, "
    "e.content_type, e.payload, "
    "CASE WHEN d.id IS NOT NULL THEN 'done' WHEN e.status = 'replay' THEN 'pending' "
    "ELSE e.status END, "
    "e.attempts, e.next_attempt_at, e.last_error, e.reply, e.updated_at"
)
_FROM = "FROM events e LEFT JOIN done d ON d.id = e.id"
_INSERT = (
    "INSERT INTO events (id, received_at, name, resource_sid, rank, token, dedup_key, "
    "inline, content_type, payload, status, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?2)"
)
_UPDATE = (
    "UPDATE events SET status = ?, attempts = ?, next_attempt_at = ?, "
    "last_error = COALESCE(?, last_error), reply = COALESCE(?, reply), updated_at = ? "
    "WHERE id = ?"
)
_OPEN = "e.status = 'pending' AND NOT EXISTS (SELECT 1 FROM done x WHERE x.id = e.id)"


def _record(row: Sequence[Any]) -> InboxRecord:
    return InboxRecord(
        id=row[0],
        received_at=row[1],
        name=row[2],
        resource_sid=row[3],
        rank=row[4],
        token=row[5],
        dedup_key=row[6],
        inline=bool(row[7]),
        content_type=row[8],
        payload=bytes(row[9]),
        status=row[10],
        attempts=row[11],
        next_attempt_at=row[12],
        last_error=row[13],
        reply=None if row[14] is None else bytes(row[14]),
        updated_at=row[15],
    )


class Inbox:
    """Synchronous SQLite inbox. Not thread-safe: use one instance per thread."""

    def __init__(self, path: str | Path = DEFAULT_INBOX_PATH, *, synchronous: str = "NORMAL"):
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError("synchronous must be OFF, NORMAL, FULL or EXTRA")
        self.path = str(path)
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        conn = self._conn
        if self.path != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous.upper()}")
        conn.execute("PRAGMA journal_size_limit=67108864")
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()
        self._next_id = int(row[0]) + 1

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Inbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def limit_cache(self, kib: int) -> None:
        """Cap this connection's page cache (SQLite's default is 2 MiB)."""
        self._conn.execute(f"PRAGMA cache_size=-{int(kib)}")

    def disable_autocheckpoint(self) -> None:
        """Leave WAL checkpoints to the maintenance thread (keeps them off the event loop)."""
        self._conn.execute("PRAGMA wal_autocheckpoint=0")

    def allocate_id(self) -> int:
        next_id = self._next_id
        self._next_id = next_id + 1
        return next_id

    @property
    def next_id(self) -> int:
        """The id the next :meth:`allocate_id` returns."""
        return self._next_id

    # ------------------------------------------------------------------ writes

    def write(
        self,
        inserts: Sequence[NewRecord] = (),
        updates: Sequence[Update] = (),
        done: Sequence[int] = (),
        settled_below: int | None = None,
    ) -> None:
        """Store ``inserts``, apply ``updates``, record ``done`` ids and the watermark, in one
        transaction (one commit)."""
        conn = self._conn
        now = time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if inserts:
                conn.executemany(_INSERT, inserts)
            if updates:
                conn.executemany(
                    _UPDATE,
                    [
                        (u.status, u.attempts, u.next_attempt_at, u.last_error, u.reply, now, u.id)
                        for u in updates
                    ],
                )
            if done:
                conn.executemany("INSERT OR IGNORE INTO done (id) VALUES (?)", [(i,) for i in done])
            if settled_below is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('settled_below', ?)",
                    (settled_below,),
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def replay(self, ids: Iterable[int] | None = None) -> int:
        """Make rows pending again (attempts reset): the given ids, or every dead letter."""
        now = time.time()
        sql = (
            "UPDATE events SET status = 'replay', attempts = 0, next_attempt_at = 0, "
            "last_error = NULL, updated_at = ? WHERE "
        )
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if ids is None:
                count = conn.execute(sql + "status = 'dead'", (now,)).rowcount
            else:
                wanted = [(int(i),) for i in ids]
                conn.executemany("DELETE FROM done WHERE id = ?", wanted)
                count = conn.executemany(sql + "id = ?", [(now, i) for (i,) in wanted]).rowcount
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    def purge(self, older_than: float, limit: int = 1000) -> int:
        """Delete up to ``limit`` done/unhandled rows received before ``older_than``.

        Rows are found oldest first without holding the write lock, then deleted by id.
        """
        conn = self._conn
        # received_at grows with id: everything before the first recent row is old.
        first_recent = conn.execute(
            "SELECT id FROM events WHERE received_at >= ? ORDER BY id LIMIT 1", (older_than,)
        ).fetchone()
        bound = first_recent[0] if first_recent is not None else 2**62
        ids = [
            (row[0],)
            for row in conn.execute(
                "SELECT e.id FROM events e WHERE e.id < ? AND (e.status = 'unhandled' OR "
                "EXISTS (SELECT 1 FROM done x WHERE x.id = e.id)) ORDER BY e.id LIMIT ?",
                (bound, limit),
            )
        ]
        if not ids:
            return 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM events WHERE id = ?", ids)
            conn.executemany("DELETE FROM done WHERE id = ?", ids)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return len(ids)

    def checkpoint(self, mode: str = "PASSIVE") -> tuple[int, int]:
        """Run a WAL checkpoint; ``(frames in the WAL, frames copied to the database)``."""
        row = self._conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        return (int(row[1]), int(row[2])) if row else (0, 0)

    # ------------------------------------------------------------------ reads

    def _select(self, where: str, args: Sequence[object]) -> list[InboxRecord]:
        sql = f"SELECT {_COLUMNS} {_FROM} WHERE {where}"
        return [_record(r) for r in self._conn.execute(sql, args)]

    def get(self, record_id: int) -> InboxRecord | None:
        found = self._select("e.id = ?", (record_id,))
        return found[0] if found else None

    def get_many(self, ids: Sequence[int]) -> list[InboxRecord]:
        out: list[InboxRecord] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            out += self._select(f"e.id IN ({', '.join('?' * len(chunk))})", chunk)
        return sorted(out, key=lambda r: r.id)

    def records(
        self,
        statuses: Iterable[str] | None = None,
        *,
        limit: int = 100,
        after_id: int = 0,
        newest: bool = False,
    ) -> list[InboxRecord]:
        """Rows in id order, optionally only those with one of ``statuses``.

        ``newest=True`` gives the last ``limit`` matching rows (still oldest first).
        """
        wanted = check_statuses(statuses)
        order = "DESC" if newest else "ASC"
        if statuses is None:
            rows = self._select(f"e.id > ? ORDER BY e.id {order} LIMIT ?", (after_id, limit))
        elif wanted == {"dead"}:  # indexed: dead letters are never in the done table
            rows = self._select(
                f"e.status = 'dead' AND e.id > ? ORDER BY e.id {order} LIMIT ?", (after_id, limit)
            )
        else:
            rows = []
            low, high = after_id, 2**62
            while len(rows) < limit:
                batch = self._select(
                    f"e.id > ? AND e.id < ? ORDER BY e.id {order} LIMIT 1000", (low, high)
                )
                if not batch:
                    break
                rows += [r for r in batch if r.status in wanted]
                if newest:
                    high = batch[-1].id
                else:
                    low = batch[-1].id
            rows = rows[:limit]
        return sorted(rows, key=lambda r: r.id) if newest else rows

    def open_records(self, from_id: int, *, limit: int = 1000) -> list[InboxRecord]:
        """Pending rows (no outcome yet) with ``id >= from_id``, oldest first."""
        return self._select(f"e.id >= ? AND {_OPEN} ORDER BY e.id LIMIT ?", (from_id, limit))

    def replays(self, *, limit: int = 1000) -> list[InboxRecord]:
        """Rows made pending again by :meth:`replay` and not picked up yet."""
        return self._select("e.status = 'replay' ORDER BY e.id LIMIT ?", (limit,))

    def settled_below(self) -> int:
        """Every event with a smaller id has an outcome (0 for a new inbox)."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'settled_below'").fetchone()
        return int(row[0]) if row else 0

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT CASE WHEN d.id IS NOT NULL THEN 'done' WHEN e.status = 'replay' "
            f"THEN 'pending' ELSE e.status END AS s, COUNT(*) {_FROM} GROUP BY s"
        )
        found = {str(s): int(n) for s, n in rows}
        return {s: found.get(s, 0) for s in STATUSES}

    def data_version(self) -> int:
        """Changes when another connection commits (cheap poll for CLI replays)."""
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def recent_keys(self, limit: int) -> list[tuple[str, int]]:
        """``(dedup_key, id)`` of the newest ``limit`` rows that have a key, oldest first."""
        rows = self._conn.execute(
            "SELECT dedup_key, id FROM events WHERE dedup_key IS NOT NULL ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(str(k), int(i)) for k, i in reversed(rows)]


class InboxBusyError(ConfigurationError):
    """Another listener process holds this SQLite inbox."""


class OwnerLock:
    """An exclusive ``flock`` on ``<inbox>.lock``; the file names its holder.

    Held by the listener process that writes the inbox, released when it stops (or dies:
    the kernel drops the lock with the process).
    """

    def __init__(self, inbox_path: str) -> None:
        self.path = inbox_path + ".lock"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True if this process holds it now."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        self._fd = fd
        return True

    def holder(self) -> str:
        """Who holds the lock, for an error message."""
        try:
            info = json.loads(Path(self.path).read_text() or "{}")
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info["since"])))
            return f"pid {int(info['pid'])} on {info['host']} since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the descriptor drops the flock
