"""The `twilio-connector` commands against the emulator: output, --json, errors, bulk."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from twilio_connector import TwilioClient
from twilio_connector.bulk import BulkRow, Journal, read_rows
from twilio_connector.cli import main
from twilio_connector.emulator import Emulator

SENDER = "+15005550006"
OWNED = "+15017122661"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(port=0, phone_numbers=(OWNED,)) as emulator:
        yield emulator


@pytest.fixture
def env(emu: Emulator) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": emu.account_sid,
        "TWILIO_AUTH_TOKEN": emu.auth_token,
        "TWILIO_BASE_URL": emu.base_url,
        "TWILIO_API_KEY": "",
        "TWILIO_API_SECRET": "",
    }


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def as_json(result: Result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_help_everywhere() -> None:
    for args in ([], ["sms"], ["sms", "send-bulk"], ["call"], ["numbers", "configure"],
                 ["emulator"], ["listen"], ["inbox"], ["message", "list"]):  # fmt: skip
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_sms_send_get_and_list(env: dict[str, str]) -> None:
    sent = as_json(run(env, "--json", "sms", "send", "--from", SENDER, "--to", "+14155550140",
                       "--body", "hello from the CLI"))  # fmt: skip
    assert isinstance(sent, dict) and sent["sid"].startswith("SM") and sent["status"] == "queued"
    fetched = as_json(run(env, "--json", "message", "get", sent["sid"]))
    assert isinstance(fetched, dict) and fetched["body"] == "hello from the CLI"
    listed = as_json(run(env, "--json", "message", "list", "--to", "+14155550140"))
    assert isinstance(listed, list) and sent["sid"] in [m["sid"] for m in listed]
    table = run(env, "message", "list", "--to", "+14155550140")
    assert table.exit_code == 0 and sent["sid"] in table.output


def test_whatsapp_and_calls(env: dict[str, str], tmp_path: Path) -> None:
    wa = as_json(run(env, "--json", "whatsapp", "send", "--from", "+14155238886",
                     "--to", "+14155550141", "--content-sid", "HX" + "a" * 32,
                     "--content-variables", '{"1": "Ada"}'))  # fmt: skip
    assert isinstance(wa, dict) and wa["to"] == "whatsapp:+14155550141"
    twiml = tmp_path / "hello.xml"
    twiml.write_text('<?xml version="1.0"?><Response><Say>Hi</Say></Response>')
    for how in (["--say", "Hello"], ["--url", "http://127.0.0.1:9/twiml"],
                ["--twiml-file", str(twiml)]):  # fmt: skip
        call = as_json(run(env, "--json", "call", "--from", SENDER, "--to", "+14155550142", *how))
        assert isinstance(call, dict) and call["sid"].startswith("CA")
    both = run(env, "call", "--from", SENDER, "--to", "+14155550142", "--say", "a", "--url", "b")
    assert both.exit_code == 2 and "exactly one" in both.output


def test_account_and_numbers(env: dict[str, str], emu: Emulator) -> None:
    account = as_json(run(env, "--json", "account"))
    assert isinstance(account, dict) and account["sid"] == emu.account_sid
    assert emu.auth_token not in json.dumps(account)
    assert emu.auth_token not in run(env, "account").output
    numbers = as_json(run(env, "--json", "numbers", "list"))
    assert isinstance(numbers, list) and OWNED in [n["phone_number"] for n in numbers]
    configured = as_json(run(env, "--json", "numbers", "configure", OWNED,
                             "--sms-url", "http://127.0.0.1:9/sms",
                             "--voice-url", "http://127.0.0.1:9/voice"))  # fmt: skip
    assert isinstance(configured, dict)
    assert configured["sms_url"] == "http://127.0.0.1:9/sms"
    assert configured["voice_url"] == "http://127.0.0.1:9/voice"
    missing = run(env, "numbers", "configure", "+19995550000", "--sms-url", "http://x/")
    assert missing.exit_code == 1 and "not a number this account owns" in missing.output


def test_twilio_errors_print_code_and_exit_nonzero(env: dict[str, str], emu: Emulator) -> None:
    bad = run(env, "sms", "send", "--from", SENDER, "--to", "+15005550001", "--body", "x")
    assert bad.exit_code == 1
    assert "21211" in bad.output and "https://www.twilio.com/docs/errors/21211" in bad.output
    assert "Traceback" not in bad.output
    wrong = run({**env, "TWILIO_AUTH_TOKEN": "0" * 32}, "account")
    assert wrong.exit_code == 1 and "20003" in wrong.output and "0" * 32 not in wrong.output
    unset = run({**env, "TWILIO_ACCOUNT_SID": ""}, "account")
    assert unset.exit_code == 2 and "TWILIO_ACCOUNT_SID" in unset.output


def _csv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("to,body\n" + "".join(f"{to},{body}\n" for to, body in rows))
    return path


def _sent_to(client: TwilioClient, to: str) -> list[str]:
    return [m.body or "" for m in client.messages.list(to=to)]


def test_send_bulk_resumes_without_sending_twice(
    env: dict[str, str], emu: Emulator, tmp_path: Path
) -> None:
    to = "+14155550150"
    rows = [(to, f"bulk message {i}") for i in range(20)]
    csv_file = _csv(tmp_path / "contacts.csv", rows)
    journal_path = tmp_path / "contacts.csv.journal"
    parsed = read_rows(csv_file)
    with TwilioClient(account_sid=emu.account_sid, auth_token=emu.auth_token,
                      base_url=emu.base_url) as client:  # fmt: skip
        # An earlier run was killed: rows 0-4 were sent and journaled; row 5 was sent but the
        # process died before the journal said so ("sending"); row 6 was marked "sending"
        # but never reached Twilio.
        journal = Journal(journal_path)
        for row in parsed[:6]:
            message = client.send_sms(SENDER, row.to, row.body)
            journal.mark(row, "sent" if row.index < 5 else "sending", sid=message.sid)
        journal.mark(parsed[6], "sending")
        journal.close()

        result = run(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER,
                     "--concurrency", "4", "--rate", "500")  # fmt: skip
        summary = as_json(result)
        assert isinstance(summary, dict)
        assert summary == {"rows": 20, "journal": str(journal_path), "skipped": 5,
                           "reconciled": 1, "sent": 14}  # fmt: skip
        bodies = _sent_to(client, to)
        assert sorted(bodies) == sorted(body for _, body in rows)  # each exactly once

        again = as_json(run(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER))
        assert isinstance(again, dict) and again["skipped"] == 20
        assert len(_sent_to(client, to)) == 20
    states = sqlite3.connect(journal_path).execute("SELECT state, COUNT(*) FROM rows GROUP BY 1")
    assert dict(states.fetchall()) == {"sent": 20}


def test_send_bulk_rate_limit_and_failures(env: dict[str, str], tmp_path: Path) -> None:
    rows = [("+14155550160", "ok one"), ("+15005550001", "invalid number"),
            ("+14155550160", "ok two")]  # fmt: skip
    csv_file = _csv(tmp_path / "mixed.csv", rows)
    started = time.monotonic()
    result = run(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER,
                 "--rate", "20")  # fmt: skip
    assert result.exit_code == 1  # one row failed: non-zero, but the others went out
    summary = json.loads(result.output)
    assert summary["sent"] == 2 and summary["failed"] == 1
    assert time.monotonic() - started >= 2 / 20  # three starts at 20/s span >= 0.1 s
    bad = _csv(tmp_path / "bad.csv", [])
    bad.write_text("phone,text\n+1,x\n")
    refused = run(env, "sms", "send-bulk", str(bad), "--from", SENDER)
    assert refused.exit_code == 1 and "'to' and 'body'" in refused.output


def test_bulk_row_keys_are_stable() -> None:
    a = BulkRow(0, "+1", "x")
    assert a.key == BulkRow(0, "+1", "x").key != BulkRow(1, "+1", "x").key
