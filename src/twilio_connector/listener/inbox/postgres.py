"""The PostgreSQL inbox: one inbox shared by any number of listener replicas.

:class:`PostgresBackend` is the listener's asynchronous side (asyncpg, a small pool): a
batch append with database-enforced duplicate detection, claims as leases, outcomes, lease
renewal and release, purging. :class:`PostgresInbox` is the synchronous :class:`InboxStore`
for the CLI and ``listener.open_inbox()`` (the same pool, driven from a private loop
thread). The schema and its functions are in ``postgres_schema.py``; they are created and
migrated on first use.

Requires the ``postgres`` extra (``pip install 'twilio-connector[postgres]'``).
"""

from __future__ import annotations

from twilio_connector._extras import require

require("postgres")

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.inbox.postgres_schema import MIGRATIONS, SCHEMA_VERSION
from twilio_connector.listener.inbox.records import (
    InboxRecord,
    NewRecord,
    Update,
    check_statuses,
)
from twilio_connector.listener.loop_thread import LoopThread

if TYPE_CHECKING:
    import asyncpg

__all__ = ["AppendResult", "PostgresBackend", "PostgresInbox", "load_asyncpg"]

log = logging.getLogger("twilio_connector.listener")

_MIGRATION_LOCK = 74_110_001  # advisory lock id held while migrating
_COLUMNS = (
    "id, received_at, name, resource_sid, rank, token, dedup_key, inline, content_type, "
    "payload, status, attempts, next_attempt_at, last_error, reply, updated_at"
)


