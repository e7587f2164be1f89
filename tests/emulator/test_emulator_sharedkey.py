"""Webhook signing with shared keys (``emulator.signing``): rules by URL, control plane."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from support.receiver import Received, Receiver
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    parse_signature_settings,
    validate_signature,
)

FROM = "+15017122661"
TO = "+15558675310"
KEY_ID = "webhooks_sharedkey_01"
SECRET = "whsk_test_0123456789abcdefABCDEF"


def _settings(r: Received) -> str | None:
    return r.headers.get(SIGNATURE_SETTINGS_HEADER)


def test_status_callbacks_under_a_prefix_are_signed_with_the_shared_key(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    rule = emu.set_webhook_signing(KEY_ID, SECRET, url_prefix=receiver.url("/signed/"))
    assert rule.algorithm == HMAC_SHA256 and SECRET not in repr(rule)
    signed = twilio.messages.create(
        to=TO, from_=FROM, body="x", status_callback=receiver.url("/signed/status?a=1#rc=0")
    )
    classic = twilio.messages.create(
        to=TO, from_=FROM, body="x", status_callback=receiver.url("/plain/status")
    )
    emu.settle()
    shared = receiver.at("/signed/status")
    assert len(shared) == 2  # sent, delivered
    for r in shared:
        assert r.form["MessageSid"] == signed.sid
        settings = parse_signature_settings(_settings(r))
        assert (settings.key_id, settings.algorithm) == (KEY_ID, HMAC_SHA256)
        signature = r.headers[SIGNATURE_HEADER]
        assert RequestValidator(SECRET).validate(r.url, r.form, signature, algorithm=HMAC_SHA256)
        assert validate_signature(SECRET, r.url, r.pairs, signature, HMAC_SHA256)
        assert not validate_signature(emu.auth_token, r.url, r.pairs, signature)
    for r in receiver.at("/plain/status"):
        assert r.form["MessageSid"] == classic.sid
        assert _settings(r) is None
        assert validate_signature(emu.auth_token, r.url, r.pairs, r.headers[SIGNATURE_HEADER])
    # the delivery log keeps the signature that was sent
    assert all(d.signature for d in emu.delivery_log(signed.sid))


def test_a_numbers_get_webhook_with_an_exact_url_and_sha1(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    url = receiver.url("/inbound")
    pn = twilio.incoming_phone_numbers.list(phone_number=FROM)[0]
    twilio.incoming_phone_numbers(pn.sid).update(sms_url=url, sms_method="GET")
    emu.set_webhook_signing("k-sha1", "sha1-secret", url=url, algorithm="hmac_sha1")
    emu.simulate_inbound_message(TO, FROM, "hello")
    emu.settle()
    (r,) = receiver.at("/inbound")
    assert r.method == "GET" and r.query["Body"] == "hello"
    assert _settings(r) == "key=k-sha1,algorithm=HMAC_SHA1"
    signature = r.headers[SIGNATURE_HEADER]
    assert RequestValidator("sha1-secret").validate(r.url, {}, signature, algorithm=HMAC_SHA1)


def test_exact_url_beats_prefix_and_longer_prefix_beats_shorter(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    emu.set_webhook_signing("short", "s1", url_prefix=receiver.url("/"))
    emu.set_webhook_signing("long", "s2", url_prefix=receiver.url("/a/"))
    emu.set_webhook_signing("exact", "s3", url=receiver.url("/a/b"))
    for path in ("/x", "/a/x", "/a/b"):
        twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url(path))
    emu.settle()
    keys = {p: {parse_signature_settings(_settings(r)).key_id for r in receiver.at(p)}
            for p in ("/x", "/a/x", "/a/b")}  # fmt: skip
    assert keys == {"/x": {"short"}, "/a/x": {"long"}, "/a/b": {"exact"}}


def test_rotation_replaces_the_key_of_a_rule(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    prefix = receiver.url("/")
    first = emu.set_webhook_signing(KEY_ID, SECRET, url_prefix=prefix)
    second = emu.set_webhook_signing("webhooks_sharedkey_02", "next-secret", url_prefix=prefix)
    assert [r.id for r in emu.webhook_signing()] == [second.id] != [first.id]
    twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url("/s"))
    emu.settle()
    for r in receiver.at("/s"):
        assert parse_signature_settings(_settings(r)).key_id == "webhooks_sharedkey_02"
        assert validate_signature("next-secret", r.url, r.pairs, r.headers[SIGNATURE_HEADER],
                                  HMAC_SHA256)  # fmt: skip
    emu.clear_webhook_signing(second.id)
    assert emu.webhook_signing() == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"url_prefix": "http://h.example/no-slash"},
        {"url": "http://h.example/slash/"},
        {},
        {"url_prefix": "http://h.example/", "url": "http://h.example/x"},
        {"url_prefix": "ftp://h.example/"},
        {"url_prefix": "http://h.example/", "algorithm": "HMAC_MD5"},
        {"url_prefix": "http://h.example/", "key_id": ""},
        {"url_prefix": "http://h.example/", "secret": ""},
    ],
)
def test_invalid_rules_are_refused(emu: Emulator, kwargs: dict[str, str]) -> None:
    args = {"key_id": KEY_ID, "secret": SECRET, **kwargs}
    with pytest.raises(ValueError) as info:
        emu.set_webhook_signing(**args)  # type: ignore[arg-type]
    assert SECRET not in str(info.value)


def test_control_plane(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    auth = (emu.account_sid, emu.auth_token)
    base = f"{emu.base_url}/_emulator/webhook-signing"
    with httpx.Client(auth=auth) as http:
        assert http.post(base, json={"key_id": KEY_ID, "secret": SECRET}).status_code == 400
        bad = http.post(base, json={"key_id": KEY_ID, "secret": SECRET, "url_prefix": "http://h/x"})
        assert bad.status_code == 400 and SECRET not in bad.text
        created = http.post(
            base,
            data={"key_id": KEY_ID, "secret": SECRET, "url_prefix": receiver.url("/"),
                  "algorithm": "HMAC_SHA256"},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        rule = created.json()
        assert rule["key_id"] == KEY_ID and SECRET not in created.text
        listed = http.get(base)
        assert listed.json()["rules"] == [rule] and SECRET not in listed.text
        assert httpx.get(base).status_code == 401
        twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url("/c"))
        emu.settle()
        assert all(_settings(r) for r in receiver.at("/c"))
        assert http.delete(f"{base}/{rule['id']}").status_code == 204
        assert http.delete(f"{base}/{rule['id']}").status_code == 404
        http.post(base, json={"key_id": "k", "secret": "s", "url": receiver.url("/e")})
        assert http.delete(base).status_code == 204
        assert http.get(base).json()["rules"] == []


def test_rules_persist_and_reset_forgets_them(tmp_path: Path, receiver: Receiver) -> None:
    db = tmp_path / "emu.sqlite3"
    with Emulator(db_path=db) as emu:
        emu.set_webhook_signing(KEY_ID, SECRET, url_prefix=receiver.url("/"))
    with Emulator(db_path=db) as emu:
        (rule,) = emu.webhook_signing()
        assert (rule.key_id, rule.secret) == (KEY_ID, SECRET)
        emu.reset()
        assert emu.webhook_signing() == []
