"""``twilio-connector emulator``: prints credentials, serves until Ctrl-C, keeps state."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
from click.testing import CliRunner

from twilio_connector.emulator.cli import emulator

LAUNCH = "from twilio_connector.emulator.cli import emulator; emulator()"


def _start(
    db: Path, *extra: str, lines: list[str] | None = None
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--port", "0", "--db", str(db), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    env: dict[str, str] = {}
    for line in proc.stdout:
        if lines is not None:
            lines.append(line)
        if "=" in line and line.strip().startswith("TWILIO_"):
            key, _, value = line.strip().partition("=")
            env[key] = value
        if line.startswith("Press Ctrl-C"):
            break
    else:
        proc.kill()
        raise AssertionError(proc.stderr.read() if proc.stderr else "no output")
    return proc, env


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)
    try:
        return proc.wait(15)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_cli_serves_and_state_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    proc, env = _start(db, "--phone-number", "+15551230001", "--auth-token", "s3cret")
    try:
        assert env["TWILIO_BASE_URL"].startswith("http://127.0.0.1:")
        assert env["TWILIO_AUTH_TOKEN"] == "s3cret"
        sid = env["TWILIO_ACCOUNT_SID"]
        auth = (sid, "s3cret")
        resp = httpx.post(
            f"{env['TWILIO_BASE_URL']}/2010-04-01/Accounts/{sid}/Messages.json",
            data={"To": "+15558675310", "From": "+15551230001", "Body": "persist me"},
            auth=auth,
        )
        assert resp.status_code == 201
        msg_sid = resp.json()["sid"]
    finally:
        assert _stop(proc) == 0
    assert db.exists()
    proc, env = _start(db, "--auth-token", "s3cret")
    try:
        resp = httpx.get(
            f"{env['TWILIO_BASE_URL']}/2010-04-01/Accounts/{sid}/Messages/{msg_sid}.json", auth=auth
        )
        assert resp.status_code == 200 and resp.json()["body"] == "persist me"
    finally:
        assert _stop(proc) == 0


def test_cli_options_are_validated() -> None:
    runner = CliRunner()
    result = runner.invoke(emulator, ["--help"])
    assert result.exit_code == 0 and "--phone-number" in result.output
    bad = runner.invoke(emulator, ["--in-memory", "--port", "0", "--account-sid", "nope"])
    assert bad.exit_code != 0 and "account_sid" in bad.output
    bad_number = runner.invoke(emulator, ["--in-memory", "--port", "0", "--phone-number", "555"])
    assert bad_number.exit_code != 0 and "E.164" in bad_number.output


def test_cli_generates_a_token_per_state_file_and_serves_given_names(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    shown: list[str] = []
    proc, env = _start(db, "--host-name", "emu.test", lines=shown)
    try:
        token, sid = env["TWILIO_AUTH_TOKEN"], env["TWILIO_ACCOUNT_SID"]
        assert len(token) == 32 and any("generated once, kept in" in line for line in shown)
        assert not any("WARNING" in line for line in shown)  # loopback only
        account = f"{env['TWILIO_BASE_URL']}/2010-04-01/Accounts/{sid}.json"
        assert httpx.get(account, auth=(sid, token), headers={"Host": "emu.test"}).is_success
        refused = httpx.get(account, auth=(sid, token), headers={"Host": "other.test"})
        assert refused.status_code == 400 and "--host-name" in refused.json()["message"]
    finally:
        assert _stop(proc) == 0
    shown.clear()
    proc, again = _start(db, "--host", "0.0.0.0", lines=shown)
    try:
        assert again["TWILIO_AUTH_TOKEN"] == token  # kept with the state
        (warning,) = [line for line in shown if line.startswith("WARNING")]
        assert "0.0.0.0" in warning and "loopback" in warning
    finally:
        assert _stop(proc) == 0
    proc, other = _start(tmp_path / "other.db")
    try:
        assert other["TWILIO_AUTH_TOKEN"] != token  # no two installs share a token
    finally:
        assert _stop(proc) == 0
