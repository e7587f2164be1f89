"""Emulator start plus stop: the median of ``--cycles`` cycles of ``Emulator()`` in memory.

Each cycle starts an in-memory emulator on a free port, makes one request (so that a
keep-alive connection is open at stop, as in a test), closes that client and stops the
emulator. Target: start + stop <= 20 ms. Before/after figures come from the same host,
run one after the other::

    PYTHONPATH=src .venv/bin/python bench/emulator_startstop_bench.py [--cycles 50]
    PYTHONPATH=/path/to/other/checkout/src .venv/bin/python bench/emulator_startstop_bench.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import httpx

from twilio_connector.emulator import Emulator

TARGET_MS = 20.0


def cycle(request: bool) -> tuple[float, float]:
    """(start ms, stop ms) of one emulator."""
    emu = Emulator()
    began = time.perf_counter()
    emu.start()
    started = time.perf_counter()
    if request:
        with httpx.Client(base_url=emu.base_url) as client:
            client.get("/2010-04-01/Accounts.json", auth=(emu.account_sid, emu.auth_token))
    stopping = time.perf_counter()
    emu.stop()
    stopped = time.perf_counter()
    return (started - began) * 1000, (stopped - stopping) * 1000


def report(label: str, samples: list[tuple[float, float]]) -> float:
    start = statistics.median(s for s, _ in samples)
    stop = statistics.median(s for _, s in samples)
    total = statistics.median(s + t for s, t in samples)
    print(f"{label:<22} start {start:7.2f} ms   stop {stop:7.2f} ms   start+stop {total:7.2f} ms")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=50)
    args = parser.parse_args()
    cycle(request=True)  # warm up: imports, first SQLite schema
    idle = [cycle(request=False) for _ in range(args.cycles)]
    used = [cycle(request=True) for _ in range(args.cycles)]
    print(f"median of {args.cycles} cycles (target start+stop <= {TARGET_MS:.0f} ms)")
    report("no request", idle)
    report("one request", used)


if __name__ == "__main__":
    main()
