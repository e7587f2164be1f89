"""Messaging Service send benchmark: fully delivered messages/s sending with ``From`` (the
baseline) vs with ``MessagingServiceSid`` (a pool of 10 numbers, sticky sender and
area-code geomatch on), measured in the same run, interleaved.

Measured as ``bench/emulator_bench.py`` measures throughput: the emulator runs in its own
process pinned to CPU 0 (SQLite file); the load generator and webhook receiver share CPU 1.
``--connections`` keep-alive connections create messages for ``--seconds``, each with a
``StatusCallback`` to the receiver, cycling through 1,000 recipients (so the service keeps
1,000 sticky mappings). A message counts once its ``sent`` and ``delivered`` callbacks have
arrived (a service message also gets ``queued``, as with Twilio); the rate is fully
delivered / (last callback - start). Each run starts a fresh emulator per mode, the order
of the two modes alternating between runs. Figures are medians of ``--runs``.

The target (no regression) compares trees: ``--baseline DIR`` is a checkout of an earlier
commit (``git worktree add /tmp/base <commit>``), run interleaved with this one in every run;
each mode's rate must stay within 10% of the baseline's (ratio >= 0.90). The service/From ratio
is printed too: a service message costs one more callback (``queued``) and the sender choice.
Run::

    .venv/bin/python bench/service_send_bench.py [--seconds 10] [--runs 3] [--baseline DIR]
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
from urllib.parse import urlencode

import httptools
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from emulator_bench import Receiver  # noqa: E402
from emulator_process import cpu_seconds, start_emulator, stop_emulator  # noqa: E402

TARGET_RATIO = 0.90
POOL_SIZE = 10
RECIPIENTS = 1000
FROM = "+15017122661"


def make_service(base: str, sid: str, token: str) -> str:
    """A service with sticky sender on and 10 numbers in its pool (9 of them bought)."""
    with httpx.Client(base_url=base, auth=(sid, token)) as http:
        account = f"/2010-04-01/Accounts/{sid}"
        service = http.post(
            "/messaging/v1/Services", data={"FriendlyName": "bench", "StickySender": "true"}
        ).json()["sid"]
        numbers = [n["sid"] for n in http.get(f"{account}/IncomingPhoneNumbers.json").json()[
            "incoming_phone_numbers"
        ] if n["phone_number"] == FROM]  # fmt: skip
        for i in range(POOL_SIZE - 1):
            bought = http.post(
                f"{account}/IncomingPhoneNumbers.json", data={"PhoneNumber": f"+1212555{i:04d}"}
            )
            numbers.append(bought.json()["sid"])
        for pn in numbers:
            added = http.post(
                f"/messaging/v1/Services/{service}/PhoneNumbers", data={"PhoneNumberSid": pn}
            )
            assert added.status_code == 201, added.text
        return str(service)


class Sender(asyncio.Protocol):
    """Keeps one connection busy, each request the next of ``requests`` (shared cycle)."""

    def __init__(self, requests: itertools.cycle[bytes], state: dict[str, float]) -> None:
        self.requests = requests
        self.state = state

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.parser = httptools.HttpResponseParser(self)
        self.transport.write(next(self.requests))  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        code = self.parser.get_status_code()
        self.state["ok" if code == 201 else "errors"] += 1
        if time.perf_counter() < self.state["stop"]:
            self.transport.write(next(self.requests))  # type: ignore[attr-defined]
        else:
            self.transport.close()


async def throughput(
    base: str, sid: str, token: str, seconds: float, conns: int, service: str | None
) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", 0)
    recv_port = server.sockets[0].getsockname()[1]
    Receiver.counts, Receiver.last = {}, 0.0
    Receiver.url, Receiver.token = f"http://127.0.0.1:{recv_port}/status", token
    Receiver.checked = Receiver.bad_signatures = 0
    host, port = base.removeprefix("http://").split(":")
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    sender = {"MessagingServiceSid": service} if service else {"From": FROM}
    requests = []
    for i in range(RECIPIENTS):
        body = urlencode(
            {"To": f"+1212556{i:04d}", **sender, "Body": "Your code is 123456",
             "StatusCallback": Receiver.url}
        ).encode()  # fmt: skip
        requests.append(
            (
                f"POST /2010-04-01/Accounts/{sid}/Messages.json HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
    cycle = itertools.cycle(requests)
    state = {"ok": 0.0, "errors": 0.0, "stop": 0.0}
    start = time.perf_counter()
    state["stop"] = start + seconds
    for _ in range(conns):
        await loop.create_connection(lambda: Sender(cycle, state), host, int(port))
    await asyncio.sleep(seconds)
    deadline = time.perf_counter() + 120

    def delivered() -> int:
        return min(Receiver.counts.get(b"sent", 0), Receiver.counts.get(b"delivered", 0))

    while time.perf_counter() < deadline and delivered() < state["ok"]:
        await asyncio.sleep(0.1)
    server.close()
    elapsed = (Receiver.last or time.perf_counter()) - start
    return {
        "created": state["ok"],
        "errors": state["errors"],
        "delivered": float(delivered()),
        "queued_callbacks": float(Receiver.counts.get(b"queued", 0)),
        "rate": delivered() / elapsed,
        "bad_signatures": float(Receiver.bad_signatures),
    }


def one(
    tmp: str, name: str, seconds: float, conns: int, via_service: bool, src: str
) -> dict[str, float]:
    import uvloop

    proc, base, sid, token = start_emulator(os.path.join(tmp, f"{name}.db"), 0, src)
    try:
        service = make_service(base, sid, token) if via_service else None
        cpu0 = cpu_seconds(proc.pid)
        res = uvloop.run(throughput(base, sid, token, seconds, conns, service))
        res["cpu_us"] = (cpu_seconds(proc.pid) - cpu0) / max(1.0, res["delivered"]) * 1e6
        return res
    finally:
        stop_emulator(proc)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--baseline", help="a checkout of an earlier commit to compare with")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # load generator + receiver on CPU 1, emulator on CPU 0
    trees = {"this": str(ROOT / "src")}
    if args.baseline:
        trees["baseline"] = str(Path(args.baseline).resolve() / "src")
    rates: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="svcbench-") as tmp:
        for run in range(args.runs):
            modes = ("from", "service") if run % 2 == 0 else ("service", "from")
            names = list(trees) if run % 2 == 0 else list(reversed(trees))
            for mode in modes:
                for tree in names:
                    res = one(tmp, f"{tree}-{mode}-{run}", args.seconds, args.connections,
                              mode == "service", trees[tree])  # fmt: skip
                    rates.setdefault((tree, mode), []).append(res["rate"])
                    cpus.setdefault((tree, mode), []).append(res["cpu_us"])
                    print(
                        f"run {run + 1} {tree:>8} {mode:>7}: created {res['created']:.0f}, fully "
                        f"delivered {res['delivered']:.0f} ({res['queued_callbacks']:.0f} queued "
                        f"callbacks), errors {res['errors']:.0f}, bad signatures "
                        f"{res['bad_signatures']:.0f} -> {res['rate']:.0f} msg/s, emulator CPU "
                        f"{res['cpu_us']:.0f} us/message",
                        flush=True,
                    )
    med = {key: statistics.median(v) for key, v in rates.items()}
    cpu = {key: statistics.median(v) for key, v in cpus.items()}
    for tree in trees:
        print(
            f"MEDIAN {tree} of {args.runs} x {args.seconds:.0f}s: From {med[tree, 'from']:.0f} "
            f"msg/s ({cpu[tree, 'from']:.0f} us CPU/msg), MessagingServiceSid "
            f"{med[tree, 'service']:.0f} msg/s ({cpu[tree, 'service']:.0f} us CPU/msg); "
            f"service/From {med[tree, 'service'] / med[tree, 'from']:.2f}",
            flush=True,
        )
    if "baseline" in trees:
        for mode in ("from", "service"):
            ratio = med["this", mode] / med["baseline", mode]
            print(f"{mode}: this/baseline {ratio:.2f} (target >= {TARGET_RATIO:.2f})", flush=True)


if __name__ == "__main__":
    main()
