"""Benchmark: verified SMS status callbacks per second, one server process.

Compares, in the same run:
  * listener  - TwilioListener (signature check, durable SQLite inbox, group commit, async
                no-op handler dispatched from the inbox) under uvicorn (httptools + uvloop);
  * pg1       - the same listener on a PostgreSQL inbox (a throwaway server, fsync and
                synchronous_commit on), one replica;
  * pg2       - two replicas on one PostgreSQL inbox, wrk spreading the load over both;
  * flask     - Flask + the official ``twilio`` RequestValidator under gunicorn, 1 sync worker
                (the setup Twilio's tutorials show);
  * bare      - a raw ASGI app that only reads the body (the ceiling), same uvicorn settings.

Load: wrk pinned to CPU 0, servers pinned to CPU 1 (PostgreSQL runs on CPU 0 beside wrk, so
the listener keeps its core; both pg2 replicas share CPU 1: on this 2-core machine pg2 shows
the cost of coordination, not extra capacity); 32 connections; 10 s; every request is a
distinct, correctly signed callback (pre-computed signatures, cycled by ``listener/load.lua``),
so the listener never takes its duplicate short-cut. After a short uncounted warm-up, prints
the median of 3 runs per server (req/s, p99 latency, peak RSS) and the ratios
listener/flask and listener/bare (of the medians, and per round). Rounds interleave the
three servers, so a busy spell on a shared machine affects them alike. After each listener
run the inbox is checked: every request wrk counted must be stored and done.

    .venv/bin/python bench/listener_bench.py [--duration 10] [--connections 32] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE / "listener"
sys.path.insert(0, str(BENCH))

from common import PATH, PUBLIC_URL, TOKEN, params  # noqa: E402

sys.path.insert(0, str(HERE.parent / "tests"))
from pgcluster import PgCluster, PgClusterError  # noqa: E402

from twilio_connector.listener.inbox import open_store  # noqa: E402
from twilio_connector.signature import compute_signature  # noqa: E402

SERVER_CPU = "1"
LOAD_CPU = "0"
TARGETS = {"vs_flask": 6.0, "vs_bare": 0.30, "p99_ms": 5.0, "rss_mib": 60.0}


@dataclass
class Result:
    rps: float
    p99_ms: float
    rss_mib: float
    non_2xx: int
    requests: int
    commits_per_s: float = 0.0  # PostgreSQL: transactions committed per second


def xact_commits(cluster: PgCluster, url: str) -> int:
    name = url.rsplit("/", 1)[-1]
    sql = f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{name}'"
    return int(cluster.execute(sql).strip() or 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port}")


def peak_rss_mib(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", text)
        if match:
            total += int(match.group(1)) / 1024
    return total


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def parse_wrk(output: str) -> tuple[float, float, int, int]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = float(m.group(1)) * scale[m.group(2)] if m else float("nan")
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    total = re.search(r"(\d+) requests in", output)
    return rps, p99, int(non.group(1)) if non else 0, int(total.group(1)) if total else 0


REPLICAS = {"pg1": 1, "pg2": 2}


def server_command(kind: str, port: int, inbox: Path | str) -> tuple[list[str], Path]:
    py = sys.executable
    if kind in ("listener", "pg1", "pg2"):
        return [py, str(BENCH / "listener_app.py"), str(port), str(inbox)], BENCH
    if kind == "bare":
        uvicorn = [py, "-m", "uvicorn", "--app-dir", str(BENCH), "bare_app:app"]
        opts = ["--loop", "uvloop", "--http", "httptools", "--no-access-log"]
        return [*uvicorn, *opts, "--log-level", "warning", "--port", str(port)], BENCH
    gunicorn = [py, "-m", "gunicorn", "-w", "1", "-k", "sync", "--chdir", str(BENCH)]
    return [*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning", "flask_app:app"], BENCH


def run_once(
    kind: str,
    args: argparse.Namespace,
    sig_file: Path,
    workdir: Path,
    *,
    duration: int | None = None,
    quiet: bool = False,
    cluster: PgCluster | None = None,
) -> Result:
    replicas = REPLICAS.get(kind, 1)
    ports = [free_port() for _ in range(replicas)]
    inbox: Path | str = workdir / f"inbox-{kind}-{time.monotonic_ns()}.sqlite3"
    if kind in REPLICAS:
        assert cluster is not None
        inbox = cluster.new_database()
    procs = []
    try:
        for port in ports:
            cmd, cwd = server_command(kind, port, inbox)
            procs.append(subprocess.Popen(["taskset", "-c", SERVER_CPU, *cmd], cwd=cwd))
        for port, proc in zip(ports, procs, strict=True):
            wait_port(port, proc)
        time.sleep(0.3)
        commits_before = xact_commits(cluster, inbox) if cluster and isinstance(inbox, str) else 0
        started = time.monotonic()
        wrk = [
            "taskset", "-c", LOAD_CPU, "wrk", f"-t{replicas}", f"-c{args.connections}",
            f"-d{duration or args.duration}s", "--latency", "-s", str(BENCH / "load.lua"),
            f"http://127.0.0.1:{ports[0]}{PATH}", "--", str(sig_file), str(replicas),
        ]  # fmt: skip
        env = {**os.environ, "WRK_PORTS": ",".join(map(str, ports))}
        out = subprocess.run(wrk, capture_output=True, text=True, check=True, env=env).stdout
        rss = peak_rss_mib([pid for p in procs for pid in (p.pid, *children(p.pid))])
        commits = 0.0
        if cluster is not None and isinstance(inbox, str):
            time.sleep(0.5)  # pg_stat counters are flushed about every 0.5 s
            commits = (xact_commits(cluster, inbox) - commits_before) / (time.monotonic() - started)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    rps, p99, non_2xx, total = parse_wrk(out)
    if kind != "flask" and kind != "bare" and not quiet:
        with open_store(str(inbox)) as store:
            counts = {k: v for k, v in store.counts().items() if v}
        print(f"    inbox after run: {counts} (wrk counted {total} requests)")
        if counts.get("done", 0) < total or set(counts) != {"done"}:
            print("    WARNING: not every acknowledged callback was stored and handled")
    if isinstance(inbox, Path):
        for leftover in workdir.glob(inbox.name + "*"):
            leftover.unlink()
    elif cluster is not None:
        cluster.drop_database(inbox)
    return Result(rps, p99, rss, non_2xx, total, commits)


def median(results: list[Result]) -> Result:
    return Result(
        statistics.median(r.rps for r in results),
        statistics.median(r.p99_ms for r in results),
        statistics.median(r.rss_mib for r in results),
        max(r.non_2xx for r in results),
        int(statistics.median(r.requests for r in results)),
        statistics.median(r.commits_per_s for r in results),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3, help="seconds per server, 0: none")
    parser.add_argument("--signatures", type=int, default=500_000)
    parser.add_argument(
        "--only", choices=["listener", "pg1", "pg2", "flask", "bare"], action="append"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get update && apt-get install -y wrk", file=sys.stderr)
        return 2
    if shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        print("needs taskset and 2 CPUs (server and load pinned apart)", file=sys.stderr)
        return 2
    kinds = args.only or ["listener", "pg1", "pg2", "flask", "bare"]
    cluster: PgCluster | None = None
    if any(k in REPLICAS for k in kinds):
        try:  # PostgreSQL beside wrk on the load CPU: the listener keeps its own core
            cluster = PgCluster(cpus=[int(LOAD_CPU)], settings={"max_connections": 100})
            cluster.start()
        except PgClusterError as exc:
            print(f"no PostgreSQL ({exc}): skipping pg1/pg2", file=sys.stderr)
            kinds = [k for k in kinds if k not in REPLICAS]
            cluster = None
    try:
        return _measure(kinds, args, cluster)
    finally:
        if cluster is not None:
            cluster.stop()


def _measure(kinds: list[str], args: argparse.Namespace, cluster: PgCluster | None) -> int:
    with tempfile.TemporaryDirectory(prefix="listener-bench-") as tmp:
        workdir = Path(tmp)
        sig_file = workdir / "signatures.txt"
        url = PUBLIC_URL + PATH
        print(f"signing {args.signatures} distinct callbacks ...", flush=True)
        with sig_file.open("w") as f:
            for i in range(1, args.signatures + 1):
                f.write(compute_signature(TOKEN, url, params(i)) + "\n")
        if args.warmup:
            print(f"warm-up: {args.warmup} s per server, not counted", flush=True)
            for kind in kinds:
                run_once(
                    kind, args, sig_file, workdir, duration=args.warmup, quiet=True, cluster=cluster
                )
        # Rounds interleave the servers so that a slow spell of a shared machine hits them alike.
        results: dict[str, list[Result]] = {kind: [] for kind in kinds}
        for n in range(args.runs):
            for kind in kinds:
                r = run_once(kind, args, sig_file, workdir, cluster=cluster)
                print(
                    f"  round {n + 1} {kind:<8} {r.rps:>9.0f} req/s  p99 {r.p99_ms:6.2f} ms  "
                    f"RSS {r.rss_mib:5.1f} MiB  non-2xx {r.non_2xx}",
                    flush=True,
                )
                results[kind].append(r)
        medians = {kind: median(rs) for kind, rs in results.items()}
    print(f"\nmedian of {args.runs} runs, {args.connections} connections, {args.duration} s:")
    for kind, r in medians.items():
        print(
            f"  {kind:<8} {r.rps:>9.0f} req/s  p99 {r.p99_ms:6.2f} ms  RSS {r.rss_mib:5.1f} MiB"
            f"  non-2xx {r.non_2xx}"
        )
    ours = medians.get("listener")
    for kind in ("pg1", "pg2"):
        if kind in medians:
            pg = medians[kind]
            parts = [
                f"  {kind} p99 {pg.p99_ms:.2f} ms (target <= 10 ms); "
                f"{pg.commits_per_s:.0f} commits/s, {pg.rps / max(pg.commits_per_s, 1):.1f} "
                "events per commit (appends and outcomes)"
            ]
            if ours is not None:
                parts.append(f"{kind} / listener = {pg.rps / ours.rps:.2f} (target >= 0.50)")
            if "flask" in medians:
                parts.append(f"{kind} / flask = {pg.rps / medians['flask'].rps:.2f} (>= 3x)")
            print(";  ".join(parts))
    if ours is None:
        return 0
    for base, target, unit in (
        ("flask", TARGETS["vs_flask"], "x"),
        ("bare", TARGETS["vs_bare"], ""),
    ):
        if base not in medians:
            continue
        rounds = [a.rps / b.rps for a, b in zip(results["listener"], results[base], strict=True)]
        of_medians = ours.rps / medians[base].rps
        shown = ", ".join(f"{x:.2f}" for x in rounds)
        print(
            f"  listener / {base:<5} = {of_medians:.2f} (medians); per round {shown}, "
            f"median {statistics.median(rounds):.2f}  (target >= {target}{unit})"
        )
    print(f"  listener p99 {ours.p99_ms:.2f} ms (target <= {TARGETS['p99_ms']} ms)")
    print(f"  listener RSS {ours.rss_mib:.1f} MiB (target <= {TARGETS['rss_mib']} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
