"""Sending the rows: concurrency, a rate limit, reconciliation of unknown outcomes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutcomeUnknownError, ResponseDecodeError, TwilioApiError, TwilioError
from .journal import Journal, hold_lock
from .rows import BulkRow

if TYPE_CHECKING:
    from .. import AsyncTwilioClient

__all__ = ["BulkResult", "send_bulk"]

OUTCOMES = ("sent", "reconciled", "skipped", "failed", "unknown", "error")
"""What one row's turn in a run can end as (``on_progress``'s second argument)."""


@dataclass
class BulkResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    """Rows not sent in this run: refused (``failed``), unknown outcome or not reached."""
    reconciled: int = 0


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


RECONCILE_SKEW = 300.0
"""Seconds before a row's attempt that reconciliation still looks at (clocks differ)."""
RECONCILE_SCAN = 1000
"""At most this many messages to the row's number are read to reconcile it."""


class Inconclusive(Exception):
    """Reconciliation read :data:`RECONCILE_SCAN` messages without reaching the attempt's time:
    the row is neither resent nor marked sent."""


async def _already_sent(
    client: AsyncTwilioClient,
    row: BulkRow,
    from_: str | None,
    since: float | None,
    known: set[str],
) -> str | None:
    """The SID of an outbound message matching ``row`` created since its attempt ``since``
    (less :data:`RECONCILE_SKEW`) and not already the journal's answer for another row.

    Twilio's list is newest first; a queued or accepted message has no ``date_sent`` yet, so
    the walk looks at creation times, and stops at the first message *sent* before the window
    (which was created before it too, whatever the list's order)."""
    start = datetime.fromtimestamp((since or time.time()) - RECONCILE_SKEW, timezone.utc)
    seen = 0
    async for message in client.messages.iter(to=row.to, page_size=100):
        if message.date_sent is not None and message.date_sent < start:
            return None
        seen += 1
        if (
            message.sid is not None
            and message.sid not in known
            and (message.date_created is None or message.date_created >= start)
            and (message.direction or "").startswith("outbound")
            and message.body == row.body
            and (from_ is None or message.from_ == from_)
        ):
            return message.sid
        if seen >= RECONCILE_SCAN:
            raise Inconclusive(f"more than {RECONCILE_SCAN} messages to {row.to} since the attempt")
    return None


async def send_bulk(
    client: AsyncTwilioClient,
    rows: list[BulkRow],
    journal_path: Path,
    *,
    default_from: str | None = None,
    concurrency: int = 8,
    rate: float | None = None,
    retry_failed: bool = False,
    on_progress: Callable[[BulkRow, str], None] | None = None,
) -> BulkResult:
    """Send every row not yet sent according to the journal (and, with ``retry_failed``,
    the rows Twilio refused before). Raises :class:`~.journal.JournalBusyError`, having
    sent nothing, while another run holds the journal."""
    with hold_lock(journal_path):
        journal = Journal(journal_path)
        try:
            return await _send_all(
                client, rows, journal, default_from, concurrency, rate, retry_failed, on_progress
            )
        finally:
            journal.close()


async def _send_all(
    client: AsyncTwilioClient,
    rows: list[BulkRow],
    journal: Journal,
    default_from: str | None,
    concurrency: int,
    rate: float | None,
    retry_failed: bool,
    on_progress: Callable[[BulkRow, str], None] | None,
) -> BulkResult:
    limiter = RateLimiter(rate)
    semaphore = asyncio.Semaphore(max(1, concurrency))
    result = BulkResult()
    done = ("sent",) if retry_failed else ("sent", "failed")
    known = journal.sids()  # SIDs already some row's answer: never a second row's
    reconciling = asyncio.Lock()

    def report(row: BulkRow, outcome: str) -> None:
        if on_progress is not None:
            on_progress(row, outcome)

    async def one(row: BulkRow) -> None:
        from_ = row.from_ or default_from
        state, attempted_at = journal.state(row)
        if state in done:
            result.skipped += 1
            report(row, "skipped")
            return
        async with semaphore:
            if state in ("sending", "unknown"):
                try:
                    async with reconciling:  # one at a time: two identical rows, one SID each
                        sid = await _already_sent(client, row, from_, attempted_at, known)
                        if sid is not None:
                            known.add(sid)
                except (TwilioError, Inconclusive) as exc:
                    # Not known whether it was sent: never resend blindly; the next run asks again.
                    journal.mark(row, "unknown", error=f"cannot reconcile: {exc}")
                    result.failed += 1
                    report(row, "unknown")
                    return
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
            except (OutcomeUnknownError, ResponseDecodeError) as exc:
                # It may have reached Twilio (a read timeout, or a 2xx we could not read).
                journal.mark(row, "unknown", error=str(exc))
                result.failed += 1
                report(row, "unknown")
                return
            except TwilioApiError as exc:
                journal.mark(row, "failed", error=exc.message, code=exc.code)
                result.failed += 1
                report(row, "failed")
                return
            except TwilioError as exc:
                # Nothing reached Twilio (connect error): leave it pending for the next run.
                journal.mark(row, "pending", error=str(exc))
                result.failed += 1
                report(row, "error")
                return
            if message.sid is not None:
                known.add(message.sid)
            journal.mark(row, "sent", sid=message.sid)
            result.sent += 1
            report(row, "sent")

    # Every row's task ends before the journal closes and the lock is released, even when one
    # of them fails: a send still in flight must be journaled by this run.
    outcomes = await asyncio.gather(*(one(row) for row in rows), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return result
