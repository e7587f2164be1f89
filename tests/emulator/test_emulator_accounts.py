"""Accounts, subaccounts, API keys, balance and phone numbers through the official SDK."""

from __future__ import annotations

import pytest
from support.emulator import sdk_client
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import DEFAULT_ACCOUNT_SID, Emulator

TO = "+15558675310"


def test_default_sid_is_stable_and_credentials_can_be_chosen() -> None:
    with Emulator() as first:
        pass
    with Emulator() as second:
        assert first.account_sid == second.account_sid == DEFAULT_ACCOUNT_SID
        # the token is generated per install (see test_emulator_guard), never a shared constant
        assert first.auth_token != second.auth_token
    with Emulator(account_sid="AC" + "ab" * 16, auth_token="tok") as custom:
        client = sdk_client(custom, custom.account_sid, "tok")
        assert client.api.v2010.account.fetch().sid == "AC" + "ab" * 16
    with pytest.raises(RuntimeError, match="account_sid"):
        Emulator(account_sid="ACnope").start()


def test_account_fetch_balance_and_subaccounts(emu: Emulator, twilio: Client) -> None:
    main = twilio.api.v2010.account.fetch()
    assert (main.sid, main.status, main.type) == (emu.account_sid, "active", "Full")
    assert main.owner_account_sid == emu.account_sid
    assert main.subresource_uris["messages"].endswith("/Messages.json")
    assert twilio.api.v2010.account.balance.fetch().currency == "USD"
    sub = twilio.api.accounts.create(friendly_name="tenant one")
    assert sub.sid.startswith("AC") and sub.owner_account_sid == emu.account_sid
    assert sub.auth_token and sub.auth_token != emu.auth_token
    default_name = twilio.api.accounts.create()
    assert default_name.friendly_name.startswith("SubAccount Created at ")
    listed = {a.sid for a in twilio.api.accounts.list()}
    assert listed == {emu.account_sid, sub.sid, default_name.sid}
    assert [a.sid for a in twilio.api.accounts.list(friendly_name="tenant one")] == [sub.sid]
    # The subaccount has its own token, and the parent may act on it.
    sub_client = sdk_client(emu, sub.sid, sub.auth_token)
    msg = sub_client.messages.create(to=TO, from_="+15005550006", body="from the tenant")
    assert twilio.api.accounts(sub.sid).messages(msg.sid).fetch().account_sid == sub.sid
    assert sub_client.api.v2010.account.balance.fetch().account_sid == sub.sid
    # A subaccount cannot reach its parent.
    with pytest.raises(TwilioRestException) as info:
        sub_client.api.accounts(emu.account_sid).fetch()
    assert (info.value.status, info.value.code) == (401, 20003)
    # Suspend: its credentials stop working; the parent reactivates it.
    assert twilio.api.accounts(sub.sid).update(status="suspended").status == "suspended"
    with pytest.raises(TwilioRestException) as info:
        sub_client.messages(msg.sid).fetch()
    assert info.value.status == 401 and info.value.code == 20005
    assert [a.sid for a in twilio.api.accounts.list(status="suspended")] == [sub.sid]
    twilio.api.accounts(sub.sid).update(status="active")
    assert sub_client.messages.list()[0].sid == msg.sid
    twilio.api.accounts(sub.sid).update(status="closed")
    with pytest.raises(TwilioRestException):
        twilio.api.accounts(sub.sid).update(status="active")
    with pytest.raises(TwilioRestException) as info:
        sub_client.api.accounts.create()
    assert info.value.status == 401


def test_api_keys(emu: Emulator, twilio: Client) -> None:
    key = twilio.new_keys.create(friendly_name="ci")
    assert key.sid.startswith("SK") and len(key.secret) == 32
    keyed = sdk_client(emu, key.sid, key.secret, account_sid=emu.account_sid)
    msg = keyed.messages.create(to=TO, from_="+15017122661", body="via api key")
    assert msg.account_sid == emu.account_sid
    listed = twilio.keys.list()
    assert [k.sid for k in listed] == [key.sid]
    assert twilio.keys(key.sid).fetch().friendly_name == "ci"
    assert twilio.keys(key.sid).update(friendly_name="renamed").friendly_name == "renamed"
    with pytest.raises(TwilioRestException) as info:
        keyed.keys(key.sid).fetch()  # keys cannot manage keys
    assert info.value.status == 403
    wrong = sdk_client(emu, key.sid, "wrong-secret", account_sid=emu.account_sid)
    with pytest.raises(TwilioRestException) as info:
        wrong.messages(msg.sid).fetch()
    assert info.value.code == 20003
    assert twilio.keys(key.sid).delete() is True
    with pytest.raises(TwilioRestException) as info:
        keyed.messages(msg.sid).fetch()
    assert (info.value.status, info.value.code) == (401, 20003)
    with pytest.raises(TwilioRestException) as info:
        twilio.keys(key.sid).fetch()
    assert info.value.status == 404


