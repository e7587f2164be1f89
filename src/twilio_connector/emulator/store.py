"""SQLite persistence for the emulator's state: the connection, batching, reset, meta.

One connection, used only from the emulator's event loop thread. Writes join an open
transaction that is committed every ``commit_interval`` seconds, on ``settle`` and on
close, so a burst of thousands of messages per second costs one commit per interval.
Hot writers (message lifecycles, the delivery log) may also buffer rows and register a
flush function with :meth:`Store.defer`: it runs before the next read and before each
commit, so every read still sees every write.

Each resource's repository adds its tables with :meth:`Store.add_schema` and holds its
SQL (accounts, keys, numbers, rules, notifications, deliveries: ``<resource>/repository.py``);
:meth:`Store.reset` empties every table. Message and media SQL still lives here.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from .records import MediaRecord, MessageRecord

__all__ = ["MESSAGE_COLUMNS", "Store"]

_CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  direction TEXT NOT NULL, from_ TEXT, to_ TEXT NOT NULL, body TEXT NOT NULL,
  status TEXT NOT NULL, num_segments INTEGER NOT NULL, num_media INTEGER NOT NULL,
  date_created REAL NOT NULL, date_updated REAL NOT NULL, date_sent REAL,
  error_code INTEGER, error_message TEXT, price TEXT, price_unit TEXT,
  messaging_service_sid TEXT, status_callback TEXT, extra TEXT);
CREATE INDEX IF NOT EXISTS messages_by_account ON messages (account_sid, seq);
CREATE INDEX IF NOT EXISTS messages_by_to ON messages (account_sid, to_, seq);
CREATE INDEX IF NOT EXISTS messages_by_from ON messages (account_sid, from_, seq);
CREATE TABLE IF NOT EXISTS media (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  parent_sid TEXT NOT NULL, content_type TEXT NOT NULL, url TEXT NOT NULL,
  date_created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS media_by_parent ON media (parent_sid, seq);
CREATE TABLE IF NOT EXISTS whatsapp_sessions (
  account_sid TEXT NOT NULL, business TEXT NOT NULL, user TEXT NOT NULL,
  last_inbound REAL NOT NULL, PRIMARY KEY (account_sid, business, user));
"""

MESSAGE_COLUMNS = (
    "sid, account_sid, direction, from_, to_, body, status, num_segments, num_media, "
    "date_created, date_updated, date_sent, error_code, error_message, price, price_unit, "
    "messaging_service_sid, status_callback, extra"
)
_INSERT_MESSAGE = f"INSERT INTO messages ({MESSAGE_COLUMNS}) VALUES ({', '.join('?' * 19)})"
_UPDATE_MESSAGE = (
    "UPDATE messages SET body=?, status=?, date_updated=?, date_sent=?, error_code=?, "
    "error_message=?, price=?, num_segments=? WHERE sid=?"
)
_TABLE_RE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+)", re.IGNORECASE)
_json_encode = msgspec.json.encode
_json_decode = msgspec.json.decode


def _message_row(m: MessageRecord) -> tuple[Any, ...]:
    return (
        m.sid, m.account_sid, m.direction, m.from_, m.to, m.body, m.status, m.num_segments,
        m.num_media, m.date_created, m.date_updated, m.date_sent, m.error_code,
        m.error_message, m.price, m.price_unit, m.messaging_service_sid, m.status_callback,
        _json_encode(m.extra).decode() if m.extra else None,
    )  # fmt: skip


def _update_row(m: MessageRecord) -> tuple[Any, ...]:
    return (m.body, m.status, m.date_updated, m.date_sent, m.error_code, m.error_message,
            m.price, m.num_segments, m.sid)  # fmt: skip


