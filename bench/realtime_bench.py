"""Realtime voice benchmark (issue 13): Media Streams frame jitter, ConversationRelay overhead.

The emulator runs in its own process pinned to CPU 0 (``emulator_process``); the agent (a
plain ``websockets`` asyncio server) and the load run in this process on CPU 1.

1. **Media Streams jitter.** Timing with ``scale`` 1.0 (so the stream pacing is
   ``realtime``: tick *n* is due at ``t0 + n * 20 ms``), short ring delays. The load places
   ``--streams`` calls at once (REST ``Calls.json``, inline ``Twiml`` =
   ``<Connect><Stream url=ws://.../media/>``); the agent accepts every socket and records the
   arrival time of every text frame. Once all streams sent ``start``, the measured window
   of ``--seconds`` begins; at its end the agent closes every socket. For each ``media``
   frame in the window: ``offset = arrival - media.timestamp``, ``jitter = offset - min
   offset of its stream``. Printed: p50 / p99 / max jitter over all frames, frames per second
   delivered (expected: 50 per stream), streams that reached ``start``. The same run at 1
   stream is the baseline. This is an **upper bound of the send jitter**: the arrival time
   includes the loopback and the receiver's own scheduling (one event loop reading all N
   sockets on CPU 1). Target: p99 <= 5 ms at 100 streams.

2. **ConversationRelay overhead per turn.** Timing ``scale`` 0 (speech takes no real time).
   The agent answers each ``prompt`` at once with one ``text`` token (``last=true``). A call
   rule gives the callee a script of K ``say`` steps (``after: 0``) then a hang-up; the wall
   time of a call is the agent's view from ``setup`` to the socket's close. Per turn =
   (wall(K=1+M) - wall(K=1)) / M. Baseline: a plain websockets client (a process pinned to
   CPU 0, where the emulator was) sends M ``prompt`` messages to the same agent, each after
   the previous token came back. Overhead = emulator per turn - baseline per turn; medians of
   ``--rounds`` rounds. Target: overhead <= 2 ms per turn.

Run (about a minute with the defaults)::

    PYTHONPATH=src .venv/bin/python bench/realtime_bench.py [--streams 100] [--seconds 10]
        [--turns 20] [--rounds 5] [--profile DIR]

``--profile DIR`` writes the emulator's cProfile stats (its loop thread) per part into DIR
(profiling slows the emulator: do not read the jitter of such a run); ``--emulator-src DIR``
runs the emulator from another checkout's ``src`` (to compare a change).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from emulator_process import cpu_seconds, start_emulator, stop_emulator  # noqa: E402

from twilio_connector.realtime import audio  # noqa: E402
from twilio_connector.realtime import conversation_relay as cr  # noqa: E402
from twilio_connector.realtime import media_streams as ms  # noqa: E402

TARGET_JITTER_MS = 5.0
TARGET_OVERHEAD_MS = 2.0
FROM = "+15017122661"
STREAM_TIMING = {"scale": 1.0, "call_queue": 0.05, "call_connect": 0.05, "call_ring": 0.1}
RELAY_TIMING = {"scale": 0.0}
PROMPT = cr.encode(cr.Prompt(voice_prompt="hello there", lang="en-US", last=True))
REPLY = cr.encode(cr.Text(token="OK", last=True))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def place_calls(base: str, sid: str, token: str, bodies: list[dict[str, str]]) -> int:
    """Create the calls at once; the number created (201)."""
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(auth=(sid, token), limits=limits, timeout=60) as client:
        url = f"{base}/2010-04-01/Accounts/{sid}/Calls.json"
        replies = await asyncio.gather(*(client.post(url, data=b) for b in bodies))
    return sum(1 for r in replies if r.status_code == 201)


# -- 1. Media Streams jitter -------------------------------------------------------------------


class StreamAgent:
    """Accepts every stream, timestamps every frame, closes all at the window's end."""

    def __init__(self, streams: int, seconds: float) -> None:
        self.streams = streams
        self.seconds = seconds
        self.frames: list[list[tuple[float, str]]] = []
        self.started = 0
        self.all_started = asyncio.Event()
        self.window_start = 0.0

    async def handle(self, ws: ServerConnection) -> None:
        frames: list[tuple[float, str]] = []
        self.frames.append(frames)
        closer = asyncio.ensure_future(self._close_later(ws))
        clock = time.monotonic
        seen_start = False
        try:
            async for text in ws:
                frames.append((clock(), str(text)))
                if not seen_start and '"event":"start"' in text:
                    seen_start = True
                    self.started += 1
                    if self.started == self.streams:
                        self.window_start = clock()
                        self.all_started.set()
        finally:
            closer.cancel()

    async def _close_later(self, ws: ServerConnection) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.all_started.wait(), 60)
        end = (self.window_start or time.monotonic()) + self.seconds
        await asyncio.sleep(max(0.0, end - time.monotonic()))
        await ws.close()

    def jitter(self) -> tuple[list[float], int]:
        """Jitter (ms) of every media frame in the window, and the number of those frames."""
        lo, hi = self.window_start, self.window_start + self.seconds
        out: list[float] = []
        for frames in self.frames:
            offsets = []
            for arrival, text in frames:
                if lo <= arrival <= hi and '"event":"media"' in text:
                    stamp = int(json.loads(text)["media"]["timestamp"])
                    offsets.append(arrival * 1000 - stamp)
            if offsets:
                least = min(offsets)
                out.extend(o - least for o in offsets)
        return out, len(out)


