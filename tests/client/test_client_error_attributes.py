"""What an HTTP error carries: the response headers (read-only, without cookies or auth, values
redacted), Twilio's request id, and nothing secret in any attribute, ``str``, ``repr`` or
pickle, whatever the position of an echoed secret in the error body."""

from __future__ import annotations

import base64
import json
import pickle
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
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twilio_connector import (
    InvalidRequestError,
    Message,
    ResponseDecodeError,
    ResponseHeaders,
    ServerError,
    TwilioApiError,
    TwilioError,
    TwilioHttpError,
)
from twilio_connector._base_client import ClientCore, Request, Response

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"
REQUEST_ID = "RQ" + "ab" * 16
BASIC = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
KEY_BASIC = base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()


def shown(err: BaseException) -> str:
    """Everything an error can show: str, repr, args, every attribute, its pickle."""
    parts = [str(err), repr(err), repr(err.args), repr(vars(err))]
    if isinstance(err, TwilioHttpError):
        parts.append(repr(dict(err.headers)))
    parts.append(pickle.dumps(err).decode("latin-1"))
    return "\n".join(parts)


def error_reply(status: int, **body: Any) -> Reply:
    return Reply(
        status,
        json={"code": 21211, "message": "bad", "status": status, **body},
        headers={
            "Twilio-Request-Id": REQUEST_ID,
            "Set-Cookie": "session=cookie-value-123; HttpOnly",
            "X-Echo": f"token={AUTH_TOKEN}",
            "X-Shard": "7",
        },
    )


async def test_api_error_carries_headers_and_request_id(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, error_reply(400))
    with pytest.raises(InvalidRequestError) as info:
        await maybe(client.send_sms("+15005550006", "+14155550100", "hi"))
    err = info.value
    assert err.request_id == REQUEST_ID
    assert isinstance(err.headers, ResponseHeaders)
    assert err.headers["twilio-request-id"] == REQUEST_ID
    assert err.headers["Twilio-Request-Id"] == REQUEST_ID  # any case
    assert err.headers["x-shard"] == "7"
    assert err.headers["x-echo"] == "token=***"
    assert "set-cookie" not in err.headers
    assert "cookie-value-123" not in shown(err)
    assert AUTH_TOKEN not in shown(err)
    with pytest.raises(TypeError):
        err.headers["x-shard"] = "8"  # type: ignore[index]
    assert REQUEST_ID in str(err) and REQUEST_ID in repr(err)


async def test_decode_error_carries_headers_and_request_id(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, Reply(200, body="not json", headers={"Twilio-Request-Id": REQUEST_ID}))
    with pytest.raises(ResponseDecodeError) as info:
        await maybe(client.get_message(MESSAGE_SID))
    err = info.value
    assert isinstance(err, TwilioHttpError)
    assert (err.status, err.request_id, err.method) == (200, REQUEST_ID, "GET")
    assert REQUEST_ID in str(err) and REQUEST_ID in repr(err)


async def test_error_without_request_id(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, Reply(503, body="down"))
    server.on("GET", ONE, Reply(404, json={"code": 20404, "message": "nope"}))
    with pytest.raises(TwilioApiError) as info:
        await maybe(client.get_message(MESSAGE_SID))
    assert info.value.request_id is None
    assert "request" not in str(info.value).split(":")[-1]


async def test_pickled_error_keeps_redacted_values(server: FakeTwilio, client: Any) -> None:
    server.on(
        "POST",
        MESSAGES,
        error_reply(
            400,
            message=f"echo {AUTH_TOKEN} and Basic {BASIC}",
            more_info=f"https://{ACCOUNT_SID}:{AUTH_TOKEN}@twilio.example/21211",
            details={"auth": AUTH_TOKEN, "nested": [{"k": f"x{AUTH_TOKEN}y"}], AUTH_TOKEN: 1},
        ),
    )
    with pytest.raises(InvalidRequestError) as info:
        await maybe(client.send_sms("+15005550006", "+14155550100", "hi"))
    err = info.value
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InvalidRequestError
    for e in (err, copy):
        assert AUTH_TOKEN not in shown(e) and BASIC not in shown(e)
        assert e.message == "echo *** and Basic ***"
        assert e.more_info == f"https://{ACCOUNT_SID}:***@twilio.example/21211"
        assert e.details == {"auth": "***", "nested": [{"k": "x***y"}], "***": 1}
        assert e.request_id == REQUEST_ID
        assert e.headers["x-echo"] == "token=***"
    assert (copy.status, copy.code, copy.url, str(copy), copy.args) == (
        err.status,
        err.code,
        err.url,
        str(err),
        err.args,
    )


