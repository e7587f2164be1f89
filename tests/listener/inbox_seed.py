"""Write rows straight into an inbox of either backend (for the inbox CLI tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from twilio_connector.listener.inbox import Inbox, InboxLocation, NewRecord, Update


def seed(location: str, rows: Sequence[tuple[str, str | None]], updates: Sequence[Update] = ()):
    """Store one pending event per ``(name, resource SID)`` (ids 1, 2, ... in order), then
    apply ``updates``."""
    now = time.time()
    where = InboxLocation.parse(location)
    if where.kind == "sqlite":
        with Inbox(where.path) as store:
            records = [
                NewRecord(store.allocate_id(), now, name, sid, 0, None, None, False, "form", b"A=1")
                for name, sid in rows
            ]
            store.write(records)
            store.write([], list(updates))
        return

    from twilio_connector.listener.inbox.postgres import PostgresBackend

    async def write() -> None:
        backend = PostgresBackend(where.url, owner="seed")
        await backend.open()
        try:
            records = [
                NewRecord(0, now, name, sid, 0, None, None, False, "form", b"A=1")
                for name, sid in rows
            ]
            stored = await backend.append(records)
            assert [r.id for r in stored] == list(range(1, len(rows) + 1))
            # Outcomes are recorded by the lease holder: lease every row to "seed" first.
            await backend.pool.execute(
                "UPDATE twilio_inbox_events SET lease_owner = 'seed', lease_until = 1e12"
            )
            await backend.settle(list(updates))
            await backend.release()
        finally:
            await backend.close()

    asyncio.run(write())