async def stream_run(
    n: int, seconds: float, launch: Callable[[str], Awaitable[int]]
) -> dict[str, Any]:
    """Measure the streams that ``launch(url)`` opens to the agent (it returns the pid of
    the process sending them: the emulator, or the plain sender)."""
    agent = StreamAgent(n, seconds)
    server = await serve(agent.handle, "127.0.0.1", 0, max_size=2**16, compression=None)
    port = server.sockets[0].getsockname()[1]
    began = time.monotonic()
    pid = await launch(f"ws://127.0.0.1:{port}/media")
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(agent.all_started.wait(), 60)
    ramp = time.monotonic() - began
    emu0, own0 = cpu_seconds(pid), time.process_time()
    await asyncio.sleep(max(0.0, agent.window_start + seconds - time.monotonic()))
    emu_cpu = (cpu_seconds(pid) - emu0) / seconds
    own_cpu = (time.process_time() - own0) / seconds
    await asyncio.sleep(1.0)  # the closes
    server.close()
    await server.wait_closed()
    jitter, frames = agent.jitter()
    return {
        "started": agent.started,
        "ramp_s": ramp,
        "frames": frames,
        "fps": frames / seconds,
        "p50": percentile(jitter, 0.5),
        "p99": percentile(jitter, 0.99),
        "max": max(jitter, default=float("nan")),
        "cpu": emu_cpu,
        "agent_cpu": own_cpu,
    }


def through_emulator(
    base: str, sid: str, token: str, n: int, pid: int
) -> Callable[[str], Awaitable[int]]:
    """Place ``n`` calls whose TwiML connects a stream to the agent."""

    async def launch(url: str) -> int:
        twiml = f'<Response><Connect><Stream url="{url}"/></Connect></Response>'
        bodies = [{"To": f"+1415{i:07d}", "From": FROM, "Twiml": twiml} for i in range(n)]
        created = await place_calls(base, sid, token, bodies)
        if created != n:
            print(f"  only {created} of {n} calls created", flush=True)
        return pid

    return launch


def plain_sender(
    n: int, procs: list[asyncio.subprocess.Process]
) -> Callable[[str], Awaitable[int]]:
    """A process pinned to CPU 0 with ``n`` plain websockets streams (:func:`_sender_main`)."""

    async def launch(url: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            "taskset", "-c", "0", sys.executable, __file__, "--plain-sender", url,
            "--streams", str(n),
        )  # fmt: skip
        procs.append(proc)
        return proc.pid

    return launch


async def _sender_main(url: str, n: int) -> None:
    """Each stream: ``start``, then a ``media`` frame every 20 ms (absolute deadlines, as
    the emulator's realtime pacing) until the agent closes it."""
    loop = asyncio.get_running_loop()
    frame = audio.SILENCE_FRAME

    async def one() -> None:
        sid = "MZ" + secrets.token_hex(16)
        async with connect(url, compression=None) as ws:
            start = ms.StartMetadata(account_sid="AC", stream_sid=sid, call_sid="CA",
                                     tracks=["inbound"], custom_parameters={})  # fmt: skip
            await ws.send(ms.encode(ms.Start(sequence_number="1", stream_sid=sid, start=start)))
            t0, tick = loop.time(), 0
            with contextlib.suppress(ConnectionClosed):
                while True:
                    chunk = ms.MediaChunk(track="inbound", chunk=str(tick + 1),
                                          timestamp=str(tick * 20), payload=frame)  # fmt: skip
                    media = ms.Media(sequence_number=str(tick + 2), stream_sid=sid, media=chunk)
                    await ws.send(ms.encode(media))
                    tick += 1
                    delay = t0 + tick * 0.02 - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)

    await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)


# -- 2. ConversationRelay overhead -------------------------------------------------------------


