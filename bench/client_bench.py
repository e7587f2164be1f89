"""Client benchmark: send N messages through our clients, the official ``twilio`` package,
and bare aiohttp / httpx, against a local Twilio-shaped server.

Layout (2 CPUs): the server runs in its own process pinned to CPU 0 (a raw asyncio +
uvloop + httptools protocol answering every ``POST`` with a canned 201 Message JSON, so
it costs little and never bottlenecks). Each client run is a fresh process pinned to
CPU 1; it warms up (connections, imports, caches), then sends ``--n`` messages and
measures wall time and its own CPU time (``time.process_time()``) around the run.

Clients:

* ``ours-async``  ``AsyncTwilioClient.send_sms``, ``--concurrency`` in flight (gather +
  semaphore)
* ``bare-aiohttp`` aiohttp ``ClientSession.post`` with the same form body and headers,
  reading and JSON-decoding the response (msgspec), same concurrency
* ``twilio-async`` the official SDK with ``AsyncTwilioHttpClient`` (``create_async``)
* ``ours-sync``   ``TwilioClient.send_sms``, sequential
* ``bare-httpx``  ``httpx.Client.post``, sequential, read + JSON-decode
* ``twilio-sync`` the official SDK (requests), sequential

Every client is pointed at the local server (the SDK via ``client.api.base_url``), and
each run checks that the server counted exactly its requests and that the decoded
message carries the canned SID, so nothing can silently go elsewhere.

Figures are medians of ``--runs`` runs (default 3), runs interleaved across clients.
Targets: ours-async CPU/msg <= 1.1 x bare-aiohttp; ours-sync <= 1.1 x bare-httpx. Run::

    .venv/bin/python bench/client_bench.py [--n 3000] [--runs 3] [--concurrency 64]
    .venv/bin/python bench/client_bench.py --profile ours-async   # cProfile of one run
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "0badc0ffee0ddf00d0badc0ffee0ddf0"
CANNED_SID = "SM" + b"bench0123456789a".hex()[:32]
FROM = "+15005550006"
BODY = "Hello from the client benchmark"
TARGET = 1.1
CLIENTS = ("ours-async", "bare-aiohttp", "twilio-async", "ours-sync", "bare-httpx", "twilio-sync")
SERVER_CPU, CLIENT_CPU = 0, 1


def to_number(i: int) -> str:
    return f"+1415555{i % 10000:04d}"


# -- the server process --------------------------------------------------------------------------


def canned_message() -> bytes:
    root = f"/2010-04-01/Accounts/{ACCOUNT_SID}"
    date = "Thu, 30 Jul 2015 20:12:31 +0000"
    return json.dumps(
        {
            "account_sid": ACCOUNT_SID,
            "api_version": "2010-04-01",
            "body": BODY,
            "date_created": date,
            "date_sent": None,
            "date_updated": date,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": FROM,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": CANNED_SID,
            "status": "queued",
            "subresource_uris": {"media": f"{root}/Messages/{CANNED_SID}/Media.json"},
            "to": "+14155550100",
            "uri": f"{root}/Messages/{CANNED_SID}.json",
        }
    ).encode()


def http_response(status: str, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


def serve() -> None:
    """Child process: answer until stdin closes. Prints the port on stdout."""
    import httptools

    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
        pass

    created = http_response("201 Created", canned_message())
    state = {"requests": 0}

    class Canned(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
            self.parser = httptools.HttpRequestParser(self)
            self.url = b""

        def data_received(self, data: bytes) -> None:
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserError:
                self.transport.write(http_response("400 Bad Request", b"{}"))
                self.transport.close()

        def on_url(self, url: bytes) -> None:
            self.url += url

        def on_message_complete(self) -> None:
            url, self.url = self.url, b""
            if url.startswith(b"/_stats"):
                body = json.dumps(state).encode()
                self.transport.write(http_response("200 OK", body))
            else:
                state["requests"] += 1
                self.transport.write(created)
            if not self.parser.should_keep_alive():
                self.transport.close()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Canned, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        await loop.run_in_executor(None, sys.stdin.read)
        server.close()

    asyncio.run(main())


def start_server() -> tuple[subprocess.Popen[str], int]:
    cmd = [sys.executable, __file__, "--serve"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", str(SERVER_CPU), *cmd]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def server_count(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_stats") as r:
        return int(json.loads(r.read())["requests"])


# -- the clients (each runs in its own process) ------------------------------------------------

Result = dict[str, float]


@dataclass
class Options:
    n: int
    warmup: int
    concurrency: int
    profiler: cProfile.Profile | None = None
    """When set, enabled around the measured section only (not imports or warm-up)."""


def headers() -> dict[str, str]:
    auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    return {
        "Authorization": f"Basic {auth}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
    }


def form(i: int) -> bytes:
    return urlencode([("To", to_number(i)), ("From", FROM), ("Body", BODY)]).encode()


def sid_of(result: Any) -> str:
    return str(result["sid"] if isinstance(result, dict) else result.sid)


def measure_sync(one: Callable[[int], Any], opts: Options) -> Result:
    for i in range(opts.warmup):
        one(i)
    if opts.profiler:
        opts.profiler.enable()
    c0, t0 = time.process_time(), time.perf_counter()
    last = None
    for i in range(opts.n):
        last = one(i)
    t1, c1 = time.perf_counter(), time.process_time()
    if opts.profiler:
        opts.profiler.disable()
    assert sid_of(last) == CANNED_SID, last
    return {"wall": t1 - t0, "cpu": c1 - c0}


async def measure_async(one: Callable[[int], Awaitable[Any]], opts: Options) -> Result:
    sem = asyncio.Semaphore(opts.concurrency)

    async def limited(i: int) -> Any:
        async with sem:
            return await one(i)

    await asyncio.gather(*(limited(i) for i in range(opts.warmup)))
    if opts.profiler:
        opts.profiler.enable()
    c0, t0 = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(limited(i) for i in range(opts.n)))
    t1, c1 = time.perf_counter(), time.process_time()
    if opts.profiler:
        opts.profiler.disable()
    assert all(sid_of(r) == CANNED_SID for r in (results[0], results[-1])), results[0]
    return {"wall": t1 - t0, "cpu": c1 - c0}


async def run_ours_async(url: str, opts: Options) -> Result:
    from twilio_connector import AsyncTwilioClient

    async with AsyncTwilioClient(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, base_url=url
    ) as client:

        def one(i: int) -> Awaitable[Any]:
            return client.send_sms(FROM, to_number(i), BODY)

        return await measure_async(one, opts)


async def run_bare_aiohttp(url: str, opts: Options) -> Result:
    import aiohttp
    import msgspec

    target = f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    hdrs = headers()
    decode = msgspec.json.decode
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def one(i: int) -> Any:
            async with session.post(target, data=form(i), headers=hdrs) as r:
                raw = await r.read()
                if r.status != 201:
                    raise RuntimeError(f"HTTP {r.status}")
                return decode(raw)

        return await measure_async(one, opts)


async def run_twilio_async(url: str, opts: Options) -> Result:
    from twilio.http.async_http_client import AsyncTwilioHttpClient  # type: ignore[import-untyped]
    from twilio.rest import Client  # type: ignore[import-untyped]

    http = AsyncTwilioHttpClient()
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
    client.api.base_url = url
    try:

        def one(i: int) -> Awaitable[Any]:
            coro: Awaitable[Any] = client.messages.create_async(
                to=to_number(i), from_=FROM, body=BODY
            )
            return coro

        return await measure_async(one, opts)
    finally:
        await http.close()


def run_ours_sync(url: str, opts: Options) -> Result:
    from twilio_connector import TwilioClient

    with TwilioClient(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, base_url=url) as client:
        return measure_sync(lambda i: client.send_sms(FROM, to_number(i), BODY), opts)


def run_bare_httpx(url: str, opts: Options) -> Result:
    import httpx
    import msgspec

    target = f"{url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    hdrs = headers()
    decode = msgspec.json.decode
    with httpx.Client() as http:

        def one(i: int) -> Any:
            r = http.post(target, content=form(i), headers=hdrs)
            if r.status_code != 201:
                raise RuntimeError(f"HTTP {r.status_code}")
            return decode(r.content)

        return measure_sync(one, opts)


def run_twilio_sync(url: str, opts: Options) -> Result:
    from twilio.rest import Client

    client = Client(ACCOUNT_SID, AUTH_TOKEN)
    client.api.base_url = url

    def one(i: int) -> Any:
        return client.messages.create(to=to_number(i), from_=FROM, body=BODY)

    return measure_sync(one, opts)


RUNNERS: dict[str, Callable[[str, Options], Any]] = {
    "ours-async": run_ours_async,
    "bare-aiohttp": run_bare_aiohttp,
    "twilio-async": run_twilio_async,
    "ours-sync": run_ours_sync,
    "bare-httpx": run_bare_httpx,
    "twilio-sync": run_twilio_sync,
}


def run_client(name: str, url: str, opts: Options) -> Result:
    before = server_count(url)
    result = RUNNERS[name](url, opts)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    sent = server_count(url) - before
    expected = opts.n + opts.warmup
    if sent != expected:  # proves every request reached the local server, once
        raise SystemExit(f"{name}: server saw {sent} requests, expected {expected}")
    assert isinstance(result, dict)
    return result


def client_process(name: str, url: str, args: argparse.Namespace) -> Result:
    cmd = [
        sys.executable,
        __file__,
        "--client",
        name,
        "--url",
        url,
        "--n",
        str(args.n),
        "--warmup",
        str(args.warmup),
        "--concurrency",
        str(args.concurrency),
    ]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", str(CLIENT_CPU), *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# -- orchestration --------------------------------------------------------------------------------


def profile(name: str, url: str, args: argparse.Namespace) -> None:
    prof = cProfile.Profile()
    run_client(name, url, Options(args.n, args.warmup, args.concurrency, prof))
    pstats.Stats(prof).sort_stats("tottime").print_stats(35)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="messages per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64, help="in flight (async)")
    parser.add_argument("--clients", default=",".join(CLIENTS), help="comma-separated subset")
    parser.add_argument("--json", action="store_true", help="also print the medians as JSON")
    parser.add_argument("--profile", metavar="CLIENT", help="cProfile one run of CLIENT")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        serve()
        return
    if args.client:
        result = run_client(args.client, args.url, Options(args.n, args.warmup, args.concurrency))
        print(json.dumps(result))
        return

    names = [c for c in args.clients.split(",") if c]
    unknown = set(names) - set(RUNNERS)
    if unknown:
        parser.error(f"unknown clients {sorted(unknown)}; choose from {', '.join(CLIENTS)}")
    server, port = start_server()
    url = f"http://127.0.0.1:{port}"
    try:
        if args.profile:
            if hasattr(os, "sched_setaffinity"):
                os.sched_setaffinity(0, {CLIENT_CPU})
            profile(args.profile, url, args)
            return
        results: dict[str, list[Result]] = {name: [] for name in names}
        for run in range(args.runs):
            # rotate the order each run, so no client always goes first (or after another)
            for name in names[run % len(names) :] + names[: run % len(names)]:
                results[name].append(client_process(name, url, args))
                r = results[name][-1]
                print(
                    f"  run {run + 1}/{args.runs} {name:13s} {args.n / r['wall']:8.0f} msgs/s "
                    f"{r['cpu'] / args.n * 1e6:7.1f} us CPU/msg",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    report(results, args)


def report(results: dict[str, list[Result]], args: argparse.Namespace) -> None:
    medians: dict[str, dict[str, float]] = {}
    for name, runs in results.items():
        medians[name] = {
            "msgs_per_s": statistics.median(args.n / r["wall"] for r in runs),
            "cpu_us_per_msg": statistics.median(r["cpu"] / args.n * 1e6 for r in runs),
            # the best run: least disturbed by other load on a shared machine
            "best_cpu_us_per_msg": min(r["cpu"] / args.n * 1e6 for r in runs),
        }
    print(
        f"\nN={args.n} messages per run, medians of {args.runs} runs; async clients "
        f"{args.concurrency} in flight; server on CPU {SERVER_CPU}, clients on CPU {CLIENT_CPU}\n"
    )
    print(f"{'client':14s} {'msgs/s':>9s} {'client CPU us/msg':>18s} {'(best run)':>11s}")
    for name, m in medians.items():
        print(
            f"{name:14s} {m['msgs_per_s']:9.0f} {m['cpu_us_per_msg']:18.1f} "
            f"{m['best_cpu_us_per_msg']:11.1f}"
        )
    print()

    def ratio(a: str, b: str, target: float | None = None) -> None:
        if a in medians and b in medians:
            cpu = medians[a]["cpu_us_per_msg"] / medians[b]["cpu_us_per_msg"]
            best = medians[a]["best_cpu_us_per_msg"] / medians[b]["best_cpu_us_per_msg"]
            rate = medians[a]["msgs_per_s"] / medians[b]["msgs_per_s"]
            verdict = ""
            if target is not None:
                verdict = f"  target <= {target}: {'MET' if cpu <= target else 'MISSED'}"
            print(
                f"{a} / {b}: CPU x{cpu:.2f} (best runs x{best:.2f}), "
                f"throughput x{rate:.2f}{verdict}"
            )

    ratio("ours-async", "bare-aiohttp", TARGET)
    ratio("ours-sync", "bare-httpx", TARGET)
    ratio("ours-async", "twilio-async")
    ratio("ours-sync", "twilio-sync")
    if args.json:
        print(json.dumps(medians, indent=2))


if __name__ == "__main__":
    main()
