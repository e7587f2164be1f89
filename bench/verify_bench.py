"""Verify benchmark: start + read the code + check, flows per second on the emulator.

The emulator runs in its own process pinned to CPU 0 (state in a SQLite file, as with the
CLI; ``emulator_process.py``); the load runs on CPU 1. One flow is what a test of a login
does: ``client.start_verification(VA, to)`` (the code goes out as an SMS through the
messages backend), ``GET /_emulator/verifications?to=`` (the code the handset got) and
``client.check_verification(VA, to, code)`` (approved). Each flow uses its own ``To``.

* ours: our ``AsyncTwilioClient`` with ``--concurrency`` flows in flight for ``--seconds``;
* baseline, in the same run on the same emulator: the official ``twilio`` SDK (sync, one
  flow at a time, as a test written with it would run), for ``--seconds``;
* reference: the same async client sending plain SMS (one request each) for ``--seconds``,
  to show what a flow (three requests and one SMS) costs next to one message.

Each measurement runs on a fresh emulator.

Each figure is the median of ``--runs`` runs (default 3), each on a fresh emulator. Run::

    .venv/bin/python bench/verify_bench.py [--seconds 10] [--runs 3] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from emulator_process import cpu_seconds, start_emulator, stop_emulator

from twilio_connector import AsyncTwilioClient

_numbers = itertools.count(1)


def _to() -> str:
    return f"+1555{next(_numbers):07d}"


async def _code(http: aiohttp.ClientSession, base: str, to: str) -> str:
    async with http.get(f"{base}/_emulator/verifications", params={"to": to, "limit": "1"}) as r:
        entries: list[dict[str, Any]] = await r.json()
    return str(entries[0]["code"])


async def ours(base: str, sid: str, token: str, seconds: float, concurrency: int) -> float:
    """Flows per second through our async client."""
    basic = base64.b64encode(f"{sid}:{token}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}
    async with (
        AsyncTwilioClient(account_sid=sid, auth_token=token, base_url=base) as client,
        aiohttp.ClientSession(headers=headers) as http,
    ):
        service = (await client.verify.services.create("Bench")).sid
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                to = _to()
                await client.start_verification(service, to)
                result = await client.check_verification(service, to, await _code(http, base, to))
                if not result.approved:
                    raise AssertionError(f"flow for {to} not approved: {result.status}")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - start)


async def plain_sms(base: str, sid: str, token: str, seconds: float, concurrency: int) -> float:
    """Plain SMS sends per second through the same client (the reference)."""
    async with AsyncTwilioClient(account_sid=sid, auth_token=token, base_url=base) as client:
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await client.send_sms("+15017122661", _to(), "Your Bench code is: 123456")
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - start)


def official_sdk(base: str, sid: str, token: str, seconds: float) -> float:
    """Flows per second through the official SDK, one at a time."""
    import httpx
    from twilio.rest import Client

    from twilio_connector.emulator import point_sdk

    client = point_sdk(Client(sid, token), base)
    service = client.verify.v2.services.create(friendly_name="Bench").sid
    va = client.verify.v2.services(service)
    done = 0
    with httpx.Client(auth=(sid, token)) as http:
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            to = _to()
            va.verifications.create(to=to, channel="sms")
            code = http.get(f"{base}/_emulator/verifications", params={"to": to}).json()[0]["code"]
            if va.verification_checks.create(to=to, code=code).status != "approved":
                raise AssertionError(f"flow for {to} not approved")
            done += 1
        return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # the load on CPU 1, the emulator on CPU 0
    results: dict[str, list[float]] = {
        key: [] for key in ("ours", "sdk", "sms", "cpu_us", "load_us")
    }
    with tempfile.TemporaryDirectory(prefix="verifybench-") as tmp:
        for run in range(args.runs):
            # each measurement on a fresh emulator, so none inherits another's backlog
            proc, base, sid, token = start_emulator(os.path.join(tmp, f"ours-{run}.db"), 0)
            try:
                cpu0, load0 = cpu_seconds(proc.pid), time.process_time()
                flows = asyncio.run(ours(base, sid, token, args.seconds, args.concurrency))
                cpu, load = cpu_seconds(proc.pid) - cpu0, time.process_time() - load0
            finally:
                stop_emulator(proc)
            proc, base, sid, token = start_emulator(os.path.join(tmp, f"sdk-{run}.db"), 0)
            try:
                sdk = official_sdk(base, sid, token, args.seconds)
            finally:
                stop_emulator(proc)
            proc, base, sid, token = start_emulator(os.path.join(tmp, f"sms-{run}.db"), 0)
            try:
                sms = asyncio.run(plain_sms(base, sid, token, args.seconds, args.concurrency))
            finally:
                stop_emulator(proc)
            cpu_us = cpu / max(1.0, flows * args.seconds) * 1e6
            load_us = load / max(1.0, flows * args.seconds) * 1e6
            print(
                f"run {run + 1}: ours {flows:.0f} flows/s (CPU per flow: emulator {cpu_us:.0f} us, "
                f"load {load_us:.0f} us), "
                f"official SDK {sdk:.0f} flows/s, plain SMS {sms:.0f}/s",
                flush=True,
            )
            measured = {"ours": flows, "sdk": sdk, "sms": sms, "cpu_us": cpu_us, "load_us": load_us}
            for key, value in measured.items():
                results[key].append(value)
    med = {key: statistics.median(values) for key, values in results.items()}
    print(
        f"VERIFY median of {args.runs} x {args.seconds:.0f}s: ours {med['ours']:.0f} flows/s "
        f"(concurrency {args.concurrency}; CPU per flow: emulator {med['cpu_us']:.0f} us, "
        f"load {med['load_us']:.0f} us); "
        f"official SDK sequential {med['sdk']:.0f} flows/s; ratio ours/SDK "
        f"{med['ours'] / med['sdk']:.2f}x; plain SMS {med['sms']:.0f}/s "
        f"(a flow = {med['sms'] / med['ours']:.2f} SMS sends)"
    )


if __name__ == "__main__":
    main()
