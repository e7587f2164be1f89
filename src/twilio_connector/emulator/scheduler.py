"""Simulated time: the emulator clock, the scheduler every lifecycle runs on, and a call's
view of both.

Durations are *simulated seconds* (a message takes ``message_send`` to be sent, a ``<Say>``
of 30 characters lasts 2 s); the :class:`~.timing.Timing` profile maps them to real time
with ``scale``. The scheduler runs callbacks after simulated delays (:meth:`Scheduler.
call_later`), and in manual timing only when :meth:`Scheduler.advance` or ``settle`` says.

How simulated time maps to timestamps (one rule for every resource):

* every timestamp (``date_created``, ``date_sent``, a call's ``start_time``/``end_time``, a
  callback's ``Timestamp``, a recording's ``start_time``) is a reading of :class:`Clock`:
  wall time plus the offset that ``advance`` adds (a test can jump 25 hours to close a
  WhatsApp window). Nothing is dated after the moment it is read;
* every duration (a call's ``duration``/``CallDuration``, ``RecordingDuration``, a
  transcript's ``at``) counts simulated seconds (:attr:`CallClock.elapsed`);
* the two agree in realistic timing (a simulated second takes a real one) and in manual
  timing (``advance``/``settle`` move the clock by the simulated seconds they run). In fast
  timing the timestamps are compressed by ``scale``: a call that lasted 20 simulated seconds
  ended some milliseconds after it started, with ``duration`` 20.

:class:`CallClock` is one call's view (the voice interpreter's clock): ``elapsed`` simulated
seconds, ``now()`` from the emulator clock, waits on the scheduler. Its :class:`Activity`
tells ``settle`` whether the call is working: busy while it does zero-time work (between
two waits), idle while it waits for a timer (which keeps ``settle`` waiting anyway, and
manual timing can fire it) or for step-by-step caller input (``settle`` returns).

Everything here runs on the emulator's event loop thread.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timezone
from typing import Any

from .timing import Timing

__all__ = ["Activity", "CallClock", "Clock", "Scheduler", "Timer", "Timing"]

log = logging.getLogger("twilio_connector.emulator")


class Clock:
    """Wall-clock time plus an offset moved by :meth:`Scheduler.advance`."""

    def __init__(self, start: float | None = None) -> None:
        self.offset = 0.0 if start is None else start - time.time()
        """Seconds added to the wall clock (``start``: the reading right now)."""

    def now(self) -> float:
        """Current emulator time, epoch seconds (UTC)."""
        return time.time() + self.offset


class Timer:
    """A scheduled callback; :meth:`cancel` it before it fires to drop it."""

    __slots__ = ("_handle", "_scheduler", "args", "due", "epoch", "fn", "live")

    def __init__(
        self, scheduler: Scheduler, due: float, fn: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        self._scheduler = scheduler
        self._handle: asyncio.TimerHandle | None = None
        self.due = due
        self.fn = fn
        self.args = args
        self.live = True
        self.epoch = scheduler._epoch

    def cancel(self) -> None:
        if self.live:
            self.live = False
            if self.epoch == self._scheduler._epoch:
                self._scheduler._pending -= 1
            if self._handle is not None:
                self._handle.cancel()


class Scheduler:
    """Runs callbacks after simulated delays and tracks background tasks for ``settle``."""

    def __init__(self, timing: Timing, clock: Clock, loop: asyncio.AbstractEventLoop) -> None:
        self.timing = timing
        self.clock = clock
        self.loop = loop
        self._pending = 0
        self._epoch = 0
        self._manual_now = 0.0
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._active = 0
        """:class:`Activity` holds: calls doing zero-time work right now."""

    @property
    def manual(self) -> bool:
        return self.timing.scale is None

    @property
    def busy(self) -> bool:
        """True while any timer is pending, tracked task runs or activity is held."""
        return self._pending > 0 or bool(self._tasks) or self._active > 0

    @property
    def tasks_running(self) -> bool:
        """Work that needs loop turns, not time: tracked tasks and held activities."""
        return bool(self._tasks) or self._active > 0

    @property
    def pending_timers(self) -> int:
        return self._pending

    def call_later(self, delay: float, fn: Callable[..., Any], *args: Any) -> Timer:
        """Call ``fn(*args)`` after ``delay`` simulated seconds."""
        delay = max(0.0, delay)
        scale = self.timing.scale
        self._pending += 1
        if scale is None:
            timer = Timer(self, self._manual_now + delay, fn, args)
            heapq.heappush(self._heap, (timer.due, next(self._seq), timer))
        else:
            timer = Timer(self, 0.0, fn, args)
            timer._handle = self.loop.call_later(delay * scale, self._fire, timer)
        return timer

    def _fire(self, timer: Timer) -> None:
        if not timer.live or timer.epoch != self._epoch:
            return
        timer.live = False
        self._pending -= 1
        try:
            timer.fn(*timer.args)
        except Exception:  # a broken lifecycle step must not kill the loop
            log.exception("emulator timer callback failed")

    async def sleep(self, delay: float) -> None:
        """Wait ``delay`` simulated seconds (for coroutines such as a voice call)."""
        fut: asyncio.Future[None] = self.loop.create_future()
        self.call_later(delay, _resolve, fut)
        await fut

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        """Run ``coro`` as a tracked task: ``settle`` waits for it; errors are logged."""
        task = self.loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("emulator task %s failed", task.get_name(), exc_info=task.exception())

    async def advance(self, seconds: float) -> None:
        """Move time forward ``seconds``: the clock offset, and in manual mode the timers."""
        if not 0 <= seconds <= 10 * 366 * 86400:
            raise ValueError("advance by 0 to 10 years of seconds")
        self.clock.offset += seconds
        if self.manual:
            await self._run_manual_until(self._manual_now + seconds)

    async def run_pending(self) -> bool:
        """Manual mode: fire the earliest pending timer batch. False if none was pending."""
        while self._heap and not self._heap[0][2].live:
            heapq.heappop(self._heap)
        if not self._heap:
            return False
        due = self._heap[0][0]
        self.clock.offset += max(0.0, due - self._manual_now)
        await self._run_manual_until(due)
        return True

    async def _run_manual_until(self, target: float, quiesce: float = 5.0) -> None:
        # A fired timer may wake work that takes several loop turns (or a webhook round
        # trip) before it schedules its next timer, e.g. a call fetching its next TwiML
        # document. Let tracked tasks get that far before looking at the heap again,
        # bounded by ``quiesce`` real seconds for the whole advance.
        deadline = asyncio.get_running_loop().time() + quiesce
        while True:
            await asyncio.sleep(0)
            while self.tasks_running and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.001)
            if not (self._heap and self._heap[0][0] <= target):
                break
            due, _, timer = heapq.heappop(self._heap)
            self._manual_now = max(self._manual_now, due)
            self._fire(timer)
        self._manual_now = max(self._manual_now, target)

    def cancel_all(self) -> list[asyncio.Task[Any]]:
        """Drop every pending timer and cancel tracked tasks (reset/shutdown); returns them."""
        self._epoch += 1  # timers already handed to the loop become no-ops, holds too
        self._pending = 0
        self._active = 0
        self._heap.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Activity:
    """One call's hold on ``settle``: :meth:`hold` while working, :meth:`release` while
    waiting. Holds from before a reset (:meth:`Scheduler.cancel_all`) count no more."""

    __slots__ = ("_epoch", "_scheduler", "held")

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        self._epoch = scheduler._epoch
        self.held = False

    def hold(self) -> None:
        if not self.held and self._epoch == self._scheduler._epoch:
            self.held = True
            self._scheduler._active += 1

    def release(self) -> None:
        if self.held:
            self.held = False
            if self._epoch == self._scheduler._epoch:
                self._scheduler._active -= 1


class CallClock:
    """One call's clock (the voice interpreter's ``VoiceClock``) on the scheduler.

    ``elapsed`` counts the simulated seconds the call has waited (verbs, ringing, input):
    durations and transcript times come from it. ``now()`` is the emulator clock (see the
    module docstring). Waiting releases :attr:`activity`; waking up holds it again.
    """

    __slots__ = ("_elapsed", "_scheduler", "_sleeping", "activity")

    def __init__(self, scheduler: Scheduler, activity: Activity | None = None) -> None:
        self._scheduler = scheduler
        self.activity = activity if activity is not None else Activity(scheduler)
        self._elapsed = 0.0
        self._sleeping: asyncio.Future[None] | None = None

    @property
    def scheduler(self) -> Scheduler:
        return self._scheduler

    @property
    def elapsed(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._scheduler.clock.now(), timezone.utc)

    def _wake(self, fut: asyncio.Future[None]) -> None:
        if not fut.done():
            self.activity.hold()  # before the timer's count drops: no idle gap
            fut.set_result(None)

    def _simulated(self, real_seconds: float) -> float:
        scale = self._scheduler.timing.scale
        return real_seconds / scale if scale else 0.0

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass (less if :meth:`cut_short`)."""
        seconds = max(0.0, seconds)
        loop = self._scheduler.loop
        fut: asyncio.Future[None] = loop.create_future()
        timer = self._scheduler.call_later(seconds, self._wake, fut)
        self.activity.release()
        self._sleeping, began = fut, loop.time()
        try:
            await fut
        finally:
            cut = timer.live  # not fired yet: woken early by cut_short
            timer.cancel()
            self._sleeping = None
        if cut:  # count the time that really passed
            seconds = min(seconds, self._simulated(loop.time() - began))
        self._elapsed += seconds

    def count(self, seconds: float) -> None:
        """Add ``seconds`` of call time that passed outside :meth:`sleep`/:meth:`wait` (a
        Media Stream's audio, paced by the stream itself)."""
        self._elapsed += max(0.0, seconds)

    def cut_short(self) -> None:
        """End the current :meth:`sleep` now (e.g. a ringing call canceled)."""
        if self._sleeping is not None:
            self._wake(self._sleeping)

    async def wait(self, event: asyncio.Event, timeout: float | None) -> bool:
        """Wait for ``event`` at most ``timeout`` simulated seconds; True if it was set.
        The simulated time that passes is the (scaled) real wait, or ``timeout``."""
        if event.is_set():
            return True
        loop = self._scheduler.loop
        began = loop.time()
        fut: asyncio.Future[None] = loop.create_future()
        timer = None if timeout is None else self._scheduler.call_later(timeout, self._wake, fut)
        waiter = loop.create_task(event.wait())
        waiter.add_done_callback(lambda _: self._wake(fut))
        self.activity.release()
        try:
            await fut
        finally:
            waiter.cancel()
            if timer is not None:
                timer.cancel()
        fired = event.is_set()
        passed = self._simulated(loop.time() - began)
        if timeout is not None:
            passed = min(passed, timeout) if fired else timeout
        self._elapsed += passed
        return fired
