"""Nothing acknowledged gets lost: retries, dead letters, replay, duplicates, order, draining."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner
from listener_testkit import (
    Recorder,
    call_status,
    inbound_sms,
    location_of,
    post_signed,
    sid,
    sms_status,
)
from support.wait import wait_until

from twilio_connector.listener import RedeliveryPolicy
from twilio_connector.listener.cli import inbox as inbox_cli

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and on PostgreSQL


def statuses(listener) -> dict[int, str]:
    with listener.open_inbox() as inbox:
        return {r.id: r.status for r in inbox.records()}


def test_failing_handler_is_retried_until_it_succeeds(make_listener, start, http):
    listener = make_listener()
    calls: list[float] = []

    @listener.on_sms_delivered
    def flaky(event):
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise ConnectionError("CRM unavailable")

    url = start(listener.app).url + "/"
    assert post_signed(http, url, sms_status(sid("SM", 1), "delivered")).status_code == 200
    assert wait_until(lambda: list(statuses(listener).values()) == ["done"])
    assert len(calls) == 3
    with listener.open_inbox() as inbox:
        (row,) = inbox.records()
    assert row.attempts == 3 and row.last_error == "ConnectionError: CRM unavailable"


def test_default_backoff_retries_within_five_seconds_and_is_capped():
    policy = RedeliveryPolicy()
    assert 0 < policy.delay(1) <= 5.0
    assert policy.delay(2) > policy.delay(1) * 1.5
    assert policy.delay(50) <= policy.max_delay


def test_dead_letter_listed_and_replayed_with_the_cli(make_listener, start, http):
    listener = make_listener()
    fixed = threading.Event()
    rec = Recorder()

    @listener.on_call_completed
    async def record(event):
        if not fixed.is_set():
            raise ValueError("bug in handler")
        rec.add("ok", event)

    url = start(listener.app).url + "/"
    post_signed(http, url, call_status(sid("CA", 1), "completed", 3, CallDuration="5"))
    assert wait_until(lambda: list(statuses(listener).values()) == ["dead"])

    runner = CliRunner()
    listed = runner.invoke(
        inbox_cli, ["list", "--inbox", location_of(listener), "--dead", "--json"]
    )
    assert listed.exit_code == 0, listed.output
    doc = json.loads(listed.output)
    (dead,) = doc["events"]
    assert doc["counts"]["dead"] == 1
    assert (dead["name"], dead["attempts"]) == ("call.completed", 3)
    assert dead["last_error"] == "ValueError: bug in handler"
    text = runner.invoke(inbox_cli, ["list", "--inbox", location_of(listener)])
    assert "call.completed" in text.output and "dead" in text.output

    fixed.set()
    replayed = runner.invoke(inbox_cli, ["replay", "--inbox", location_of(listener)])
    assert replayed.exit_code == 0 and "1 event(s)" in replayed.output
    (event,) = rec.wait(1, "ok")  # the running listener picked the replay up
    assert event.call_duration == 5
    assert wait_until(lambda: list(statuses(listener).values()) == ["done"])
    missing = runner.invoke(inbox_cli, ["replay", "--inbox", location_of(listener), "999"])
    assert missing.exit_code != 0 and "no event with id 999" in missing.output


def test_replay_by_id_runs_a_done_event_again(make_listener, start, http):
    listener = make_listener()
    rec = Recorder()
    listener.on_sms_sent(lambda e: rec.add("sent", e))
    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 2), "sent"))
    rec.wait(1)
    (row_id,) = statuses(listener)
    assert wait_until(lambda: statuses(listener) == {row_id: "done"})
    assert listener.replay([row_id]) == 1
    rec.wait(2)


def test_duplicates_are_dispatched_once(make_listener, start, http):
    listener = make_listener()
    rec = Recorder()
    listener.on("sms.*")(lambda e: rec.add(e.name, e))
    url = start(listener.app).url + "/"
    first = sms_status(sid("SM", 3), "delivered")
    for _ in range(2):  # Twilio retrying the same delivery: same token
        assert post_signed(http, url, first, idempotency_token="tok-1").status_code == 200
    # Same message SID and status under another token: still the same event.
    assert post_signed(http, url, first, idempotency_token="tok-2").status_code == 200
    # Concurrent copies of one new delivery.
    burst = sms_status(sid("SM", 4), "delivered")
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: post_signed(http, url, burst).status_code, range(8)))
    assert codes == [200] * 8
    # A different status of the same message is a new event.
    post_signed(http, url, sms_status(sid("SM", 3), "read"))
    rec.wait(3)
    time.sleep(0.3)  # give a wrongly dispatched duplicate the chance to show up
    assert sorted(e.message_sid + ":" + e.status for e in rec.events()) == [
        sid("SM", 3) + ":delivered",
        sid("SM", 3) + ":read",
        sid("SM", 4) + ":delivered",
    ]
    assert len(statuses(listener)) == 3


def test_duplicate_inbound_message_gets_the_stored_reply(make_listener, start, http):
    listener = make_listener()
    calls = []

    @listener.on_sms_received
    def reply(event):
        calls.append(event)
        return f"<Response><Message>#{len(calls)}</Message></Response>"

    url = start(listener.app).url + "/"
    params = inbound_sms(sid("SM", 5), "hello")
    first = post_signed(http, url, params, idempotency_token="in-1")
    again = post_signed(http, url, params, idempotency_token="in-1")
    assert first.text == again.text == "<Response><Message>#1</Message></Response>"
    assert len(calls) == 1


def test_duplicates_are_recognised_after_a_restart(make_listener, start, http, new_inbox):
    inbox = new_inbox()
    rec = Recorder()
    first = make_listener(inbox=inbox)
    first.on_sms_sent(lambda e: rec.add("a", e))
    server = start(first.app)
    post_signed(http, server.url + "/", sms_status(sid("SM", 6), "sent"))
    rec.wait(1)
    server.stop()
    second = make_listener(inbox=inbox)
    second.on_sms_sent(lambda e: rec.add("b", e))
    url = start(second.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 6), "sent"))
    post_signed(http, url, sms_status(sid("SM", 7), "sent"))
    rec.wait(1, "b")
    time.sleep(0.2)
    assert [e.message_sid for e in rec.events("b")] == [sid("SM", 7)]


def test_events_for_one_sid_run_in_order(make_listener, start, http):
    listener = make_listener()
    log: list[str] = []
    lock = threading.Lock()
    sent_running = threading.Event()

    @listener.on("sms.*")
    async def handle(event):
        with lock:
            log.append(f"start {event.message_sid[-1]} {event.status}")
        if event.status == "sent":
            sent_running.set()
            await asyncio.sleep(0.3)
        with lock:
            log.append(f"end {event.message_sid[-1]} {event.status}")

    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 1), "sent"))
    assert sent_running.wait(10)
    post_signed(http, url, sms_status(sid("SM", 1), "delivered"))
    post_signed(http, url, sms_status(sid("SM", 2), "delivered"))  # another SID: not held back
    assert wait_until(lambda: len(log) == 6)
    assert log.index("end 1 sent") < log.index("start 1 delivered")
    assert log.index("start 2 delivered") < log.index("end 1 sent")


def test_queued_events_of_one_sid_run_in_lifecycle_order(make_listener, start, http):
    listener = make_listener()
    order: list[str] = []
    gate = threading.Event()

    @listener.on("call.*")
    def handle(event):
        if event.name == "call.initiated":
            gate.wait(10)
        order.append(event.name)

    url = start(listener.app).url + "/"
    call = sid("CA", 9)
    post_signed(http, url, call_status(call, "initiated", 0))
    assert wait_until(lambda: statuses(listener))
    # These arrive out of order while the first one still runs.
    post_signed(http, url, call_status(call, "completed", 3))
    post_signed(http, url, call_status(call, "in-progress", 2))
    post_signed(http, url, call_status(call, "ringing", 1))
    gate.set()
    assert wait_until(lambda: len(order) == 4)
    assert order == ["call.initiated", "call.ringing", "call.answered", "call.completed"]


def test_shutdown_drains_running_handlers_and_restart_resumes_the_rest(
    make_listener, start, http, new_inbox
):
    inbox = new_inbox()
    started = threading.Event()
    finished: list[str] = []

    first = make_listener(inbox=inbox, max_concurrency=1)

    @first.on_sms_delivered
    async def slow(event):
        started.set()
        await asyncio.sleep(0.4)
        finished.append(event.message_sid)

    server = start(first.app)
    url = server.url + "/"
    for n in range(4):
        post_signed(http, url, sms_status(sid("SM", n), "delivered"))
    assert started.wait(10)
    server.stop()  # graceful: the running handler completes, queued ones stay pending
    assert finished, "the in-flight handler was not drained"
    done_before = set(finished)
    states = statuses(first)
    assert sum(1 for s in states.values() if s == "done") == len(done_before)
    assert "pending" in states.values()

    resumed = Recorder()
    second = make_listener(inbox=inbox)
    second.on_sms_delivered(lambda e: resumed.add("r", e))
    start(second.app)
    remaining = 4 - len(done_before)
    got = resumed.wait(remaining)
    assert {e.message_sid for e in got} == {sid("SM", n) for n in range(4)} - done_before


def test_sync_handlers_run_in_threads_async_on_the_loop(make_listener, start, http):
    listener = make_listener()
    seen: dict[str, str] = {}

    @listener.on_sms_sent
    def sync_handler(event):
        seen["sync"] = threading.current_thread().name

    @listener.on_sms_sent
    async def async_handler(event):
        seen["async"] = threading.current_thread().name

    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 8), "sent"))
    assert wait_until(lambda: len(seen) == 2)
    assert seen["sync"].startswith("twilio-handler")
    assert not seen["async"].startswith("twilio-handler")


def test_inline_handler_failure_answers_empty_twiml_and_retries(make_listener, start, http):
    listener = make_listener()
    attempts: list[int] = []

    @listener.on_incoming_call
    def answer(event):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database down")
        return "<Response><Say>late</Say></Response>"

    url = start(listener.app).url + "/"
    from listener_testkit import voice_base

    response = post_signed(http, url, voice_base(sid("CA", 2), "ringing"))
    assert response.status_code == 200
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    assert wait_until(lambda: list(statuses(listener).values()) == ["done"])
    assert len(attempts) == 2


def test_slow_inline_handler_gets_an_empty_reply_within_the_budget(make_listener, start, http):
    listener = make_listener(reply_timeout=0.2)
    release = threading.Event()

    @listener.on_sms_received
    def slow(event):
        release.wait(10)
        return "<Response><Message>too late</Message></Response>"

    url = start(listener.app).url + "/"
    response = post_signed(http, url, inbound_sms(sid("SM", 9), "hi"))
    release.set()
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    assert wait_until(lambda: list(statuses(listener).values()) == ["done"])


def test_bad_return_value_from_an_inline_handler_is_a_failure(make_listener, start, http):
    listener = make_listener(retry=RedeliveryPolicy(max_attempts=1))

    @listener.on_sms_received
    def wrong(event):
        return {"not": "twiml"}

    url = start(listener.app).url + "/"
    response = post_signed(http, url, inbound_sms(sid("SM", 10), "hi"))
    assert response.status_code == 200
    assert wait_until(lambda: list(statuses(listener).values()) == ["dead"])
    with listener.open_inbox() as inbox:
        (row,) = inbox.records()
    assert "TypeError" in (row.last_error or "")


def test_backlog_beyond_memory_spills_to_the_inbox_and_is_reloaded(make_listener, start, http):
    listener = make_listener(max_backlog=3, max_concurrency=1)
    handled: list[str] = []

    @listener.on_sms_delivered
    async def slow(event):
        await asyncio.sleep(0.01)
        handled.append(event.message_sid)

    url = start(listener.app).url + "/"
    sids = [sid("SM", n) for n in range(25)]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda s: post_signed(http, url, sms_status(s, "delivered")), sids))
    assert {c.status_code for c in codes} == {200}
    assert wait_until(lambda: len(handled) >= 25, 30)
    assert sorted(handled) == sorted(sids)  # each exactly once
    with listener.open_inbox() as inbox:
        assert wait_until(lambda: inbox.counts()["done"] == 25)
        if hasattr(inbox, "settled_below"):  # SQLite's restart watermark
            assert wait_until(lambda: inbox.settled_below() == 26)


def test_a_late_earlier_status_waits_for_the_running_event_of_its_sid(make_listener, start, http):
    listener = make_listener()
    log: list[str] = []
    gate = threading.Event()

    @listener.on("sms.*")
    def handle(event):
        log.append(f"start {event.status}")
        if event.status == "delivered":
            gate.wait(10)
        log.append(f"end {event.status}")

    url = start(listener.app).url + "/"
    message = sid("SM", 11)
    post_signed(http, url, sms_status(message, "delivered"))
    assert wait_until(lambda: log == ["start delivered"])
    post_signed(http, url, sms_status(message, "sent"))  # lower rank, but its SID is busy
    time.sleep(0.3)
    assert log == ["start delivered"]
    gate.set()
    assert wait_until(lambda: len(log) == 4)
    assert log == ["start delivered", "end delivered", "start sent", "end sent"]
