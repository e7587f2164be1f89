"""Simulated call time: how long verbs last, and a clock that runs faster than the wall.

Durations (``<Say>`` text length, ``<Pause>``, ``<Play>``, ``<Gather>`` timeouts, ring and talk
time) are *simulated* seconds. :class:`SimulatedClock` sleeps ``seconds / speed`` for real, so
``speed=1000`` ("fast", the default) turns a 5 s ``<Pause>`` into 5 ms and ``speed=math.inf``
only yields to the event loop; call durations and timestamps still add up as if real.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol

__all__ = ["FAST", "INSTANT", "REALTIME", "SimulatedClock", "Timing", "VoiceClock"]

FAST = 1000.0
REALTIME = 1.0
INSTANT = math.inf


class VoiceClock(Protocol):
    """What the interpreter needs from a clock (one instance per call)."""

    def now(self) -> datetime:
        """The simulated current time (UTC)."""
        ...

    @property
    def elapsed(self) -> float:
        """Simulated seconds since the clock started."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass."""
        ...

    async def wait(self, event: asyncio.Event, timeout: float | None) -> bool:
        """Wait for ``event`` at most ``timeout`` simulated seconds (``None``: no limit);
        ``True`` if it was set. Simulated time advances by the (scaled) real wait."""
        ...


class SimulatedClock:
    """A per-call clock: wall-clock start, then simulated seconds at ``speed`` x real time."""

    def __init__(self, *, start: datetime | None = None, speed: float = FAST) -> None:
        if not speed > 0:
            raise ValueError("speed must be > 0 (math.inf: do not wait at all)")
        self._start = start if start is not None else datetime.now(timezone.utc)
        self._speed = speed
        self._elapsed = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def elapsed(self) -> float:
        return self._elapsed

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward without waiting."""
        self._elapsed += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        await asyncio.sleep(seconds / self._speed)
        self._elapsed += seconds

    async def wait(self, event: asyncio.Event, timeout: float | None) -> bool:
        if event.is_set():
            return True
        loop = asyncio.get_running_loop()
        began = loop.time()
        real_timeout = None if timeout is None else max(0.0, timeout) / self._speed
        try:
            await asyncio.wait_for(event.wait(), real_timeout)
            fired = True
        except asyncio.TimeoutError:
            fired = False
        passed = 0.0 if math.isinf(self._speed) else (loop.time() - began) * self._speed
        if timeout is not None:
            passed = timeout if not fired else min(passed, timeout)
        self._elapsed += passed
        return fired


@dataclass(frozen=True)
class Timing:
    """How long simulated things take, in simulated seconds."""

    say_chars_per_second: float = 15.0
    """Text-to-speech rate (~150 words a minute)."""
    minimum_say: float = 0.5
    play: float = 5.0
    """Length assumed for any audio file."""
    dtmf_tone: float = 0.2
    beep: float = 0.5
    key_press: float = 0.3
    """Time the caller takes per key of ``<Gather>`` input."""
    speech_per_word: float = 0.4
    recording: float = 3.0
    """Speech length assumed for ``<Record>`` when the caller input gives none."""
    ring: float = 2.0
    """Ring time before a ``<Dial>`` leg answers."""
    talk: float = 5.0
    """Talk time of a bridged ``<Dial>`` leg or dequeued caller."""
    hold_chunk: float = 30.0
    """Hold music between queue checks when ``<Enqueue>`` has no ``waitUrl``."""
    loop_cap: int = 1000
    """``loop="0"`` (repeat until hang-up) plays this many times."""

    def say(self, text: str, loop: int) -> float:
        once = max(self.minimum_say, len(text) / self.say_chars_per_second)
        return once * self.loops(loop)

    def play_audio(self, loop: int) -> float:
        return self.play * self.loops(loop)

    def dtmf(self, digits: str) -> float:
        total = 0.0
        for key in digits:
            total += 0.5 if key == "w" else 1.0 if key == "W" else self.dtmf_tone
        return total

    def speech(self, text: str) -> float:
        return max(1, len(text.split())) * self.speech_per_word

    def loops(self, loop: int) -> int:
        return self.loop_cap if loop <= 0 else loop
