"""Benchmark: asyncpg vs psycopg 3 (async) on the durable inbox's PostgreSQL workload.

Starts a throwaway cluster (tests/pgcluster.py) pinned to CPU 1 (``taskset -c 1``: the
postmaster and every backend), pins this client process to CPU 0, and drives one connection
per driver through the inbox's three hot statements, each batch committed on its own with
``fsync`` and ``synchronous_commit`` on (the defaults):

  * insert  - a batch of events plus their dedup keys, in one transaction:
      unnest   one statement per batch (array parameters, ``unnest``; ``nextval`` gives the
               ids, ``keys`` gets ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` in a CTE,
               and only the events whose key was new are inserted), so no BEGIN/COMMIT;
      many     the same statement for one row, ``executemany`` in one transaction (asyncpg:
               ``fetchmany``, pipelined with a single Sync, atomic by itself; psycopg:
               ``executemany(returning=True)`` in pipeline mode inside ``transaction()``, so
               BEGIN, the rows and COMMIT go in one round trip);
  * claim   - ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`` the
              columns a handler needs (payload included);
  * complete- ``UPDATE events SET status = 'done' ... WHERE id = ANY($1)``.

Claims and completions alternate (claim a batch, complete it), as the dispatcher does. For each
driver, statement and batch size (1, 16, 128) it reports events/s, the client's CPU per event
(``time.process_time``: the listener's event loop is the bottleneck, so this is the figure
that matters), and the server backend's CPU per event (``/proc/<pid>/schedstat``); the median of
``--runs`` rounds, rounds interleaving the drivers. psycopg uses binary parameters (``%b``) and
binary results. Each run checks that every event was stored once and completed.

    .venv/bin/python bench/pg_driver_bench.py [--runs 3] [--events 10000] [--loop uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import asyncpg
import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pgcluster import PgCluster  # noqa: E402

SERVER_CPU = 1
CLIENT_CPU = 0
BATCHES = (1, 16, 128)
PAYLOAD_SIZE = 400

SCHEMA = """
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    received_at double precision NOT NULL,
    name text NOT NULL,
    resource_sid text,
    rank int NOT NULL DEFAULT 0,
    token text,
    dedup_key text,
    inline bool NOT NULL DEFAULT false,
    content_type text NOT NULL,
    payload bytea NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at double precision NOT NULL DEFAULT 0,
    lease_owner text,
    lease_until double precision
);
CREATE INDEX events_pending ON events (id) WHERE status = 'pending';
CREATE TABLE keys (key text PRIMARY KEY, event_id bigint, at double precision NOT NULL);
"""

COLUMNS = "received_at, name, resource_sid, rank, token, dedup_key, inline, content_type, payload"
RETURNED = (
    "id, received_at, name, resource_sid, rank, token, dedup_key, inline, content_type, "
    "payload, attempts"
)
# $1..$9 the event columns (arrays for unnest), $10 the time the keys are stamped with.
TYPES = ("float8", "text", "text", "int4", "text", "text", "bool", "text", "bytea")


def insert_unnest_sql(ph: Callable[[int], str]) -> str:
    arrays = ", ".join(f"{ph(i + 1)}::{t}[]" for i, t in enumerate(TYPES))
    return (
        "WITH input AS ("
        f" SELECT nextval('events_id_seq') AS id, t.* FROM unnest({arrays})"
        f" AS t({COLUMNS})"
        "), new_keys AS ("
        f" INSERT INTO keys (key, event_id, at) SELECT dedup_key, id, {ph(10)}::float8 FROM input"
        " ON CONFLICT DO NOTHING RETURNING event_id"
        ") "
        f"INSERT INTO events (id, {COLUMNS}) SELECT i.id, i.{COLUMNS.replace(', ', ', i.')}"
        " FROM input i JOIN new_keys k ON k.event_id = i.id RETURNING id"
    )


def insert_one_sql(ph: Callable[[int], str]) -> str:
    """The same statement for one row (scalar parameters instead of arrays)."""
    values = ", ".join(
        f"{ph(i + 1)}::{t} AS {c}"
        for i, (t, c) in enumerate(zip(TYPES, COLUMNS.split(", "), strict=True))
    )
    return (
        f"WITH input AS (SELECT nextval('events_id_seq') AS id, {values}"
        "), new_keys AS ("
        f" INSERT INTO keys (key, event_id, at) SELECT dedup_key, id, {ph(10)}::float8 FROM input"
        " ON CONFLICT DO NOTHING RETURNING event_id"
        ") "
        f"INSERT INTO events (id, {COLUMNS}) SELECT i.id, i.{COLUMNS.replace(', ', ', i.')}"
        " FROM input i JOIN new_keys k ON k.event_id = i.id RETURNING id"
    )


def claim_sql(ph: Callable[[int], str]) -> str:
    return (
        f"UPDATE events SET lease_owner = {ph(1)}::text, lease_until = {ph(2)}::float8"
        " WHERE id IN (SELECT id FROM events WHERE status = 'pending'"
        f" AND (lease_until IS NULL OR lease_until < {ph(3)}::float8)"
        f" ORDER BY id LIMIT {ph(4)}::int FOR UPDATE SKIP LOCKED)"
        f" RETURNING {RETURNED}"
    )


def complete_sql(ph: Callable[[int], str]) -> str:
    return (
        "UPDATE events SET status = 'done', lease_owner = NULL, lease_until = NULL"
        f" WHERE id = ANY({ph(1)}::int8[])"
    )


def dollar(i: int) -> str:
    return f"${i}"


def binary_placeholder(_i: int) -> str:
    return "%b"


Row = tuple[float, str, str, int, str, str, bool, str, bytes]


def make_rows(count: int, start: int) -> list[Row]:
    """Distinct callbacks shaped like the listener's (a ~400-byte form body each)."""
    rows: list[Row] = []
    now = time.time()
    for n in range(start, start + count):
        sid = f"SM{n:032x}"
        body = (f"MessageSid={sid}&MessageStatus=delivered&AccountSid=AC{'a' * 32}&".encode()) * 4
        rows.append(
            (
                now + n * 1e-6,
                "sms.delivered",
                sid,
                n % 7,
                f"{n:08x}-0000-4000-8000-{n:012x}",
                f"sms.delivered:{sid}",
                False,
                "application/x-www-form-urlencoded",
                body[:PAYLOAD_SIZE].ljust(PAYLOAD_SIZE, b"&"),
            )
        )
    return rows


