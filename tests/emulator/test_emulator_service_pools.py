"""The ShortCodes and AlphaSenders pools of a Messaging Service and the account's short
codes (2010 ``/SMS/ShortCodes``) on the emulator: the official SDK, raw HTTP validated
against the messaging/v1 and 2010 OpenAPI schemas, our client sync and async; Twilio's
error codes, provisioning (``emu.add_short_code``, ``POST /_emulator/short-codes``), reset
and persistence."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.openapi import OpenApi
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector import AsyncTwilioClient, NotFoundError, TwilioApiError, TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.models import MessagingServiceAlphaSender, MessagingServiceShortCode

ISO = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")


def _error(fn: Any) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as caught:
        fn()
    return caught.value.status, caught.value.code


def test_the_sdk_lists_fetches_and_updates_the_accounts_short_codes(
    emu: Emulator, twilio: Client
) -> None:
    sc = emu.add_short_code("12345", friendly_name="Promo")
    assert re.fullmatch(r"SC[0-9a-f]{32}", sc.sid) and sc.short_code == "12345"
    other = emu.add_short_code("67890", "GB")
    assert emu.add_short_code("12345").sid == sc.sid  # provisioning twice is a no-op
    listed = twilio.short_codes.list()
    assert [s.sid for s in listed] == [sc.sid, other.sid]
    assert [s.sid for s in twilio.short_codes.list(short_code="67890")] == [other.sid]
    assert [s.sid for s in twilio.short_codes.list(friendly_name="Promo")] == [sc.sid]
    fetched = twilio.short_codes(sc.sid).fetch()
    assert (fetched.short_code, fetched.friendly_name, fetched.sms_method) == (
        "12345",
        "Promo",
        "POST",
    )
    updated = twilio.short_codes(sc.sid).update(
        sms_url="https://app.example.com/sc", sms_method="GET", friendly_name="Renamed"
    )
    assert (updated.sms_url, updated.sms_method, updated.friendly_name) == (
        "https://app.example.com/sc",
        "GET",
        "Renamed",
    )
    assert _error(lambda: twilio.short_codes(sc.sid).update(sms_url="nope")) == (400, 21502)
    assert _error(lambda: twilio.short_codes("SC" + "0" * 32).fetch()) == (404, 20404)
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    assert emu.sdk_client(sub.sid, sub.auth_token).short_codes.list() == []


def test_the_sdk_does_every_short_code_pool_operation(emu: Emulator, twilio: Client) -> None:
    sc = emu.add_short_code("12345")
    second = emu.add_short_code("54321")
    service = twilio.messaging.v1.services.create(friendly_name="sc").sid
    pool = twilio.messaging.v1.services(service).short_codes
    added = pool.create(short_code_sid=sc.sid)
    assert (added.sid, added.service_sid, added.short_code) == (sc.sid, service, "12345")
    assert (added.country_code, added.capabilities) == ("US", ["SMS"])
    assert added.url.endswith(f"/messaging/v1/Services/{service}/ShortCodes/{sc.sid}")
    pool.create(short_code_sid=second.sid)
    assert [s.sid for s in pool.list()] == [sc.sid, second.sid]
    assert [s.sid for s in pool.list(page_size=1, limit=1)] == [sc.sid]
    assert twilio.messaging.v1.services(service).short_codes(sc.sid).fetch().short_code == "12345"
    assert twilio.messaging.v1.services(service).short_codes(sc.sid).delete() is True
    assert [s.sid for s in pool.list()] == [second.sid]
    assert [s.sid for s in twilio.short_codes.list()] == [sc.sid, second.sid]  # still owned


def test_short_code_pool_errors_are_twilios(emu: Emulator, twilio: Client) -> None:
    sc = emu.add_short_code("12345")
    one = twilio.messaging.v1.services.create(friendly_name="one").sid
    other = twilio.messaging.v1.services.create(friendly_name="other").sid
    services = twilio.messaging.v1.services
    services(one).short_codes.create(short_code_sid=sc.sid)
    assert _error(lambda: services(one).short_codes.create(short_code_sid=sc.sid)) == (409, 21710)
    assert _error(lambda: services(other).short_codes.create(short_code_sid=sc.sid)) == (400, 21712)
    unknown = "SC" + "0" * 32
    assert _error(lambda: services(one).short_codes.create(short_code_sid=unknown)) == (400, 21421)
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = emu.add_short_code("99999", account_sid=sub.sid)
    assert _error(lambda: services(other).short_codes.create(short_code_sid=theirs.sid)) == (
        400,
        21421,
    )
    assert _error(lambda: services(other).short_codes(sc.sid).fetch()) == (404, 20404)
    assert _error(lambda: services("MG" + "0" * 32).short_codes(sc.sid).delete()) == (404, 20404)


def test_the_sdk_does_every_alpha_sender_operation_one_per_service(twilio: Client) -> None:
    service = twilio.messaging.v1.services.create(friendly_name="alpha").sid
    alphas = twilio.messaging.v1.services(service).alpha_senders
    added = alphas.create(alpha_sender="Acme-Co_1&+")
    assert re.fullmatch(r"AI[0-9a-f]{32}", added.sid)
    assert (added.alpha_sender, added.service_sid, added.capabilities) == (
        "Acme-Co_1&+",
        service,
        ["SMS"],
    )
    assert [a.sid for a in alphas.list()] == [added.sid]
    assert twilio.messaging.v1.services(service).alpha_senders(added.sid).fetch().sid == added.sid
    assert _error(lambda: alphas.create(alpha_sender="Second")) == (400, 21714)
    assert twilio.messaging.v1.services(service).alpha_senders(added.sid).delete() is True
    assert alphas.list() == []
    assert alphas.create(alpha_sender="Second").alpha_sender == "Second"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TwelveChars!", 21709),
        ("Twelve chars", 21709),
        ("12345", 21709),
        ("12-34", 21709),  # no letter: not a From either (one rule for both)
        ("+&_-", 21709),
        ("   ", 21709),
        ("Acme.com", 21709),
        ("", 20001),
    ],
)
def test_an_invalid_alpha_sender_is_refused(twilio: Client, text: str, code: int) -> None:
    service = twilio.messaging.v1.services.create(friendly_name="alpha").sid
    alphas = twilio.messaging.v1.services(service).alpha_senders
    assert _error(lambda: alphas.create(alpha_sender=text)) == (400, code)
    assert alphas.list() == []


def test_provisioning_through_the_control_plane(emu: Emulator) -> None:
    auth = (emu.account_sid, emu.auth_token)
    with httpx.Client(base_url=emu.base_url, auth=auth) as http:
        made = http.post(
            "/_emulator/short-codes", json={"short_code": "24680", "country_code": "CA"}
        )
        assert made.status_code == 201, made.text
        assert made.json()["short_code"] == "24680" and made.json()["sid"].startswith("SC")
        again = http.post(
            "/_emulator/short-codes", json={"short_code": "24680", "country_code": "CA"}
        )
        assert (again.status_code, again.json()["sid"]) == (200, made.json()["sid"])
        for body, code in (
            ({"short_code": "12"}, 21421),
            ({"short_code": "123456789"}, 21421),
            ({"short_code": "12345", "country_code": "XX"}, 20001),
            ({"short_code": 12345}, 20001),
        ):
            bad = http.post("/_emulator/short-codes", json=body)
            assert (bad.status_code, bad.json()["code"]) == (400, code), body
        missing = http.post(
            "/_emulator/short-codes", json={"short_code": "13579", "account_sid": "AC" + "0" * 32}
        )
        assert missing.status_code == 404
        assert httpx.post(f"{emu.base_url}/_emulator/short-codes", json={}).status_code == 401


def test_pool_responses_match_the_schemas(
    emu: Emulator, twilio: Client, openapi: OpenApi, openapi_messaging: OpenApi
) -> None:
    sc = emu.add_short_code("12345")
    service = twilio.messaging.v1.services.create(friendly_name="schema").sid
    auth = (emu.account_sid, emu.auth_token)
    v1 = httpx.Client(base_url=f"{emu.base_url}/messaging", auth=auth)
    api = httpx.Client(base_url=emu.base_url, auth=auth)

    def check(spec: OpenApi, http: httpx.Client, method: str, template: str, status: int,
              path: str, **kwargs: Any) -> Any:  # fmt: skip
        return spec.call(http, method, template, status, path, **kwargs)

    try:
        base = f"/v1/Services/{service}"
        sc_list, sc_one = (
            "/v1/Services/{ServiceSid}/ShortCodes",
            "/v1/Services/{ServiceSid}/ShortCodes/{Sid}",
        )
        added = check(openapi_messaging, v1, "POST", sc_list, 201, f"{base}/ShortCodes",
                      data={"ShortCodeSid": sc.sid})  # fmt: skip
        assert ISO.match(added["date_created"])
        page = check(openapi_messaging, v1, "GET", sc_list, 200, f"{base}/ShortCodes")
        assert page["meta"]["key"] == "short_codes"
        check(openapi_messaging, v1, "GET", sc_one, 200, f"{base}/ShortCodes/{sc.sid}")
        check(openapi_messaging, v1, "DELETE", sc_one, 204, f"{base}/ShortCodes/{sc.sid}")
        a_list = "/v1/Services/{ServiceSid}/AlphaSenders"
        a_one = "/v1/Services/{ServiceSid}/AlphaSenders/{Sid}"
        alpha = check(openapi_messaging, v1, "POST", a_list, 201, f"{base}/AlphaSenders",
                      data={"AlphaSender": "Acme"})  # fmt: skip
        page = check(openapi_messaging, v1, "GET", a_list, 200, f"{base}/AlphaSenders")
        assert page["meta"]["key"] == "alpha_senders"
        check(openapi_messaging, v1, "GET", a_one, 200, f"{base}/AlphaSenders/{alpha['sid']}")
        check(openapi_messaging, v1, "DELETE", a_one, 204, f"{base}/AlphaSenders/{alpha['sid']}")
        account = f"/2010-04-01/Accounts/{emu.account_sid}"
        t_list = "/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes.json"
        t_one = "/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes/{Sid}.json"
        listed = check(openapi, api, "GET", t_list, 200, f"{account}/SMS/ShortCodes.json")
        assert [s["sid"] for s in listed["short_codes"]] == [sc.sid]
        check(openapi, api, "GET", t_one, 200, f"{account}/SMS/ShortCodes/{sc.sid}.json")
        check(openapi, api, "POST", t_one, 200, f"{account}/SMS/ShortCodes/{sc.sid}.json",
              data={"SmsUrl": "https://app.example.com/sc"})  # fmt: skip
        invalid = v1.post(f"{base}/AlphaSenders", data={"AlphaSender": "!!"})
        assert invalid.status_code == 400
        assert invalid.json()["more_info"] == "https://www.twilio.com/docs/errors/21709"
    finally:
        v1.close()
        api.close()


def test_our_sync_client_manages_both_pools(emu: Emulator) -> None:
    sc = emu.add_short_code("12345")
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        service = client.messaging_services.create("pools").sid
        codes = client.messaging_services.short_codes(service)
        added = codes.add(sc.sid)
        assert isinstance(added, MessagingServiceShortCode) and added.short_code == "12345"
        assert added.date_created is not None and added.date_created.tzinfo is not None
        assert [s.sid for s in codes.list()] == [sc.sid]
        assert [s.sid for s in codes.iter()] == [sc.sid]
        assert codes.fetch(sc.sid).country_code == "US"
        with pytest.raises(TwilioApiError) as again:
            codes.add(sc.sid)
        assert (again.value.status, again.value.code) == (409, 21710)
        codes.delete(sc.sid)
        assert codes.list() == []
        alphas = client.messaging_services.alpha_senders(service)
        alpha = alphas.add("Acme")
        assert isinstance(alpha, MessagingServiceAlphaSender) and alpha.alpha_sender == "Acme"
        assert [a.sid for a in alphas.list()] == [alpha.sid]
        assert alphas.fetch(alpha.sid).service_sid == service
        with pytest.raises(TwilioApiError) as invalid:
            client.messaging_services.alpha_senders(client.messaging_services.create("x").sid).add(
                "1234"
            )
        assert invalid.value.code == 21709
        alphas.delete(alpha.sid)
        with pytest.raises(NotFoundError):
            alphas.fetch(alpha.sid)


async def test_our_async_client_manages_both_pools(emu: Emulator) -> None:
    sc = emu.add_short_code("12345")
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        service = (await client.messaging_services.create("pools")).sid
        codes = client.messaging_services.short_codes(service)
        await codes.add(sc.sid)
        assert [s.sid async for s in codes.iter()] == [sc.sid]
        assert (await codes.fetch(sc.sid)).short_code == "12345"
        await codes.delete(sc.sid)
        assert await codes.list() == []
        alphas = client.messaging_services.alpha_senders(service)
        alpha = await alphas.add("Acme")
        with pytest.raises(TwilioApiError) as second:
            await alphas.add("Other")
        assert second.value.code == 21714
        assert [a.alpha_sender for a in await alphas.list()] == ["Acme"]
        await alphas.delete(alpha.sid)
        assert await alphas.list() == []


def test_reset_empties_short_codes_and_pools(emu: Emulator, twilio: Client) -> None:
    sc = emu.add_short_code("12345")
    service = twilio.messaging.v1.services.create(friendly_name="gone").sid
    twilio.messaging.v1.services(service).short_codes.create(short_code_sid=sc.sid)
    twilio.messaging.v1.services(service).alpha_senders.create(alpha_sender="Acme")
    emu.reset()
    assert twilio.short_codes.list() == []
    for table in (
        "short_codes",
        "messaging_service_short_codes",
        "messaging_service_alpha_senders",
    ):
        count = emu.call(lambda core, t=table: core.store.query_one(f"SELECT COUNT(*) FROM {t}"))
        assert count[0] == 0, table


def test_short_codes_pools_and_sticky_mappings_persist(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    with Emulator(db_path=db, phone_numbers=("+15017122661",)) as first:
        sdk = first.sdk_client()
        token = first.auth_token
        sc = first.add_short_code("12345")
        service = sdk.messaging.v1.services.create(friendly_name="kept").sid
        sdk.messaging.v1.services(service).short_codes.create(short_code_sid=sc.sid)
        alpha = sdk.messaging.v1.services(service).alpha_senders.create(alpha_sender="Acme").sid
        msg = sdk.messages.create(to="+12125550100", messaging_service_sid=service, body="x")
        first.settle()
        assert sdk.messages(msg.sid).fetch().from_ == "12345"
    with Emulator(db_path=db, auth_token=token, phone_numbers=("+15017122661",)) as second:
        sdk = second.sdk_client()
        assert [s.sid for s in sdk.short_codes.list()] == [sc.sid]
        assert [s.sid for s in sdk.messaging.v1.services(service).short_codes.list()] == [sc.sid]
        assert [a.sid for a in sdk.messaging.v1.services(service).alpha_senders.list()] == [alpha]
        rows = second.call(
            lambda core: core.store.query("SELECT recipient, sender FROM messaging_sticky_senders")
        )
        assert [tuple(r) for r in rows] == [("+12125550100", "12345")]


def test_a_number_that_cannot_text_is_21715(twilio: Client) -> None:
    """A UK landline (voice only) cannot join a pool; a UK mobile can."""
    service = twilio.messaging.v1.services.create(friendly_name="caps").sid
    pool = twilio.messaging.v1.services(service).phone_numbers
    landline = twilio.incoming_phone_numbers.create(phone_number="+442071838750").sid
    assert _error(lambda: pool.create(phone_number_sid=landline)) == (400, 21715)
    mobile = twilio.incoming_phone_numbers.mobile.create(phone_number="+447700900123").sid
    pool.create(phone_number_sid=mobile)
    assert [n.sid for n in pool.list()] == [mobile]


def test_a_pool_holds_at_most_400_numbers(emu: Emulator, twilio: Client) -> None:
    """The 401st is 400/21714 (the first 400 are bought and pooled in one call on the
    emulator's loop, the last one through the SDK)."""
    service = twilio.messaging.v1.services.create(friendly_name="full").sid

    def fill(core: Any) -> None:
        record = core.services.by_sid(service)
        account = core.accounts.get(emu.account_sid)
        for i in range(400):
            number = core.numbers.purchase(account, f"+1415555{i:04d}", None, "local", None, {})
            core.services.add_number(record, number.sid)

    emu.call(fill)
    extra = twilio.incoming_phone_numbers.create(phone_number="+14155559999").sid
    pool = twilio.messaging.v1.services(service).phone_numbers
    assert _error(lambda: pool.create(phone_number_sid=extra)) == (400, 21714)
    assert len(pool.list(page_size=1000)) == 400
