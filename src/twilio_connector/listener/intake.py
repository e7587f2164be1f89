"""How a verified callback gets into the inbox and on to the dispatcher, per backend.

An intake stores one event (duplicates recognised) and says whether this process should
run it now; it also feeds the dispatcher what the inbox holds for it (rows left by an
earlier run, CLI replays, and on PostgreSQL rows claimed from other replicas).

:class:`SqliteIntake`: this process owns the file (:class:`OwnerLock`). Duplicates are
recognised in memory (:class:`RecentKeys`, confirmed against the stored row); writes are
group-committed on the event loop; a watermark lets restarts scan only recent rows.

:class:`~twilio_connector.listener.intake_postgres.PostgresIntake`: any number of replicas
share the database, which recognises duplicates and hands out leases.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from twilio_connector.listener.committer import GroupCommitter, Maintenance
from twilio_connector.listener.dedup import RecentKeys
from twilio_connector.listener.inbox import Inbox, InboxBusyError, NewRecord, OwnerLock, Update

if TYPE_CHECKING:
    from twilio_connector.listener.core import ListenerSettings
    from twilio_connector.listener.dispatch import Dispatcher

__all__ = ["Intake", "OutcomeSink", "SqliteIntake", "Stored"]

log = logging.getLogger("twilio_connector.listener")


@dataclass(frozen=True, slots=True)
class Stored:
    """The fate of one event handed to :meth:`Intake.store`."""

    id: int
    duplicate: bool = False  # already stored (``id`` is the original): acknowledge again
    run: bool = True  # run it here now (False: stored; another replica or later runs it)
    reply: bytes | None = None  # a duplicate's stored reply


class OutcomeSink(Protocol):
    """Where the dispatcher records handler outcomes (group-committed)."""

    def done(self, record_id: int) -> None: ...

    def update(self, update: Update) -> None: ...


class Intake(Protocol):
    """One backend's side of the runtime."""

    async def open(self) -> tuple[Inbox | None, OutcomeSink]: ...

    async def start(self, dispatcher: Dispatcher) -> None: ...

    async def store(self, rec: NewRecord) -> Stored: ...

    async def stop_polling(self) -> None: ...

    async def close(self) -> None:
        """Record what is queued and close (after the dispatcher has closed)."""


async def cancel(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task and wait for it to end."""
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class SqliteIntake:
    """The single-process SQLite inbox (see the module docstring)."""

    def __init__(self, settings: ListenerSettings) -> None:
        self._settings = settings
        self._path = settings.inbox.path
        self._lock = OwnerLock(self._path) if self._path != ":memory:" else None
        self._recent = RecentKeys(settings.dedup_window)
        self.inbox: Inbox | None = None
        self._committer: GroupCommitter | None = None
        self._maintenance: Maintenance | None = None
        self._dispatcher: Dispatcher | None = None
        self._poller: asyncio.Task[None] | None = None

    async def _take_lock(self) -> None:
        lock = self._lock
        if lock is None:
            return
        deadline = time.monotonic() + self._settings.lock_timeout
        announced = False
        while not lock.try_acquire():
            if time.monotonic() >= deadline:
                raise InboxBusyError(
                    f"the inbox {self._path} is in use by {lock.holder()}; one listener "
                    "process per SQLite inbox (use a PostgreSQL inbox for replicas)"
                )
            if not announced:
                announced = True
                log.warning(
                    "inbox %s is held by %s; waiting up to %.0fs for it to stop",
                    self._path,
                    lock.holder(),
                    self._settings.lock_timeout,
                )
            await asyncio.sleep(0.05)

    async def open(self) -> tuple[Inbox | None, OutcomeSink]:
        s = self._settings
        if self._path != ":memory:":
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        await self._take_lock()
        try:
            self.inbox = inbox = Inbox(self._path, synchronous=s.synchronous)
        except BaseException:
            if self._lock is not None:
                self._lock.release()
            raise
        self._committer = committer = GroupCommitter(inbox)
        if self._path != ":memory:":
            inbox.disable_autocheckpoint()
            loop = asyncio.get_running_loop()

            def finish_checkpoint() -> None:  # called from the maintenance thread
                loop.call_soon_threadsafe(committer.request_checkpoint)

            self._maintenance = Maintenance(
                self._path, retention=s.retention, finish_checkpoint=finish_checkpoint
            )
            self._maintenance.start()
        for key, record_id in inbox.recent_keys(s.dedup_window):
            self._recent.add(key, record_id)
        return inbox, committer

    async def start(self, dispatcher: Dispatcher) -> None:
        assert self.inbox is not None
        self._dispatcher = dispatcher
        resumed = dispatcher.start_from(self.inbox.settled_below())
        if resumed:
            log.info("resuming %d pending event(s) from the inbox", resumed)
        self._poller = asyncio.get_running_loop().create_task(self._poll())

    async def stop_polling(self) -> None:
        await cancel(self._poller)

    async def close(self) -> None:
        if self._committer is not None:
            try:
                self._committer.flush_now()
            except Exception as exc:  # the rows stay pending; they run again on restart
                log.error("could not record final handler results: %s", exc)
        if self._maintenance is not None:
            self._maintenance.stop()
        if self.inbox is not None:
            self.inbox.close()
        if self._lock is not None:
            self._lock.release()

    async def _poll(self) -> None:
        """Pick up CLI replays (another connection's commits) and save the watermark."""
        inbox, dispatcher, committer = self.inbox, self._dispatcher, self._committer
        assert inbox is not None and dispatcher is not None and committer is not None
        version = inbox.data_version()
        settled = inbox.settled_below()
        while True:
            await asyncio.sleep(self._settings.poll_interval)
            try:
                current = inbox.data_version()
                if current != version:
                    version = current
                    dispatcher.reload()
                floor = dispatcher.settled_below(inbox.next_id)
                if floor != settled:
                    settled = floor
                    committer.settle_below(floor)
            except Exception as exc:
                log.warning("inbox poll failed: %s", exc)

    async def store(self, rec: NewRecord) -> Stored:
        inbox, committer, dispatcher = self.inbox, self._committer, self._dispatcher
        assert inbox is not None and committer is not None and dispatcher is not None
        record_id = inbox.allocate_id()
        rec = rec._replace(id=record_id)
        key = rec.dedup_key
        # claim() remembers a new key at once (so a concurrent copy sees it) or names a
        # candidate original, confirmed against the stored row.
        prior = None if key is None else self._recent.claim(key, record_id)
        if prior is not None:
            assert key is not None
            pending = committer.uncommitted(prior)
            if pending is not None:
                await pending  # if the original's commit failed, so does this request (503)
            row = inbox.get(prior)
            if row is not None and row.dedup_key == key:
                return Stored(row.id, duplicate=True, run=False, reply=row.reply)
            self._recent.add(key, record_id)  # a hash-tag collision: remember this key too
        dispatcher.track(record_id)
        try:
            await committer.insert(rec)
        except BaseException:
            dispatcher.untrack(record_id)
            if key is not None:
                self._recent.discard(key, record_id)
            raise
        return Stored(record_id)
