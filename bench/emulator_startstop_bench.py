"""Emulator start plus stop: the median of ``--cycles`` cycles of ``Emulator()`` in memory.

Each cycle starts an in-memory emulator on a free port and stops it: with no request,
after one request whose client closed, and after one request whose keep-alive connection
is still open at stop (as when a test's client outlives the emulator). Target: start +
stop <= 20 ms. Before/after figures come from the same host, run one after the other::

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


def cycle(request: str) -> tuple[float, float]:
    """(start ms, stop ms) of one emulator; ``request``: "none", "closed" or "open"."""
    emu = Emulator()
    began = time.perf_counter()
    emu.start()
    started = time.perf_counter()
    client = httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token))
    if request != "none":
        client.get("/2010-04-01/Accounts.json").raise_for_status()
    if request != "open":
        client.close()
    stopping = time.perf_counter()
    emu.stop()
    stopped = time.perf_counter()
    client.close()
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
    cycle("open")  # warm up: imports, first SQLite schema
    runs = {mode: [cycle(mode) for _ in range(args.cycles)] for mode in ("none", "closed", "open")}
    print(f"median of {args.cycles} cycles (target start+stop <= {TARGET_MS:.0f} ms)")
    report("no request", runs["none"])
    report("client closed", runs["closed"])
    report("connection open", runs["open"])


if __name__ == "__main__":
    main()
