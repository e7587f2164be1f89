"""``sms send-bulk``: resume without duplicates, the summary, refused rows and
``--retry-failed``, and the journal lock (two real processes on one CSV)."""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_kit import (
    SENDER,
    emulator_env,
    error_of,
    finish,
    invoke,
    ok_json,
    run_cli,
    start_cli,
    stdout_json,
)
from gate_proxy import GateProxy

from twilio_connector import AsyncTwilioClient, TwilioClient
from twilio_connector.bulk import (
    BulkResult,
    BulkRow,
    Journal,
    JournalBusyError,
    lock_path,
    read_rows,
    send_bulk,
)
from twilio_connector.bulk.journal import hold_lock
from twilio_connector.emulator import Emulator

UNOWNED = "+15017122669"
"""A From the account does not own (21606) until the test buys it."""


def _csv(path: Path, rows: list[tuple[str, ...]], header: str = "to,body") -> Path:
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows))
    return path


def _client(emu: Emulator) -> TwilioClient:
    return TwilioClient(account_sid=emu.account_sid, auth_token=emu.auth_token,
                        base_url=emu.base_url)  # fmt: skip


def _bodies(client: TwilioClient, to: str) -> list[str]:
    return sorted(m.body or "" for m in client.messages.list(to=to))


def test_send_bulk_resumes_without_sending_twice(
    env: dict[str, str], cli_emu: Emulator, tmp_path: Path
) -> None:
    to = "+14155550150"
    rows = [(to, f"bulk message {i}") for i in range(20)]
    csv_file = _csv(tmp_path / "contacts.csv", rows)
    journal_path = tmp_path / "contacts.csv.journal"
    parsed = read_rows(csv_file)
    with _client(cli_emu) as client:
        # An earlier run was killed: rows 0-4 were sent and journaled; row 5 was sent but the
        # process died before the journal said so ("sending"); row 6 was marked "sending"
        # but never reached Twilio.
        journal = Journal(journal_path)
        for row in parsed[:6]:
            message = client.send_sms(SENDER, row.to, row.body)
            journal.mark(row, "sent" if row.index < 5 else "sending", sid=message.sid)
        journal.mark(parsed[6], "sending")
        journal.close()

        summary = ok_json(invoke(env, "--json", "sms", "send-bulk", str(csv_file), "--from",
                                 SENDER, "--concurrency", "4", "--rate", "500"))  # fmt: skip
        assert summary == {"rows": 20, "journal": str(journal_path), "skipped": 5,
                           "reconciled": 1, "sent": 14, "failed": 0, "unknown": 0,
                           "error": 0, "not_sent": 0, "failed_rows": []}  # fmt: skip
        assert _bodies(client, to) == sorted(body for _, body in rows)  # each exactly once

        again = ok_json(invoke(env, "sms", "send-bulk", str(csv_file), "--from", SENDER, "--json"))
        assert again["skipped"] == 20 and again["sent"] == 0
        assert len(_bodies(client, to)) == 20
    states = sqlite3.connect(journal_path).execute("SELECT state, COUNT(*) FROM rows GROUP BY 1")
    assert dict(states.fetchall()) == {"sent": 20}


def test_refused_rows_are_listed_and_retried_alone(
    env: dict[str, str], cli_emu: Emulator, tmp_path: Path
) -> None:
    to = "+14155550160"
    rows = [(to, "one", ""), ("+15005550001", "bad number", ""), (to, "three", UNOWNED),
            (to, "four", "")]  # fmt: skip
    csv_file = _csv(tmp_path / "mixed.csv", rows, header="to,body,from")
    first = invoke(env, "sms", "send-bulk", str(csv_file), "--from", SENDER, "--json")
    assert first.exit_code == 1  # two rows refused: non-zero, but the others went out
    summary = stdout_json(first)
    assert (summary["sent"], summary["failed"]) == (2, 2)
    assert [(f["row"], f["to"], f["code"]) for f in summary["failed_rows"]] == [
        (2, "+15005550001", 21211), (3, to, 21606)]  # fmt: skip
    assert "not a valid phone number" in summary["failed_rows"][0]["message"]
    assert "--retry-failed" in error_of(first.stderr)["message"]

    # A plain re-run sends nothing, still lists the refused rows and still fails.
    rerun = invoke(env, "sms", "send-bulk", str(csv_file), "--from", SENDER)
    assert rerun.exit_code == 1
    assert "rows not sent" in rerun.stdout and "{'" not in rerun.stdout
    lines = [line.split() for line in rerun.stdout.splitlines()]
    assert ["skipped", "4"] in lines and ["rows", "4"] in lines
    assert lines[-2][:4] == ["2", "+15005550001", "failed", "21211"]
    assert ["3", to, "failed", "21606"] == lines[-1][:4]

    with _client(cli_emu) as client:
        client.incoming_phone_numbers.purchase(phone_number=UNOWNED)  # row 3 can go out now
        retried = invoke(env, "sms", "send-bulk", str(csv_file), "--from", SENDER,
                         "--retry-failed", "--json")  # fmt: skip
        assert retried.exit_code == 1  # row 2 is refused again
        doc = stdout_json(retried)
        assert (doc["sent"], doc["failed"], doc["skipped"]) == (1, 1, 2)
        assert [f["row"] for f in doc["failed_rows"]] == [2]
        assert _bodies(client, to) == ["four", "one", "three"]  # rows 1 and 4 not re-sent


