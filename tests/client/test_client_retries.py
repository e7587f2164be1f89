"""Retries over real sockets: Retry-After, which statuses/methods retry, backoff, the hook, logs.

Waits are checked with lower bounds only (the server's arrival timestamps are at
least the announced delay apart); nothing asserts that anything was fast.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any

import pytest
from client_testkit import (
    CALL_SID,
    MESSAGE_SID,
    ROOT,
    FakeTwilio,
    Reply,
    call,
    maybe,
    message,
    twilio_error,
)

from twilio_connector import RateLimitError, RetryEvent, RetryPolicy, ServerError

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"
SLACK = 0.005  # clock granularity between threads; a lower bound, never an upper one


def too_many(**headers: str) -> Reply:
    reply = twilio_error(429, 20429, "Too Many Requests")
    reply.headers = headers
    return reply


def send(client: Any) -> Any:
    return client.send_sms(from_="+15005550006", to="+14155550100", body="hi")


async def test_retry_after_seconds_is_honoured(server: FakeTwilio, make_client: Any) -> None:
    server.on("POST", MESSAGES, too_many(**{"Retry-After": "1"}), Reply(201, json=message()))
    events: list[RetryEvent] = []
    client = make_client(on_retry=events.append)
    msg = await maybe(send(client))
    assert msg.sid == MESSAGE_SID
    (event,) = events
    assert event.delay == 1.0
    assert (event.method, event.attempt) == ("POST", 1)
    assert event.url == server.url + MESSAGES
    assert "429" in event.reason and "Retry-After" in event.reason
    first, second = server.requests
    assert second.time - first.time >= event.delay - SLACK
    assert first.form == second.form  # the same request, resent


async def test_retry_after_http_date_is_honoured(server: FakeTwilio, make_client: Any) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    server.on("GET", ONE, too_many(**{"Retry-After": when}), Reply(200, json=message()))
    events: list[RetryEvent] = []
    client = make_client(on_retry=events.append)
    await maybe(client.get_message(MESSAGE_SID))
    (event,) = events
    assert 0.0 < event.delay <= 2.0
    first, second = server.requests
    assert second.time - first.time >= event.delay - SLACK


async def test_retry_after_is_capped(server: FakeTwilio, make_client: Any) -> None:
    server.on("POST", MESSAGES, too_many(**{"Retry-After": "3600"}), Reply(201, json=message()))
    events: list[RetryEvent] = []
    client = make_client(
        retry=RetryPolicy(max_retry_after=0.05, jitter=lambda cap: 0.0), on_retry=events.append
    )
    await maybe(send(client))
    assert [e.delay for e in events] == [0.05]
    assert server.requests[1].time - server.requests[0].time >= 0.05 - SLACK


async def test_unparseable_retry_after_falls_back_to_backoff(
    server: FakeTwilio, make_client: Any
) -> None:
    server.on("POST", MESSAGES, too_many(**{"Retry-After": "soon"}), Reply(201, json=message()))
    events: list[RetryEvent] = []
    client = make_client(
        retry=RetryPolicy(base_backoff=0.02, jitter=lambda cap: cap), on_retry=events.append
    )
    await maybe(send(client))
    assert [(e.delay, e.reason) for e in events] == [(0.02, "HTTP 429")]


async def test_503_is_retried_for_post(server: FakeTwilio, make_client: Any) -> None:
    server.on(
        "POST",
        MESSAGES,
        twilio_error(503, 20503, "Service Unavailable"),
        twilio_error(503, 20503, "Service Unavailable"),
        Reply(201, json=message()),
    )
    events: list[RetryEvent] = []
    client = make_client(on_retry=events.append)
    msg = await maybe(send(client))
    assert msg.sid == MESSAGE_SID
    assert len(server.requests) == 3
    assert [(e.attempt, e.reason) for e in events] == [(1, "HTTP 503"), (2, "HTTP 503")]


async def test_500_is_retried_for_get(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, twilio_error(500, 20500, "oops"), Reply(200, json=message()))
    assert (await maybe(client.get_message(MESSAGE_SID))).sid == MESSAGE_SID
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_5xx_is_not_retried_for_post(server: FakeTwilio, client: Any, status: int) -> None:
    server.on("POST", MESSAGES, twilio_error(status, 20500, "oops"), Reply(201, json=message()))
    with pytest.raises(ServerError):
        await maybe(send(client))
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [502, 504])
async def test_5xx_is_retried_for_delete(server: FakeTwilio, client: Any, status: int) -> None:
    path = f"{ROOT}/Calls/{CALL_SID}.json"
    server.on("DELETE", path, twilio_error(status, 20500, "oops"), Reply(204))
    assert await maybe(client.calls.delete(CALL_SID)) is None
    assert [r.method for r in server.requests] == ["DELETE", "DELETE"]


async def test_call_update_post_not_retried_on_500(server: FakeTwilio, client: Any) -> None:
    path = f"{ROOT}/Calls/{CALL_SID}.json"
    server.on("POST", path, twilio_error(500, 20500, "oops"), Reply(200, json=call()))
    with pytest.raises(ServerError):
        await maybe(client.calls.hangup(CALL_SID))
    assert len(server.requests) == 1


async def test_pinned_jitter_gives_capped_exponential_backoff(
    server: FakeTwilio, make_client: Any
) -> None:
    server.on("GET", ONE, twilio_error(503, 20503, "busy"))
    caps: list[float] = []

    def full(cap: float) -> float:
        caps.append(cap)
        return cap

    events: list[RetryEvent] = []
    policy = RetryPolicy(max_retries=4, base_backoff=0.01, max_backoff=0.03, jitter=full)
    client = make_client(retry=policy, on_retry=events.append)
    with pytest.raises(ServerError):
        await maybe(client.get_message(MESSAGE_SID))
    assert caps == [0.01, 0.02, 0.03, 0.03]
    assert [e.delay for e in events] == caps
    assert [e.attempt for e in events] == [1, 2, 3, 4]
    assert len(server.requests) == 5
    times = [r.time for r in server.requests]
    for before, after, delay in zip(times, times[1:], caps, strict=False):
        assert after - before >= delay - SLACK


async def test_default_jitter_stays_within_the_cap(server: FakeTwilio, make_client: Any) -> None:
    server.on("GET", ONE, twilio_error(503, 20503, "busy"))
    events: list[RetryEvent] = []
    policy = RetryPolicy(max_retries=3, base_backoff=0.01, max_backoff=0.02)
    client = make_client(retry=policy, on_retry=events.append)
    with pytest.raises(ServerError):
        await maybe(client.get_message(MESSAGE_SID))
    assert len(events) == 3
    for event, cap in zip(events, [0.01, 0.02, 0.02], strict=True):
        assert 0.0 <= event.delay <= cap


async def test_no_retries_when_disabled(server: FakeTwilio, make_client: Any) -> None:
    from twilio_connector import RateLimitError

    server.on("POST", MESSAGES, too_many(), Reply(201, json=message()))
    client = make_client(retry=RetryPolicy(max_retries=0))
    with pytest.raises(RateLimitError):
        await maybe(send(client))
    assert len(server.requests) == 1


async def test_max_retries_config_shorthand(server: FakeTwilio, make_client: Any) -> None:
    server.on("GET", ONE, twilio_error(503, 20503, "busy"))
    # retry=None: the default policy built from max_retries (real jitter, at most 0.5 s)
    client = make_client(retry=None, max_retries=1)
    with pytest.raises(ServerError):
        await maybe(client.get_message(MESSAGE_SID))
    assert len(server.requests) == 2


async def test_retries_are_logged(
    server: FakeTwilio, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("POST", MESSAGES, too_many(), Reply(201, json=message()))
    client = make_client()
    with caplog.at_level(logging.DEBUG, logger="twilio_connector"):
        await maybe(send(client))
    records = [r for r in caplog.records if r.name == "twilio_connector"]
    assert len(records) == 1
    (record,) = records
    assert record.levelno == logging.INFO
    text = record.getMessage()
    assert "retrying POST" in text
    assert MESSAGES in text
    assert "attempt 1" in text
    assert "HTTP 429" in text


async def test_hook_exceptions_propagate(server: FakeTwilio, make_client: Any) -> None:
    """A hook may veto retrying by raising; the error reaches the caller unchanged."""
    server.on("POST", MESSAGES, too_many(), Reply(201, json=message()))

    class Stop(Exception):
        pass

    def veto(event: RetryEvent) -> None:
        raise Stop(event.reason)

    client = make_client(on_retry=veto)
    with pytest.raises(Stop, match="HTTP 429"):
        await maybe(send(client))
    assert len(server.requests) == 1


async def test_custom_retry_statuses(server: FakeTwilio, make_client: Any) -> None:
    server.on("POST", MESSAGES, twilio_error(409, 20409, "conflict"), Reply(201, json=message()))
    events: list[RetryEvent] = []
    policy = RetryPolicy(retry_statuses=frozenset({409}), jitter=lambda cap: 0.0)
    client = make_client(retry=policy, on_retry=events.append)
    assert (await maybe(send(client))).sid == MESSAGE_SID
    assert [e.reason for e in events] == ["HTTP 409"]
    assert len(server.requests) == 2


@pytest.mark.parametrize("code", [60202, 60203])
async def test_verify_limits_are_never_retried(
    server: FakeTwilio, make_client: Any, code: int
) -> None:
    """Verify's 429s (max check / send attempts) clear only with a new verification: no retry,
    the RateLimitError at once; another 429 (20429) is still retried."""
    checks = "/verify/v2/Services/VA1/VerificationCheck"
    server.on("POST", checks, twilio_error(429, code, "Max attempts reached"))
    events: list[RetryEvent] = []
    client = make_client(on_retry=events.append)
    with pytest.raises(RateLimitError) as caught:
        await maybe(client.request("POST", "/v2/Services/VA1/VerificationCheck", domain="verify"))
    assert caught.value.code == code
    assert events == [] and len(server.requests) == 1


async def test_final_error_codes_are_a_policy_setting(server: FakeTwilio, make_client: Any) -> None:
    server.on("POST", MESSAGES, too_many(), Reply(201, json=message()))
    policy = RetryPolicy(final_error_codes=frozenset({20429}), jitter=lambda cap: 0.0)
    client = make_client(retry=policy)
    with pytest.raises(RateLimitError):
        await maybe(send(client))
    assert len(server.requests) == 1