async def test_text_body_is_redacted_before_it_is_cut(server: FakeTwilio, client: Any) -> None:
    # the token starts 190 characters in: cutting at 200 first would leave 10 of its characters
    server.on("GET", ONE, Reply(502, body="x" * 190 + AUTH_TOKEN + " tail"))
    server.on("GET", ONE, Reply(400, body="x" * 190 + AUTH_TOKEN + " tail"))
    with pytest.raises(TwilioApiError) as info:
        await maybe(client.get_message(MESSAGE_SID))
    assert AUTH_TOKEN[:6] not in shown(info.value)
    assert info.value.message.startswith("x" * 190 + "**")


# -- the property: a secret anywhere in any part of an error body never shows -----------------

SECRETS = {
    "token": (AUTH_TOKEN, BASIC),
    "api_key": (API_SECRET, KEY_BASIC),
}
# filler that shares no run of characters with the secrets (which are hex / base64 / ASCII)
FILLER = st.text(alphabet=" .,;!?-()[]{}<>\n\t~", max_size=400)
CORE = {
    auth: ClientCore(make_config("https://api.example", auth=auth)) for auth in ("token", "api_key")
}


def leaked(secret: str, text: str, run: int = 8) -> bool:
    """True if any ``run``-character piece of ``secret`` appears in ``text``."""
    return any(secret[i : i + run] in text for i in range(len(secret) - run + 1))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    auth=st.sampled_from(["token", "api_key"]),
    which=st.sampled_from([0, 1]),
    form=st.sampled_from(["text", "message", "more_info", "details", "detail", "header"]),
    before=FILLER,
    after=FILLER,
    status=st.sampled_from([400, 401, 404, 429, 500, 503, 302, 200]),
)
def test_secret_at_any_offset_never_shows(
    auth: str, which: int, form: str, before: str, after: str, status: int
) -> None:
    core = CORE[auth]
    secret = SECRETS[auth][which]
    text = before + secret + after
    headers: dict[str, str] = {"twilio-request-id": REQUEST_ID}
    body: bytes
    if form == "text" or status == 200:  # a 2xx that is not JSON: a decode error
        body = text.encode()
    elif form == "header":
        body = b""
        headers["x-echo"] = text
        headers["location"] = text
    else:
        payload: dict[str, Any] = {"code": 20003, "message": "m"}
        payload[form] = {"a": [text]} if form == "details" else text
        body = json.dumps(payload).encode()
    request = Request("POST", f"https://api.example{MESSAGES}", b"To=%2B1")
    response = Response(status, headers, body)
    with pytest.raises(TwilioError) as info:
        if status == 200:
            core.model(Message, request, response)
        else:
            core.raise_for_status(request, response)
    err = info.value
    assert isinstance(err, TwilioHttpError)
    everything = shown(err) + shown(pickle.loads(pickle.dumps(err)))
    assert not leaked(secret, everything), everything[:500]
    assert err.request_id == REQUEST_ID


def test_server_error_class_from_status() -> None:
    core = CORE["token"]
    with pytest.raises(ServerError):
        core.raise_for_status(Request("GET", "https://x/"), Response(500, {}, b""))


def test_emulator_errors_carry_its_request_id(emu: Any) -> None:
    from twilio_connector import NotFoundError, TwilioClient

    with (
        TwilioClient(
            account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
        ) as client,
        pytest.raises(NotFoundError) as info,
    ):
        client.get_message("SM" + "0" * 32)
    err = info.value
    assert err.request_id is not None and err.request_id.startswith("RQ")
    assert err.headers["twilio-request-id"] == err.request_id
    assert err.request_id in str(err)
    assert emu.auth_token not in shown(err)


def test_redaction_is_linear_and_bounded() -> None:
    # A long run of letters before "://" and "@" once cost O(n^2) in the URL-password regex
    # (minutes for an error body of a few hundred KB): now this returns at once, cut.
    from twilio_connector._redact import Redactor

    redactor = Redactor(["s3cr3t-token"])
    text = "x" * 300_000 + "://user:s3cr3t-token@host " + "y" * 300_000
    out = redactor.bounded(text, 1000)
    assert len(out) == 1000 and "s3cr3t" not in out
    assert (
        redactor.text("see https://AC1:hunter2@api.example/x")
        == "see https://AC1:***@api.example/x"
    )
    # header names are redacted as well as values
    headers = redactor.headers({"X-Echo-s3cr3t-token": "a", "Twilio-Request-Id": "RQ1"})
    assert "s3cr3t" not in repr(headers) and headers["twilio-request-id"] == "RQ1"
