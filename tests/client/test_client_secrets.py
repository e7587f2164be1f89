"""Secrets (auth token, API secret, the Basic credentials) never show up in errors,
reprs or log output, whichever way a request fails, for both kinds of auth."""

from __future__ import annotations

import base64
import logging
import socket
import traceback
from typing import Any

import pytest
from client_testkit import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    AUTH_TOKEN,
    MESSAGE_SID,
    ROOT,
    FakeTwilio,
    Reply,
    make_config,
    maybe,
    message,
    no_jitter,
)

from twilio_connector import (
    Account,
    AsyncTwilioClient,
    NewApiKey,
    RetryPolicy,
    TwilioClient,
    TwilioConfig,
    TwilioError,
)
from twilio_connector.models import decode

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"


def forbidden(auth: str) -> list[str]:
    """Strings that must never be shown for this auth kind."""
    user, secret = (ACCOUNT_SID, AUTH_TOKEN) if auth == "token" else (API_KEY, API_SECRET)
    encoded = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return [secret, encoded]


def assert_clean(text: str, auth: str) -> None:
    for secret in forbidden(auth):
        assert secret not in text, f"secret leaked in: {text[:300]}"


def echoing_error(status: int, auth: str) -> Reply:
    """A (misbehaving) server that echoes the credentials back in every error field."""
    secrets = " ".join(forbidden(auth))
    return Reply(
        status,
        json={
            "code": 20003 if status == 401 else 21211,
            "message": f"bad credentials {secrets}",
            "more_info": f"https://www.twilio.com/docs/errors/20003?echo={secrets}",
            "status": status,
        },
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("auth", ["token", "api_key"])
async def test_no_secret_in_errors_or_logs(
    server: FakeTwilio, make_client: Any, auth: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("GET", f"/2010-04-01/Accounts/{ACCOUNT_SID}.json", echoing_error(401, auth))
    server.on("POST", MESSAGES, echoing_error(400, auth))
    server.on("GET", ONE, Reply(429, json={"code": 20429, "message": "slow"}), Reply(200, body="x"))
    server.on("DELETE", ONE, Reply(drop=True))
    server.on("POST", f"{ROOT}/Calls.json", Reply(drop=True))
    server.on("GET", f"{ROOT}/Balance.json", Reply(200, json=message(), delay=3))

    client = make_client(auth=auth, timeout=0.3, retry=RetryPolicy(max_retries=1, jitter=no_jitter))
    offline = make_client(auth=auth, base_url=f"http://127.0.0.1:{closed_port()}")
    failures: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):  # every logger, including httpx/httpcore/aiohttp
        for attempt in (
            lambda: client.get_account_details(),
            lambda: client.send_sms("+1500", "+1415", "hi"),
            lambda: client.get_message(MESSAGE_SID),  # 429 retried, then a bad body
            lambda: client.messages.delete(MESSAGE_SID),  # dropped (retried), then gives up
            lambda: client.calls.create(to="+1", from_="+2", url="https://e.x/t"),  # dropped
            lambda: client.balance(),  # read timeout
            lambda: offline.send_sms("+1500", "+1415", "hi"),  # connect refused
        ):
            with pytest.raises(TwilioError) as info:
                await maybe(attempt())
            failures.append(info.value)

    kinds = [type(e).__name__ for e in failures]
    assert kinds == [
        "AuthenticationError",
        "InvalidRequestError",
        "ResponseDecodeError",
        "TransportError",
        "OutcomeUnknownError",
        "TimeoutError",
        "ConnectError",
    ]
    for err in failures:
        assert_clean(str(err), auth)
        assert_clean(repr(err), auth)
        assert_clean("".join(traceback.format_exception(err)), auth)
        assert_clean(repr(getattr(err, "__dict__", {})), auth)
    assert "***" in str(failures[0])  # the echoed secret was redacted, not just absent
    assert caplog.records, "expected retry logs"
    assert any(r.name == "twilio_connector" for r in caplog.records)
    assert_clean(caplog.text, auth)
    for record in caplog.records:
        assert_clean(record.getMessage(), auth)


@pytest.mark.parametrize("auth", ["token", "api_key"])
def test_no_secret_in_config_and_client_reprs(server: FakeTwilio, auth: str) -> None:
    config = make_config(server.url, auth=auth)
    with TwilioClient(config) as sync_client:
        texts = [str(config), repr(config), str(sync_client), repr(sync_client)]
        texts.append(repr(vars(sync_client)))  # attribute dumps too
    async_client = AsyncTwilioClient(config)
    texts += [str(async_client), repr(async_client)]
    for text in texts:
        assert_clean(text, auth)
    assert ACCOUNT_SID in repr(config)


def test_no_secret_in_new_api_key_repr() -> None:
    key = decode(NewApiKey, b'{"sid": "SK1", "friendly_name": "ci", "secret": "top-secret-value"}')
    assert key.secret == "top-secret-value"
    assert "top-secret-value" not in repr(key)
    assert "top-secret-value" not in str(key)


def test_no_secret_in_account_repr() -> None:
    acct = decode(Account, b'{"sid": "AC1", "auth_token": "subaccount-token-value"}')
    assert acct.auth_token == "subaccount-token-value"
    assert "subaccount-token-value" not in repr(acct)


def test_no_secret_in_configuration_errors() -> None:
    from twilio_connector import ConfigurationError

    with pytest.raises(ConfigurationError) as info:
        TwilioConfig(account_sid=AUTH_TOKEN, auth_token=AUTH_TOKEN)  # token pasted as SID
    assert "account_sid" in str(info.value)
    assert AUTH_TOKEN not in str(info.value)  # a token pasted as the SID is not echoed
    # nor the configured secret itself when the SID is fine and something else is wrong:
    with pytest.raises(ConfigurationError) as info:
        TwilioConfig(account_sid=ACCOUNT_SID, api_key="SKnot-a-key", api_secret=API_SECRET)
    assert API_SECRET not in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        TwilioConfig(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, base_url="ftp://x")
    assert AUTH_TOKEN not in str(info.value)
