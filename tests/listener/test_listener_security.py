"""Nothing forged gets in: signatures, proxies, JSON bodySHA256, rotation, bad input (real HTTP)."""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import urlencode

import pytest
from listener_testkit import FORM, TOKEN, Recorder, post_signed, sid, signed_headers, sms_status
from twilio.request_validator import RequestValidator

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener import TwilioListener
from twilio_connector.signature import body_sha256, compute_signature


@pytest.fixture
def guarded(make_listener, start):
    """A served listener recording every event, plus its URL."""
    rec = Recorder()
    listener = make_listener()
    listener.on("*")(lambda e: rec.add(e.name, e))
    return listener, rec, start(listener.app).url + "/sms/status?account=main"


def _stored(listener) -> int:
    with listener.open_inbox() as inbox:
        return len(inbox.records())


def test_request_signed_with_the_official_validator_is_accepted(guarded, http):
    _listener, rec, url = guarded
    params = sms_status(sid("SM", 1), "delivered")
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature, **FORM}
    assert http.post(url, data=params, headers=headers).status_code == 200
    rec.wait(1, "sms.delivered")


@pytest.mark.parametrize("case", ["missing", "garbage", "wrong token", "non-ascii", "other url"])
def test_unsigned_or_forged_requests_are_refused_and_never_dispatched(guarded, http, case):
    listener, rec, url = guarded
    params = sms_status(sid("SM", 2), "delivered")
    headers = dict(FORM)
    if case == "garbage":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif case == "wrong token":
        headers["X-Twilio-Signature"] = compute_signature("someone-else", url, params)
    elif case == "non-ascii":
        headers["X-Twilio-Signature"] = "sïgnature".encode("latin-1")  # type: ignore[assignment]
    elif case == "other url":
        headers["X-Twilio-Signature"] = compute_signature(TOKEN, url + "&x=1", params)
    response = http.post(url, data=params, headers=headers)
    assert response.status_code == 403
    assert _stored(listener) == 0 and rec.items == []


def test_tampered_body_is_refused(guarded, http):
    _listener, rec, url = guarded
    params = sms_status(sid("SM", 3), "failed", ErrorCode="30008")
    headers = signed_headers(url, params)
    tampered = dict(params, MessageStatus="delivered")
    assert http.post(url, data=tampered, headers=headers).status_code == 403
    extra = dict(params, Injected="1")
    assert http.post(url, data=extra, headers=headers).status_code == 403
    assert http.post(url, data=params, headers=headers).status_code == 200
    (event,) = rec.wait(1)
    assert event.status == "failed"


def test_signature_with_or_without_default_port_is_accepted(make_listener, start, http):
    rec = Recorder()
    listener = make_listener(public_url="https://hooks.example.com")
    listener.on("*")(lambda e: rec.add(e.name, e))
    local = start(listener.app).url
    params = sms_status(sid("SM", 4), "sent")
    for n, signed in enumerate(
        ["https://hooks.example.com/cb", "https://hooks.example.com:443/cb"], start=1
    ):
        params["MessageSid"] = sid("SM", 40 + n)
        headers = signed_headers(signed, params)
        assert http.post(local + "/cb", data=params, headers=headers).status_code == 200
    rec.wait(2)
    wrong_port = signed_headers("https://hooks.example.com:8443/cb", params)
    assert http.post(local + "/cb", data=params, headers=wrong_port).status_code == 403


def test_public_url_with_a_path_prefix(make_listener, start, http):
    listener = make_listener(public_url="https://example.com/twilio/")
    local = start(listener.app).url
    params = sms_status(sid("SM", 5), "sent")
    headers = signed_headers("https://example.com/twilio/status?x=1", params)
    assert http.post(local + "/status?x=1", data=params, headers=headers).status_code == 200
    local_headers = signed_headers(local + "/status?x=1", params)
    assert http.post(local + "/status?x=1", data=params, headers=local_headers).status_code == 403


FORWARDED = {
    "X-Forwarded-Proto": "https, http",
    "X-Forwarded-Host": "public.example.org",
}


def test_forwarded_headers_are_ignored_unless_trusted(make_listener, start, http):
    params = sms_status(sid("SM", 6), "delivered")
    public = "https://public.example.org/hook"
    untrusting = start(make_listener().app).url
    headers = {**signed_headers(public, params), **FORWARDED}
    assert http.post(untrusting + "/hook", data=params, headers=headers).status_code == 403

    trusting = start(make_listener(trust_forwarded_headers=True).app).url
    assert http.post(trusting + "/hook", data=params, headers=headers).status_code == 200
    # A trusting listener rejects a request signed for the local URL but forwarded elsewhere.
    local_signed = {**signed_headers(trusting + "/hook", params), **FORWARDED}
    assert http.post(trusting + "/hook", data=params, headers=local_signed).status_code == 403
    # X-Forwarded-Port is honoured when the host has none.
    with_port = {**signed_headers("https://public.example.org:8443/hook", params), **FORWARDED}
    with_port["X-Forwarded-Port"] = "8443"
    assert http.post(trusting + "/hook", data=params, headers=with_port).status_code == 200