def load_asyncpg() -> Any:
    """Import asyncpg (its presence was checked with this module: ``require("postgres")``)."""
    import asyncpg

    return asyncpg


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What became of one appended event."""

    id: int
    duplicate: bool  # an event with the same key is already stored (``id`` is that one)
    claimed: bool  # leased to this replica: run it now
    reply: bytes | None = None  # for a duplicate: the reply stored with the original


def _record(row: Any, offset: int = 0) -> InboxRecord:
    return InboxRecord(
        id=row[offset],
        received_at=row[offset + 1],
        name=row[offset + 2],
        resource_sid=row[offset + 3],
        rank=row[offset + 4],
        token=row[offset + 5],
        dedup_key=row[offset + 6],
        inline=row[offset + 7],
        content_type=row[offset + 8],
        payload=bytes(row[offset + 9]),
        status=row[offset + 10],
        attempts=row[offset + 11],
        next_attempt_at=row[offset + 12],
        last_error=row[offset + 13],
        reply=None if row[offset + 14] is None else bytes(row[offset + 14]),
        updated_at=row[offset + 15],
    )


async def _migrate(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS twilio_inbox_meta (key text PRIMARY KEY, value text)"
        )
        found = await conn.fetchval(
            "SELECT value FROM twilio_inbox_meta WHERE key = 'schema_version'"
        )
        version = int(found or 0)
        if version > SCHEMA_VERSION:
            raise ConfigurationError(
                f"the inbox schema is version {version}, newer than this release supports "
                f"({SCHEMA_VERSION}): upgrade twilio-connector"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            async with conn.transaction():
                await conn.execute(MIGRATIONS[number - 1])
                await conn.execute(
                    "INSERT INTO twilio_inbox_meta (key, value) VALUES ('schema_version', $1) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    str(number),
                )
            log.info("inbox schema migrated to version %d", number)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)


class PostgresBackend:
    """The listener's connection to a PostgreSQL inbox (asynchronous; one per replica).

    ``owner`` names this replica in leases; ``lease`` is how long a claim lasts without
    renewal; ``dedup_window`` how long (seconds) a dedup key is remembered.
    """

    def __init__(
        self,
        url: str,
        *,
        owner: str,
        lease: float = 30.0,
        dedup_window: float = 86400.0,
        pool_size: int = 4,
    ) -> None:
        self._url = url
        self.owner = owner
        self.lease = lease
        self.dedup_window = dedup_window  # seconds a dedup key is enforced
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None

    def __repr__(self) -> str:
        return f"PostgresBackend(owner={self.owner!r})"

    async def open(self) -> None:
        asyncpg = load_asyncpg()
        try:
            self._pool = await asyncpg.create_pool(
                self._url,
                min_size=1,
                max_size=self._pool_size,
                command_timeout=60,
                server_settings={"application_name": "twilio-connector-listener"},
            )
        except (OSError, asyncpg.PostgresError) as exc:
            raise ConfigurationError(f"cannot open the PostgreSQL inbox: {exc}") from None
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            await _migrate(conn)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the PostgreSQL inbox is not open")
        return self._pool

    # ------------------------------------------------------------------ hot path

    async def append(self, records: Sequence[NewRecord]) -> list[AppendResult]:
        """Store a batch in one transaction; results in the order given."""
        rows = await self.pool.fetch(
            "SELECT * FROM twilio_inbox_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            self.owner,
            self.lease,
            [r.name for r in records],
            [r.resource_sid for r in records],
            [r.rank for r in records],
            [r.token for r in records],
            [r.dedup_key for r in records],
            [r.inline for r in records],
            [r.content_type for r in records],
            [r.payload for r in records],
        )
        out: list[AppendResult | None] = [None] * len(records)
        for ord_, record_id, duplicate, claimed, reply in rows:
            out[ord_ - 1] = AppendResult(
                record_id, duplicate, claimed, None if reply is None else bytes(reply)
            )
        if any(r is None for r in out):
            raise RuntimeError("the inbox did not answer for every appended event")
        return [r for r in out if r is not None]

    async def settle(self, updates: Sequence[Update]) -> tuple[list[InboxRecord], list[int]]:
        """Record outcomes; ``(rows of the same SIDs now leased to us, ids whose lease was
        lost)``. ``attempts < 0`` stores one more than the row has."""
        rows = await self.pool.fetch(
            "SELECT * FROM twilio_inbox_settle($1, $2, $3, $4, $5, $6, $7, $8)",
            self.owner,
            self.lease,
            [u.id for u in updates],
            [u.status for u in updates],
            [u.attempts for u in updates],
            [u.next_attempt_at for u in updates],
            [u.last_error for u in updates],
            [u.reply for u in updates],
        )
        claimed = [_record(r, 1) for r in rows if not r[0]]
        lost = [int(r[1]) for r in rows if r[0]]
        return claimed, lost

    async def claim(self, limit: int) -> list[InboxRecord]:
        """Lease up to ``limit`` claimable rows (oldest first)."""
        rows = await self.pool.fetch(
            "SELECT * FROM twilio_inbox_claim($1, $2, $3)", self.owner, self.lease, limit
        )
        return [_record(r) for r in rows]

    async def renew(self) -> int:
        """Extend every lease this replica holds; the number of rows renewed."""
        status = await self.pool.execute(
            "UPDATE twilio_inbox_events SET lease_until = "
            "extract(epoch FROM clock_timestamp()) + $2 "
            "WHERE lease_owner = $1 AND status = 'pending'",
            self.owner,
            self.lease,
        )
        return int(status.rsplit(" ", 1)[-1])

    async def release(self, ids: Sequence[int] | None = None) -> int:
        """Give up this replica's leases (all of them, or on ``ids``): others take them."""
        sql = (
            "UPDATE twilio_inbox_events SET lease_owner = NULL, lease_until = 0 "
            "WHERE lease_owner = $1 AND status = 'pending'"
        )
        if ids is None:
            status = await self.pool.execute(sql, self.owner)
        else:
            status = await self.pool.execute(sql + " AND id = ANY($2)", self.owner, list(ids))
        return int(status.rsplit(" ", 1)[-1])

    # ------------------------------------------------------------------ store operations

    async def get_many(self, ids: Sequence[int]) -> list[InboxRecord]:
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM twilio_inbox_events WHERE id = ANY($1) ORDER BY id",
            list(ids),
        )
        return [_record(r) for r in rows]

    async def records(
        self, statuses: Iterable[str] | None, limit: int, after_id: int, newest: bool
    ) -> list[InboxRecord]:
        wanted = check_statuses(statuses)
        order = "DESC" if newest else "ASC"
        rows = await self.pool.fetch(
            f"SELECT {_COLUMNS} FROM twilio_inbox_events WHERE id > $1 AND status = ANY($2) "
            f"ORDER BY id {order} LIMIT $3",
            after_id,
            sorted(wanted),
            limit,
        )
        found = [_record(r) for r in rows]
        return sorted(found, key=lambda r: r.id) if newest else found

    async def counts(self) -> dict[str, int]:
        rows = await self.pool.fetch(
            "SELECT status, count(*) FROM twilio_inbox_events GROUP BY status"
        )
        found = {str(s): int(n) for s, n in rows}
        return {s: found.get(s, 0) for s in ("pending", "done", "unhandled", "dead")}

    async def replay(self, ids: Iterable[int] | None) -> int:
        """Make rows pending again (attempts reset): the given ids, or every dead letter.

        A row that is pending and leased now (running somewhere) is left alone.
        """
        sql = (
            "UPDATE twilio_inbox_events SET status = 'pending', attempts = 0, "
            "next_attempt_at = 0, last_error = NULL, lease_owner = NULL, lease_until = 0, "
            "updated_at = extract(epoch FROM clock_timestamp()) WHERE "
        )
        if ids is None:
            status = await self.pool.execute(sql + "status = 'dead'")
        else:
            status = await self.pool.execute(
                sql + "id = ANY($1) AND (status <> 'pending' OR "
                "lease_until <= extract(epoch FROM clock_timestamp()))",
                [int(i) for i in ids],
            )
        return int(status.rsplit(" ", 1)[-1])

    async def purge(self, older_than: float, limit: int = 1000) -> int:
        """Delete up to ``limit`` done/unhandled rows received before ``older_than``, and
        forget the dedup keys of rows older than the dedup window."""
        status = await self.pool.execute(
            "DELETE FROM twilio_inbox_events WHERE id IN (SELECT id FROM twilio_inbox_events "
            "WHERE status IN ('done', 'unhandled') AND received_at < $1 ORDER BY id LIMIT $2)",
            older_than,
            limit,
        )
        await self.forget_old_keys(limit)
        return int(status.rsplit(" ", 1)[-1])

    async def forget_old_keys(self, limit: int = 1000) -> None:
        """Clear the dedup keys of rows older than the window, from where the last pass
        stopped (ids grow with ``received_at``, both from the database)."""
        async with self.pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(
                "SELECT value FROM twilio_inbox_meta WHERE key = 'keys_cleared_below' FOR UPDATE"
            )
            start = int(found or 0)
            cutoff = await conn.fetchval(
                "SELECT extract(epoch FROM clock_timestamp()) - $1::float8", self.dedup_window
            )
            rows = await conn.fetch(
                "SELECT id, received_at FROM twilio_inbox_events WHERE id >= $1 "
                "ORDER BY id LIMIT $2",
                start,
                limit,
            )
            old = [r[0] for r in rows if r[1] < cutoff]
            if old:
                await conn.execute(
                    "UPDATE twilio_inbox_events SET dedup_key = NULL "
                    "WHERE id = ANY($1) AND dedup_key IS NOT NULL",
                    old,
                )
            recent = [r[0] for r in rows if r[1] >= cutoff]
            below = min(recent) if recent else (rows[-1][0] + 1 if rows else start)
            await conn.execute(
                "INSERT INTO twilio_inbox_meta (key, value) VALUES ('keys_cleared_below', $1) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                str(below),
            )