def test_a_second_run_on_the_same_csv_refuses_and_sends_nothing(
    cli_emu: Emulator, tmp_path: Path
) -> None:
    to = "+14155550170"
    csv_file = _csv(tmp_path / "locked.csv", [(to, f"locked {i}") for i in range(5)])
    env = emulator_env(cli_emu)
    with GateProxy(cli_emu.base_url) as gate, _client(cli_emu) as client:
        first = start_cli({**env, "TWILIO_BASE_URL": gate.url}, "sms", "send-bulk",
                          str(csv_file), "--from", SENDER, "--concurrency", "1")  # fmt: skip
        try:
            assert gate.arrived.wait(60), "the first run never sent"
            # The first run holds the lock and its first POST is held in the proxy.
            second = run_cli(env, "sms", "send-bulk", str(csv_file), "--from", SENDER, "--json")
            assert second.returncode == 4 and second.stdout == ""
            error = error_of(second.stderr)
            assert "another send-bulk run" in error["message"]
            assert f"pid {first.pid}" in error["message"] and "nothing was sent" in error["message"]
            assert client.messages.list(to=to) == []  # the second run sent nothing
        finally:
            gate.open()
            code, out, err = finish(first)
        assert code == 0, err
        assert re.search(r"^sent +5$", out, re.M)
        assert _bodies(client, to) == [f"locked {i}" for i in range(5)]  # once each
    # The lock went with the process: a third run works (and skips every row).
    third = run_cli(env, "sms", "send-bulk", str(csv_file), "--from", SENDER, "--json")
    assert third.returncode == 0 and '"skipped": 5' in third.stdout


