"""Bulk SMS from a CSV file: concurrent, rate limited, resumable, never twice.

Each CSV row (columns ``to``, ``body``, optional ``from`` and ``media_url``) gets a
journal entry in SQLite before it is sent. States: ``pending`` -> ``sending`` ->
``sent`` (with the message SID) or ``failed`` (Twilio refused it: it was not sent).
A row left in ``sending`` by an interrupted run, or whose POST ended with an
unknown outcome, is *reconciled* on the next run: the account's messages to that
number since the row was attempted are searched for the same body; if found the
row is marked sent, otherwise it is sent. Rows already ``sent`` are skipped, so
re-running the same command after a crash never sends a message twice.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .client import AsyncTwilioClient
from .errors import OutcomeUnknownError, TwilioApiError, TwilioError

__all__ = ["BulkResult", "BulkRow", "read_rows", "send_bulk"]


@dataclass(frozen=True)
class BulkRow:
    index: int
    to: str
    body: str
    from_: str | None = None
    media_url: str | None = None

    @property
    def key(self) -> str:
        raw = f"{self.index}\x00{self.to}\x00{self.body}\x00{self.from_}\x00{self.media_url}"
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class BulkResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    reconciled: int = 0


def read_rows(path: Path) -> list[BulkRow]:
    """Rows of a CSV with a header containing ``to`` and ``body`` (``from``, ``media_url``)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = {f.strip().lower() for f in reader.fieldnames or ()}
        if not {"to", "body"} <= fields:
            raise ValueError(f"{path}: the CSV header needs 'to' and 'body' columns")
        rows = []
        for index, raw in enumerate(reader):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            rows.append(
                BulkRow(
                    index=index,
                    to=row["to"],
                    body=row["body"],
                    from_=row.get("from") or None,
                    media_url=row.get("media_url") or None,
                )
            )
    return rows


class Journal:
    """The SQLite journal of a bulk run (one file per CSV by default)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS rows (key TEXT PRIMARY KEY, idx INTEGER, state TEXT,"
            " sid TEXT, error TEXT, attempted_at REAL)"
        )

    def state(self, row: BulkRow) -> tuple[str, float | None]:
        found = self.db.execute(
            "SELECT state, attempted_at FROM rows WHERE key=?", (row.key,)
        ).fetchone()
        return (found[0], found[1]) if found else ("pending", None)

    def mark(
        self, row: BulkRow, state: str, sid: str | None = None, error: str | None = None
    ) -> None:
        self.db.execute(
            "INSERT INTO rows(key, idx, state, sid, error, attempted_at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(key) DO UPDATE SET state=excluded.state, sid=excluded.sid,"
            " error=excluded.error,"
            " attempted_at=COALESCE(rows.attempted_at, excluded.attempted_at)",
            (row.key, row.index, state, sid, error, time.time()),
        )

    def close(self) -> None:
        self.db.close()


class RateLimiter:
    """At most ``rate`` starts per second (a simple spaced schedule)."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self.next_at = 0.0
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self.lock:
            now = time.monotonic()
            delay = self.next_at - now
            self.next_at = max(now, self.next_at) + self.interval
        if delay > 0:
            await asyncio.sleep(delay)


async def _already_sent(
    client: AsyncTwilioClient, row: BulkRow, from_: str | None, since: float | None
) -> str | None:
    """The SID of a message matching ``row`` sent since ``since`` (reconciliation)."""
    after = datetime.fromtimestamp(since or time.time(), timezone.utc) - timedelta(days=1)
    async for message in client.messages.iter(to=row.to, date_sent_after=after.date()):
        if message.body == row.body and (from_ is None or message.from_ == from_):
            return message.sid
    return None


async def send_bulk(
    client: AsyncTwilioClient,
    rows: list[BulkRow],
    journal_path: Path,
    *,
    default_from: str | None = None,
    concurrency: int = 8,
    rate: float | None = None,
    on_progress: Callable[[BulkRow, str], None] | None = None,
) -> BulkResult:
    """Send every row not yet sent according to the journal."""
    journal = Journal(journal_path)
    limiter = RateLimiter(rate)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    result = BulkResult()

    def report(row: BulkRow, outcome: str) -> None:
        if on_progress is not None:
            on_progress(row, outcome)

    async def one(row: BulkRow) -> None:
        from_ = row.from_ or default_from
        state, attempted_at = journal.state(row)
        if state in ("sent", "failed"):
            result.skipped += 1
            report(row, "skipped")
            return
        async with semaphore:
            if state in ("sending", "unknown"):
                sid = await _already_sent(client, row, from_, attempted_at)
                if sid is not None:
                    journal.mark(row, "sent", sid=sid)
                    result.reconciled += 1
                    report(row, "reconciled")
                    return
            await limiter.wait()
            journal.mark(row, "sending")
            try:
                message = await client.messages.create(
                    to=row.to, from_=from_, body=row.body, media_url=row.media_url
                )
            except OutcomeUnknownError as exc:
                journal.mark(row, "unknown", error=str(exc))
                result.failed += 1
                report(row, "unknown")
                return
            except TwilioApiError as exc:
                journal.mark(row, "failed", error=f"{exc.code}: {exc.message}")
                result.failed += 1
                report(row, "failed")
                return
            except TwilioError as exc:
                # Nothing reached Twilio (connect error): leave it pending for the next run.
                journal.mark(row, "pending", error=str(exc))
                result.failed += 1
                report(row, "error")
                return
            journal.mark(row, "sent", sid=message.sid)
            result.sent += 1
            report(row, "sent")

    try:
        await asyncio.gather(*(one(row) for row in rows))
    finally:
        journal.close()
    return result