class Driver(Protocol):
    name: str
    backend_pid: int

    async def connect(self, url: str) -> None: ...
    async def close(self) -> None: ...
    async def execute(self, sql: str) -> None: ...
    async def insert_unnest(self, rows: Sequence[Row], at: float) -> int: ...
    async def insert_many(self, rows: Sequence[Row], at: float) -> int: ...
    async def claim(self, owner: str, until: float, now: float, limit: int) -> list[int]: ...
    async def complete(self, ids: list[int]) -> None: ...


class AsyncpgDriver:
    name = "asyncpg"

    def __init__(self) -> None:
        self.backend_pid = 0
        self._unnest = insert_unnest_sql(dollar)
        self._one = insert_one_sql(dollar)
        self._claim = claim_sql(dollar)
        self._complete = complete_sql(dollar)

    async def connect(self, url: str) -> None:
        self.conn: asyncpg.Connection = await asyncpg.connect(url)
        self.backend_pid = self.conn.get_server_pid()

    async def close(self) -> None:
        await self.conn.close()

    async def execute(self, sql: str) -> None:
        await self.conn.execute(sql)

    async def insert_unnest(self, rows: Sequence[Row], at: float) -> int:
        columns = [list(c) for c in zip(*rows, strict=True)]
        return len(await self.conn.fetch(self._unnest, *columns, at))

    async def insert_many(self, rows: Sequence[Row], at: float) -> int:
        # One transaction already: asyncpg pipelines the rows and sends a single Sync, so an
        # explicit transaction() would only add a BEGIN and a COMMIT round trip.
        return len(await self.conn.fetchmany(self._one, [(*row, at) for row in rows]))

    async def claim(self, owner: str, until: float, now: float, limit: int) -> list[int]:
        records = await self.conn.fetch(self._claim, owner, until, now, limit)
        return [r[0] for r in records]

    async def complete(self, ids: list[int]) -> None:
        await self.conn.execute(self._complete, ids)