class PostgresInbox:
    """Synchronous :class:`InboxStore` on a PostgreSQL inbox (CLI, ``open_inbox()``)."""

    def __init__(self, url: str, *, dedup_window: float = 86400.0) -> None:
        self._runner = LoopThread("twilio-inbox-pg")
        self._backend = PostgresBackend(url, owner="cli", dedup_window=dedup_window, pool_size=1)
        try:
            self._runner.call(self._backend.open())
        except BaseException:
            self._runner.shutdown()
            raise

    def __repr__(self) -> str:
        return "PostgresInbox()"

    def close(self) -> None:
        try:
            self._runner.call(self._backend.close())
        finally:
            self._runner.shutdown()

    def __enter__(self) -> PostgresInbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, record_id: int) -> InboxRecord | None:
        found = self.get_many([record_id])
        return found[0] if found else None

    def get_many(self, ids: Sequence[int]) -> list[InboxRecord]:
        return self._runner.call(self._backend.get_many(ids))

    def records(
        self,
        statuses: Iterable[str] | None = None,
        *,
        limit: int = 100,
        after_id: int = 0,
        newest: bool = False,
    ) -> list[InboxRecord]:
        return self._runner.call(self._backend.records(statuses, limit, after_id, newest))

    def counts(self) -> dict[str, int]:
        return self._runner.call(self._backend.counts())

    def replay(self, ids: Iterable[int] | None = None) -> int:
        return self._runner.call(self._backend.replay(None if ids is None else list(ids)))

    def purge(self, older_than: float, limit: int = 1000) -> int:
        return self._runner.call(self._backend.purge(older_than, limit))