def test_incoming_phone_numbers(emu: Emulator, twilio: Client) -> None:
    owned = twilio.incoming_phone_numbers.list()
    numbers = [n.phone_number for n in owned]
    assert numbers == ["+15017122661", "+15017122662", "+14155238886"]
    assert owned[0].friendly_name == "(501) 712-2661" and owned[0].capabilities["sms"] is True
    assert [n.phone_number for n in twilio.incoming_phone_numbers.list(phone_number="2662")] == [
        "+15017122662"
    ]
    assert len(twilio.incoming_phone_numbers.list(phone_number="+1501712266*")) == 2
    bought = twilio.incoming_phone_numbers.create(
        phone_number="+15005550006", sms_url="https://example.com/sms", voice_method="GET"
    )
    assert bought.friendly_name == "(500) 555-0006" and bought.sms_url == "https://example.com/sms"
    assert bought.voice_method == "GET" and bought.sms_method == "POST"
    assert twilio.incoming_phone_numbers.create(area_code="500").sid == bought.sid  # magic
    by_area = twilio.incoming_phone_numbers.create(area_code="415")
    assert by_area.phone_number.startswith("+1415")
    candidate = twilio.available_phone_numbers("US").toll_free.list(limit=1)[0].phone_number
    toll_free = twilio.incoming_phone_numbers.toll_free.create(phone_number=candidate)
    assert toll_free.phone_number == candidate
    assert [n.phone_number for n in twilio.incoming_phone_numbers.toll_free.list()] == [candidate]
    assert candidate not in [n.phone_number for n in twilio.incoming_phone_numbers.local.list()]
    for kwargs, code in (
        ({"phone_number": "+15005550000"}, 21422),
        ({"phone_number": "+15005550001"}, 21421),
        ({"area_code": "533"}, 21452),
        ({}, 21421),
        ({"phone_number": "+15017122661"}, 21422),
    ):
        with pytest.raises(TwilioRestException) as info:
            twilio.incoming_phone_numbers.create(**kwargs)
        assert info.value.code == code, kwargs
    updated = twilio.incoming_phone_numbers(bought.sid).update(
        sms_url="https://example.com/new",
        sms_fallback_url="https://example.com/fb",
        status_callback="https://example.com/st",
        friendly_name="support line",
    )
    assert (updated.sms_url, updated.sms_fallback_url) == (
        "https://example.com/new",
        "https://example.com/fb",
    )
    assert updated.friendly_name == "support line"
    with pytest.raises(TwilioRestException) as info:
        twilio.incoming_phone_numbers(bought.sid).update(sms_method="PUT")
    assert info.value.status == 400
    assert (
        twilio.incoming_phone_numbers(bought.sid).fetch().status_callback
        == "https://example.com/st"
    )
    assert twilio.incoming_phone_numbers(bought.sid).delete() is True
    with pytest.raises(TwilioRestException) as info:
        twilio.incoming_phone_numbers(bought.sid).fetch()
    assert info.value.status == 404
    # a bought number can send; once released it cannot
    assert twilio.messages.create(to=TO, from_=by_area.phone_number, body="x").status == "queued"
    twilio.incoming_phone_numbers(by_area.sid).delete()
    with pytest.raises(TwilioRestException) as info:
        twilio.messages.create(to=TO, from_=by_area.phone_number, body="x")
    assert info.value.code == 21606


def test_available_phone_numbers(emu: Emulator, twilio: Client) -> None:
    local = twilio.available_phone_numbers("US").local.list(area_code=415, limit=5)
    assert len(local) == 5 and all(n.phone_number.startswith("+1415") for n in local)
    assert local[0].iso_country == "US" and local[0].capabilities["sms"] is True
    again = twilio.available_phone_numbers("US").local.list(area_code=415, limit=5)
    assert [n.phone_number for n in again] == [n.phone_number for n in local]
    contains = twilio.available_phone_numbers("US").local.list(contains="55", limit=3)
    assert all("55" in n.phone_number for n in contains)
    assert (
        twilio.available_phone_numbers("US")
        .toll_free.list(limit=2)[0]
        .phone_number.startswith("+1833")
    )
    assert (
        twilio.available_phone_numbers("GB").mobile.list(limit=1)[0].phone_number.startswith("+447")
    )
    assert twilio.available_phone_numbers("US").mobile.list(limit=1) == []
    countries = {c.country_code for c in twilio.available_phone_numbers.list()}
    assert {"US", "GB"} <= countries
    assert twilio.available_phone_numbers("US").fetch().country == "United States"
    with pytest.raises(TwilioException) as failed:
        twilio.available_phone_numbers("ZZ").local.list()
    assert failed.value.args[1].status_code == 404
    bought = twilio.incoming_phone_numbers.create(phone_number=local[0].phone_number)
    assert local[0].phone_number not in [
        n.phone_number
        for n in twilio.available_phone_numbers("US").local.list(area_code=415, limit=5)
    ]
    assert bought.phone_number == local[0].phone_number
