"""SQLite persistence for the emulator's state: the connection, batching, reset, meta.

One connection, used only from the emulator's event loop thread. Writes join an open
transaction that is committed every ``commit_interval`` seconds, on ``settle`` and on
close, so a burst of thousands of messages per second costs one commit per interval.
Hot writers (message lifecycles, the delivery log) may also buffer rows and register a
flush function with :meth:`Store.defer`: it runs before the next read and before each
commit, so every read still sees every write.

Each resource's repository (``<resource>/repository.py``: accounts, keys, numbers, messages,
rules, notifications, webhooks, calls) adds its tables with :meth:`Store.add_schema` and holds
their SQL; :meth:`Store.reset` empties every table. Only the ``meta`` table is kept here.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["Store", "placeholders"]

_CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_TABLE_RE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)


def placeholders(values: Sequence[object]) -> str:
    """``?,?,?``: one parameter mark per value (for ``IN (...)`` in a repository's SQL)."""
    return ",".join("?" * len(values))


class Store:
    """The emulator's SQLite database. ``path=None`` keeps it in memory."""

    def __init__(self, path: str | Path | None = None, commit_interval: float = 0.05) -> None:
        self.path = None if path is None else Path(path)
        self.commit_interval = commit_interval
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        target = ":memory:" if self.path is None else str(self.path)
        self.conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        if self.path is not None:
            # WAL + synchronous=OFF: a crash of the emulator loses nothing the OS has; only a
            # power cut can lose the last commits (fine for a test double, and much faster).
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB
        self._tables: list[str] = []
        self._deferred: dict[Callable[[], None], None] = {}
        self._commit_handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.add_schema(_CORE_SCHEMA)

    # -- plumbing ---------------------------------------------------------------------------

    def add_schema(self, ddl: str) -> None:
        """Create tables/indexes (``CREATE ... IF NOT EXISTS``); they take part in reset."""
        self.commit()
        self.conn.executescript(ddl)
        for name in _TABLE_RE.findall(ddl):
            if name not in self._tables:
                self._tables.append(name)

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Commit on ``loop`` every ``commit_interval`` seconds while writes are pending."""
        self._loop = loop

    def _schedule_commit(self) -> None:
        if self._loop is not None and self._commit_handle is None:
            self._commit_handle = self._loop.call_later(self.commit_interval, self.commit)

    def _begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN")
            self._schedule_commit()

    def defer(self, flush: Callable[[], None]) -> None:
        """``flush`` has buffered rows: call it before the next read or commit."""
        if flush not in self._deferred:
            self._deferred[flush] = None
            self._schedule_commit()

    def flush(self) -> None:
        """Write every buffered row now (inside the open transaction)."""
        while self._deferred:
            pending = list(self._deferred)
            self._deferred.clear()
            for fn in pending:
                fn()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run a write statement inside the current batch transaction."""
        self._begin()
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._begin()
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        if self._deferred:
            self.flush()
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self._deferred:
            self.flush()
        return self.conn.execute(sql, params).fetchone()

    def commit(self) -> None:
        if self._deferred:
            self.flush()
        if self._commit_handle is not None:
            self._commit_handle.cancel()
            self._commit_handle = None
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def reset(self) -> None:
        """Delete every row of every table (schema stays); buffered rows are dropped."""
        self._deferred.clear()
        self._begin()
        for table in self._tables:
            self.conn.execute(f"DELETE FROM {table}")  # names come from our own DDL
        self.commit()

    def close(self) -> None:
        self.commit()
        self.conn.close()

    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key=?", (key,))
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
