"""Listener replicas as subprocesses (``listen --inbox ...``) and a load that spreads over them.

Each replica runs :data:`APP` through the ``listen`` click command; its handler appends one
line per handled event to a shared file: ``replica sid status start end`` (``time.monotonic``
is one clock for every process on the machine). The load posts, per message SID, its
``sent`` then ``delivered`` status callbacks, each to a replica chosen round-robin, and
sometimes posts the same callback again (same body, same idempotency token) to another
replica, as Twilio's retries do; it records which callbacks were acknowledged (2xx).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from listener_testkit import TOKEN, http_client, sid, signed_headers, sms_status
from support.wait import wait_until

PUBLIC_URL = "https://replicas.example.com"

APP = textwrap.dedent(
    """
    import asyncio, os, time
    from twilio_connector.listener import RedeliveryPolicy, TwilioListener

    listener = TwilioListener(
        os.environ["REPLICA_TOKEN"],
        public_url=os.environ["REPLICA_PUBLIC_URL"],
        retry=RedeliveryPolicy(initial_delay=0.05, max_delay=0.2),
        poll_interval=0.1,
        lease_timeout=float(os.environ.get("REPLICA_LEASE", "2")),
        lock_timeout=float(os.environ.get("REPLICA_LOCK_TIMEOUT", "60")),
        drain_timeout=float(os.environ.get("REPLICA_DRAIN", "5")),
        max_concurrency=8,
    )
    NAME = os.environ["REPLICA_NAME"]
    DELAY = float(os.environ.get("REPLICA_DELAY", "0.005"))

    @listener.on("sms.*")
    async def record(event):
        start = time.monotonic()
        await asyncio.sleep(DELAY)
        line = f"{NAME} {event.message_sid} {event.status} {start:.6f} {time.monotonic():.6f}\\n"
        fd = os.open(os.environ["REPLICA_OUT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
    """
)


class Replica:
    """One ``listen`` subprocess on ``inbox``."""

    def __init__(
        self, workdir: Path, inbox: str, name: str, *, ready: bool = True, **env: str
    ) -> None:
        (workdir / "replica_app.py").write_text(APP)
        self.name = name
        self.out = workdir / "handled.txt"
        self._env = {
            **os.environ,
            "REPLICA_TOKEN": TOKEN,
            "REPLICA_PUBLIC_URL": PUBLIC_URL,
            "REPLICA_NAME": name,
            "REPLICA_OUT": str(self.out),
            **env,
        }
        self.err = workdir / f"{name}.stderr"
        code = "from twilio_connector.listener.cli import listen; listen()"
        args = ["replica_app:listener", "--port", "0", "--log-level", "warning"]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args, "--inbox", inbox],
            cwd=workdir,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=self.err.open("w"),
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # "listening on http://127.0.0.1:PORT (inbox ...)"
        assert line.startswith("listening on http://"), line + self.stderr()
        self.base = line.split()[2]
        if ready:
            self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        """Until it answers HTTP (it prints its address before its inbox is open)."""

        def answers() -> bool:
            try:
                return httpx.get(self.base + "/", timeout=1).status_code > 0
            except httpx.HTTPError:
                return False

        assert wait_until(answers, timeout), f"replica {self.name} never answered"

    def stderr(self) -> str:
        """What it logged so far."""
        return self.err.read_text() if self.err.exists() else ""

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (graceful drain) and wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@dataclass
class Handled:
    replica: str
    sid: str
    status: str
    start: float
    end: float


def read_handled(out: Path) -> list[Handled]:
    if not out.exists():
        return []
    rows = []
    for line in out.read_text().splitlines():
        parts = line.split()
        if len(parts) == 5:  # a replica killed mid-write may leave a partial last line
            rows.append(Handled(parts[0], parts[1], parts[2], float(parts[3]), float(parts[4])))
    return rows


@dataclass
class Load:
    """Posts callbacks until stopped (or ``messages`` are done); see the module docstring."""

    bases: list[str]
    messages: int = 10**6
    duplicate_every: int = 4  # every Nth callback is posted twice, to another replica
    threads: int = 12
    acked: set[tuple[str, str]] = field(default_factory=set)
    duplicated: set[tuple[str, str]] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # why a copy was not acknowledged

    def __post_init__(self) -> None:
        self._numbers = iter(range(1, self.messages + 1))
        self._turn = itertools.count()

    def start(self) -> Load:
        self._workers = [threading.Thread(target=self._run) for _ in range(self.threads)]
        for t in self._workers:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.join()

    def join(self, timeout: float = 120) -> None:
        """Wait for the workers (they end when ``messages`` are all sent, or on stop)."""
        for t in self._workers:
            t.join(timeout)

    def acked_count(self) -> int:
        with self._lock:
            return len(self.acked)

    def _post(self, client: httpx.Client, base: str, params: dict[str, str], token: str) -> bool:
        headers = signed_headers(PUBLIC_URL + "/status", params)
        headers["I-Twilio-Idempotency-Token"] = token
        try:
            response = client.post(f"{base}/status", data=params, headers=headers)
        except httpx.HTTPError as exc:  # refused or died: not acknowledged
            self.failures.append(f"{base}: {type(exc).__name__}: {exc}")
            return False
        if not 200 <= response.status_code < 300:
            self.failures.append(f"{base}: {response.status_code} {response.text[:200]}")
            return False
        return True

    def _run(self) -> None:
        with http_client(timeout=10.0) as client:
            while not self._stop.is_set():
                with self._lock:
                    n = next(self._numbers, None)
                if n is None:
                    return
                message = sid("SM", n)
                for status in ("sent", "delivered"):
                    params = sms_status(message, status)
                    token = str(uuid.uuid4())
                    turn = next(self._turn)
                    # A callback counts once one copy is acknowledged, like Twilio's retries.
                    tries = [self.bases[turn % len(self.bases)]]
                    if turn % self.duplicate_every == 0 and len(self.bases) > 1:
                        tries.append(self.bases[(turn + 1) % len(self.bases)])
                    ok = [self._post(client, base, params, token) for base in tries]
                    with self._lock:
                        if any(ok):
                            self.acked.add((message, status))
                        if len(tries) > 1:
                            self.duplicated.add((message, status))


def by_key(rows: list[Handled]) -> dict[tuple[str, str], list[Handled]]:
    found: dict[tuple[str, str], list[Handled]] = defaultdict(list)
    for row in rows:
        found[(row.sid, row.status)].append(row)
    return found


def order_violations(rows: list[Handled], acked: set[tuple[str, str]] | None = None) -> list[str]:
    """SIDs whose ``delivered`` started before a ``sent`` of theirs ended, or whose
    handlers overlapped in time (never, for any SID).

    With ``acked`` (the load's acknowledged callbacks), the order is checked only for SIDs
    whose ``sent`` was acknowledged: the load posts ``delivered`` once ``sent``'s POST has
    ended, so an acknowledged ``sent`` was stored first. A ``sent`` whose POST failed (its
    replica was killed while answering) may still have been committed by that replica's
    database session after ``delivered`` arrived elsewhere and ran: a late arrival, handled
    after, which no order can undo (Twilio's callbacks can arrive out of order too)."""
    per_sid: dict[str, list[Handled]] = defaultdict(list)
    for row in rows:
        per_sid[row.sid].append(row)
    bad = []
    for message, handled in per_sid.items():
        handled.sort(key=lambda r: r.start)
        for before, after in itertools.pairwise(handled):
            if after.start < before.end:
                bad.append(f"{message}: {before.status} and {after.status} overlapped")
        if acked is not None and (message, "sent") not in acked:
            continue
        sent_ends = [r.end for r in handled if r.status == "sent"]
        delivered_starts = [r.start for r in handled if r.status == "delivered"]
        if sent_ends and delivered_starts and min(delivered_starts) < min(sent_ends):
            bad.append(f"{message}: delivered ran before sent")
    return bad
