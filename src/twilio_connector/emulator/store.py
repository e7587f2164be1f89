"""SQLite persistence for the emulator's state (accounts, numbers, logs, rules; resources).

One connection, used only from the emulator's event loop thread. Writes join an open
transaction that is committed every ``commit_interval`` seconds, on ``settle`` and on
close, so a burst of thousands of messages per second costs one commit per interval.
Hot writers (message lifecycles, the delivery log) may also buffer rows and register a
flush function with :meth:`Store.defer`: it runs before the next read and before each
commit, so every read still sees every write.

Resource repositories (``messages/repository.py``, voice ...) add their tables with
:meth:`Store.add_schema` and keep their SQL; :meth:`Store.reset` empties every table, theirs
included. SQL for the remaining core tables lives here.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from .records import AccountRecord, KeyRecord, NumberRecord

__all__ = ["Store"]

_CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, owner_sid TEXT NOT NULL,
  auth_token TEXT NOT NULL, friendly_name TEXT NOT NULL, status TEXT NOT NULL,
  type TEXT NOT NULL, balance TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  secret_hash TEXT NOT NULL, friendly_name TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS phone_numbers (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  phone_number TEXT NOT NULL UNIQUE, friendly_name TEXT NOT NULL, number_type TEXT NOT NULL,
  whatsapp INTEGER NOT NULL, config TEXT NOT NULL, date_created REAL NOT NULL,
  date_updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, kind TEXT NOT NULL,
  account_sid TEXT NOT NULL, resource_sid TEXT, method TEXT NOT NULL, url TEXT NOT NULL,
  params TEXT NOT NULL, status INTEGER, latency_ms REAL NOT NULL, error TEXT,
  error_code INTEGER, signature TEXT NOT NULL, idempotency_token TEXT NOT NULL,
  attempt INTEGER NOT NULL, response_body TEXT);
CREATE INDEX IF NOT EXISTS deliveries_by_resource ON deliveries (resource_sid, id);
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, ts REAL NOT NULL,
  account_sid TEXT NOT NULL, resource_sid TEXT, error_code INTEGER NOT NULL,
  log_level TEXT NOT NULL, message TEXT NOT NULL, url TEXT);
CREATE TABLE IF NOT EXISTS rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, to_pattern TEXT NOT NULL,
  from_pattern TEXT NOT NULL, outcome TEXT NOT NULL, error_code INTEGER,
  params TEXT NOT NULL, remaining INTEGER);
"""

_TABLE_RE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)
_json_encode = msgspec.json.encode
_json_decode = msgspec.json.decode


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

    # -- accounts and keys ------------------------------------------------------------------

    def save_account(self, a: AccountRecord) -> None:
        self.execute(
            "INSERT INTO accounts (sid, owner_sid, auth_token, friendly_name, status, type, "
            "balance, date_created, date_updated) VALUES (?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(sid) DO UPDATE SET auth_token=excluded.auth_token, "
            "friendly_name=excluded.friendly_name, status=excluded.status, "
            "balance=excluded.balance, date_updated=excluded.date_updated",
            (a.sid, a.owner_sid, a.auth_token, a.friendly_name, a.status, a.type, a.balance,
             a.date_created, a.date_updated),
        )  # fmt: skip

    def load_accounts(self) -> list[AccountRecord]:
        rows = self.query(
            "SELECT sid, owner_sid, auth_token, friendly_name, status, type, balance, "
            "date_created, date_updated FROM accounts ORDER BY seq"
        )
        return [AccountRecord(*row) for row in rows]

    def save_key(self, k: KeyRecord) -> None:
        self.execute(
            "INSERT INTO api_keys (sid, account_sid, secret_hash, friendly_name, date_created, "
            "date_updated) VALUES (?,?,?,?,?,?) ON CONFLICT(sid) DO UPDATE SET "
            "friendly_name=excluded.friendly_name, date_updated=excluded.date_updated",
            (k.sid, k.account_sid, k.secret_hash, k.friendly_name, k.date_created, k.date_updated),
        )

    def delete_key(self, sid: str) -> None:
        self.execute("DELETE FROM api_keys WHERE sid=?", (sid,))

    def load_keys(self) -> list[KeyRecord]:
        rows = self.query(
            "SELECT sid, account_sid, secret_hash, friendly_name, date_created, date_updated "
            "FROM api_keys ORDER BY seq"
        )
        return [KeyRecord(*row) for row in rows]

    # -- phone numbers ----------------------------------------------------------------------

    def save_number(self, n: NumberRecord) -> None:
        self.execute(
            "INSERT INTO phone_numbers (sid, account_sid, phone_number, friendly_name, "
            "number_type, whatsapp, config, date_created, date_updated) "
            "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(sid) DO UPDATE SET "
            "account_sid=excluded.account_sid, friendly_name=excluded.friendly_name, "
            "whatsapp=excluded.whatsapp, config=excluded.config, "
            "date_updated=excluded.date_updated",
            (n.sid, n.account_sid, n.phone_number, n.friendly_name, n.number_type,
             int(n.whatsapp), _json_encode(n.config).decode(), n.date_created, n.date_updated),
        )  # fmt: skip

    def delete_number(self, sid: str) -> None:
        self.execute("DELETE FROM phone_numbers WHERE sid=?", (sid,))

    def load_numbers(self) -> list[NumberRecord]:
        rows = self.query(
            "SELECT sid, account_sid, phone_number, friendly_name, number_type, whatsapp, "
            "config, date_created, date_updated FROM phone_numbers ORDER BY seq"
        )
        return [
            NumberRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), _json_decode(r[6]), r[7], r[8])
            for r in rows
        ]
