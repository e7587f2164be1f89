"""``--json`` anywhere, errors as JSON on stderr, and output that never wraps when piped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_kit import SENDER, error_of, invoke, ok_json, run_cli

from twilio_connector.emulator import Emulator

TO = "+14155550180"


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "sms", "send", "--from", SENDER, "--to", TO, "--body", "a"],
        ["sms", "--json", "send", "--from", SENDER, "--to", TO, "--body", "a"],
        ["sms", "send", "--json", "--from", SENDER, "--to", TO, "--body", "a"],
        ["sms", "send", "--from", SENDER, "--to", TO, "--body", "a", "--json"],
    ],
)
def test_json_is_accepted_anywhere(env: dict[str, str], args: list[str]) -> None:
    sent = ok_json(invoke(env, *args))
    assert sent["sid"].startswith("SM") and sent["to"] == TO


def test_every_command_honours_json(env: dict[str, str], tmp_path: Path) -> None:
    for args in (["account"], ["numbers", "list"], ["message", "list", "--limit", "1"],
                 ["call", "list", "--limit", "1"], ["emulator", "rules", "list"]):  # fmt: skip
        ok_json(invoke(env, *args, "--json"))
    inbox = str(tmp_path / "inbox.sqlite3")
    from twilio_connector.listener.inbox import InboxLocation, open_store

    open_store(InboxLocation.parse(inbox)).close()  # an empty inbox
    for args in (["inbox", "list", "--inbox", inbox, "--json"],
                 ["--json", "inbox", "list", "--inbox", inbox],
                 ["inbox", "--json", "list", "--inbox", inbox]):  # fmt: skip
        assert ok_json(invoke(env, *args))["events"] == []
    assert ok_json(invoke(env, "--json", "inbox", "replay", "--inbox", inbox)) == {"replayed": 0}
    assert ok_json(invoke(env, "inbox", "purge", "--inbox", inbox, "--json")) == {"purged": 0}


def test_errors_are_json_on_stderr(env: dict[str, str], tmp_path: Path) -> None:
    api = run_cli(env, "sms", "send", "--from", SENDER, "--to", "+15005550001", "--body", "x",
                  "--json")  # fmt: skip
    assert api.returncode == 1 and api.stdout == ""
    error = error_of(api.stderr)
    assert error.pop("request_id").startswith("RQ")  # Twilio's Twilio-Request-Id
    assert error == {
        "code": 21211,
        "message": "The 'To' number +15005550001 is not a valid phone number.",
        "more_info": "https://www.twilio.com/docs/errors/21211",
        "status": 400,
    }
    usage = run_cli(env, "--json", "sms", "send", "--frm", SENDER)
    assert usage.returncode == 2 and usage.stdout == ""
    error = error_of(usage.stderr)
    assert error["code"] is None and error["status"] is None and "--frm" in error["message"]
    missing = invoke(env, "sms", "send", "--to", TO, "--json")
    assert missing.exit_code == 2 and "--body" in error_of(missing.stderr)["message"]
    no_sender = invoke(env, "sms", "send", "--to", TO, "--body", "x", "--json")
    assert no_sender.exit_code == 2 and "--from" in error_of(no_sender.stderr)["message"]
    unknown = invoke(env, "--json", "nope")
    assert unknown.exit_code == 2 and "nope" in error_of(unknown.stderr)["message"]
    config = invoke({**env, "TWILIO_ACCOUNT_SID": ""}, "account", "--json")
    assert config.exit_code == 2 and "TWILIO_ACCOUNT_SID" in error_of(config.stderr)["message"]
    wrong = invoke({**env, "TWILIO_AUTH_TOKEN": "0" * 32}, "account", "--json")
    assert wrong.exit_code == 1 and error_of(wrong.stderr)["code"] == 20003
    assert "0" * 32 not in wrong.output
    twiml = tmp_path / "latin1.xml"
    twiml.write_bytes("<Response><Say>caf\xe9</Say></Response>".encode("latin-1"))
    bad_file = invoke(
        env, "--json", "call", "--from", SENDER, "--to", TO, "--twiml-file", str(twiml)
    )
    assert bad_file.exit_code == 2 and "--twiml-file" in error_of(bad_file.stderr)["message"]
    rows = tmp_path / "rows.csv"
    rows.write_text("to,body\n+14155550100,x\n")
    no_dir = str(tmp_path / "missing" / "j.journal")
    journal = invoke(env, "--json", "sms", "send-bulk", str(rows), "--journal", no_dir)
    assert journal.exit_code == 2 and "journal" in error_of(journal.stderr)["message"]
    not_inbox = invoke(env, "inbox", "list", "--inbox", "/nonexistent/inbox.db", "--json")
    assert not_inbox.exit_code == 1 and "no inbox" in error_of(not_inbox.stderr)["message"]


def test_nothing_wraps_when_piped(env: dict[str, str], cli_emu: Emulator) -> None:
    body = "a long body that would wrap at eighty columns " * 4
    narrow = {**env, "COLUMNS": "40"}
    sent = run_cli(narrow, "sms", "send", "--from", SENDER, "--to", TO, "--body", body)
    assert sent.returncode == 0, sent.stderr
    lines = sent.stdout.splitlines()
    (sid_line,) = [line for line in lines if line.startswith("sid ")]
    sid = sid_line.split()[-1]
    assert sid.startswith("SM") and len(sid) == 34
    (body_line,) = [line for line in lines if line.startswith("body ")]
    assert body_line.split(None, 1)[1] == body.strip()
    assert all(line == line.rstrip() for line in lines)  # no padding to a terminal width
    listed = run_cli(narrow, "message", "list", "--to", TO, "--limit", "50")
    rows = listed.stdout.splitlines()
    assert rows[0].split()[:5] == ["sid", "direction", "from", "to", "status"]
    row = next(r for r in rows if r.startswith(sid))
    assert row.split()[1:4] == ["outbound-api", SENDER, TO] and body.strip() in row
    error = run_cli(narrow, "sms", "send", "--from", SENDER, "--to", "+15005550001",
                    "--body", "x")  # fmt: skip
    assert error.returncode == 1
    assert any("21211" in line and "not a valid phone number." in line
               for line in error.stderr.splitlines())  # fmt: skip
    as_json = run_cli(narrow, "--json", "message", "get", sid)
    assert json.loads(as_json.stdout)["body"] == body
    # a body of several lines stays on its row, escaped
    lines_body = "line one\nline two\twith a tab"
    sent = run_cli(env, "--json", "sms", "send", "--from", SENDER, "--to", TO, "--body", lines_body)
    multi = json.loads(sent.stdout)["sid"]
    listed = run_cli(narrow, "message", "list", "--to", TO, "--limit", "50")
    (row,) = [r for r in listed.stdout.splitlines() if r.startswith(multi)]
    assert "line one\\nline two\\twith a tab" in row
    assert not any(r.startswith("line two") for r in listed.stdout.splitlines())


def test_no_python_reprs_in_tables(env: dict[str, str]) -> None:
    shown = invoke(env, "sms", "send", "--from", SENDER, "--to", TO, "--body", "x")
    assert shown.exit_code == 0
    (uris,) = [line for line in shown.stdout.splitlines() if line.startswith("subresource_uris")]
    assert json.loads(uris.split(None, 1)[1])["media"].endswith("/Media.json")
    assert "{'" not in shown.stdout
