"""The PostgreSQL intake: any number of listener replicas on one inbox.

Every replica group-commits its requests: the events of one event-loop turn (and those that
arrive while a commit is in flight) go to the database in one call, and each request is
answered only once that call has committed. The database refuses duplicates (by dedup
key, for ``dedup_ttl`` seconds) whichever replica stored the original, and leases each new
event to the replica that stored it when its resource SID is free. Outcomes are batched
the same way; a final outcome frees the SID, and the next event of that SID is leased to
the same replica in the same call.

A poller claims what no live replica holds: events whose SID was busy when they arrived,
events due for a retry after their replica stopped, CLI replays, and the leases of a
replica that died (they expire ``lease_timeout`` seconds after its last renewal). Leases
are renewed every third of that; a graceful stop releases them at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from twilio_connector.listener.dispatch import Delivery
from twilio_connector.listener.inbox import InboxRecord, NewRecord, Update
from twilio_connector.listener.inbox.postgres import AppendResult, PostgresBackend
from twilio_connector.listener.intake import OutcomeSink, Stored, cancel

if TYPE_CHECKING:
    from twilio_connector.listener.core import ListenerSettings
    from twilio_connector.listener.dispatch import Dispatcher

__all__ = ["PostgresCommitter", "PostgresIntake"]

log = logging.getLogger("twilio_connector.listener")

_RETRY_DELAY = 0.5
_TRANSIENT = {"40P01", "40001"}  # deadlock detected, serialization failure
T = TypeVar("T")


class PostgresCommitter:
    """Group commit of appends (up to ``append_lanes`` calls in flight, so that commits
    overlap and share the server's WAL flushes) and of outcomes (one call in flight, so
    the outcomes of one event are recorded in order)."""

    def __init__(
        self,
        backend: PostgresBackend,
        on_claimed: Callable[[list[InboxRecord]], None],
        *,
        max_batch: int = 256,
        append_lanes: int = 2,
    ) -> None:
        self._backend = backend
        self._on_claimed = on_claimed
        self._max_batch = max_batch
        self._append_lanes = append_lanes
        self._appends: list[tuple[NewRecord, asyncio.Future[AppendResult]]] = []
        self._updates: dict[int, Update] = {}
        self._append_tasks: set[asyncio.Task[None]] = set()
        self._append_scheduled = False
        self._settle_task: asyncio.Task[None] | None = None

    def insert(self, rec: NewRecord) -> asyncio.Future[AppendResult]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AppendResult] = loop.create_future()
        self._appends.append((rec, future))
        if not self._append_scheduled and len(self._append_tasks) < self._append_lanes:
            self._append_scheduled = True  # at the end of this loop turn: one batch for it
            loop.call_soon(self._start_append)
        return future

    def _start_append(self) -> None:
        self._append_scheduled = False
        if self._appends and len(self._append_tasks) < self._append_lanes:
            task = asyncio.get_running_loop().create_task(self._run_appends())
            self._append_tasks.add(task)
            task.add_done_callback(self._append_tasks.discard)

    def done(self, record_id: int) -> None:
        """A first attempt succeeded."""
        self.update(Update(record_id, "done", 1))

    def update(self, update: Update) -> None:
        # The last outcome of an id in a batch wins (a retry's "pending" then "done").
        self._updates.pop(update.id, None)
        self._updates[update.id] = update
        if self._settle_task is None:
            self._settle_task = asyncio.get_running_loop().create_task(self._run_settles())

    async def _with_retry(self, call: Callable[[Any], Awaitable[T]], arg: Any) -> T:
        """``call(arg)``, again if the server aborted it as a deadlock victim (a safety net:
        the functions lock in one order)."""
        for attempt in range(3):
            try:
                return await call(arg)
            except Exception as exc:
                if attempt == 2 or getattr(exc, "sqlstate", None) not in _TRANSIENT:
                    raise
                log.warning("inbox call retried after %s", type(exc).__name__)
        raise AssertionError("unreachable")

    async def _run_appends(self) -> None:
        while self._appends:
            batch = self._appends[: self._max_batch]
            del self._appends[: self._max_batch]
            # A key repeated inside the batch is sent once; the repeats are its duplicates.
            first: dict[str, int] = {}
            sent: list[NewRecord] = []
            where: list[int] = []
            for rec, _ in batch:
                key = rec.dedup_key
                if key is not None and key in first:
                    where.append(-1 - first[key])
                    continue
                if key is not None:
                    first[key] = len(sent)
                where.append(len(sent))
                sent.append(rec)
            try:
                results = await self._with_retry(self._backend.append, sent)
            except Exception as exc:
                log.error("inbox write failed (%d new events): %s", len(batch), exc)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), at in zip(batch, where, strict=True):
                if at < 0:
                    original = results[-1 - at]
                    result = AppendResult(original.id, True, False, original.reply)
                else:
                    result = results[at]
                if not future.done():
                    future.set_result(result)

    async def _run_settles(self) -> None:
        try:
            while self._updates:
                ids = list(self._updates)[: self._max_batch]
                batch = [self._updates.pop(i) for i in ids]
                try:
                    claimed, lost = await self._with_retry(self._backend.settle, batch)
                except Exception as exc:
                    log.error("could not record %d handler outcome(s): %s", len(batch), exc)
                    for u in batch:  # kept (newer outcomes win) and tried again
                        self._updates.setdefault(u.id, u)
                    await asyncio.sleep(_RETRY_DELAY)
                    continue
                for record_id in lost:
                    log.warning(
                        "inbox id %d: lease lost before its outcome was recorded; another "
                        "replica runs it again",
                        record_id,
                    )
                if claimed:
                    self._on_claimed(claimed)
        finally:
            self._settle_task = None

    async def flush(self, timeout: float) -> None:
        """Wait (up to ``timeout``) until every queued write is committed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            tasks = set(self._append_tasks)
            if self._settle_task is not None:
                tasks.add(self._settle_task)
            if tasks:
                await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
            elif self._appends or self._updates:
                await asyncio.sleep(0.01)  # a batch is scheduled to start on the loop
            else:
                return


