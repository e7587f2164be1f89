"""Voice benchmark: concurrent calls, each running a 3-verb TwiML with all its callbacks.

The emulator runs in its own process pinned to CPU 0 (state in a SQLite file, as with the
CLI, fast timing); a load generator, a TwiML app and a status-callback receiver share
CPU 1 (raw asyncio + httptools, so they stay cheap). A call rule makes every callee press
1234. The load creates ``--calls`` calls at once over ``--connections`` keep-alive
connections, each with ``Url`` = the app (``<Say>``, ``<Gather numDigits=4>``, ``<Say>``
after the action) and all four ``StatusCallbackEvent`` values. A call counts when its
``completed`` callback arrived, the app saw its Digits=1234 action, and all four status
callbacks (SequenceNumber 0..3) were received. Rate = calls / (last callback - first
create); CPU per call = emulator process CPU during the run / calls. Every 25th webhook's
signature is verified. Target: 200 calls/s.

Each figure is the median of ``--runs`` runs (default 3). Run::

    .venv/bin/python bench/voice_bench.py [--calls 500] [--runs 3]
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
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httptools

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_RATE = 200.0
FIRST = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Say>Welcome to the benchmark</Say>'
    b'<Gather numDigits="4" action="/gathered"><Say>Enter your code</Say></Gather>'
    b"<Say>No input</Say></Response>"
)
SECOND = b'<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thank you, goodbye</Say></Response>'


# -- the emulator process ----------------------------------------------------------------------


from emulator_process import cpu_seconds, start_emulator, stop_emulator  # noqa: E402

# -- the app, the receiver and the load (CPU 1) -----------------------------------------------


class State:
    def __init__(self, token: str) -> None:
        self.token = token
        self.statuses: dict[str, set[str]] = {}
        self.completed: set[str] = set()
        self.gathered: set[str] = set()
        self.webhooks = 0
        self.checked = 0
        self.bad_signatures = 0
        self.last = 0.0
        self.created: list[str] = []
        self.errors = 0


class Webhooks(asyncio.Protocol):
    """One server for the TwiML app (``/voice``, ``/gathered``) and ``/status``."""

    state: State
    base = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.parser = httptools.HttpRequestParser(self)
        self.body: list[bytes] = []
        self.url = b""
        self.signature = ""

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_url(self, url: bytes) -> None:
        self.url = url

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"x-twilio-signature":
            self.signature = value.decode()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        state = self.state
        body = b"".join(self.body)
        self.body = []
        path = self.url.decode()
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        state.webhooks += 1
        if state.webhooks % 25 == 0:
            from twilio_connector.signature import validate_signature

            state.checked += 1
            if not validate_signature(state.token, self.base + path, form, self.signature):
                state.bad_signatures += 1
        sid = form.get("CallSid", "")
        reply = b""
        if path == "/voice":
            reply = FIRST
        elif path == "/gathered":
            if form.get("Digits") == "1234":
                state.gathered.add(sid)
            reply = SECOND
        elif path == "/status":
            state.statuses.setdefault(sid, set()).add(form.get("SequenceNumber", "?"))
            if form.get("CallStatus") == "completed":
                state.completed.add(sid)
            state.last = time.perf_counter()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {len(reply)}\r\n\r\n"
        self.transport.write(head.encode() + reply)


class Creator(asyncio.Protocol):
    """Creates calls from a shared queue of request bodies over one keep-alive connection."""

    def __init__(self, head: bytes, bodies: list[bytes], state: State, done: asyncio.Event):
        self.head = head
        self.bodies = bodies
        self.state = state
        self.done = done
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport
        self.parser = httptools.HttpResponseParser(self)
        self._next()

    def _next(self) -> None:
        if not self.bodies:
            self.transport.close()
            if len(self.state.created) + self.state.errors >= self.total:
                self.done.set()
            return
        body = self.bodies.pop()
        self.transport.write(self.head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        body = b"".join(self.chunks)
        self.chunks = []
        if self.parser.get_status_code() == 201:
            start = body.find(b'"sid":"') + 7
            self.state.created.append(body[start : start + 34].decode())
        else:
            self.state.errors += 1
        self._next()

    total = 0


async def run_once(base: str, sid: str, token: str, calls: int, conns: int) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    state = State(token)
    Webhooks.state = state
    server = await loop.create_server(Webhooks, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    Webhooks.base = f"http://127.0.0.1:{port}"
    host, emu_port = base.removeprefix("http://").split(":")
    auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
    rule = b'{"kind":"call","outcome":"completed","to":"+1415*","params":{"digits":"1234"}}'
    reader, writer = await asyncio.open_connection(host, int(emu_port))
    writer.write(
        f"POST /_emulator/rules HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(rule)}\r\n"
        "Connection: close\r\n\r\n".encode()
        + rule
    )
    assert b" 201 " in await reader.read(), "could not add the call rule"
    writer.close()
    bodies = [
        urlencode(
            [
                ("To", f"+1415{i:07d}"),
                ("From", "+15017122661"),
                ("Url", f"{Webhooks.base}/voice"),
                ("StatusCallback", f"{Webhooks.base}/status"),
                *[("StatusCallbackEvent", e) for e in ("initiated", "ringing", "answered")],
                ("StatusCallbackEvent", "completed"),
            ]
        ).encode()
        for i in range(calls)
    ]
    head = (
        f"POST /2010-04-01/Accounts/{sid}/Calls.json HTTP/1.1\r\nHost: {host}:{emu_port}\r\n"
        f"Authorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    ).encode()
    done = asyncio.Event()
    Creator.total = calls
    start = time.perf_counter()
    for _ in range(min(conns, calls)):
        await loop.create_connection(
            lambda: Creator(head, bodies, state, done), host, int(emu_port)
        )
    await asyncio.wait_for(done.wait(), 120)
    created_in = time.perf_counter() - start
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline and len(state.completed) < len(state.created):
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)  # stragglers (out-of-order deliveries) for the full check
    server.close()
    full = sum(
        1
        for c in state.created
        if c in state.completed
        and c in state.gathered
        and state.statuses.get(c) == {"0", "1", "2", "3"}
    )
    elapsed = (state.last or time.perf_counter()) - start
    return {
        "created": len(state.created),
        "errors": state.errors,
        "complete": full,
        "rate": full / elapsed,
        "elapsed": elapsed,
        "create_s": created_in,
        "webhooks": state.webhooks,
        "checked": state.checked,
        "bad_signatures": state.bad_signatures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # load + app + receiver on CPU 1, emulator on CPU 0
    import uvloop

    rates, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="voicebench-") as tmp:
        for run in range(args.runs):
            proc, base, sid, token = start_emulator(os.path.join(tmp, f"voice-{run}.db"), 0)
            try:
                cpu0 = cpu_seconds(proc.pid)
                res = uvloop.run(run_once(base, sid, token, args.calls, args.connections))
                cpu_ms = (cpu_seconds(proc.pid) - cpu0) / max(1, res["complete"]) * 1000
            finally:
                stop_emulator(proc)
            print(
                f"run {run + 1}: created {res['created']:.0f} (errors {res['errors']:.0f}) in "
                f"{res['create_s']:.2f} s; complete with all callbacks {res['complete']:.0f} in "
                f"{res['elapsed']:.2f} s -> {res['rate']:.0f} calls/s; emulator CPU "
                f"{cpu_ms:.2f} ms/call; webhooks {res['webhooks']:.0f}; signatures checked "
                f"{res['checked']:.0f}, invalid {res['bad_signatures']:.0f}",
                flush=True,
            )
            rates.append(res["rate"])
            cpus.append(cpu_ms)
    rate = statistics.median(rates)
    print(
        f"VOICE median of {args.runs} x {args.calls} concurrent calls (Say, Gather 1234, Say; "
        f"4 status callbacks + 2 TwiML requests each): {rate:.0f} calls/s, emulator CPU "
        f"{statistics.median(cpus):.2f} ms/call; ratio vs target {TARGET_RATE:.0f} calls/s: "
        f"{rate / TARGET_RATE:.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    main()