class RelayAgent:
    """Answers each prompt with one token; per call: (prompts seen, setup -> close seconds)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, float]] = []
        self.done = asyncio.Event()

    async def handle(self, ws: ServerConnection) -> None:
        began: float | None = None
        prompts = 0
        async for text in ws:
            if '"type":"prompt"' in text:
                await ws.send(REPLY)
                prompts += 1
            elif began is None and '"type":"setup"' in text:
                began = time.perf_counter()
        if began is not None:
            self.calls.append((prompts, time.perf_counter() - began))
            self.done.set()


def _rule(to: str, turns: int) -> dict[str, Any]:
    script: list[dict[str, Any]] = [{"say": "hello there", "after": 0}] * turns
    return {"kind": "call", "outcome": "completed", "to": to,
            "params": {"script": [*script, {"hangup": True}]}}  # fmt: skip


async def relay_call(agent: RelayAgent, base: str, sid: str, token: str, body: dict[str, str],
                     turns: int) -> float:  # fmt: skip
    agent.done.clear()
    before = len(agent.calls)
    created = await place_calls(base, sid, token, [body])
    assert created == 1, "could not create the relay call"
    while len(agent.calls) == before:
        await asyncio.wait_for(agent.done.wait(), 60)
        agent.done.clear()
    prompts, wall = agent.calls[-1]
    assert prompts == turns, f"expected {turns} prompts, saw {prompts}"
    return wall


async def relay_runs(base: str, sid: str, token: str, turns: int, rounds: int) -> dict[str, Any]:
    agent = RelayAgent()
    server = await serve(agent.handle, "127.0.0.1", 0, compression=None)
    port = server.sockets[0].getsockname()[1]
    url = f"ws://127.0.0.1:{port}/relay"
    async with httpx.AsyncClient(auth=(sid, token)) as client:
        for to, k in (("+14155550001", 1), ("+14155550002", 1 + turns)):
            reply = await client.post(f"{base}/_emulator/rules", json=_rule(to, k))
            assert reply.status_code == 201, reply.text
    twiml = f'<Response><Connect><ConversationRelay url="{url}"/></Connect></Response>'
    one = {"To": "+14155550001", "From": FROM, "Twiml": twiml}
    many = {"To": "+14155550002", "From": FROM, "Twiml": twiml}
    await relay_call(agent, base, sid, token, one, 1)  # warm-up
    per_turn, walls = [], []
    for _ in range(rounds):
        short = await relay_call(agent, base, sid, token, one, 1)
        long = await relay_call(agent, base, sid, token, many, 1 + turns)
        walls.append((short, long))
        per_turn.append((long - short) / turns * 1000)
    baseline = await baseline_client(url, turns, rounds)
    server.close()
    await server.wait_closed()
    return {"per_turn": per_turn, "walls": walls, "baseline": baseline}


async def baseline_client(url: str, turns: int, rounds: int) -> list[float]:
    """Run :func:`_baseline_main` pinned to CPU 0: ms per prompt -> token, per round."""
    proc = await asyncio.create_subprocess_exec(
        "taskset", "-c", "0", sys.executable, __file__, "--baseline-client", url,
        "--turns", str(turns), "--rounds", str(rounds), stdout=subprocess.PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    if proc.returncode != 0:
        raise RuntimeError("the baseline client failed")
    return [float(v) for v in json.loads(out)]


async def _baseline_main(url: str, turns: int, rounds: int) -> list[float]:
    results = []
    async with connect(url, compression=None) as ws:
        await ws.send(PROMPT)  # warm-up
        await ws.recv()
        for _ in range(rounds):
            began = time.perf_counter()
            for _ in range(turns):
                await ws.send(PROMPT)
                await ws.recv()
            results.append((time.perf_counter() - began) / turns * 1000)
    return results


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--turns", type=int, default=20, help="M: extra turns of the long call")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", help="directory for the emulator's cProfile stats")
    parser.add_argument("--emulator-src", help="run the emulator from this src directory instead")
    parser.add_argument("--skip-streams", action="store_true")
    parser.add_argument("--skip-relay", action="store_true")
    parser.add_argument("--skip-plain", action="store_true", help="no plain-sender rows")
    parser.add_argument("--baseline-client", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--plain-sender", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    if args.plain_sender:
        run(_sender_main(args.plain_sender, args.streams))
        return
    if args.baseline_client:
        print(json.dumps(run(_baseline_main(args.baseline_client, args.turns, args.rounds))))
        return
    os.sched_setaffinity(0, {1})  # agent + load on CPU 1, emulator on CPU 0
    load = os.getloadavg()[0]
    print(f"load average at start: {load:.2f}" + ("  (others use the CPUs: figures are noisy)"
                                                  if load > 0.5 else ""), flush=True)  # fmt: skip

    def profile(name: str) -> str | None:
        return None if args.profile is None else os.path.join(args.profile, f"{name}.prof")

    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="realtimebench-") as tmp:
        if not args.skip_streams:
            rows = []
            for n in (1, args.streams):
                proc, base, sid, token = start_emulator(
                    os.path.join(tmp, f"streams-{n}.db"), 0, args.emulator_src,
                    timing=STREAM_TIMING, profile=profile(f"streams-{n}"),
                )  # fmt: skip
                try:
                    launch = through_emulator(base, sid, token, n, proc.pid)
                    rows.append(("emulator", n, run(stream_run(n, args.seconds, launch))))
                finally:
                    stop_emulator(proc)
            if not args.skip_plain:
                for n in (1, args.streams):
                    senders: list[asyncio.subprocess.Process] = []
                    res = run(stream_run(n, args.seconds, plain_sender(n, senders)))
                    rows.append(("plain", n, res))
                    for sender in senders:
                        with contextlib.suppress(ProcessLookupError):
                            sender.kill()
            print(f"MEDIA STREAMS  realtime pacing, {args.seconds:g} s window after all started")
            heads = ("sender", "streams", "started", "frames/s", "expected", "p50 ms", "p99 ms",
                     "max ms", "ramp s", "send CPU", "agentCPU")  # fmt: skip
            print("  " + " ".join(f"{h:>8}" for h in heads))
            for who, n, r in rows:
                print(f"  {who:>8} {n:>8} {r['started']:>8} {r['fps']:>8.0f} {50 * n:>8} "
                      f"{r['p50']:>8.2f} {r['p99']:>8.2f} {r['max']:>8.2f} {r['ramp_s']:>8.2f} "
                      f"{r['cpu']:>8.0%} {r['agent_cpu']:>8.0%}")  # fmt: skip
            print("  jitter = arrival - media.timestamp - min of its stream: an upper bound of "
                  "the send jitter (includes loopback + the receiving agent)")  # fmt: skip
            print("  plain = a bare websockets sender with the same pacing on CPU 0: the floor "
                  "of this machine + agent")  # fmt: skip
            ours = [(n, r) for who, n, r in rows if who == "emulator"]
            n, big = ours[-1]
            base_p99 = ours[0][1]["p99"]
            ratio = big["p99"] / base_p99 if base_p99 > 0 else float("nan")
            ok = big["p99"] <= TARGET_JITTER_MS and big["started"] == n and n >= 100
            lines.append(
                f"TARGET media-streams jitter p99 at {n} streams: {big['p99']:.2f} ms "
                f"(1 stream: {base_p99:.2f} ms, ratio {ratio:.1f}x) vs <= {TARGET_JITTER_MS:g} ms:"
                f" {'PASS' if ok else 'FAIL'}"
            )
        if not args.skip_relay:
            proc, base, sid, token = start_emulator(
                os.path.join(tmp, "relay.db"),
                0,
                args.emulator_src,
                timing=RELAY_TIMING,
                profile=profile("relay"),
            )
            try:
                cpu0 = cpu_seconds(proc.pid)
                res = run(relay_runs(base, sid, token, args.turns, args.rounds))
                calls = 1 + 2 * args.rounds  # the warm-up, then K=1 and K=1+M per round
                turns = 1 + args.rounds * (2 + args.turns)
                cpu_turn = (cpu_seconds(proc.pid) - cpu0) / turns * 1000
            finally:
                stop_emulator(proc)
            emu = statistics.median(res["per_turn"])
            plain = statistics.median(res["baseline"])
            short = statistics.median(w[0] for w in res["walls"]) * 1000
            long = statistics.median(w[1] for w in res["walls"]) * 1000
            print(f"CONVERSATION RELAY  timing scale 0, M={args.turns}, {args.rounds} rounds")
            print(f"  call wall K=1: {short:.1f} ms, K=1+M: {long:.1f} ms (medians); emulator CPU "
                  f"{cpu_turn:.2f} ms per turn ({calls} calls' setup included)")  # fmt: skip
            print(f"  {'':24} {'ms/turn':>8}  rounds")
            print(f"  {'through the emulator':24} {emu:>8.3f}  "
                  + " ".join(f"{v:.2f}" for v in res["per_turn"]))  # fmt: skip
            print(f"  {'plain websockets client':24} {plain:>8.3f}  "
                  + " ".join(f"{v:.3f}" for v in res["baseline"]))  # fmt: skip
            overhead = emu - plain
            print(f"  overhead {overhead:.3f} ms/turn; ratio emulator / plain {emu / plain:.1f}x")
            lines.append(
                f"TARGET relay overhead per turn: {overhead:.3f} ms vs <= "
                f"{TARGET_OVERHEAD_MS:g} ms: {'PASS' if overhead <= TARGET_OVERHEAD_MS else 'FAIL'}"
            )
    for line in lines:
        print(line, flush=True)


if __name__ == "__main__":
    main()
