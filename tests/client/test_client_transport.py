"""Transport behaviour: headers, keep-alive pooling, user-supplied httpx/aiohttp clients."""

from __future__ import annotations

import base64
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

from twilio_connector import AsyncTwilioClient, TimeoutError, TwilioClient

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"
AUTH = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()


def program(server: FakeTwilio) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message()))
    server.on("GET", ONE, message())


async def exercise(client: Any) -> None:
    await maybe(client.send_sms("+15005550006", "+14155550100", "hi"))
    await maybe(client.get_message(MESSAGE_SID))


def check_headers(server: FakeTwilio, user_agent_prefix: str = "twilio-connector/") -> None:
    post, get = server.requests[-2:]
    for request in (post, get):
        assert request.headers["authorization"] == AUTH
        assert request.headers["accept"] == "application/json"
        assert request.headers["user-agent"].startswith(user_agent_prefix)
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "content-type" not in get.headers


async def test_headers_and_keep_alive(server: FakeTwilio, client: Any) -> None:
    program(server)
    for _ in range(3):
        await exercise(client)
    check_headers(server)
    # one pooled keep-alive connection served all six sequential requests
    assert len(server.requests) == 6
    assert len({r.peer for r in server.requests}) == 1


async def test_custom_user_agent(server: FakeTwilio, make_client: Any) -> None:
    program(server)
    await exercise(make_client(user_agent="my-app/2.0"))
    check_headers(server, user_agent_prefix="my-app/2.0")


def test_user_supplied_httpx_client(server: FakeTwilio) -> None:
    program(server)
    with httpx.Client(headers={"X-Trace": "abc"}) as http:
        client = TwilioClient(make_config(server.url), http_client=http)
        client.send_sms("+15005550006", "+14155550100", "hi")
        client.get_message(MESSAGE_SID)
        client.close()
        assert not http.is_closed  # the caller's client is the caller's to close
        http.get(server.url + ONE)  # still usable
    post, get = server.requests[:2]
    for request in (post, get):
        assert request.headers["authorization"] == AUTH
        assert request.headers["x-trace"] == "abc"  # the caller's defaults are kept
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "content-type" not in get.headers


async def test_user_supplied_aiohttp_session(server: FakeTwilio) -> None:
    program(server)
    async with aiohttp.ClientSession(headers={"X-Trace": "abc"}) as session:
        client = AsyncTwilioClient(make_config(server.url), session=session)
        await client.send_sms("+15005550006", "+14155550100", "hi")
        await client.get_message(MESSAGE_SID)
        await client.aclose()
        assert not session.closed
    post, get = server.requests
    for request in (post, get):
        assert request.headers["authorization"] == AUTH
        assert request.headers["x-trace"] == "abc"
        assert request.headers["user-agent"].startswith("twilio-connector/")
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "content-type" not in get.headers


async def test_async_client_reopens_after_close(server: FakeTwilio) -> None:
    program(server)
    client = AsyncTwilioClient(make_config(server.url))
    async with client:
        await exercise(client)
    async with client:  # a closed client opens a fresh session on next use
        await exercise(client)
    check_headers(server)
    assert len(server.requests) == 4


def test_sync_client_context_manager_closes_its_pool(server: FakeTwilio) -> None:
    program(server)
    with TwilioClient(make_config(server.url)) as client:
        client.get_message(MESSAGE_SID)
        http = client._http
    assert http.is_closed


def test_the_config_timeout_holds_on_a_users_httpx_client(server: FakeTwilio) -> None:
    server.on("GET", ONE, Reply(200, json=message(), delay=5.0))
    config = make_config(server.url, timeout=0.3, max_retries=0)
    own = httpx.Client(timeout=None)
    with own, TwilioClient(config, http_client=own) as client, pytest.raises(TimeoutError):
        client.get_message(MESSAGE_SID)


async def test_the_config_timeout_holds_on_a_users_aiohttp_session(server: FakeTwilio) -> None:
    server.on("GET", ONE, Reply(200, json=message(), delay=5.0))
    config = make_config(server.url, timeout=0.3, max_retries=0)
    async with aiohttp.ClientSession() as own, AsyncTwilioClient(config, session=own) as client:
        with pytest.raises(TimeoutError):
            await client.get_message(MESSAGE_SID)