def test_json_body_is_checked_against_body_sha256(guarded, http):
    _listener, rec, url = guarded
    base = url.split("?")[0]
    body = json.dumps(
        {"specversion": "1.0", "type": "com.twilio.messaging.message.sent", "id": "EV1", "data": {}}
    ).encode()
    signed_url = f"{base}?bodySHA256={body_sha256(body)}"
    official = RequestValidator(TOKEN).compute_signature(signed_url, {})
    headers = {"X-Twilio-Signature": official, "Content-Type": "application/json"}
    assert http.post(signed_url, content=body, headers=headers).status_code == 200
    rec.wait(1, "stream.messaging.message.sent")
    # Same URL and signature, different body: the hash no longer matches.
    forged = body.replace(b"EV1", b"EV2")
    assert http.post(signed_url, content=forged, headers=headers).status_code == 403
    # No bodySHA256 in the URL at all.
    headers["X-Twilio-Signature"] = compute_signature(TOKEN, base)
    assert http.post(base, content=body, headers=headers).status_code == 403
    assert len(rec.items) == 1


def test_get_webhooks_are_signed_over_the_query_string(guarded, http):
    _listener, rec, url = guarded
    params = sms_status(sid("SM", 7), "delivered")
    full = f"{url}&{urlencode(params)}"
    signature = RequestValidator(TOKEN).compute_signature(full, {})
    assert http.get(full, headers={"X-Twilio-Signature": signature}).status_code == 200
    (event,) = rec.wait(1, "sms.delivered")
    assert event.message_sid == sid("SM", 7) and event.raw["account"] == "main"
    assert http.get(full + "&x=1", headers={"X-Twilio-Signature": signature}).status_code == 403


def test_token_rotation_accepts_every_configured_token(make_listener, start, http):
    rec = Recorder()
    listener = make_listener(auth_token=["new-token-1", "old-token-0"])
    listener.on("*")(lambda e: rec.add(e.name, e))
    url = start(listener.app).url + "/"
    for n, token in enumerate(["new-token-1", "old-token-0"]):
        params = sms_status(sid("SM", 80 + n), "sent")
        assert post_signed(http, url, params, token=token).status_code == 200
    rec.wait(2)
    params = sms_status(sid("SM", 90), "sent")
    assert post_signed(http, url, params, token="retired-token").status_code == 403


def test_no_token_refuses_to_start_unless_validation_is_disabled(make_listener, start, http):
    with pytest.raises(ConfigurationError, match="auth token"):
        TwilioListener(inbox_path=":memory:")
    with pytest.raises(ConfigurationError):
        TwilioListener("", inbox_path=":memory:")
    rec = Recorder()
    open_door = make_listener(auth_token=None, validate_signatures=False)
    open_door.on("*")(lambda e: rec.add(e.name, e))
    url = start(open_door.app).url + "/"
    assert http.post(url, data=sms_status(sid("SM", 9), "sent"), headers=FORM).status_code == 200
    rec.wait(1)


def test_bad_requests_get_4xx_never_5xx(make_listener, start, http):
    listener = make_listener(max_body_bytes=2048)
    url = start(listener.app).url + "/hook"
    params = sms_status(sid("SM", 10), "sent")
    sig = signed_headers(url, params)

    big = {"Body": "x" * 4096}
    assert http.post(url, data=big, headers=signed_headers(url, big)).status_code == 413

    def chunks():
        yield b"Body="
        yield b"y" * 3000

    chunked = http.post(url, content=chunks(), headers=sig)
    assert chunked.status_code == 413
    xml = {**sig, "Content-Type": "text/xml"}
    assert http.post(url, content=b"<x/>", headers=xml).status_code == 415
    assert http.put(url, data=params, headers=sig).status_code == 405
    assert http.delete(url, headers=sig).status_code == 405
    bad_utf8 = http.post(url, content=b"Body=%ff%fe", headers=sig)
    assert bad_utf8.status_code == 400
    bad_json = {**signed_headers(url + "?bodySHA256=" + body_sha256(b"{"), None)}
    bad_json["Content-Type"] = "application/json"
    response = http.post(url + "?bodySHA256=" + body_sha256(b"{"), content=b"{", headers=bad_json)
    assert response.status_code == 400
    assert _stored(listener) == 0


def test_content_length_lies_are_rejected_by_the_server(make_listener, start):
    listener = make_listener(max_body_bytes=1000)
    server = start(listener.app)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 999999\r\n\r\nBody=1"
        )
        head = sock.recv(100)
    assert head.startswith(b"HTTP/1.1 413")


def test_secrets_never_appear_in_logs_or_repr(make_listener, start, http, caplog):
    caplog.set_level(logging.DEBUG)
    listener = make_listener(auth_token=["s3cr3t-new-token", "s3cr3t-old-token"])

    @listener.on_sms_delivered
    def broken(event):
        raise RuntimeError("handler bug")

    url = start(listener.app).url + "/"
    params = sms_status(sid("SM", 11), "delivered")
    post_signed(http, url, params, token="wrong")
    post_signed(http, url, params, token="s3cr3t-old-token")
    with listener.open_inbox() as inbox:
        from support.wait import wait_until

        assert wait_until(lambda: [r.status for r in inbox.records()] == ["dead"])
    text = caplog.text + repr(listener) + repr(listener.settings)
    assert "handler bug" in caplog.text
    assert "s3cr3t" not in text


def test_a_flood_of_forged_requests_is_logged_a_line_per_second(guarded, http, caplog):
    import time

    _listener, rec, url = guarded
    params = sms_status(sid("SM", 77), "delivered")
    headers = {"X-Twilio-Signature": compute_signature("forger", url, params), **FORM}
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="twilio_connector.listener"):
        for _ in range(60):
            assert http.post(url, data=params, headers=headers).status_code == 403
        elapsed = time.monotonic() - began
        lines = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert 1 <= len(lines) <= int(elapsed) + 2  # at most one line a second, never none
    assert all("forger" not in line for line in lines)
    assert rec.items == []
