"""`make demo` runs the seed's flows end to end and exits 0 only when every event arrived."""

from __future__ import annotations

import os
import subprocess
import sys


def test_demo_runs_every_flow_and_exits_zero(tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DEMO_"))}
    env["DEMO_TIMEOUT"] = "30"
    env["COLUMNS"] = "160"
    proc = subprocess.run(
        [sys.executable, "-m", "twilio_connector.demo"],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert out.count("all received") == 8, out
    for event in ("sms.sent", "sms.delivered", "sms.read", "sms.received", "call.initiated",
                  "call.ringing", "call.answered", "call.completed", "call.gather",
                  "call.stream.started", "agent.echoed", "agent.heard",
                  "call.conversation_relay"):  # fmt: skip
        assert event in out
    assert "missing" not in out


def test_demo_live_mode_says_what_is_missing(tmp_path: object) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "DEMO_"))}
    env["DEMO_LIVE"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "twilio_connector.demo"],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "DEMO_PUBLIC_URL" in proc.stdout and "Traceback" not in proc.stdout + proc.stderr
