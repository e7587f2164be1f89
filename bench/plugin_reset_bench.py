"""The pytest plugin's per-test reset: what ``twilio_emulator`` costs before each test.

Each round plays one test: it creates ``--messages`` messages and ``--calls`` calls through
our client (left in flight, as a test that ends early leaves them), then times
``TwilioEmulator.reset(timing)`` exactly as the fixture calls it (the hop onto the
emulator's loop included: "fixture"), and in other rounds ``core.reset()`` alone, timed on
the emulator's loop ("on the loop"). Reported: median and p99 over ``--rounds`` rounds,
per load. Target: p99 <= 5 ms. On a loaded machine the hop's p99 is the OS scheduling the
emulator's thread late (asyncio's debug mode shows trivial callbacks taking 3-6 ms then),
which is why both figures are printed, with the load average. Baseline, same run: a fresh
emulator per test (start + stop, what the repository's own ``emu`` fixture does), median
of ``--fresh`` starts. Run::

    .venv/bin/python bench/plugin_reset_bench.py [--rounds 300] [--fresh 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from twilio_connector.emulator.core import EmulatorCore  # noqa: E402
from twilio_connector.testing import TwilioEmulator  # noqa: E402

TARGET_MS = 5.0
TO = "+15558675310"
SAY = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello</Say></Response>'


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _timed_core_reset(core: EmulatorCore) -> float:
    began = time.perf_counter()
    core.reset()
    return (time.perf_counter() - began) * 1000


def reset_times(
    emu: TwilioEmulator, rounds: int, messages: int, calls: int
) -> tuple[list[float], list[float]]:
    fixture, on_loop = [], []
    with emu.client() as client:
        for n in range(2 * rounds):
            for i in range(messages):
                client.send_sms(emu.phone_number, TO, f"message {i}")
            for _ in range(calls):
                client.calls.create(to=TO, from_=emu.phone_number, twiml=SAY)
            if n % 2:
                on_loop.append(emu.call(_timed_core_reset))
                continue
            began = time.perf_counter()
            emu.reset("fast")
            fixture.append((time.perf_counter() - began) * 1000)
    return fixture, on_loop


def fresh_times(starts: int) -> list[float]:
    out = []
    for _ in range(starts):
        began = time.perf_counter()
        with TwilioEmulator():
            pass
        out.append((time.perf_counter() - began) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--fresh", type=int, default=20)
    args = parser.parse_args()
    loads = [(0, 0), (10, 0), (50, 0), (10, 5), (100, 10)]
    worst = 0.0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"reset between tests, ms (target p99 <= {TARGET_MS} ms)")
    print("  per test                fixture median    p99   on the loop median    p99  rounds")
    with TwilioEmulator() as emu:
        for messages, calls in loads:
            rounds = max(20, args.rounds // (1 + (messages + calls) // 20))
            fixture, on_loop = reset_times(emu, rounds, messages, calls)
            worst = max(worst, p99(fixture))
            print(
                f"  {messages:>3} messages {calls:>2} calls {statistics.median(fixture):14.3f}"
                f" {p99(fixture):6.3f} {statistics.median(on_loop):18.3f} {p99(on_loop):6.3f}"
                f"  {rounds:>6}"
            )
    fresh = fresh_times(args.fresh)
    print(f"baseline, a fresh emulator per test: median {statistics.median(fresh):.1f} ms")
    verdict = "OK" if worst <= TARGET_MS else "OVER"
    print(f"worst fixture p99 {worst:.3f} ms: {verdict} the {TARGET_MS} ms target")


if __name__ == "__main__":
    main()
