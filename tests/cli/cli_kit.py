"""Running the CLI in tests: in-process (CliRunner) or as a real subprocess, and reading
its JSON output and JSON errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

import twilio_connector
from twilio_connector.cli import main
from twilio_connector.emulator import Emulator

SENDER = "+15005550006"
OWNED = "+15017122661"
SRC = str(Path(twilio_connector.__file__).resolve().parents[1])
CLI = [sys.executable, "-m", "twilio_connector.cli"]


def emulator_env(emu: Emulator) -> dict[str, str]:
    """TWILIO_* for ``emu`` (and nothing inherited that could point elsewhere)."""
    return {
        "TWILIO_ACCOUNT_SID": emu.account_sid,
        "TWILIO_AUTH_TOKEN": emu.auth_token,
        "TWILIO_BASE_URL": emu.base_url,
        "TWILIO_API_KEY": "",
        "TWILIO_API_SECRET": "",
    }


def invoke(env: dict[str, str], *args: str) -> Result:
    """The CLI in-process (stdout is not a terminal: plain output)."""
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stdout_json(result: Result | subprocess.CompletedProcess[str]) -> Any:
    """The JSON document on stdout, whatever the exit code."""
    return json.loads(result.stdout)


def subprocess_env(env: dict[str, str]) -> dict[str, str]:
    path = os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, **env, "PYTHONPATH": path}


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 120, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """``twilio-connector ARGS`` as a real process (stdout and stderr are pipes)."""
    return subprocess.run(
        [*CLI, *args], env=subprocess_env(env), capture_output=True, text=True,
        timeout=timeout, check=False, **kwargs,
    )  # fmt: skip


def start_cli(env: dict[str, str], *args: str, module: str = "twilio_connector.cli") -> Any:
    """A long-running CLI process (the caller waits for it or stops it)."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], env=subprocess_env(env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def error_of(stderr: str) -> dict[str, Any]:
    """The JSON error document a failing command printed on stderr (its last line)."""
    doc = json.loads(stderr.strip().splitlines()[-1])
    assert set(doc) == {"error"} and set(doc["error"]) == {
        "code", "message", "more_info", "status", "request_id"
    }  # fmt: skip
    return doc["error"]  # type: ignore[no-any-return]


def finish(
    proc: subprocess.Popen[str], sig: int | None = None, timeout: float = 90
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``proc`` once it ends (after ``sig``, if given);
    killed if it outlives ``timeout``."""
    if sig is not None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err
