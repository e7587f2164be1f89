"""Several listener processes on one inbox: replicas on PostgreSQL, restarts on SQLite.

Real processes (``listen --inbox ...``), a real PostgreSQL server, real signed HTTP; see
``replica_harness.py`` for the app and the load.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from click.testing import CliRunner
from listener_testkit import TOKEN, post_signed, sid, sms_status
from replica_harness import Load, Replica, by_key, order_violations, read_handled
from support.wait import wait_until

from twilio_connector.listener import TwilioListener
from twilio_connector.listener.cli import inbox as inbox_cli
from twilio_connector.listener.inbox import InboxBusyError, open_store


def _counts(inbox: str) -> dict[str, int]:
    with open_store(inbox) as store:
        return store.counts()


def _stop_all(replicas: list[Replica]) -> None:
    for r in replicas:
        r.stop()


def test_three_replicas_dispatch_each_callback_once_in_order(pg_url, tmp_path):
    replicas = [Replica(tmp_path, pg_url, f"r{i}") for i in range(3)]
    try:
        load = Load([r.base for r in replicas], messages=400).start()
        load.join()
        acked = load.acked
        logs = "".join(r.stderr() for r in replicas)
        assert len(acked) == 800, f"not acknowledged: {load.failures[:3]}; logs: {logs[-2000:]}"
        assert wait_until(lambda: len(read_handled(replicas[0].out)) >= len(acked), 60)
        assert wait_until(lambda: _counts(pg_url)["pending"] == 0, 30)
    finally:
        _stop_all(replicas)
    handled = read_handled(replicas[0].out)
    runs = by_key(handled)
    assert set(runs) == acked
    twice = {key: [r.replica for r in rows] for key, rows in runs.items() if len(rows) > 1}
    assert not twice, f"dispatched more than once: {list(twice.items())[:5]}"
    assert load.duplicated and load.duplicated <= set(runs)  # the retries were sent
    assert {r.replica for r in handled} == {"r0", "r1", "r2"}  # the work was shared
    assert order_violations(handled) == []
    counts = _counts(pg_url)
    assert counts == {"pending": 0, "done": 800, "unhandled": 0, "dead": 0}


def test_sigkill_a_replica_under_load_loses_nothing_acknowledged(pg_url, tmp_path):
    slow = {"REPLICA_DELAY": "0.02", "REPLICA_LEASE": "1.5"}  # a backlog builds up
    replicas = [Replica(tmp_path, pg_url, f"r{i}", **slow) for i in range(2)]
    load = Load([r.base for r in replicas], duplicate_every=5).start()
    try:
        assert wait_until(lambda: load.acked_count() >= 300, 60)
        replicas[0].kill()
        before = load.acked_count()
        assert wait_until(lambda: load.acked_count() >= before + 100, 60)  # r1 carries on
        replicas.append(Replica(tmp_path, pg_url, "r0-restarted", **slow))
        load.bases.append(replicas[-1].base)
        assert wait_until(lambda: load.acked_count() >= before + 200, 60)
    finally:
        load.stop()
    try:
        acked = load.acked
        out = replicas[1].out
        assert wait_until(lambda: acked <= set(by_key(read_handled(out))), 60), (
            f"{len(acked - set(by_key(read_handled(out))))} acknowledged events never handled"
        )
        assert wait_until(lambda: _counts(pg_url)["pending"] == 0, 30)
    finally:
        _stop_all(replicas)
    handled = read_handled(replicas[1].out)
    assert order_violations(handled, acked) == []
    assert _counts(pg_url)["dead"] == 0
    # r0's unfinished events were taken over by the others after its leases expired.
    assert any(r.replica != "r0" for r in handled)


def test_rolling_restart_on_sqlite_loses_nothing_and_leaves_nothing_pending(tmp_path):
    inbox = str(tmp_path / "inbox.sqlite3")
    slow = {"REPLICA_DELAY": "0.02", "REPLICA_DRAIN": "0.5"}
    old = Replica(tmp_path, inbox, "old", **slow)
    load = Load([old.base], duplicate_every=10**9).start()
    new: Replica | None = None
    try:
        assert wait_until(lambda: load.acked_count() >= 300, 60)
        new = Replica(tmp_path, inbox, "new", ready=False, **slow)  # waits for the lock
        load.bases.append(new.base)
        assert wait_until(lambda: load.acked_count() >= 400, 60)
        assert old.stop() in (0, -15)  # graceful, with a backlog still pending
        before = load.acked_count()
        assert wait_until(lambda: load.acked_count() >= before + 200, 60)  # new took over
    finally:
        load.stop()
        old.stop()
    try:
        acked = load.acked
        assert wait_until(lambda: acked <= set(by_key(read_handled(old.out))), 60), (
            f"{len(acked - set(by_key(read_handled(old.out))))} acknowledged events lost"
        )
        assert wait_until(lambda: _counts(inbox)["pending"] == 0, 30)
    finally:
        if new is not None:
            new.stop()
    handled = read_handled(old.out)
    assert {r.replica for r in handled} == {"old", "new"}
    assert order_violations(handled) == []
    assert _counts(inbox)["pending"] == 0


async def test_a_second_process_on_a_busy_sqlite_inbox_names_the_holder(tmp_path):
    inbox = str(tmp_path / "busy.sqlite3")
    holder = Replica(tmp_path, inbox, "holder")
    try:
        second = TwilioListener(TOKEN, inbox=inbox, lock_timeout=0.3)
        with pytest.raises(InboxBusyError) as caught:
            await second.start()
        assert f"pid {holder.proc.pid}" in str(caught.value)
        assert "PostgreSQL" in str(caught.value)
    finally:
        holder.stop()
    await second.start()  # free once the holder has stopped
    await second.stop()


def test_cli_lists_replays_and_purges_a_postgresql_inbox(pg_url, tmp_path):
    replica = Replica(tmp_path, pg_url, "r0")
    try:
        load = Load([replica.base], messages=5, threads=1).start()
        load.join()
        assert wait_until(lambda: _counts(pg_url)["done"] == 10, 30)
    finally:
        replica.stop()
    runner = CliRunner()
    listed = runner.invoke(inbox_cli, ["list", "--inbox", pg_url, "--json"])
    assert listed.exit_code == 0, listed.output
    doc = json.loads(listed.output)
    assert doc["counts"]["done"] == 10 and len(doc["events"]) == 10
    assert "password" not in listed.output and pg_url not in listed.output
    replayed = runner.invoke(inbox_cli, ["replay", "--inbox", pg_url, str(doc["events"][0]["id"])])
    assert replayed.exit_code == 0 and "1 event(s)" in replayed.output
    assert _counts(pg_url)["pending"] == 1
    purged = runner.invoke(inbox_cli, ["purge", "--inbox", pg_url, "--older-than", "0"])
    assert purged.exit_code == 0 and "9 event(s) purged" in purged.output
    assert _counts(pg_url) == {"pending": 1, "done": 0, "unhandled": 0, "dead": 0}


def test_postgresql_schema_is_versioned_and_a_newer_one_is_refused(pg_url):
    from twilio_connector.errors import ConfigurationError
    from twilio_connector.listener.inbox.postgres import PostgresBackend
    from twilio_connector.listener.inbox.postgres_schema import SCHEMA_VERSION

    async def scenario() -> None:
        backend = PostgresBackend(pg_url, owner="t")
        await backend.open()
        await backend.close()
        await backend.open()  # migrating again is a no-op
        version = await backend.pool.fetchval(
            "SELECT value FROM twilio_inbox_meta WHERE key = 'schema_version'"
        )
        assert int(version) == SCHEMA_VERSION
        await backend.pool.execute(
            "UPDATE twilio_inbox_meta SET value = $1 WHERE key = 'schema_version'",
            str(SCHEMA_VERSION + 1),
        )
        await backend.close()
        with pytest.raises(ConfigurationError, match="newer than this release"):
            await PostgresBackend(pg_url, owner="t").open()

    asyncio.run(scenario())


def test_a_bad_postgresql_url_is_a_clear_error_without_the_password(pg_cluster):
    from twilio_connector.errors import ConfigurationError

    url = f"postgresql://nobody:s3cret-pw@127.0.0.1:{pg_cluster.port}/nowhere"
    listener = TwilioListener(TOKEN, inbox=url)
    assert "s3cret-pw" not in repr(listener) and "s3cret-pw" not in listener.inbox_path
    with pytest.raises(ConfigurationError) as caught:
        asyncio.run(listener.start())
    assert "s3cret-pw" not in str(caught.value)


def test_a_sid_busy_on_one_replica_holds_its_events_on_another(pg_url, make_listener, start, http):
    log: list[str] = []
    gate = threading.Event()

    def handle(event):
        log.append(f"start {event.status}")
        if event.status == "delivered":
            gate.wait(10)
        log.append(f"end {event.status}")

    a, b = make_listener(inbox=pg_url), make_listener(inbox=pg_url)
    a.on("sms.*")(handle)
    b.on("sms.*")(handle)
    url_a, url_b = start(a.app).url + "/", start(b.app).url + "/"
    message = sid("SM", 12)
    post_signed(http, url_a, sms_status(message, "delivered"))
    assert wait_until(lambda: log == ["start delivered"])
    # A lower lifecycle rank, stored by the other replica while the SID runs on the first.
    assert post_signed(http, url_b, sms_status(message, "sent")).status_code == 200
    time.sleep(0.5)
    assert log == ["start delivered"]
    gate.set()
    assert wait_until(lambda: len(log) == 4)
    assert log == ["start delivered", "end delivered", "start sent", "end sent"]


def test_a_killed_replicas_lease_expires_and_another_runs_its_event(pg_url, tmp_path):
    hung = Replica(tmp_path, pg_url, "hung", REPLICA_DELAY="60", REPLICA_LEASE="1")
    load = Load([hung.base], messages=1, threads=1, duplicate_every=10**9).start()
    load.join()
    assert len(load.acked) == 2
    with open_store(pg_url) as store:
        assert wait_until(lambda: len(store.records(["pending"])) == 2)
    hung.kill()  # mid-handler: its lease on "sent" is never renewed or released
    survivor = Replica(tmp_path, pg_url, "survivor", REPLICA_LEASE="1")
    try:
        assert wait_until(lambda: _counts(pg_url)["done"] == 2, 30)
    finally:
        survivor.stop()
    handled = read_handled(survivor.out)
    assert [(r.replica, r.status) for r in handled] == [
        ("survivor", "sent"),
        ("survivor", "delivered"),
    ]
    with open_store(pg_url) as store:
        sent = next(r for r in store.records() if r.name == "sms.sent")
    assert sent.attempts == 2 and "lease expired" in (sent.last_error or "")


def test_listen_on_a_busy_sqlite_inbox_exits_with_the_holder_named(tmp_path):
    inbox = str(tmp_path / "busy.sqlite3")
    holder = Replica(tmp_path, inbox, "holder")
    try:
        second = Replica(tmp_path, inbox, "second", ready=False, REPLICA_LOCK_TIMEOUT="0.3")
        assert second.proc.wait(30) != 0
        err = second.stderr()
        assert f"in use by pid {holder.proc.pid}" in err and "Traceback" not in err
    finally:
        holder.stop()


def test_the_dedup_window_is_kept_by_the_database_and_then_released(
    pg_url, make_listener, start, http
):
    from twilio_connector.listener.inbox.postgres import PostgresBackend

    seen: list[str] = []
    listener = make_listener(inbox=pg_url, dedup_ttl=0.5)
    listener.on_sms_delivered(lambda e: seen.append(e.message_sid))
    url = start(listener.app).url + "/"
    params = sms_status(sid("SM", 13), "delivered")
    post_signed(http, url, params, idempotency_token="t-1")
    assert wait_until(lambda: len(seen) == 1)
    post_signed(http, url, params, idempotency_token="t-1")  # a retry inside the window
    time.sleep(0.6)
    assert len(seen) == 1

    async def forget() -> None:  # what every replica's periodic purge does
        backend = PostgresBackend(pg_url, owner="purge", dedup_window=0.5)
        await backend.open()
        await backend.forget_old_keys()
        await backend.close()

    asyncio.run(forget())
    post_signed(http, url, params, idempotency_token="t-1")  # past the window: new again
    assert wait_until(lambda: len(seen) == 2)
