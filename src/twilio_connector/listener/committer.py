"""Group commit for the inbox, and the maintenance thread that keeps it small.

:class:`GroupCommitter` batches the listener's writes: every request arriving in the same
event-loop turn shares one transaction, and each request's future resolves only once that
transaction has committed (the 2xx goes out after that). Handler outcomes ride along in the
next commit. :class:`Maintenance` runs WAL checkpoints and purges old rows in a thread with
its own connection, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable

from twilio_connector.listener.inbox import Inbox, NewRecord, Update

__all__ = ["GroupCommitter", "Maintenance"]

log = logging.getLogger("twilio_connector.listener")


class GroupCommitter:
    """Batches inbox writes from one event loop into shared transactions."""

    def __init__(self, inbox: Inbox, *, max_batch: int = 512) -> None:
        self._inbox = inbox
        self._max_batch = max_batch
        self._inserts: list[tuple[NewRecord, asyncio.Future[None]]] = []
        self._uncommitted: dict[int, asyncio.Future[None]] = {}
        self._updates: list[Update] = []
        self._done: list[int] = []
        self._settled_below: int | None = None
        self._scheduled = False
        self._checkpoint_due = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def request_checkpoint(self) -> None:
        """Finish the WAL checkpoint after the next commit (call from the loop thread).

        The maintenance thread copies the bulk of the WAL; this last, short step runs on the
        writer's own thread, where no commit can race it, so the checkpoint completes and
        the next commit starts the WAL file over instead of growing it.
        """
        self._checkpoint_due = True
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            loop = self._loop
            if loop is None:
                loop = self._loop = asyncio.get_running_loop()
            self._scheduled = True
            loop.call_soon(self._flush)

    def insert(self, record: NewRecord) -> asyncio.Future[None]:
        """Queue a record; the future resolves once it is committed (or fails with the error)."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._inserts.append((record, future))
        self._uncommitted[record.id] = future
        self._schedule()
        return future

    def done(self, record_id: int) -> None:
        """Record a success (first attempt, nothing else to store): one append to ``done``."""
        self._done.append(record_id)
        self._schedule()

    def update(self, update: Update) -> None:
        """Queue a state change; a ``done`` status also records the success."""
        self._updates.append(update)
        if update.status == "done":
            self._done.append(update.id)
        self._schedule()

    def settle_below(self, record_id: int) -> None:
        """Queue a new watermark: every id below it has its outcome queued before this call."""
        self._settled_below = record_id
        self._schedule()

    def uncommitted(self, record_id: int) -> asyncio.Future[None] | None:
        """The commit future of a record still waiting for its commit, if any."""
        return self._uncommitted.get(record_id)

    def flush_now(self) -> None:
        """Write everything queued (used at shutdown)."""
        while self._inserts or self._updates or self._done or self._settled_below is not None:
            if not self._flush():
                return

    def _flush(self) -> bool:
        self._scheduled = False
        if not (
            self._inserts
            or self._updates
            or self._done
            or self._settled_below is not None
            or self._checkpoint_due
        ):
            return True
        inserts = self._inserts[: self._max_batch]
        del self._inserts[: self._max_batch]
        updates, done, settled = self._updates, self._done, self._settled_below
        self._updates, self._done, self._settled_below = [], [], None
        uncommitted = self._uncommitted
        try:
            self._inbox.write([r for r, _ in inserts], updates, done, settled)
        except Exception as exc:
            log.error("inbox write failed (%d new events): %s", len(inserts), exc)
            for record, future in inserts:
                del uncommitted[record.id]
                if not future.done():
                    future.set_exception(exc)
            # Outcomes are kept (in order) and tried again; the events stay pending meanwhile.
            self._updates[:0] = updates
            self._done[:0] = done
            if self._settled_below is None:
                self._settled_below = settled
            if self._loop is not None and not self._scheduled:
                self._scheduled = True
                self._loop.call_later(0.5, self._flush)
            return False
        for record, future in inserts:
            del uncommitted[record.id]
            if not future.done():
                future.set_result(None)
        if self._checkpoint_due:
            self._checkpoint_due = False
            try:
                self._inbox.checkpoint("PASSIVE")
            except Exception as exc:
                log.warning("WAL checkpoint failed: %s", exc)
        if self._inserts and self._loop is not None:
            self._schedule()
        return True


def _fsync(path: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _lower_thread_priority() -> None:
    """Checkpoints copy megabytes: let the event loop thread win the CPU (Linux: per thread)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux / not permitted: as is
        # nice 10: about a tenth of the CPU when the loop wants it too, which is enough to
        # keep the WAL bounded at full load.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class Maintenance:
    """Background thread: WAL checkpoints off the event loop, and purging of old done rows.

    Checkpoints run often (``interval``) so each copies little, at a lower thread priority,
    so that they do not stall the event loop that answers Twilio. ``finish_checkpoint`` is
    called (from this thread) when the writer should complete a large checkpoint.
    """

    def __init__(
        self,
        path: str,
        *,
        retention: float,
        finish_checkpoint: Callable[[], None] | None = None,
        interval: float = 0.25,
        purge_every: float = 60.0,
        restart_frames: int = 8192,
    ) -> None:
        self._path = path
        self._finish_checkpoint = finish_checkpoint
        self._restart_frames = restart_frames
        self._retention = retention
        self._interval = interval
        self._purge_every = purge_every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="twilio-inbox-maintenance", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _checkpoint(self, inbox: Inbox) -> None:
        """Copy the WAL into the database; let the writer finish it once the WAL is large.

        The writer keeps appending while we copy, so a checkpoint from this thread never
        quite completes and the WAL file would only grow. For a large WAL, passes repeat
        until only a short tail is left (each pass copies what arrived during the last);
        then the writer thread copies that tail, which completes the checkpoint and lets
        the next commit start the WAL file over.
        """
        frames, copied = inbox.checkpoint("PASSIVE")
        if frames < self._restart_frames or self._finish_checkpoint is None:
            return
        for _ in range(8):
            if frames - copied <= 256:
                # Flush what the passes wrote now, so the writer's final fsyncs are short.
                _fsync(self._path)
                _fsync(self._path + "-wal")
                self._finish_checkpoint()
                return
            if self._stop.is_set():
                return
            frames, copied = inbox.checkpoint("PASSIVE")

    def _run(self) -> None:
        _lower_thread_priority()
        try:
            inbox = Inbox(self._path)
            inbox.limit_cache(256)  # checkpoints and purges need no large page cache
        except sqlite3.Error as exc:
            log.error("inbox maintenance cannot open the inbox: %s", exc)
            return
        last_purge = 0.0
        try:
            while not self._stop.wait(self._interval):
                try:
                    self._checkpoint(inbox)
                    now = time.time()
                    if now - last_purge >= self._purge_every:
                        last_purge = now
                        while inbox.purge(now - self._retention) and not self._stop.is_set():
                            pass
                except sqlite3.Error as exc:
                    log.warning("inbox maintenance: %s", exc)
            try:
                inbox.checkpoint("TRUNCATE")
            except sqlite3.Error as exc:
                log.debug("final checkpoint skipped: %s", exc)
        finally:
            inbox.close()
