"""Simulated time: the timing profile, the clock and the scheduler every lifecycle runs on.

Durations in the emulator are *simulated seconds* (a message takes 1 s to be sent, a
``<Say>`` of 20 words lasts ~8 s). :class:`Timing` maps them to real time with ``scale``
(real seconds per simulated second): ``0.001`` by default (fast: 1 s runs in 1 ms),
``1.0`` for realistic pacing, ``None`` for manual mode where nothing moves until
:meth:`Scheduler.advance` (or ``settle``) is called.

Timestamps (``date_created`` ...) come from :class:`Clock`: wall time plus an offset that
``advance`` moves forward, so a test can jump 25 hours to close a WhatsApp window.

Everything here runs on the emulator's event loop thread.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Clock", "Scheduler", "Timer", "Timing"]

log = logging.getLogger("twilio_connector.emulator")


@dataclass(frozen=True)
class Timing:
    """Delays of each lifecycle step in simulated seconds, and how fast they run.

    ``scale`` is real seconds per simulated second (``None`` = manual: only
    ``advance``/``settle`` move time). Extensions (voice) add their own delays
    through ``extra`` (``timing.delay("call_ring", 3.0)``).
    """

    scale: float | None = 0.001
    message_queue: float = 0.5
    message_send: float = 0.5
    message_deliver: float = 2.0
    message_read: float = 3.0
    extra: tuple[tuple[str, float], ...] = ()

    @classmethod
    def fast(cls) -> Timing:
        return cls()

    @classmethod
    def realistic(cls) -> Timing:
        return cls(scale=1.0)

    @classmethod
    def manual(cls) -> Timing:
        return cls(scale=None)

    @classmethod
    def of(cls, value: Timing | str | None) -> Timing:
        """Accept a Timing, or one of the names ``"fast"``, ``"realistic"``, ``"manual"``."""
        if value is None:
            return cls.fast()
        if isinstance(value, Timing):
            return value
        presets = {"fast": cls.fast, "realistic": cls.realistic, "manual": cls.manual}
        try:
            return presets[value]()
        except KeyError:
            raise ValueError(f"timing must be one of {sorted(presets)}, got {value!r}") from None

    def with_scale(self, scale: float | None) -> Timing:
        return replace(self, scale=scale)

    def delay(self, name: str, default: float) -> float:
        """A named extension delay (simulated seconds)."""
        for key, value in self.extra:
            if key == name:
                return value
        return default


class Clock:
    """Wall-clock time plus an offset moved by :meth:`Scheduler.advance`."""

    def __init__(self) -> None:
        self.offset = 0.0

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

    @property
    def manual(self) -> bool:
        return self.timing.scale is None

    @property
    def busy(self) -> bool:
        """True while any timer is pending or any tracked task is running."""
        return self._pending > 0 or bool(self._tasks)

    @property
    def tasks_running(self) -> bool:
        return bool(self._tasks)

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
            while self._tasks and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.001)
            if not (self._heap and self._heap[0][0] <= target):
                break
            due, _, timer = heapq.heappop(self._heap)
            self._manual_now = max(self._manual_now, due)
            self._fire(timer)
        self._manual_now = max(self._manual_now, target)

    def cancel_all(self) -> list[asyncio.Task[Any]]:
        """Drop every pending timer and cancel tracked tasks (reset/shutdown); returns them."""
        self._epoch += 1  # timers already handed to the loop become no-ops
        self._pending = 0
        self._heap.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        return tasks


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
