"""The call clock, timing model, caller input and queues (the interpreter's building blocks)."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

import pytest
from voice_testkit import START, call_clock

from twilio_connector.emulator import Timing
from twilio_connector.emulator.voice import CallerInput, CallQueues, QueueFull, Speech


async def test_clock_counts_simulated_seconds_and_never_runs_ahead() -> None:
    clock = call_clock(0.0)
    await clock.sleep(90)
    await clock.sleep(-5)  # never backwards
    assert clock.elapsed == 90
    # timestamps are the emulator clock: 90 simulated seconds took no real time
    assert START <= clock.now() < START + timedelta(seconds=5)
    await clock.scheduler.advance(100)  # the emulator clock moves, simulated time does not
    assert clock.now() >= START + timedelta(seconds=100) and clock.elapsed == 90


async def test_clock_wait() -> None:
    clock = call_clock(0.001)
    event = asyncio.Event()
    assert await clock.wait(event, 30) is False
    assert clock.elapsed == 30  # timed out: exactly the simulated timeout
    event.set()
    assert await call_clock(0.0).wait(event, 5) is True
    later = asyncio.Event()
    asyncio.get_running_loop().call_later(0.01, later.set)
    assert await clock.wait(later, None) is True
    assert clock.elapsed > 30  # the real wait, scaled up


async def test_clock_sleep_cut_short_counts_the_time_that_passed() -> None:
    clock = call_clock(1.0)
    sleeping = asyncio.ensure_future(clock.sleep(3600))
    await asyncio.sleep(0.01)
    clock.cut_short()
    await asyncio.wait_for(sleeping, 5)
    assert 0 < clock.elapsed < 60


async def test_manual_clock_waits_for_advance() -> None:
    clock = call_clock(None)
    sleeping = asyncio.ensure_future(clock.sleep(30))
    await asyncio.sleep(0.01)
    assert not sleeping.done() and clock.elapsed == 0
    await clock.scheduler.advance(30)
    await asyncio.wait_for(sleeping, 5)
    assert clock.elapsed == 30 and clock.now() >= START + timedelta(seconds=30)


def test_timing_rejects_a_bad_scale() -> None:
    for scale in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="scale"):
            Timing(scale=scale)
    assert Timing(scale=0).scale == 0 and Timing.manual().scale is None


def test_timing_model() -> None:
    timing = Timing()
    assert timing.say("x" * 30, 1) == pytest.approx(2.0)
    assert timing.say("hi", 3) == pytest.approx(1.5)  # minimum 0.5 s per loop
    assert timing.say("x" * 15, 0) == pytest.approx(1000.0)  # loop=0 is capped
    assert timing.dtmf("12wW") == pytest.approx(0.2 + 0.2 + 0.5 + 1.0)
    assert timing.play_audio(2) == pytest.approx(10.0)
    assert timing.speech("talk to sales") == pytest.approx(1.2)


async def test_caller_input_buffers_and_validates() -> None:
    caller = CallerInput(digits="1w2#", speech="yes")
    assert caller.pending_digits == "12#"
    assert await caller.next_input(dtmf=False, speech=True) == Speech("yes", 0.9)
    assert await caller.next_input(dtmf=True, speech=True) == "1"
    assert caller.take_key_in("#*") is None and caller.take_key_in("2") == "2"
    assert await caller.next_input(dtmf=True, speech=False) == "#"
    assert await caller.next_input(dtmf=True, speech=True) is None  # nothing left: silence
    with pytest.raises(ValueError, match="DTMF"):
        caller.press("12x")
    with pytest.raises(ValueError):
        caller.speak("hi", confidence=1.5)


async def test_interactive_input_waits_and_times_out() -> None:
    caller = CallerInput(interactive=True, idle_timeout=0.01)
    assert await caller.next_input(dtmf=True, speech=True) is None  # idle timeout
    caller.idle_timeout = None
    waiter = asyncio.ensure_future(caller.next_input(dtmf=True, speech=False))
    await asyncio.sleep(0.01)
    caller.speak("ignored by a dtmf-only read")
    await asyncio.sleep(0.01)
    assert not waiter.done()
    caller.press("7")
    assert await asyncio.wait_for(waiter, 5) == "7"
    caller.close()
    assert await caller.next_input(dtmf=True, speech=False) is None


def test_queues() -> None:
    queues = CallQueues()
    a = queues.join("q", "CA1", max_size=2, now=0)
    b = queues.join("q", "CA2", max_size=2, now=1)
    with pytest.raises(QueueFull):
        queues.join("q", "CA3", max_size=2, now=2)
    assert (queues.position(a), queues.position(b), queues.size("q")) == (1, 2, 2)
    assert queues.sid("q").startswith("QU") and queues.sid("q") == a.queue_sid
    queues.leave(a)
    assert a.left and queues.position(b) == 1
    head = queues.dequeue("q")
    assert head is b and queues.dequeue("q") is None and queues.dequeue("other") is None
    head.bridge("CA9", 12.0)
    assert head.event.is_set() and (head.bridged_with, head.talk_seconds) == ("CA9", 12.0)
