"""Each error class, produced by real HTTP exchanges (and real transport failures)."""

from __future__ import annotations

import pickle
import socket
from typing import Any

import pytest
from client_testkit import (
    ACCOUNT_SID,
    MESSAGE_SID,
    ROOT,
    FakeTwilio,
    Reply,
    maybe,
    message,
    twilio_error,
)

from twilio_connector import (
    AuthenticationError,
    ConnectError,
    InvalidRequestError,
    NotFoundError,
    OutcomeUnknownError,
    RateLimitError,
    ResponseDecodeError,
    RetryEvent,
    RetryPolicy,
    ServerError,
    TimeoutError,
    TransportError,
    TwilioApiError,
    TwilioError,
)

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"


def send(client: Any) -> Any:
    return client.send_sms(from_="+15005550006", to="+15005550001", body="hi")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (21211, "The 'To' number +15005550001 is not a valid phone number."),
        (21602, "Message body is required."),
        (21610, "Attempt to send to unsubscribed recipient"),
    ],
)
async def test_400_invalid_request(server: FakeTwilio, client: Any, code: int, text: str) -> None:
    server.on("POST", MESSAGES, twilio_error(400, code, text))
    with pytest.raises(InvalidRequestError) as info:
        await maybe(send(client))
    err = info.value
    assert (err.status, err.code, err.message) == (400, code, text)
    assert err.more_info == f"https://www.twilio.com/docs/errors/{code}"
    assert err.method == "POST"
    assert err.url == server.url + MESSAGES
    assert f"code {code}" in str(err) and text in str(err)
    assert isinstance(err, TwilioApiError) and isinstance(err, TwilioError)
    assert len(server.requests) == 1  # a 400 is final


async def test_401_authentication(server: FakeTwilio, client: Any) -> None:
    body = {
        "code": 20003,
        "detail": "Your AccountSid or AuthToken was incorrect.",
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    server.on("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json", Reply(401, json=body))
    with pytest.raises(AuthenticationError) as info:
        await maybe(client.get_account_details())
    assert (info.value.status, info.value.code, info.value.message) == (401, 20003, "Authenticate")
    assert len(server.requests) == 1


async def test_404_not_found(server: FakeTwilio, client: Any) -> None:
    # unrouted paths get Twilio's 404 body from the fake server
    with pytest.raises(NotFoundError) as info:
        await maybe(client.messages.fetch(MESSAGE_SID))
    err = info.value
    assert (err.status, err.code) == (404, 20404)
    assert ONE in err.message
    assert err.method == "GET"
    assert len(server.requests) == 1


async def test_other_4xx_is_a_plain_api_error(server: FakeTwilio, client: Any) -> None:
    server.on("GET", f"{ROOT}/Balance.json", twilio_error(403, 20008, "Test credentials"))
    with pytest.raises(TwilioApiError) as info:
        await maybe(client.balance())
    assert type(info.value) is TwilioApiError
    assert (info.value.status, info.value.code) == (403, 20008)


async def test_429_raises_rate_limit_after_retries(server: FakeTwilio, make_client: Any) -> None:
    server.on("POST", MESSAGES, twilio_error(429, 20429, "Too Many Requests"))
    events: list[RetryEvent] = []
    client = make_client(
        retry=RetryPolicy(max_retries=2, jitter=lambda cap: 0.0), on_retry=events.append
    )
    with pytest.raises(RateLimitError) as info:
        await maybe(send(client))
    assert (info.value.status, info.value.code) == (429, 20429)
    assert len(server.requests) == 3
    assert [e.attempt for e in events] == [1, 2]


async def test_5xx_server_error_for_get_after_retries(server: FakeTwilio, make_client: Any) -> None:
    server.on("GET", ONE, twilio_error(500, 20500, "Internal Server Error"))
    client = make_client(retry=RetryPolicy(max_retries=2, jitter=lambda cap: 0.0))
    with pytest.raises(ServerError) as info:
        await maybe(client.get_message(MESSAGE_SID))
    assert (info.value.status, info.value.code) == (500, 20500)
    assert len(server.requests) == 3


async def test_5xx_post_is_not_retried(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, twilio_error(500, 20500, "Internal Server Error"))
    with pytest.raises(ServerError):
        await maybe(send(client))
    assert len(server.requests) == 1


async def test_non_json_error_body(server: FakeTwilio, client: Any) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    server.on("POST", MESSAGES, Reply(502, body=html))
    with pytest.raises(ServerError) as info:
        await maybe(send(client))
    err = info.value
    assert err.status == 502
    assert err.code == 502  # no Twilio code: the HTTP status stands in
    assert "502 Bad Gateway" in err.message
    assert len(server.requests) == 1


async def test_empty_error_body(server: FakeTwilio, client: Any) -> None:
    server.on("DELETE", ONE, Reply(405))
    with pytest.raises(TwilioApiError) as info:
        await maybe(client.messages.delete(MESSAGE_SID))
    assert (info.value.status, info.value.code, info.value.message) == (405, 405, "HTTP 405")


async def test_connect_error_to_closed_port(make_client: Any) -> None:
    events: list[RetryEvent] = []
    client = make_client(base_url=f"http://127.0.0.1:{closed_port()}", on_retry=events.append)
    with pytest.raises(ConnectError) as info:
        await maybe(send(client))
    assert isinstance(info.value, TransportError)
    assert not isinstance(info.value, OutcomeUnknownError)
    # the request never left, so even a POST is retried
    assert len(events) == 3
    assert all(e.reason.startswith("connect error") for e in events)
    assert info.value.method == "POST"


async def test_post_dropped_after_sending_is_outcome_unknown(
    server: FakeTwilio, make_client: Any
) -> None:
    server.on("POST", MESSAGES, Reply(drop=True), Reply(201, json=message()))
    events: list[RetryEvent] = []
    client = make_client(on_retry=events.append)
    with pytest.raises(OutcomeUnknownError) as info:
        await maybe(send(client))
    assert len(server.requests) == 1  # never resent: a resent SMS is a duplicate SMS
    assert events == []
    assert "not retried" in str(info.value)
    assert info.value.method == "POST"


async def test_post_read_timeout_is_outcome_unknown(server: FakeTwilio, make_client: Any) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message(), delay=3.0))
    client = make_client(timeout=0.3)
    with pytest.raises(OutcomeUnknownError):
        await maybe(send(client))
    assert len(server.requests) == 1


