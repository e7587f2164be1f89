"""Emulator benchmark: message throughput with status callbacks, and list latency at scale.

1. Throughput: the emulator runs in its own process pinned to CPU 0 (state in a SQLite
   file, as with the CLI); a load generator and a webhook receiver share CPU 1. The load
   keeps ``--connections`` keep-alive connections busy creating messages, each with a
   ``StatusCallback`` to the receiver, for ``--seconds``. A message counts once both of
   its callbacks (``sent`` and ``delivered``) have been received; the rate is
   fully-delivered messages / (time of the last callback - start). Target: 2,000/s.
2. List latency: ``GET Messages.json?PageSize=50`` (first page, a ``To`` filter, and 20
   pages deep through ``next_page_uri``) against a database of 1,000 messages and one
   of 1,000,000. Target: 1M latency <= 2x the 1k latency.

Each figure is the median of ``--runs`` runs (default 3). Run::

    .venv/bin/python bench/emulator_bench.py [--seconds 30] [--runs 3] [--skip-list]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlencode

import httptools
import msgspec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_RATE = 2000.0
TARGET_LIST_RATIO = 2.0


# -- the emulator process ----------------------------------------------------------------------


from emulator_process import cpu_seconds, start_emulator, stop_emulator  # noqa: E402

# -- raw HTTP/1.1 load generator and receiver (cheap, so CPU 1 is not the bottleneck) ----------


class Receiver(asyncio.Protocol):
    """Counts callbacks by MessageStatus; checks the signature of every 50th one."""

    counts: ClassVar[dict[bytes, int]] = {}
    last = 0.0
    url = ""
    token = ""
    checked = 0
    bad_signatures = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.parser = httptools.HttpRequestParser(self)
        self.body: list[bytes] = []
        self.signature = ""

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"x-twilio-signature":
            self.signature = value.decode()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        body = b"".join(self.body)
        self.body = []
        start = body.find(b"MessageStatus=")
        status = body[start + 14 : body.find(b"&", start)] if start >= 0 else b"?"
        Receiver.counts[status] = Receiver.counts.get(status, 0) + 1
        Receiver.last = time.perf_counter()
        if sum(Receiver.counts.values()) % 50 == 0:
            from urllib.parse import parse_qsl

            from twilio_connector.signature import validate_signature

            Receiver.checked += 1
            pairs = parse_qsl(body.decode(), keep_blank_values=True)
            if not validate_signature(Receiver.token, Receiver.url, pairs, self.signature):
                Receiver.bad_signatures += 1
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")  # type: ignore[attr-defined]


class Sender(asyncio.Protocol):
    def __init__(self, request: bytes, state: dict[str, float]) -> None:
        self.request = request
        self.state = state

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.parser = httptools.HttpResponseParser(self)
        self.transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        code = self.parser.get_status_code()
        self.state["ok" if code == 201 else "errors"] += 1
        if time.perf_counter() < self.state["stop"]:
            self.transport.write(self.request)  # type: ignore[attr-defined]
        else:
            self.transport.close()


async def throughput_run(
    base: str, sid: str, token: str, seconds: float, conns: int
) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", 0)
    recv_port = server.sockets[0].getsockname()[1]
    Receiver.counts, Receiver.last = {}, 0.0
    Receiver.url, Receiver.token = f"http://127.0.0.1:{recv_port}/status", token
    Receiver.checked = Receiver.bad_signatures = 0
    host, port = base.removeprefix("http://").split(":")
    body = urlencode(
        {
            "To": "+15558675310",
            "From": "+15017122661",
            "Body": "Your code is 123456",
            "StatusCallback": f"http://127.0.0.1:{recv_port}/status",
        }
    ).encode()
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    request = (
        f"POST /2010-04-01/Accounts/{sid}/Messages.json HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    state = {"ok": 0.0, "errors": 0.0, "stop": 0.0}
    start = time.perf_counter()
    state["stop"] = start + seconds
    for _ in range(conns):
        await loop.create_connection(lambda: Sender(request, state), host, int(port))
    await asyncio.sleep(seconds)
    created_at_stop = state["ok"]
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
        if (
            min(Receiver.counts.get(b"sent", 0), Receiver.counts.get(b"delivered", 0))
            >= state["ok"]
        ):
            break
    server.close()
    delivered = min(Receiver.counts.get(b"sent", 0), Receiver.counts.get(b"delivered", 0))
    elapsed = (Receiver.last or time.perf_counter()) - start
    return {
        "created": state["ok"],
        "created_rate_during_load": created_at_stop / seconds,
        "errors": state["errors"],
        "delivered": delivered,
        "rate": delivered / elapsed,
        "drain_s": max(0.0, (Receiver.last or start) - (start + seconds)),
        "signatures_checked": Receiver.checked,
        "bad_signatures": Receiver.bad_signatures,
    }


# -- list latency -----------------------------------------------------------------------------


def build_db(path: str, count: int) -> None:
    from twilio_connector.emulator.accounts.state import DEFAULT_ACCOUNT_SID
    from twilio_connector.emulator.messages.records import MessageRecord
    from twilio_connector.emulator.messages.repository import MessageRepository
    from twilio_connector.emulator.store import Store

    store = Store(path)
    messages = MessageRepository(store)
    now = time.time() - count
    batch: list[MessageRecord] = []
    recipients = max(10, count // 100)  # ~100 messages per number: a To filter fills a page
    for i in range(count):
        ts = now + i
        batch.append(
            MessageRecord(
                sid=f"SM{i:032x}",
                account_sid=DEFAULT_ACCOUNT_SID,
                direction="outbound-api",
                from_="+15017122661",
                to=f"+1555{i % recipients:07d}",
                body=f"message {i}",
                status="delivered",
                num_segments=1,
                num_media=0,
                date_created=ts,
                date_updated=ts,
                date_sent=ts,
                price="-0.00790",
            )
        )
        if len(batch) == 20000:
            messages.insert(batch)
            store.commit()
            batch.clear()
    messages.insert(batch)
    store.commit()
    store.conn.execute("ANALYZE")
    store.close()


async def list_latency(base: str, sid: str, token: str, samples: int) -> dict[str, float]:
    import httpx

    auth = (sid, token)
    out: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=base, auth=auth) as client:

        async def timed(path: str) -> tuple[float, dict[str, object]]:
            t0 = time.perf_counter()
            resp = await client.get(path)
            took = time.perf_counter() - t0
            resp.raise_for_status()
            return took, msgspec.json.decode(resp.content)

        first = f"/2010-04-01/Accounts/{sid}/Messages.json?PageSize=50"
        filtered = f"/2010-04-01/Accounts/{sid}/Messages.json?To=%2B15550000007&PageSize=50"
        for _ in range(20):  # warm up
            await timed(first)
        out["first_page_ms"] = (
            statistics.median([(await timed(first))[0] for _ in range(samples)]) * 1000
        )
        out["to_filter_ms"] = (
            statistics.median([(await timed(filtered))[0] for _ in range(samples)]) * 1000
        )
        deep: list[float] = []
        for _ in range(max(1, samples // 20)):
            uri: object = first
            for _ in range(20):
                took, page = await timed(str(uri))
                deep.append(took)
                uri = page["next_page_uri"]
                if uri is None:
                    break
        out["next_pages_ms"] = statistics.median(deep) * 1000
    return out


def run_list(db: str, samples: int) -> dict[str, float]:
    proc, base, sid, token = start_emulator(db, 0)
    try:
        return asyncio.run(list_latency(base, sid, token, samples))
    finally:
        stop_emulator(proc)


# -- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--skip-list", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # load generator + receiver on CPU 1, emulator on CPU 0
    import uvloop

    with tempfile.TemporaryDirectory(prefix="emubench-") as tmp:
        if not args.skip_throughput:
            rates, created, drains = [], [], []
            for run in range(args.runs):
                db = os.path.join(tmp, f"throughput-{run}.db")
                proc, base, sid, token = start_emulator(db, 0)
                try:
                    cpu0 = cpu_seconds(proc.pid)
                    res = uvloop.run(
                        throughput_run(base, sid, token, args.seconds, args.connections)
                    )
                    cpu = cpu_seconds(proc.pid) - cpu0
                    res["cpu_us"] = cpu / max(1.0, res["delivered"]) * 1e6
                finally:
                    stop_emulator(proc)
                print(
                    f"run {run + 1}: created {res['created']:.0f} "
                    f"({res['created_rate_during_load']:.0f}/s during load), "
                    f"fully delivered {res['delivered']:.0f}, errors {res['errors']:.0f}, "
                    f"drain {res['drain_s']:.2f} s -> {res['rate']:.0f} msg/s; "
                    f"emulator CPU {res['cpu_us']:.0f} us/message; signatures checked "
                    f"{res['signatures_checked']:.0f}, invalid {res['bad_signatures']:.0f}",
                    flush=True,
                )
                rates.append(res["rate"])
                created.append(res["created_rate_during_load"])
                drains.append(res["drain_s"])
            rate = statistics.median(rates)
            print(
                f"THROUGHPUT median of {args.runs} x {args.seconds:.0f}s: {rate:.0f} messages/s "
                f"fully delivered (2 signed callbacks each); create rate "
                f"{statistics.median(created):.0f}/s; drain after load "
                f"{statistics.median(drains):.2f} s; ratio vs target {TARGET_RATE:.0f}/s: "
                f"{rate / TARGET_RATE:.2f}x",
                flush=True,
            )
        if not args.skip_list:
            results: dict[int, list[dict[str, float]]] = {}
            for count in (1_000, 1_000_000):
                db = os.path.join(tmp, f"list-{count}.db")
                t0 = time.perf_counter()
                build_db(db, count)
                print(f"built {count} messages in {time.perf_counter() - t0:.1f} s", flush=True)
                results[count] = [run_list(db, args.samples) for _ in range(args.runs)]
            for key in ("first_page_ms", "to_filter_ms", "next_pages_ms"):
                small = statistics.median(r[key] for r in results[1_000])
                big = statistics.median(r[key] for r in results[1_000_000])
                print(
                    f"LIST {key}: 1k {small:.2f} ms, 1M {big:.2f} ms, ratio {big / small:.2f}x "
                    f"(target <= {TARGET_LIST_RATIO:.1f}x)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