def test_lock_is_per_journal_and_released(tmp_path: Path) -> None:
    journal = tmp_path / "x.csv.journal"
    with hold_lock(journal):
        with pytest.raises(JournalBusyError, match=f"pid {os.getpid()}"), hold_lock(journal):
            pass
        with hold_lock(tmp_path / "other.journal"):  # another journal is independent
            pass
        fd = os.open(lock_path(journal), os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    with hold_lock(journal):  # released on exit
        pass


def test_bad_csv_and_old_journals(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("phone,text\n+1,x\n")
    refused = invoke(env, "sms", "send-bulk", str(bad), "--from", SENDER)
    assert refused.exit_code == 2 and "'to' and 'body'" in refused.output
    old = tmp_path / "old.journal"  # a journal from before to_number/code existed
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE rows (key TEXT PRIMARY KEY, idx INTEGER, state TEXT, sid TEXT,"
               " error TEXT, attempted_at REAL)")  # fmt: skip
    db.commit()
    db.close()
    journal = Journal(old)
    row = BulkRow(0, "+14155550100", "x")
    journal.mark(row, "failed", error="refused", code=21211)
    assert [(f.row, f.to, f.code) for f in journal.failures()] == [(1, "+14155550100", 21211)]
    journal.close()


def test_bulk_row_keys_are_stable() -> None:
    a = BulkRow(0, "+1", "x")
    # the content and how many identical rows come before, never the position
    assert a.key == BulkRow(7, "+1", "x").key != BulkRow(1, "+1", "x", occurrence=1).key
    assert a.key != BulkRow(0, "+1", "y").key
    assert a.number == 1


def test_editing_the_csv_sends_no_row_twice(
    env: dict[str, str], cli_emu: Emulator, tmp_path: Path
) -> None:
    to = "+14155550161"
    rows = [(to, "first"), (to, "same"), (to, "same"), (to, "last")]
    csv_file = _csv(tmp_path / "edit.csv", rows)
    ran = ok_json(invoke(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER))
    assert ran["sent"] == 4
    _csv(csv_file, [(to, "new first"), *rows[1:]])  # a row replaced, the others moved
    again = ok_json(invoke(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER))
    assert (again["sent"], again["skipped"]) == (1, 3)
    _csv(csv_file, rows[2:])  # rows removed above: "same" is now the first of its kind
    third = ok_json(invoke(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER))
    assert (third["sent"], third["skipped"]) == (0, 2)
    with _client(cli_emu) as client:
        assert _bodies(client, to) == ["first", "last", "new first", "same", "same"]


def test_a_journal_keyed_by_position_is_taken_over(
    env: dict[str, str], cli_emu: Emulator, tmp_path: Path
) -> None:
    to = "+14155550162"
    csv_file = _csv(tmp_path / "old.csv", [(to, "a"), (to, "b")])
    journal_path = tmp_path / "old.csv.journal"
    journal = Journal(journal_path)
    for row in read_rows(csv_file):  # as a journal written before content keys
        journal.db.execute(
            "INSERT INTO rows(key, idx, state, sid) VALUES (?, ?, 'sent', ?)",
            (row.legacy_key, row.index, f"SM{row.index:032d}"),
        )
    journal.close()
    ran = ok_json(invoke(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER))
    assert (ran["sent"], ran["skipped"]) == (0, 2)
    with _client(cli_emu) as client:
        assert client.messages.list(to=to) == []


@pytest.mark.parametrize("timing", ["manual"])
def test_reconciliation_finds_a_queued_message_and_never_an_older_one(
    timing: str, tmp_path: Path
) -> None:
    # Manual timing: messages stay queued (no date_sent), as a fresh send does on Twilio.
    with Emulator(timing=timing) as emu, _client(emu) as client:
        env = emulator_env(emu)
        to = "+14155550163"
        csv_file = _csv(tmp_path / "r.csv", [(to, "hello"), (to, "hello"), (to, "old")])
        rows = read_rows(csv_file)
        journal = Journal(tmp_path / "r.csv.journal")
        # Row 1's POST reached Twilio but the run died before journaling it; row 2 (the same
        # text) was marked but never sent; row 3 matches only a message sent long before.
        client.send_sms(SENDER, to, "old")
        emu.advance(3600)
        sent = client.send_sms(SENDER, to, "hello")
        for row in rows:
            journal.mark(row, "sending")
        journal.db.execute("UPDATE rows SET attempted_at = attempted_at + 3600")
        journal.close()
        ran = ok_json(invoke(env, "--json", "sms", "send-bulk", str(csv_file), "--from", SENDER))
        assert (ran["reconciled"], ran["sent"]) == (1, 2)
        hellos = [m.sid for m in client.messages.list(to=to) if m.body == "hello"]
        assert len(hellos) == 2 and sent.sid in hellos
        assert len([m for m in client.messages.list(to=to) if m.body == "old"]) == 2


class _Garbled(BaseHTTPRequestHandler):
    """Answers every POST 201 with a body that is not a Message, and every GET 500."""

    posts = 0

    def do_POST(self) -> None:
        type(self).posts += 1
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(201, b"<html>not json</html>")

    def do_GET(self) -> None:
        self._answer(500, b'{"code": 20500, "message": "down", "status": 500}')

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_an_unreadable_2xx_is_never_sent_again(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Garbled)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        csv_file = _csv(tmp_path / "g.csv", [("+14155550164", "once")])
        journal_path = tmp_path / "g.csv.journal"

        async def run() -> BulkResult:
            async with AsyncTwilioClient(
                account_sid="AC" + "0" * 32, auth_token="t" * 32, max_retries=0,
                base_url=f"http://127.0.0.1:{server.server_address[1]}",
            ) as client:  # fmt: skip
                return await send_bulk(client, read_rows(csv_file), journal_path)

        first, second = asyncio.run(run()), asyncio.run(run())
        # the 201 may have created it: "unknown", and the next run asks (GET 500) not resends
        assert (first.sent, first.failed, second.sent, second.failed) == (0, 1, 0, 1)
        assert _Garbled.posts == 1
        journal = Journal(journal_path)
        assert [f.state for f in journal.failures()] == ["unknown"]
        journal.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
