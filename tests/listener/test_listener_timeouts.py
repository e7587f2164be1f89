"""Hung handlers: every attempt has a timeout, others keep running, shutdown stays bounded."""

from __future__ import annotations

import asyncio
import signal
import threading
import time

import pytest
from listener_testkit import post_signed, sid, sms_status
from replica_harness import Load, Replica, read_handled
from support.wait import wait_until

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener import RedeliveryPolicy
from twilio_connector.listener.inbox import open_store

QUICK = RedeliveryPolicy(max_attempts=2, initial_delay=0.05, max_delay=0.05, jitter=0.0)


def _rows(listener):
    with listener.open_inbox() as inbox:
        return inbox.records()


@pytest.mark.usefixtures("backend")
def test_a_hung_handler_times_out_is_retried_then_dead_lettered(make_listener, start, http):
    listener = make_listener(handler_timeout=0.2, retry=QUICK)
    attempts: list[float] = []

    @listener.on_sms_delivered
    async def hang(event):
        attempts.append(time.monotonic())
        await asyncio.Event().wait()

    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 1), "delivered"))
    assert wait_until(lambda: [r.status for r in _rows(listener)] == ["dead"], 20)
    (row,) = _rows(listener)
    assert row.attempts == 2 and len(attempts) == 2
    assert "HandlerTimeout" in row.last_error and "within 0.2s" in row.last_error


def test_a_handler_timeout_overrides_the_listeners(make_listener, start, http):
    listener = make_listener(handler_timeout=60, retry=QUICK)
    release = threading.Event()

    @listener.on("sms.delivered", timeout=0.2)
    def slow(event):  # sync: its thread is abandoned, and finishes once released
        release.wait(30)

    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 2), "delivered"))
    try:
        assert wait_until(lambda: [r.status for r in _rows(listener)] == ["dead"], 20)
    finally:
        release.set()
    assert "within 0.2s" in _rows(listener)[0].last_error
    with pytest.raises(ConfigurationError):
        listener.on("sms.sent", timeout=0)


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_a_hundred_hung_handlers_do_not_stop_other_sids(make_listener, start, http, kind):
    listener = make_listener(handler_timeout=0.5, retry=QUICK)
    release = threading.Event()
    handled: list[str] = []
    hung = {sid("SM", n) for n in range(100)}

    if kind == "async":

        @listener.on_sms_delivered
        async def handle(event):
            if event.message_sid in hung:
                await asyncio.sleep(3600)
            handled.append(event.message_sid)
    else:

        @listener.on_sms_delivered
        def handle(event):  # more hung calls than the 8 handler threads
            if event.message_sid in hung:
                release.wait(60)
                return
            handled.append(event.message_sid)

    url = start(listener.app).url + "/"
    try:
        for message in sorted(hung):
            assert post_signed(http, url, sms_status(message, "delivered")).status_code == 200
        other = sid("SM", 999)
        post_signed(http, url, sms_status(other, "delivered"))
        assert wait_until(lambda: other in handled, 30)
    finally:
        release.set()


def test_shutdown_with_hung_handlers_is_bounded_quiet_and_keeps_their_events(pg_url, tmp_path):
    # Handlers that never finish (60 s each, far past the drain); drain 0.5 s.
    hung = Replica(
        tmp_path, pg_url, "hung", REPLICA_DELAY="60", REPLICA_DRAIN="0.5", REPLICA_LEASE="30"
    )
    load = Load([hung.base], messages=10, threads=2, duplicate_every=10**9).start()
    load.join()
    assert len(load.acked) == 20
    with open_store(pg_url) as store:
        assert wait_until(lambda: store.counts()["pending"] == 20)
    began = time.monotonic()
    hung.proc.send_signal(signal.SIGTERM)
    hung.proc.wait(30)
    took = time.monotonic() - began
    assert took < 0.5 + 3.0, f"shutdown took {took:.1f}s with a 0.5s drain"
    log = hung.stderr()
    assert "Traceback" not in log and "CancelledError" not in log, log[-2000:]
    assert "still running at shutdown" in log
    with open_store(pg_url) as store:
        assert store.counts()["pending"] == 20  # nothing was marked failed by the shutdown
    quick = Replica(tmp_path, pg_url, "quick")
    try:
        assert wait_until(lambda: _pending(pg_url) == 0, 30)
    finally:
        quick.stop()
    assert {(r.sid, r.status) for r in read_handled(quick.out)} == load.acked


def _pending(url: str) -> int:
    with open_store(url) as store:
        return store.counts()["pending"]


def test_a_hung_sync_handler_is_not_started_again_while_it_still_runs(make_listener, start, http):
    listener = make_listener(handler_timeout=0.2, retry=RedeliveryPolicy(3, 0.05, 0.05, jitter=0.0))
    release = threading.Event()
    calls: list[str] = []

    @listener.on_sms_delivered
    def hang(event):
        calls.append(event.message_sid)
        release.wait(30)

    url = start(listener.app).url + "/"
    post_signed(http, url, sms_status(sid("SM", 5), "delivered"))
    try:
        assert wait_until(lambda: [r.status for r in _rows(listener)] == ["dead"], 20)
        (row,) = _rows(listener)
        assert row.attempts == 3 and len(calls) == 1  # three attempts, one thread
    finally:
        release.set()
