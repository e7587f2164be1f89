"""kill -9 under load: every event that got a 2xx reaches a handler after a restart.

The listener runs as a subprocess through the ``listen`` click command; sixteen client
threads post distinct, signed status callbacks; the process is SIGKILLed mid-stream and
restarted on the same inbox; the handlers append each message SID to a file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import httpx
from listener_testkit import TOKEN, http_client, sid, signed_headers, sms_status
from support.wait import wait_until

from twilio_connector.listener import Inbox

APP = textwrap.dedent(
    """
    import asyncio, os
    from twilio_connector.listener import RedeliveryPolicy, TwilioListener

    listener = TwilioListener(
        os.environ["CRASH_TOKEN"],
        public_url="https://crash.example.com",
        inbox_path=os.environ["CRASH_INBOX"],
        retry=RedeliveryPolicy(initial_delay=0.05, max_delay=0.2),
        poll_interval=0.1,
        max_concurrency=4,
    )

    @listener.on("sms.*")
    async def record(event):
        await asyncio.sleep(0.01)  # slower than the load: a backlog builds up
        fd = os.open(os.environ["CRASH_OUT"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, (event.message_sid + "\\n").encode())
        finally:
            os.close(fd)
    """
)


def _launch(tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "CRASH_TOKEN": TOKEN,
        "CRASH_INBOX": str(tmp_path / "inbox.sqlite3"),
        "CRASH_OUT": str(tmp_path / "handled.txt"),
    }
    code = "from twilio_connector.listener.cli import listen; listen()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "crash_app:listener", "--port", "0", "--log-level", "error"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # "listening on http://127.0.0.1:PORT (inbox ...)"
    assert line.startswith("listening on http://"), line
    return proc, line.split()[2]


def _handled(tmp_path: Path) -> set[str]:
    out = tmp_path / "handled.txt"
    return set(out.read_text().split()) if out.exists() else set()


def test_sigkill_under_load_loses_nothing_acknowledged(tmp_path):
    (tmp_path / "crash_app.py").write_text(APP)
    proc, base = _launch(tmp_path)
    acked: set[str] = set()
    lock = threading.Lock()
    counter = iter(range(1, 10**6))
    stop = threading.Event()

    def load() -> None:
        with http_client(timeout=5.0) as client:
            while not stop.is_set():
                with lock:
                    n = next(counter)
                message = sid("SM", n)
                params = sms_status(message, "delivered")
                headers = signed_headers("https://crash.example.com/status", params)
                try:
                    response = client.post(f"{base}/status", data=params, headers=headers)
                except httpx.HTTPError:
                    continue  # the server died: this one was not acknowledged
                if 200 <= response.status_code < 300:
                    with lock:
                        acked.add(message)

    threads = [threading.Thread(target=load) for _ in range(16)]
    try:
        for t in threads:
            t.start()
        assert wait_until(lambda: len(acked) >= 400, 60)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before_restart = _handled(tmp_path)
    missing_at_kill = acked - before_restart

    restarted, _ = _launch(tmp_path)
    try:
        assert wait_until(lambda: acked <= _handled(tmp_path), 60), (
            f"{len(acked - _handled(tmp_path))} acknowledged events never reached a handler"
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(30)
    # uvicorn re-raises the SIGTERM it handled once the graceful shutdown is complete.
    assert restarted.returncode in (0, -signal.SIGTERM)
    with Inbox(tmp_path / "inbox.sqlite3") as inbox:
        counts = inbox.counts()
    assert counts["pending"] == 0 and counts["dead"] == 0
    assert counts["done"] >= len(acked)
    # The kill left acknowledged events unhandled, and the restart delivered them.
    assert missing_at_kill, "no backlog at kill time: the test proved nothing"
