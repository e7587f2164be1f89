"""Neither client follows a redirect: a 3xx is an UnexpectedRedirectError naming the
location, the request (an SMS POST body, the credentials) never reaches the other origin,
and nothing is returned as if it were the created resource; also with a user's httpx client
or aiohttp session that would follow redirects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from client_testkit import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    MESSAGE_SID,
    ROOT,
    FakeTwilio,
    Reply,
    make_config,
    maybe,
    message,
)

from twilio_connector import (
    AsyncTwilioClient,
    TwilioClient,
    TwilioHttpError,
    UnexpectedRedirectError,
)

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"
STATUSES = [301, 302, 303, 307, 308]


@pytest.fixture
def other() -> Iterator[FakeTwilio]:
    """Another origin, ready to answer as if it were Twilio (it must never be asked)."""
    fake = FakeTwilio().start()
    fake.on("POST", MESSAGES, Reply(201, json=message()))
    fake.on("GET", MESSAGES, message())
    fake.on("GET", ONE, message())
    try:
        yield fake
    finally:
        fake.stop()


def redirect(status: int, location: str) -> Reply:
    return Reply(
        status, body="", headers={"Location": location, "Twilio-Request-Id": "RQ" + "1" * 32}
    )


def check(err: UnexpectedRedirectError, status: int, location: str, method: str) -> None:
    assert isinstance(err, TwilioHttpError)
    assert err.status == status
    assert err.location == location
    assert err.method == method
    assert err.request_id == "RQ" + "1" * 32
    assert err.headers["location"] == location
    text = str(err)
    assert str(status) in text and location in text and "RQ" + "1" * 32 in text


@pytest.mark.parametrize("status", STATUSES)
async def test_post_redirect_is_an_error_and_not_followed(
    server: FakeTwilio, other: FakeTwilio, client: Any, status: int
) -> None:
    location = other.url + MESSAGES
    server.on("POST", MESSAGES, redirect(status, location))
    with pytest.raises(UnexpectedRedirectError) as info:
        await maybe(client.send_sms("+15005550006", "+14155550100", "secret plans"))
    check(info.value, status, location, "POST")
    assert len(server.requests) == 1  # not re-sent to us either
    assert other.requests == []  # neither the body nor the credentials went elsewhere


@pytest.mark.parametrize("status", STATUSES)
async def test_get_redirect_is_an_error(
    server: FakeTwilio, other: FakeTwilio, client: Any, status: int
) -> None:
    server.on("GET", ONE, redirect(status, other.url + ONE))
    with pytest.raises(UnexpectedRedirectError) as info:
        await maybe(client.get_message(MESSAGE_SID))
    check(info.value, status, other.url + ONE, "GET")
    assert other.requests == []


async def test_redirect_in_pagination_is_an_error(
    server: FakeTwilio, other: FakeTwilio, client: Any
) -> None:
    server.on("GET", MESSAGES, redirect(302, other.url + MESSAGES))
    with pytest.raises(UnexpectedRedirectError):
        await maybe(client.messages.list())
    assert other.requests == []


async def test_location_credentials_are_redacted(server: FakeTwilio, client: Any) -> None:
    location = f"https://{ACCOUNT_SID}:{AUTH_TOKEN}@evil.example/x?user=bob:pw@x"
    server.on("POST", MESSAGES, redirect(307, location))
    with pytest.raises(UnexpectedRedirectError) as info:
        await maybe(client.send_sms("+15005550006", "+14155550100", "hi"))
    err = info.value
    for text in (str(err), repr(err), repr(err.args), err.location or "", repr(dict(err.headers))):
        assert AUTH_TOKEN not in text
    assert err.location == f"https://{ACCOUNT_SID}:***@evil.example/x?user=bob:pw@x"


@pytest.mark.parametrize("status", [302, 307])
def test_user_httpx_client_that_follows_is_not_followed(
    server: FakeTwilio, other: FakeTwilio, status: int
) -> None:
    server.on("POST", MESSAGES, redirect(status, other.url + MESSAGES))
    with httpx.Client(follow_redirects=True) as http:
        client = TwilioClient(make_config(server.url), http_client=http)
        with pytest.raises(UnexpectedRedirectError):
            client.send_sms("+15005550006", "+14155550100", "hi")
    assert other.requests == []
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [302, 307])
async def test_user_aiohttp_session_is_not_followed(
    server: FakeTwilio, other: FakeTwilio, status: int
) -> None:
    server.on("POST", MESSAGES, redirect(status, other.url + MESSAGES))
    async with aiohttp.ClientSession() as session:  # aiohttp follows redirects by default
        client = AsyncTwilioClient(make_config(server.url), session=session)
        with pytest.raises(UnexpectedRedirectError):
            await client.send_sms("+15005550006", "+14155550100", "hi")
    assert other.requests == []
    assert len(server.requests) == 1


async def test_redirect_without_location(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, Reply(302, body=""))
    with pytest.raises(UnexpectedRedirectError) as info:
        await maybe(client.get_message(MESSAGE_SID))
    assert info.value.location is None
    assert "without a Location" in str(info.value)