class PostgresIntake:
    """The runtime's PostgreSQL side (see the module docstring)."""

    def __init__(self, settings: ListenerSettings) -> None:
        self._settings = settings
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.backend = PostgresBackend(
            settings.inbox.url,
            owner=owner,
            lease=settings.lease_timeout,
            dedup_window=settings.dedup_ttl,
            pool_size=8,
        )
        self._committer = PostgresCommitter(self.backend, self._claimed)
        self._dispatcher: Dispatcher | None = None
        self._poller: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._give_back: list[int] = []
        self._releasing: set[asyncio.Task[None]] = set()  # referenced until done

    async def open(self) -> tuple[None, OutcomeSink]:
        await self.backend.open()
        return None, self._committer

    async def start(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher
        dispatcher.on_refused = self._refused
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop_polling(self) -> None:
        await cancel(self._poller)

    async def close(self) -> None:
        try:
            await self._committer.flush(timeout=5.0)
            released = await self.backend.release()
            if released:
                log.info("released %d unfinished event(s) to the other replicas", released)
        except Exception as exc:  # leases expire by themselves; the events are not lost
            log.error("could not record final handler results: %s", exc)
        await self.backend.close()

    async def store(self, rec: NewRecord) -> Stored:
        result = await self._committer.insert(rec)
        if result.duplicate:
            reply = result.reply
            if rec.inline and reply is None:
                reply = await self._reply_of(result.id)
            return Stored(result.id, duplicate=True, run=False, reply=reply)
        # Not claimed: its SID is busy; whoever finishes the SID's current event leases it.
        return Stored(result.id, run=result.claimed)

    async def _reply_of(self, record_id: int) -> bytes | None:
        """A retried inbound request: wait (within the reply budget) for the original's
        handler to finish somewhere, so the retry gets the same TwiML."""
        deadline = time.monotonic() + self._settings.reply_timeout
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            found = await self.backend.get_many([record_id])
            if not found or found[0].status != "pending" or found[0].reply is not None:
                return found[0].reply if found else None
        return None

    def _claimed(self, rows: list[InboxRecord]) -> None:
        """Rows leased to this replica: run them (what does not fit is given back)."""
        dispatcher = self._dispatcher
        for r in rows:
            if dispatcher is None or not dispatcher.submit(Delivery.from_record(r)):
                self._refused(r.id)

    def _refused(self, record_id: int) -> None:
        """A leased row the dispatcher has no room for: release it (batched)."""
        self._give_back.append(record_id)
        if len(self._give_back) == 1:
            task = asyncio.get_running_loop().create_task(self._release_refused())
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)

    async def _release_refused(self) -> None:
        await asyncio.sleep(0)  # gather this turn's refusals
        ids, self._give_back = self._give_back, []
        try:
            await self.backend.release(ids)
        except Exception as exc:  # their leases expire by themselves
            log.warning("could not release %d lease(s): %s", len(ids), exc)
        self._wake.set()  # claim them back as room frees up

    async def _poll(self) -> None:
        s = self._settings
        dispatcher = self._dispatcher
        assert dispatcher is not None
        renew_every = s.lease_timeout / 3
        last_renew = last_purge = time.monotonic()
        while True:
            try:
                now = time.monotonic()
                if now - last_renew >= renew_every:
                    last_renew = now
                    await self.backend.renew()
                if now - last_purge >= 60.0:
                    last_purge = now
                    await self.backend.purge(time.time() - s.retention)
                room = dispatcher.room
                if room > 0:
                    rows = await self.backend.claim(min(room, 256))
                    if rows:
                        self._claimed(rows)
                        if len(rows) == min(room, 256):
                            continue  # more may be waiting
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("inbox poll failed: %s", exc)
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=s.poll_interval)
