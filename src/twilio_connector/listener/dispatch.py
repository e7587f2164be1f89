"""The dispatcher: runs handlers for events stored in the inbox.

Handlers may be ``async def`` (run on the loop) or plain functions (run on
:class:`~twilio_connector.listener.handler_threads.HandlerThreads`). Every attempt has a
timeout (``handler_timeout``, or the handler's own): a watchdog cancels an async attempt
that overruns it, and stops waiting for a sync one (its thread finishes in the background and
another thread takes its place); either way the attempt is a failure (:class:`HandlerTimeout`),
retried, then dead-lettered. A hung handler holds its concurrency slot until its timeout.
Shutdown waits for running handlers until the drain deadline, then cancels them; their
events stay pending and run again on the next start.
Several handlers for one event run one after the other in registration order; the event
succeeds when all of them return. Delivery is at-least-once: a failure is retried (the
whole event, every handler) with capped exponential backoff, and after ``max_attempts``
failures the event becomes a dead letter, kept until replayed. Events that share a resource
SID (message, call or recording SID) run one at a time, lowest lifecycle rank first
(``sent`` before ``delivered``; call ``SequenceNumber`` order); a retrying event holds back
the later events of its SID. The return value of a reply-bearing event's handlers (inbound
message, voice request) goes through ``reply_check`` on every attempt, also on retries that
can no longer answer Twilio: a reply Twilio would refuse is a failure like an exception.

The dispatcher also tracks every event it has not finished (``open``) so that the inbox's
``settled_below`` watermark never passes an event without an outcome.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import heapq
import inspect
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.classify import build_event, build_form_event
from twilio_connector.listener.events import RawParams, TwilioEvent, UnknownEvent
from twilio_connector.listener.handler_threads import HandlerThreads
from twilio_connector.listener.inbox import Inbox, InboxRecord, Update
from twilio_connector.listener.registry import HandlerRegistry, Registration

if TYPE_CHECKING:
    from twilio_connector.listener.intake import OutcomeSink

__all__ = ["Delivery", "Dispatcher", "HandlerTimeout", "RedeliveryPolicy"]

log = logging.getLogger("twilio_connector.listener")

_WATCH_EVERY = 0.05  # seconds between the watchdog's looks at running attempts


class HandlerTimeout(Exception):
    """A handler attempt did not finish within its timeout (a failure like any other)."""


@dataclass(frozen=True)
class RedeliveryPolicy:
    """When a stored webhook event is handed to the handlers again after a failure (not to be
    confused with the client's :class:`~twilio_connector.RetryPolicy` for HTTP requests).

    Capped exponential backoff: ``initial_delay * multiplier**(n-1)``, at most ``max_delay``,
    shortened by up to ``jitter`` (a fraction); dead letter after ``max_attempts`` failures."""

    max_attempts: int = 5
    initial_delay: float = 1.0
    max_delay: float = 300.0
    multiplier: float = 2.0
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("max_attempts must be at least 1")
        if self.initial_delay < 0 or self.max_delay < self.initial_delay:
            raise ConfigurationError("need 0 <= initial_delay <= max_delay")
        if self.multiplier < 1 or not 0 <= self.jitter < 1:
            raise ConfigurationError("need multiplier >= 1 and 0 <= jitter < 1")

    def delay(self, failures: int) -> float:
        base = min(self.max_delay, self.initial_delay * self.multiplier ** max(0, failures - 1))
        return base * (1.0 - self.jitter * random.random())


@dataclass(slots=True)
class Delivery:
    """One stored event on its way to the handlers."""

    id: int
    name: str
    sid: str | None
    rank: int
    inline: bool
    content_type: str
    payload: bytes
    token: str | None = None
    attempts: int = 0
    received_at: float = field(default_factory=time.time)
    not_before: float = 0.0
    raw: RawParams | None = None
    kind: type[TwilioEvent] | None = None

    @classmethod
    def from_record(cls, r: InboxRecord) -> Delivery:
        return cls(
            r.id,
            r.name,
            r.resource_sid,
            r.rank,
            r.inline,
            r.content_type,
            r.payload,
            r.token,
            r.attempts,
            r.received_at,
            r.next_attempt_at,
        )

    def event(self) -> TwilioEvent:
        if self.kind is not None and self.raw is not None and self.kind is not UnknownEvent:
            return build_form_event(self.kind, self.name, self.raw, self.token)
        return build_event(self.content_type, self.payload, self.token, self.raw)


class _Slots:
    """A semaphore with a cheap uncontended path (bounds concurrently running handlers)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ConfigurationError("max_concurrency must be at least 1")
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def available(self) -> bool:
        return self._free > 0 and not self._waiters

    def try_acquire(self) -> bool:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # release() hands its slot straight to us
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1


class Dispatcher:
    """Runs handlers for stored events: per-SID order, retries, dead letters, draining."""

    def __init__(
        self,
        registry: HandlerRegistry,
        inbox: Inbox | None,
        committer: OutcomeSink,
        *,
        retry: RedeliveryPolicy,
        threads: HandlerThreads,
        max_concurrency: int = 64,
        max_backlog: int = 10_000,
        ordering_delay: float = 0.0,
        reply_check: Callable[[object], bytes | None] | None = None,
        handler_timeout: float = 30.0,
    ) -> None:
        self._registry = registry
        self._inbox = inbox
        self._committer = committer
        self._retry = retry
        self._threads = threads
        self._handler_timeout = handler_timeout
        # Running attempts: task -> (deadline, timeout, handler name); the watchdog cancels
        # the overdue ones and records why in _expired.
        self._deadlines: dict[asyncio.Task[Any], tuple[float, float, str]] = {}
        self._expired: dict[asyncio.Task[Any], HandlerTimeout] = {}
        self._watchdog: asyncio.Task[None] | None = None
        self._drain_deadline: float | None = None
        # Sync calls that timed out and may still run: inbox id -> handler -> call.
        self._abandoned: dict[int, dict[Registration, concurrent.futures.Future[Any]]] = {}
        self._slots = _Slots(max_concurrency)
        self._max_backlog = max_backlog
        self._ordering_delay = ordering_delay
        self._reply_check = reply_check
        self._queues: dict[object, list[tuple[int, int, Delivery]]] = {}
        self._known: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._running_here = 0  # events running on request tasks (run_here)
        self._backlog = 0
        self._open: set[int] = set()  # stored, no outcome recorded yet
        self._spill_from: int | None = None  # pending rows from here on may not be in memory
        self.on_refused: Callable[[int], None] | None = None  # told of backlog refusals
        self._closing = False
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    # ------------------------------------------------------------------ intake

    def track(self, record_id: int) -> None:
        """An event is being stored: keep the watermark below it until it has an outcome."""
        self._open.add(record_id)

    def untrack(self, record_id: int) -> None:
        """Its insert failed: the event was never stored."""
        self._open.discard(record_id)

    def settled_below(self, next_id: int) -> int:
        """Every stored event with a smaller id has its outcome queued for commit."""
        floor = min(self._open) if self._open else next_id
        if self._spill_from is not None:
            floor = min(floor, self._spill_from)
        return floor

    @property
    def room(self) -> int:
        """How many more events the backlog takes (0 while shutting down)."""
        return 0 if self._closing else max(0, self._max_backlog - self._backlog)

    def submit(self, d: Delivery) -> bool:
        """Queue a stored event (its row is pending in the inbox); False if refused
        (shutting down, or the backlog is full: it stays pending in the inbox)."""
        if self._closing:
            return False
        if d.id in self._known:
            return True
        if self._backlog >= self._max_backlog:
            # It stays pending in the inbox and is reloaded when the backlog drains.
            if self._spill_from is None or d.id < self._spill_from:
                self._spill_from = d.id
            if self.on_refused is not None:
                self.on_refused(d.id)
            return False
        self._known.add(d.id)
        self._backlog += 1
        key: object = d.sid if d.sid is not None else d.id
        queue = self._queues.get(key)
        if queue is None:
            self._queues[key] = [(d.rank, d.id, d)]
            task = asyncio.get_running_loop().create_task(self._worker(key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            heapq.heappush(queue, (d.rank, d.id, d))
        return True

    async def run_here(self, d: Delivery) -> None:
        """Run a stored event on the calling task (after its request was answered).

        Saves a task per event on the hot path; falls back to :meth:`submit` when the
        event's SID already has queued work or the backlog is full.
        """
        key: object = d.sid if d.sid is not None else d.id
        if (
            self._closing
            or self._ordering_delay
            or not self._slots.available
            or key in self._queues
            or d.id in self._known
            or self._backlog >= self._max_backlog
        ):
            self.submit(d)
            return
        self._known.add(d.id)
        queue: list[tuple[int, int, Delivery]] = []
        self._queues[key] = queue  # the SID is busy: later events for it queue behind this one
        self._running_here += 1
        retry = False
        try:
            # One attempt here; a retry waits on a worker, so that the request task (which
            # the server waits for at shutdown) lives one attempt at most.
            retry = await self._process(d, retry_here=False)
        finally:
            self._running_here -= 1
            if retry and not self._closing:
                heapq.heappush(queue, (d.rank, d.id, d))
                self._backlog += 1
            else:
                self._known.discard(d.id)
            if queue:  # events for this SID arrived meanwhile: a worker takes over
                worker = asyncio.get_running_loop().create_task(self._worker(key))
                self._tasks.add(worker)
                worker.add_done_callback(self._tasks.discard)
            elif self._queues.get(key) is queue:
                del self._queues[key]

    def start_from(self, settled_below: int) -> int:
        """Load what a previous run left: replays and every open row from the watermark."""
        self._spill_from = max(1, settled_below)
        return self.reload()

    def reload(self) -> int:
        """Queue pending inbox rows not held in memory: CLI replays, then spilled rows.

        Only with a local (SQLite) inbox; a shared inbox is claimed by its intake.
        """
        loaded = 0
        if self._inbox is None:
            self._spill_from = None
            return loaded
        for row in self._inbox.replays():
            if row.id not in self._known:
                self._committer.update(Update(row.id, "pending", 0))
                self._open.add(row.id)
                self.submit(Delivery.from_record(row))
                loaded += 1
        start, self._spill_from = self._spill_from, None
        while start is not None and not self._closing:
            rows = self._inbox.open_records(start, limit=1000)
            if not rows:
                break
            for row in rows:
                if row.id in self._known:
                    continue
                if self._backlog >= self._max_backlog:
                    self._spill_from = row.id
                    return loaded
                self._open.add(row.id)
                self.submit(Delivery.from_record(row))
                loaded += 1
            start = rows[-1].id + 1
        return loaded

    # ------------------------------------------------------------------ running

    async def _worker(self, key: object) -> None:
        queue = self._queues[key]
        try:
            while queue and not self._closing:
                d = queue[0][2]
                if d.not_before or self._ordering_delay:
                    due = max(d.not_before, d.received_at + self._ordering_delay)
                    wait = due - time.time()
                    if wait > 0 and not await self._sleep(wait):
                        return
                d = heapq.heappop(queue)[2]
                self._backlog -= 1
                try:
                    await self._process(d)
                finally:
                    self._known.discard(d.id)
        finally:
            if self._queues.get(key) is queue:
                del self._queues[key]
            for _, _, left in queue:  # shutting down: rows stay pending for the next start
                self._known.discard(left.id)
                self._backlog -= 1
            if self._spill_from is not None and self._backlog == 0 and not self._closing:
                self.reload()

    async def _sleep(self, delay: float) -> bool:
        """Sleep unless shutting down; False if shutdown interrupted the sleep."""
        if self._closing:
            return False
        await asyncio.wait({self._closed}, timeout=delay)
        return not self._closing

    async def _invoke(
        self, regs: tuple[Registration, ...], event: TwilioEvent, record_id: int
    ) -> tuple[int, Any]:
        ran, reply = 0, None
        for reg in regs:
            if reg.predicate is not None and not reg.predicate(event):
                continue
            ran += 1
            result = await self._attempt(reg, event, record_id)
            if reply is None and result is not None:
                reply = result
        return ran, reply

    async def _attempt(self, reg: Registration, event: TwilioEvent, record_id: int) -> Any:
        """Run one handler within its timeout (:class:`HandlerTimeout` past it).

        A sync handler that timed out keeps running in its thread; the event's next attempt
        waits for that call rather than starting a second one, so a hung event holds one
        thread per handler at most.
        """
        task = asyncio.current_task()
        assert task is not None
        limit = reg.timeout if reg.timeout is not None else self._handler_timeout
        name = getattr(reg.func, "__qualname__", None) or repr(reg.func)
        self._deadlines[task] = (time.monotonic() + limit, limit, name)
        if self._watchdog is None:
            self._watchdog = asyncio.get_running_loop().create_task(self._watch())
        future = None
        try:
            if reg.is_async:
                return await reg.func(event)
            held = self._abandoned.get(record_id, {})
            future = held.pop(reg, None)
            if future is None or future.cancelled() or (future.done() and future.exception()):
                future = self._threads.submit(reg.func, event)  # no earlier call to wait for
            result = await asyncio.wrap_future(future)
            if inspect.isawaitable(result):  # e.g. a lambda returning a coroutine
                result = await result
            return result
        except asyncio.CancelledError:
            if future is not None:
                self._threads.abandon(future)  # its thread finishes in the background
                self._abandoned.setdefault(record_id, {})[reg] = future
            expired = self._expired.pop(task, None)
            if expired is None:
                raise  # shutting down: the event stays pending
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:  # Python 3.11+: this cancellation is handled here
                uncancel()
            raise expired from None
        finally:
            self._deadlines.pop(task, None)
            self._expired.pop(task, None)

    async def _watch(self) -> None:
        """Cancel attempts past their timeout, and everything once the drain deadline passes."""
        while self._deadlines or not self._closing:
            await asyncio.sleep(_WATCH_EVERY)
            now = time.monotonic()
            draining = self._drain_deadline is not None and now >= self._drain_deadline
            for task, (deadline, limit, name) in list(self._deadlines.items()):
                if draining:
                    del self._deadlines[task]  # cancelled once: its event stays pending
                    task.cancel()
                elif now >= deadline and task not in self._expired:
                    self._expired[task] = HandlerTimeout(
                        f"handler {name} did not finish within {limit:g}s"
                    )
                    task.cancel()

    async def _process(self, d: Delivery, *, retry_here: bool = True) -> bool:
        """Run the event's handlers until an outcome (or, with ``retry_here=False``, for one
        attempt); True if it failed and waits for a retry the caller must queue."""
        regs = self._registry.handlers_for(d.name)
        if not regs:
            self._finish_unhandled(d)
            return False
        event: TwilioEvent | None = None
        single = regs[0] if len(regs) == 1 and regs[0].is_async and not regs[0].predicate else None
        while True:
            if not self._slots.try_acquire():
                await self._slots.acquire()
            if self._closing:  # shutting down: leave it pending for the next start
                self._slots.release()
                return False
            try:
                if event is None:
                    event = d.event()
                if single is not None:  # the common case, without the generic loop
                    reply = await self._attempt(single, event, d.id)
                    ran = 1
                else:
                    ran, reply = await self._invoke(regs, event, d.id)
                if d.inline and self._reply_check is not None:
                    # Too late to reach Twilio, but a reply it would refuse is still a bug.
                    self._reply_check(reply)
            except Exception as exc:
                self._slots.release()
                if not retry_here:
                    return self._record_failure(d, exc)
                if not await self._failed(d, exc):
                    return False
                continue
            self._slots.release()
            if not ran:
                self._finish_unhandled(d)
            elif d.attempts:
                self._settle(Update(d.id, "done", d.attempts + 1))
            else:
                self._committer.done(d.id)  # the hot path: one append, no row update
                self._open.discard(d.id)
            return False

    def _settle(self, update: Update) -> None:
        self._abandoned.pop(update.id, None)
        self._committer.update(update)
        self._open.discard(update.id)

    async def _failed(self, d: Delivery, exc: BaseException) -> bool:
        """Record a failure; True if the caller should retry now (after the backoff sleep)."""
        if not self._record_failure(d, exc):
            return False
        return await self._sleep(d.not_before - time.time())

    def _record_failure(self, d: Delivery, exc: BaseException) -> bool:
        """Count a failed attempt: a dead letter (False) or a retry at ``d.not_before``."""
        d.attempts += 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if d.attempts >= self._retry.max_attempts:
            log.error(
                "handler for %s (inbox id %d) failed %d times; dead-lettered: %s",
                d.name,
                d.id,
                d.attempts,
                error,
                exc_info=None if isinstance(exc, HandlerTimeout) else exc,
            )
            self._settle(Update(d.id, "dead", d.attempts, 0.0, error))
            return False
        delay = self._retry.delay(d.attempts)
        d.not_before = time.time() + delay
        log.warning(
            "handler for %s (inbox id %d) failed (attempt %d), retrying in %.2fs: %s",
            d.name,
            d.id,
            d.attempts,
            delay,
            error,
        )
        self._committer.update(Update(d.id, "pending", d.attempts, d.not_before, error))
        return True

    def _finish_unhandled(self, d: Delivery) -> None:
        level = logging.WARNING if d.name == "unknown" else logging.INFO
        log.log(level, "no handler for %s (inbox id %d); kept as unhandled", d.name, d.id)
        self._settle(Update(d.id, "unhandled", d.attempts))

    async def _invoke_delivery(
        self, regs: tuple[Registration, ...], d: Delivery
    ) -> tuple[int, Any]:
        return await self._invoke(regs, d.event(), d.id)

    async def run_inline(self, d: Delivery, timeout: float) -> bytes | None:
        """Run the handlers of a reply-bearing event now; the reply body, or None.

        A failure (or no answer within ``timeout``) gives None; the event is then retried in
        the background like any other (its reply can no longer reach Twilio).
        """
        regs = self._registry.handlers_for(d.name)
        if not regs:
            self._finish_unhandled(d)
            return None
        self._known.add(d.id)
        task = asyncio.get_running_loop().create_task(self._invoke_delivery(regs, d))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            log.warning("handler for %s did not answer within %.1fs", d.name, timeout)
            task.add_done_callback(lambda t: self._inline_finished(d, t, None))
            return None
        return self._inline_finished(d, task, self._reply_check)

    def _inline_finished(
        self,
        d: Delivery,
        task: asyncio.Task[tuple[int, Any]],
        reply_check: Callable[[object], bytes | None] | None,
    ) -> bytes | None:
        self._known.discard(d.id)
        exc = task.exception() if not task.cancelled() else asyncio.CancelledError()
        reply: bytes | None = None
        if exc is None:
            ran, result = task.result()
            try:
                reply = reply_check(result) if reply_check is not None else None
            except Exception as bad:
                exc = bad
            else:
                status = "done" if ran else "unhandled"
                self._settle(Update(d.id, status, d.attempts + 1, reply=reply))
                return reply
        d.attempts += 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("inline handler for %s (inbox id %d) failed: %s", d.name, d.id, error)
        if d.attempts >= self._retry.max_attempts:
            self._settle(Update(d.id, "dead", d.attempts, 0.0, error))
            return None
        d.not_before = time.time() + self._retry.delay(d.attempts)
        self._committer.update(Update(d.id, "pending", d.attempts, d.not_before, error))
        if not self._closing:
            self.submit(d)
        return None

    # ------------------------------------------------------------------ shutdown

    @property
    def idle(self) -> bool:
        """No event queued, running or waiting for a retry."""
        return not self._known and not self._tasks and not self._running_here

    def begin_drain(self, timeout: float) -> None:
        """The server is shutting down: handlers still running in ``timeout`` s are cancelled
        then (their events stay pending), whoever waits for them."""
        deadline = time.monotonic() + timeout
        if self._drain_deadline is None or deadline < self._drain_deadline:
            self._drain_deadline = deadline

    async def close(self, timeout: float) -> None:
        """Stop taking work, let running handlers finish (up to ``timeout`` s, or the drain
        deadline if one was set), then cancel what still runs and stop."""
        self._closing = True
        if not self._closed.done():
            self._closed.set_result(None)
        self.begin_drain(timeout)
        assert self._drain_deadline is not None
        deadline = self._drain_deadline
        while self._running_here and time.monotonic() < deadline:
            await asyncio.sleep(0.01)  # handlers running on request tasks
        tasks = set(self._tasks)
        if tasks:
            await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
        still = [t for t in (*tasks, *self._deadlines) if not t.done()]
        if still or self._running_here:
            log.warning(
                "%d handler(s) still running at shutdown; their events stay pending",
                len(set(still)) or self._running_here,
            )
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(set(still), timeout=1.0)
        if self._watchdog is not None:
            self._watchdog.cancel()
            await asyncio.gather(self._watchdog, return_exceptions=True)