def message_from_row(row: Sequence[Any]) -> MessageRecord:
    return MessageRecord(
        sid=row[0], account_sid=row[1], direction=row[2], from_=row[3], to=row[4], body=row[5],
        status=row[6], num_segments=row[7], num_media=row[8], date_created=row[9],
        date_updated=row[10], date_sent=row[11], error_code=row[12], error_message=row[13],
        price=row[14], price_unit=row[15] or "USD", messaging_service_sid=row[16],
        status_callback=row[17], extra=_json_decode(row[18]) if row[18] else None,
    )  # fmt: skip


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

    # -- messages and media -----------------------------------------------------------------

    def insert_message(self, m: MessageRecord) -> None:
        self.execute(_INSERT_MESSAGE, _message_row(m))

    def insert_messages(self, records: Iterable[MessageRecord]) -> None:
        """Bulk insert (used by seeding tools and benchmarks)."""
        self.executemany(_INSERT_MESSAGE, (_message_row(m) for m in records))

    def update_message(self, m: MessageRecord) -> None:
        self.execute(_UPDATE_MESSAGE, _update_row(m))

    def update_messages(self, records: Iterable[MessageRecord]) -> None:
        self.executemany(_UPDATE_MESSAGE, (_update_row(m) for m in records))

    def get_message(self, account_sid: str, sid: str) -> MessageRecord | None:
        row = self.query_one(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE sid=? AND account_sid=?",
            (sid, account_sid),
        )
        return None if row is None else message_from_row(row)

    def message_seq(self, account_sid: str, sid: str) -> int | None:
        row = self.query_one(
            "SELECT seq FROM messages WHERE sid=? AND account_sid=?", (sid, account_sid)
        )
        return None if row is None else int(row[0])

    def set_message_sender(self, sid: str, from_: str) -> None:
        self.execute("UPDATE messages SET from_=? WHERE sid=?", (from_, sid))

    def delete_message(self, sid: str) -> None:
        self.execute("DELETE FROM messages WHERE sid=?", (sid,))
        self.execute("DELETE FROM media WHERE parent_sid=?", (sid,))

    def count_messages(self) -> int:
        return int(self.query_one("SELECT COUNT(*) FROM messages")[0])

    def insert_media(self, items: Sequence[MediaRecord]) -> None:
        self.executemany(
            "INSERT INTO media (sid, account_sid, parent_sid, content_type, url, date_created) "
            "VALUES (?,?,?,?,?,?)",
            [(m.sid, m.account_sid, m.parent_sid, m.content_type, m.url, m.date_created)
             for m in items],
        )  # fmt: skip

    def get_media(self, parent_sid: str, sid: str) -> MediaRecord | None:
        row = self.query_one(
            "SELECT sid, account_sid, parent_sid, content_type, url, date_created FROM media "
            "WHERE sid=? AND parent_sid=?",
            (sid, parent_sid),
        )
        return None if row is None else MediaRecord(*row)

    def list_media(self, parent_sid: str) -> list[MediaRecord]:
        rows = self.query(
            "SELECT sid, account_sid, parent_sid, content_type, url, date_created FROM media "
            "WHERE parent_sid=? ORDER BY seq",
            (parent_sid,),
        )
        return [MediaRecord(*row) for row in rows]

    def delete_media(self, sid: str) -> None:
        self.execute("DELETE FROM media WHERE sid=?", (sid,))

    # -- WhatsApp customer-service windows --------------------------------------------------

    def touch_whatsapp_session(self, account_sid: str, business: str, user: str, ts: float) -> None:
        self.execute(
            "INSERT OR REPLACE INTO whatsapp_sessions (account_sid, business, user, last_inbound)"
            " VALUES (?,?,?,?)",
            (account_sid, business, user, ts),
        )

    def whatsapp_last_inbound(self, account_sid: str, business: str, user: str) -> float | None:
        row = self.query_one(
            "SELECT last_inbound FROM whatsapp_sessions WHERE account_sid=? AND business=? "
            "AND user=?",
            (account_sid, business, user),
        )
        return None if row is None else float(row[0])
