"""``--wait``: a final status reached by moving the emulator's clock (manual timing) with
``twilio-connector emulator advance``; a failure exits 1 with Twilio's code; a timeout 3."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest
from cli_kit import OWNED, SENDER, emulator_env, error_of, finish, run_cli, start_cli
from support.wait import wait_until

from twilio_connector import TwilioClient
from twilio_connector.emulator import Emulator


@pytest.fixture(scope="module")
def manual_emu() -> Iterator[Emulator]:
    """Nothing moves until the test advances the clock."""
    with Emulator(phone_numbers=(OWNED,), timing="manual") as emulator:
        yield emulator


def _waiting(
    emu: Emulator, exists: str, *args: str
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Start a ``--wait`` command; return once its resource exists on the emulator."""
    env = emulator_env(emu)
    proc = start_cli(env, *args)
    with TwilioClient(account_sid=emu.account_sid, auth_token=emu.auth_token,
                      base_url=emu.base_url) as client:  # fmt: skip
        kind = client.messages if exists == "message" else client.calls
        to = args[args.index("--to") + 1]
        if not wait_until(lambda: kind.list(to=to), timeout=60):
            proc.kill()
            raise AssertionError(proc.communicate())
    return proc, env


def test_sms_wait_ends_delivered(manual_emu: Emulator) -> None:
    to = "+14155550190"
    proc, env = _waiting(manual_emu, "message", "--json", "sms", "send", "--from", SENDER,
                         "--to", to, "--body", "wait for me", "--wait")  # fmt: skip
    advanced = run_cli(env, "emulator", "advance", "30", "--json")
    assert advanced.returncode == 0 and json.loads(advanced.stdout)["clock_offset"] >= 30
    code, out, err = finish(proc)
    assert code == 0, err
    final = json.loads(out)
    assert final["status"] == "delivered" and final["to"] == to


def test_wait_on_an_undelivered_message_exits_1_with_its_code(manual_emu: Emulator) -> None:
    to = "+14155550191"
    env = emulator_env(manual_emu)
    rule = run_cli(env, "--json", "emulator", "rules", "add", "--outcome", "undelivered",
                   "--to", to, "--error-code", "30003")  # fmt: skip
    assert rule.returncode == 0 and json.loads(rule.stdout)["outcome"] == "undelivered"
    proc, _ = _waiting(manual_emu, "message", "sms", "send", "--from", SENDER, "--to", to,
                       "--body", "doomed", "--wait", "--json")  # fmt: skip
    assert run_cli(env, "emulator", "advance", "30").returncode == 0
    code, out, err = finish(proc)
    assert code == 1
    assert json.loads(out)["status"] == "undelivered"
    error = error_of(err)
    assert error["code"] == 30003 and error["more_info"].endswith("/30003")
    assert "undelivered" in error["message"]


def test_call_wait_ends_completed_or_busy(manual_emu: Emulator) -> None:
    to = "+14155550192"
    proc, env = _waiting(manual_emu, "call", "call", "--from", SENDER, "--to", to,
                         "--say", "hello", "--wait", "--json")  # fmt: skip
    assert run_cli(env, "emulator", "advance", "120").returncode == 0
    code, out, err = finish(proc)
    assert code == 0, err
    assert json.loads(out)["status"] == "completed"

    busy = "+14155550193"
    rule = run_cli(env, "emulator", "rules", "add", "--kind", "call", "--outcome", "busy",
                   "--to", busy)  # fmt: skip
    assert rule.returncode == 0, rule.stderr
    proc, env = _waiting(manual_emu, "call", "call", "create", "--from", SENDER, "--to", busy,
                         "--say", "hello", "--wait")  # fmt: skip
    assert run_cli(env, "emulator", "advance", "120").returncode == 0
    code, out, err = finish(proc)
    assert code == 1 and "ended 'busy'" in err
    assert any(line.split() == ["status", "busy"] for line in out.splitlines())


def test_wait_gives_up_after_its_timeout(manual_emu: Emulator) -> None:
    env = emulator_env(manual_emu)
    result = run_cli(env, "sms", "send", "--from", SENDER, "--to", "+14155550194", "--body",
                     "stuck", "--wait", "--wait-timeout", "0.5", "--json")  # fmt: skip
    assert result.returncode == 3
    assert json.loads(result.stdout)["status"] == "queued"
    assert "still 'queued' after 0.5 s" in error_of(result.stderr)["message"]