async def test_get_read_timeout_is_retried_then_timeout_error(
    server: FakeTwilio, make_client: Any
) -> None:
    server.on("GET", ONE, Reply(200, json=message(), delay=3.0))
    client = make_client(timeout=0.3, retry=RetryPolicy(max_retries=1, jitter=lambda cap: 0.0))
    with pytest.raises(TimeoutError):
        await maybe(client.get_message(MESSAGE_SID))
    assert len(server.requests) == 2


async def test_get_dropped_connection_is_retried(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, Reply(drop=True), Reply(200, json=message()))
    msg = await maybe(client.get_message(MESSAGE_SID))
    assert msg.sid == MESSAGE_SID
    assert len(server.requests) == 2


async def test_post_on_idle_connection_closed_by_server_is_sent_once(
    start_server: Any, make_client: Any
) -> None:
    """A keep-alive connection the server closed while idle must not turn the next POST
    into an "outcome unknown" failure: the client reconnects and sends it once."""
    import asyncio

    fake = start_server(keepalive_timeout=0.05)
    fake.on("POST", MESSAGES, Reply(201, json=message()))
    client = make_client(base_url=fake.url)
    await maybe(send(client))
    for _ in range(500):  # wait for the server to close the idle connection
        if fake.open_connections() == 0:
            break
        await asyncio.sleep(0.01)
    assert fake.open_connections() == 0
    await maybe(send(client))
    assert len(fake.requests) == 2


@pytest.mark.parametrize(
    ("reply", "match"),
    [
        (Reply(200, body="this is not json"), "cannot decode Message"),
        (Reply(200, json={"status": "queued"}), "cannot decode Message"),  # no sid
        (Reply(200, json=message(date_created="yesterday-ish")), "cannot decode Message"),
    ],
)
async def test_bad_2xx_body_is_response_decode_error(
    server: FakeTwilio, client: Any, reply: Reply, match: str
) -> None:
    server.on("GET", ONE, reply)
    with pytest.raises(ResponseDecodeError, match=match) as info:
        await maybe(client.get_message(MESSAGE_SID))
    assert ONE in str(info.value)


async def test_bad_page_is_response_decode_error(server: FakeTwilio, client: Any) -> None:
    server.on("GET", MESSAGES, Reply(200, json={"messages": "nope"}))
    with pytest.raises(ResponseDecodeError, match="page of Message"):
        await maybe(client.messages.list())


async def test_request_non_json_2xx(server: FakeTwilio, client: Any) -> None:
    server.on("GET", f"{ROOT}/Thing.json", Reply(200, body="<xml/>"))
    with pytest.raises(ResponseDecodeError, match="not JSON"):
        await maybe(client.request("GET", "Thing.json"))


async def test_api_errors_pickle(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, twilio_error(400, 21211, "bad To"))
    with pytest.raises(InvalidRequestError) as info:
        await maybe(send(client))
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is InvalidRequestError
    assert (copy.status, copy.code, copy.message, str(copy)) == (
        400,
        21211,
        "bad To",
        str(info.value),
    )
