"""Samples as their own processes, as a user runs them (``python samples/x/y.py``)."""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SampleListener:
    """A listener (or voice agent) sample as its own process, as ``python samples/x/y.py``;
    ``PORT`` is set to a free port, and ``PUBLIC_URL`` to its URL."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        self.port = free_port()
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, str(SAMPLES / name)],
            env={**env, "PORT": str(self.port), "PUBLIC_URL": f"http://127.0.0.1:{self.port}"},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert self.proc.poll() is None, "the sample exited early"
                time.sleep(0.05)
        raise AssertionError("the sample never listened")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/twilio"

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not printed; output: {''.join(seen)}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