class PsycopgDriver:
    name = "psycopg"

    def __init__(self) -> None:
        self.backend_pid = 0
        self._unnest = insert_unnest_sql(binary_placeholder)
        self._one = insert_one_sql(binary_placeholder)
        self._claim = claim_sql(binary_placeholder)
        self._complete = complete_sql(binary_placeholder)

    async def connect(self, url: str) -> None:
        self.conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
        self.cur = self.conn.cursor(binary=True)
        self.backend_pid = self.conn.info.backend_pid

    async def close(self) -> None:
        await self.conn.close()

    async def execute(self, sql: str) -> None:
        await self.conn.execute(sql)

    async def insert_unnest(self, rows: Sequence[Row], at: float) -> int:
        cur = self.cur
        columns = [list(c) for c in zip(*rows, strict=True)]
        await cur.execute(self._unnest, (*columns, at))
        return len(await cur.fetchall())

    async def insert_many(self, rows: Sequence[Row], at: float) -> int:
        cur = self.cur
        async with self.conn.pipeline(), self.conn.transaction():
            await cur.executemany(self._one, [(*row, at) for row in rows], returning=True)
            stored = len(await cur.fetchall())
            while cur.nextset():
                stored += len(await cur.fetchall())
        return stored

    async def claim(self, owner: str, until: float, now: float, limit: int) -> list[int]:
        cur = self.cur
        await cur.execute(self._claim, (owner, until, now, limit))
        return [r[0] for r in await cur.fetchall()]

    async def complete(self, ids: list[int]) -> None:
        await self.cur.execute(self._complete, (ids,))


