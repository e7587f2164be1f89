"""SharedKey (HMAC-SHA256) signatures, end to end over real HTTP (TWILIO.md section 21)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from listener_testkit import FORM, TOKEN, Recorder, sid, sms_status
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from twilio_connector._asgi.server import ServerThread
from twilio_connector.emulator import Emulator
from twilio_connector.errors import ConfigurationError
from twilio_connector.listener import TwilioListener
from twilio_connector.signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    body_sha256,
    compute_signature,
)

KEY_ID = "webhooks_sharedkey_01"
SECRET = "whsk_test_0123456789abcdefABCDEF"
NEXT_ID = "webhooks_sharedkey_02"
NEXT_SECRET = "whsk_test_next_secret_9876543210"

Served = tuple[TwilioListener, Recorder, str]


@pytest.fixture
def serve_listener(
    make_listener: Callable[..., TwilioListener], start: Callable[..., ServerThread]
) -> Callable[..., Served]:
    def serve(**options: Any) -> Served:
        rec = Recorder()
        listener = make_listener(**options)
        listener.on("*")(lambda e: rec.add(e.name, e))
        return listener, rec, start(listener.app).url + "/sms/status"

    return serve


def _stored(listener: TwilioListener) -> int:
    with listener.open_inbox() as inbox:
        return len(inbox.records())


def _headers(
    url: str,
    params: Any,
    secret: str,
    *,
    key_id: str | None = KEY_ID,
    algorithm: str = HMAC_SHA256,
    settings: str | None = None,
    content_type: dict[str, str] = FORM,
) -> dict[str, str]:
    sign_with = algorithm.upper() if algorithm.upper() in (HMAC_SHA1, HMAC_SHA256) else HMAC_SHA256
    headers = {SIGNATURE_HEADER: compute_signature(secret, url, params, sign_with), **content_type}
    if settings is None and key_id is not None:
        settings = f"key={key_id},algorithm={algorithm}"
    if settings is not None:
        headers[SIGNATURE_SETTINGS_HEADER] = settings
    return headers


def test_form_callback_signed_with_a_shared_key_is_accepted(
    serve_listener: Callable[..., Served], http: httpx.Client
) -> None:
    listener, rec, url = serve_listener(shared_keys={KEY_ID: SECRET})
    params = sms_status(sid("SM", 1), "delivered")
    response = http.post(url, data=params, headers=_headers(url, params, SECRET))
    assert response.status_code == 200
    (event,) = rec.wait(1, "sms.delivered")
    assert event.message_sid == sid("SM", 1)
    # the official SDK's signature is accepted too
    params2 = sms_status(sid("SM", 2), "delivered")
    official = RequestValidator(SECRET).compute_signature(url, params2, algorithm=HMAC_SHA256)
    headers = {
        SIGNATURE_HEADER: official,
        SIGNATURE_SETTINGS_HEADER: f"key={KEY_ID},algorithm={HMAC_SHA256}",
        **FORM,
    }
    assert http.post(url, data=params2, headers=headers).status_code == 200
    rec.wait(2, "sms.delivered")
    assert _stored(listener) == 2


def test_json_and_get_callbacks_signed_with_a_shared_key(
    serve_listener: Callable[..., Served], http: httpx.Client
) -> None:
    _listener, rec, url = serve_listener(shared_keys={KEY_ID: SECRET})
    body = json.dumps(
        {"id": "ev-1", "type": "com.twilio.messaging.message.delivered", "data": {}}
    ).encode()
    json_url = f"{url}?bodySHA256={body_sha256(body)}"
    headers = _headers(json_url, None, SECRET, content_type={"Content-Type": "application/json"})
    assert http.post(json_url, content=body, headers=headers).status_code == 200
    rec.wait(1, "stream.messaging.message.delivered")
    get_url = f"{url}?MessageSid={sid('SM', 3)}&MessageStatus=delivered"
    headers = _headers(get_url, None, SECRET, content_type={})
    assert http.get(get_url, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "case", ["wrong key id", "wrong secret", "sha1 under sha256", "unknown algorithm", "no key"]
)
def test_bad_shared_key_signatures_get_403(
    serve_listener: Callable[..., Served],
    http: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    case: str,
) -> None:
    listener, rec, url = serve_listener(shared_keys={KEY_ID: SECRET})
    params = sms_status(sid("SM", 4), "delivered")
    if case == "wrong key id":
        headers = _headers(url, params, SECRET, key_id="webhooks_sharedkey_99")
    elif case == "wrong secret":
        headers = _headers(url, params, "not-the-secret")
    elif case == "sha1 under sha256":
        headers = _headers(url, params, SECRET)
        headers[SIGNATURE_HEADER] = compute_signature(SECRET, url, params, HMAC_SHA1)
    elif case == "unknown algorithm":
        headers = _headers(url, params, SECRET, algorithm="HMAC_SHA512")
    else:
        headers = _headers(url, params, SECRET, settings=f"algorithm={HMAC_SHA256}")
    with caplog.at_level(logging.WARNING, logger="twilio_connector.listener"):
        response = http.post(url, data=params, headers=headers)
    assert response.status_code == 403
    assert _stored(listener) == 0 and rec.items == []
    assert "rejected" in caplog.text
    assert SECRET not in caplog.text and TOKEN not in caplog.text


def test_rotation_accepts_both_keys_by_id(
    serve_listener: Callable[..., Served], http: httpx.Client
) -> None:
    _listener, rec, url = serve_listener(shared_keys={KEY_ID: SECRET, NEXT_ID: NEXT_SECRET})
    for n, (key_id, secret) in enumerate([(KEY_ID, SECRET), (NEXT_ID, NEXT_SECRET)]):
        params = sms_status(sid("SM", 10 + n), "delivered")
        headers = _headers(url, params, secret, key_id=key_id)
        assert http.post(url, data=params, headers=headers).status_code == 200
    rec.wait(2, "sms.delivered")
    # a secret is only good under its own id
    params = sms_status(sid("SM", 12), "delivered")
    headers = _headers(url, params, NEXT_SECRET, key_id=KEY_ID)
    assert http.post(url, data=params, headers=headers).status_code == 403


def test_shared_key_with_sha1_algorithm(
    serve_listener: Callable[..., Served], http: httpx.Client
) -> None:
    _listener, rec, url = serve_listener(shared_keys={KEY_ID: SECRET})
    params = sms_status(sid("SM", 13), "delivered")
    headers = _headers(url, params, SECRET, algorithm="hmac_sha1")
    assert http.post(url, data=params, headers=headers).status_code == 200
    rec.wait(1, "sms.delivered")


def test_without_the_settings_header_the_auth_token_is_used(
    serve_listener: Callable[..., Served], http: httpx.Client
) -> None:
    _listener, rec, url = serve_listener(shared_keys={KEY_ID: SECRET})  # and auth_token=TOKEN
    params = sms_status(sid("SM", 20), "delivered")
    headers = _headers(url, params, TOKEN, key_id=None, algorithm=HMAC_SHA1)
    assert http.post(url, data=params, headers=headers).is_success
    # a header without algorithm= is the legacy scheme as well
    params = sms_status(sid("SM", 21), "delivered")
    headers = _headers(url, params, TOKEN, algorithm=HMAC_SHA1, settings=f"key={KEY_ID}")
    assert http.post(url, data=params, headers=headers).is_success
    rec.wait(2, "sms.delivered")
    # the shared secret is not an auth token
    params = sms_status(sid("SM", 22), "delivered")
    headers = _headers(url, params, SECRET, key_id=None, algorithm=HMAC_SHA1)
    assert http.post(url, data=params, headers=headers).status_code == 403


def test_listener_with_only_shared_keys(
    serve_listener: Callable[..., Served], http: httpx.Client
) -> None:
    listener, rec, url = serve_listener(auth_token=None, shared_keys={KEY_ID: SECRET})
    params = sms_status(sid("SM", 30), "delivered")
    assert http.post(url, data=params, headers=_headers(url, params, SECRET)).status_code == 200
    rec.wait(1, "sms.delivered")
    # a classic signature has nothing to be checked against
    params = sms_status(sid("SM", 31), "delivered")
    headers = _headers(url, params, TOKEN, key_id=None, algorithm=HMAC_SHA1)
    assert http.post(url, data=params, headers=headers).status_code == 403
    assert _stored(listener) == 1


def test_secrets_stay_out_of_reprs(make_listener: Callable[..., TwilioListener]) -> None:
    listener = make_listener(shared_keys={KEY_ID: SECRET, NEXT_ID: NEXT_SECRET})
    for text in (repr(listener), repr(listener.settings), str(listener.settings)):
        assert SECRET not in text and NEXT_SECRET not in text and TOKEN not in text
    assert KEY_ID in repr(listener)


@pytest.mark.parametrize("keys", [{"": SECRET}, {KEY_ID: ""}, {KEY_ID: 1}])
def test_bad_shared_keys_are_refused(
    make_listener: Callable[..., TwilioListener], keys: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError, match="shared key"):
        make_listener(shared_keys=keys)
    with pytest.raises(ConfigurationError, match="shared_keys"):
        make_listener(auth_token=None)


def test_emulator_signs_with_a_shared_key_and_the_listener_accepts(
    make_listener: Callable[..., TwilioListener], start: Callable[..., ServerThread]
) -> None:
    rec = Recorder()
    listener = make_listener(auth_token=None, shared_keys={KEY_ID: SECRET, NEXT_ID: NEXT_SECRET})
    listener.on("*")(lambda e: rec.add(e.name, e))
    server = start(listener.app)
    with Emulator() as emu:
        emu.set_webhook_signing(NEXT_ID, NEXT_SECRET, url_prefix=server.url + "/")
        twilio = Client(emu.account_sid, emu.auth_token)
        twilio.api.base_url = emu.base_url
        msg = twilio.messages.create(
            to="+15558675310", from_="+15017122661", body="hi", status_callback=server.url + "/s"
        )
        emu.settle()
        deliveries = emu.delivery_log(msg.sid)
    assert [d.status for d in deliveries] == [200, 200]  # sent, delivered
    events = rec.wait(2)
    assert {e.name for e in events} == {"sms.sent", "sms.delivered"}
    assert all(e.message_sid == msg.sid for e in events)