def server_cpu_ns(pid: int) -> int:
    """CPU time of a process in ns (/proc/<pid>/schedstat, precise unlike /proc/<pid>/stat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


@dataclass
class Phase:
    events: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    server_ns: int = 0

    def add(self, events: int, wall: float, cpu: float, server_ns: int) -> None:
        self.events += events
        self.wall += wall
        self.cpu += cpu
        self.server_ns += server_ns


@dataclass
class Sample:
    rate: float
    client_us: float
    server_us: float


@dataclass
class Results:
    # (driver, op, batch) -> samples
    samples: dict[tuple[str, str, int], list[Sample]] = field(default_factory=dict)

    def record(self, driver: str, op: str, batch: int, phase: Phase) -> None:
        sample = Sample(
            rate=phase.events / phase.wall,
            client_us=phase.cpu / phase.events * 1e6,
            server_us=phase.server_ns / phase.events / 1e3,
        )
        self.samples.setdefault((driver, op, batch), []).append(sample)

    def median(self, driver: str, op: str, batch: int) -> Sample:
        items = self.samples[(driver, op, batch)]
        return Sample(
            rate=statistics.median(s.rate for s in items),
            client_us=statistics.median(s.client_us for s in items),
            server_us=statistics.median(s.server_us for s in items),
        )


async def timed(phase: Phase, pid: int, call: Callable[[], Awaitable[int]]) -> int:
    """Run one call (it returns its number of events), adding its events, wall time, client
    CPU and server CPU to ``phase``.

    The server's /proc file is read outside the client's timing window, so reading it costs
    the client nothing that is counted.
    """
    s0 = server_cpu_ns(pid)
    w0, c0 = time.perf_counter(), time.process_time()
    events = await call()
    c1, w1 = time.process_time(), time.perf_counter()
    phase.add(events, w1 - w0, c1 - c0, server_cpu_ns(pid) - s0)
    return events


async def reset(driver: Driver) -> None:
    await driver.execute("TRUNCATE events, keys RESTART IDENTITY")
    await driver.execute("VACUUM ANALYZE events")
    await driver.execute("VACUUM ANALYZE keys")
    await driver.execute("CHECKPOINT")


async def one_run(
    driver: Driver, batch: int, rows: list[Row], results: Results | None, insert_op: str
) -> None:
    """Insert ``rows`` in batches, then claim and complete them all; check the inbox."""
    await reset(driver)
    pid = driver.backend_pid
    insert = driver.insert_unnest if insert_op == "insert unnest" else driver.insert_many
    ins = Phase()
    at = time.time()
    stored = 0
    for i in range(0, len(rows), batch):
        chunk = rows[i : i + batch]
        stored += await timed(ins, pid, lambda c=chunk: insert(c, at))
    if stored != len(rows):
        raise RuntimeError(f"{driver.name}: stored {stored} of {len(rows)}")

    claim, complete = Phase(), Phase()
    ids: list[int] = []

    async def claim_batch() -> int:
        now = time.time()
        ids[:] = await driver.claim("bench", now + 60.0, now, batch)
        return len(ids)

    async def complete_batch() -> int:
        await driver.complete(ids)
        return len(ids)

    done = 0
    # The last, empty claim is timed too (the dispatcher polls like that): it adds no events.
    while await timed(claim, pid, claim_batch):
        done += await timed(complete, pid, complete_batch)
    if done != len(rows):
        raise RuntimeError(f"{driver.name}: completed {done} of {len(rows)}")
    if results is not None:
        results.record(driver.name, insert_op, batch, ins)
        if insert_op == "insert unnest":  # claims and completions once per run
            results.record(driver.name, "claim", batch, claim)
            results.record(driver.name, "complete", batch, complete)


def events_for(batch: int, base: int) -> int:
    # Enough batches to time each op well, and a whole number of batches.
    count = max(base, batch * 100)
    return (count // batch) * batch


async def bench(url: str, runs: int, base_events: int) -> Results:
    drivers: list[Driver] = [AsyncpgDriver(), PsycopgDriver()]
    for driver in drivers:
        await driver.connect(url)
    await drivers[0].execute(SCHEMA)
    pins = {d.name: os.sched_getaffinity(d.backend_pid) for d in drivers}
    print(f"client on CPUs {sorted(os.sched_getaffinity(0))}; server backends on", end=" ")
    print(", ".join(f"{name}: {sorted(cpus)}" for name, cpus in pins.items()), flush=True)
    results = Results()
    try:
        # Warm-up (not counted): prepared statements, caches, the allocator.
        for driver in drivers:
            for batch in BATCHES:
                for op in ("insert unnest", "insert many"):
                    await one_run(driver, batch, make_rows(batch * 20, 0), None, op)
        for run in range(runs):
            for batch in BATCHES:
                rows = make_rows(events_for(batch, base_events), 0)
                order = drivers if run % 2 == 0 else drivers[::-1]
                for driver in order:
                    for op in ("insert unnest", "insert many"):
                        await one_run(driver, batch, rows, results, op)
            print(f"round {run + 1}/{runs} done", flush=True)
    finally:
        for driver in drivers:
            await driver.close()
    return results


def report(results: Results) -> None:
    header = (
        f"{'op':<14}{'batch':>6} | {'asyncpg ev/s':>12} {'cli µs/ev':>9} {'srv µs/ev':>9} | "
        f"{'psycopg ev/s':>12} {'cli µs/ev':>9} {'srv µs/ev':>9} | "
        f"{'ev/s a/p':>8} {'cli cpu p/a':>11}"
    )
    print()
    print(header)
    print("-" * len(header))
    for op in ("insert unnest", "insert many", "claim", "complete"):
        for batch in BATCHES:
            a = results.median("asyncpg", op, batch)
            p = results.median("psycopg", op, batch)
            print(
                f"{op:<14}{batch:>6} | {a.rate:>12,.0f} {a.client_us:>9.1f} {a.server_us:>9.1f} | "
                f"{p.rate:>12,.0f} {p.client_us:>9.1f} {p.server_us:>9.1f} | "
                f"{a.rate / p.rate:>8.2f} {p.client_us / a.client_us:>11.2f}"
            )
    print()
    print("ev/s a/p: asyncpg's events/s over psycopg's; cli cpu p/a: psycopg's client CPU per")
    print("event over asyncpg's (above 1: asyncpg costs the event loop less). Medians of the runs.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--events", type=int, default=10000, help="events per run, at least")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    args = parser.parse_args()

    os.sched_setaffinity(0, {CLIENT_CPU})
    print(
        f"Python {platform.python_version()}, asyncpg {asyncpg.__version__}, "
        f"psycopg {psycopg.__version__} (libpq {psycopg.pq.version()}, "
        f"{psycopg.pq.__impl__}), loop {args.loop}"
    )
    with PgCluster(cpus=[SERVER_CPU], database="bench") as cluster:
        print(f"server: {cluster.execute('select version()').strip()}")
        print(
            "settings: "
            + cluster.execute(
                "select string_agg(name || '=' || setting, ' ' order by name) from pg_settings "
                "where name in ('fsync', 'synchronous_commit', 'wal_sync_method', "
                "'shared_buffers', 'full_page_writes')"
            ).strip()
        )
        coro = bench(cluster.url, args.runs, args.events)
        if args.loop == "uvloop":
            import uvloop

            results = uvloop.run(coro)
        else:
            results = asyncio.run(coro)
    report(results)


if __name__ == "__main__":
    main()
