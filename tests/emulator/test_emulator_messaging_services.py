"""Messaging Services (``messaging/v1``) on the emulator: the official SDK through its
``messaging`` domain (``emu.sdk_client()``), raw HTTP validated against Twilio's
messaging/v1 OpenAPI schemas, our client sync and async; pools, errors, reset, persistence."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.openapi import OpenApi
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from twilio_connector import AsyncTwilioClient, NotFoundError, TwilioApiError, TwilioClient
from twilio_connector.emulator import Emulator, point_sdk, sdk_client
from twilio_connector.models import MessagingService, MessagingServicePhoneNumber

SERVICES = "/v1/Services"
SERVICE = "/v1/Services/{Sid}"
POOL = "/v1/Services/{ServiceSid}/PhoneNumbers"
POOLED = "/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"
ISO = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")


def _number_sids(twilio: Client) -> list[str]:
    return [n.sid for n in twilio.incoming_phone_numbers.list()]


def test_sdk_client_points_every_domain_at_the_emulator(emu: Emulator) -> None:
    client = sdk_client(emu)
    assert client.api.base_url == emu.base_url
    assert client.messaging.base_url == f"{emu.base_url}/messaging"
    assert client.verify.base_url == f"{emu.base_url}/verify"
    assert client.content.base_url == f"{emu.base_url}/content"
    again = point_sdk(Client(emu.account_sid, emu.auth_token), "http://127.0.0.1:1/")
    assert again.messaging.base_url == "http://127.0.0.1:1/messaging"


def test_the_sdk_does_every_service_and_pool_operation(twilio: Client) -> None:
    created = twilio.messaging.v1.services.create(
        friendly_name="Alerts",
        inbound_request_url="https://app.example.com/in",
        inbound_method="GET",
        fallback_url="https://app.example.com/fallback",
        fallback_method="POST",
        status_callback="https://app.example.com/status",
        sticky_sender=False,
        area_code_geomatch=False,
        smart_encoding=False,
        mms_converter=False,
        validity_period=600,
        usecase="notifications",
        use_inbound_webhook_on_number=True,
    )
    sid = created.sid
    assert re.fullmatch(r"MG[0-9a-f]{32}", sid)
    assert (created.friendly_name, created.inbound_request_url) == (
        "Alerts",
        "https://app.example.com/in",
    )
    assert (created.inbound_method, created.fallback_method) == ("GET", "POST")
    assert created.status_callback == "https://app.example.com/status"
    assert (created.sticky_sender, created.area_code_geomatch, created.smart_encoding) == (
        False,
        False,
        False,
    )
    assert (created.validity_period, created.usecase) == (600, "notifications")
    assert created.use_inbound_webhook_on_number is True
    assert created.url.endswith(f"/messaging/v1/Services/{sid}")
    assert created.links["phone_numbers"].endswith(f"/messaging/v1/Services/{sid}/PhoneNumbers")

    fetched = twilio.messaging.v1.services(sid).fetch()
    assert (fetched.sid, fetched.friendly_name, fetched.validity_period) == (sid, "Alerts", 600)
    updated = twilio.messaging.v1.services(sid).update(
        friendly_name="Renamed", sticky_sender=True, inbound_request_url=""
    )
    assert (updated.friendly_name, updated.sticky_sender) == ("Renamed", True)
    assert updated.inbound_request_url is None  # cleared: inbound disabled
    assert updated.status_callback == "https://app.example.com/status"  # kept
    assert [s.sid for s in twilio.messaging.v1.services.list()] == [sid]

    first, second = _number_sids(twilio)[:2]
    pool = twilio.messaging.v1.services(sid).phone_numbers
    added = pool.create(phone_number_sid=first)
    assert (added.sid, added.service_sid, added.phone_number) == (first, sid, "+15017122661")
    assert (added.country_code, sorted(added.capabilities)) == ("US", ["MMS", "SMS", "Voice"])
    pool.create(phone_number_sid=second)
    assert [n.sid for n in pool.list()] == [first, second]
    assert twilio.messaging.v1.services(sid).phone_numbers(second).fetch().sid == second
    assert twilio.messaging.v1.services(sid).phone_numbers(first).delete() is True
    assert [n.sid for n in pool.list()] == [second]
    assert _number_sids(twilio)[:2] == [first, second]  # the number stays on the account

    assert twilio.messaging.v1.services(sid).delete() is True
    assert twilio.messaging.v1.services.list() == []
    with pytest.raises(TwilioRestException) as gone:
        twilio.messaging.v1.services(sid).fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)


def test_the_sdk_pages_services_through_the_v1_envelope(twilio: Client) -> None:
    sids = [twilio.messaging.v1.services.create(friendly_name=f"s{i}").sid for i in range(5)]
    assert [s.sid for s in twilio.messaging.v1.services.list(page_size=2)] == sids
    assert [s.sid for s in twilio.messaging.v1.services.list(limit=3, page_size=2)] == sids[:3]
    page = twilio.messaging.v1.services.page(page_size=2)
    assert [s.sid for s in page] == sids[:2]
    following = page.next_page()
    assert [s.sid for s in following] == sids[2:4]
    assert [s.sid for s in following.previous_page()] == sids[:2]


def test_pool_errors_are_twilios(twilio: Client, emu: Emulator) -> None:
    one = twilio.messaging.v1.services.create(friendly_name="one").sid
    other = twilio.messaging.v1.services.create(friendly_name="other").sid
    number = _number_sids(twilio)[0]
    twilio.messaging.v1.services(one).phone_numbers.create(phone_number_sid=number)

    def error(fn: Any) -> tuple[int, int]:
        with pytest.raises(TwilioRestException) as caught:
            fn()
        return caught.value.status, caught.value.code

    pool = twilio.messaging.v1.services
    assert error(lambda: pool(one).phone_numbers.create(phone_number_sid=number)) == (409, 21710)
    assert error(lambda: pool(other).phone_numbers.create(phone_number_sid=number)) == (400, 21712)
    unknown_pn = "PN" + "0" * 32
    assert error(lambda: pool(one).phone_numbers.create(phone_number_sid=unknown_pn)) == (
        400,
        21421,
    )
    missing = "MG" + "0" * 32
    assert error(lambda: pool(missing).phone_numbers.create(phone_number_sid=number)) == (
        404,
        20404,
    )
    assert error(lambda: pool(missing).fetch()) == (404, 20404)
    with pytest.raises(TwilioException, match="20404"):  # the SDK's error for a page
        pool(missing).phone_numbers.list()
    assert error(lambda: pool(other).phone_numbers(number).fetch()) == (404, 20404)
    assert error(lambda: pool(other).phone_numbers(number).delete()) == (404, 20404)
    assert error(lambda: pool.create(friendly_name="")) == (400, 20001)
    assert error(lambda: pool.create(friendly_name="x" * 65)) == (400, 20001)
    assert error(lambda: pool.create(friendly_name="v", validity_period=36001)) == (400, 20001)
    assert error(lambda: pool.create(friendly_name="u", usecase="spam")) == (400, 21713)
    assert error(lambda: pool.create(friendly_name="m", inbound_method="PUT")) == (400, 20001)
    assert error(lambda: pool(one).update(status_callback="not a url")) == (400, 21502)
    # After deleting the service that held it, the number can join another one.
    pool(one).delete()
    assert pool(other).phone_numbers.create(phone_number_sid=number).service_sid == other


def test_services_are_the_credentials_accounts(emu: Emulator, twilio: Client) -> None:
    mine = twilio.messaging.v1.services.create(friendly_name="mine").sid
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = sdk_client(emu, sub.sid, sub.auth_token)
    assert theirs.messaging.v1.services.list() == []
    with pytest.raises(TwilioRestException) as caught:
        theirs.messaging.v1.services(mine).fetch()
    assert caught.value.status == 404
    with pytest.raises(TwilioException, match="20003"):
        sdk_client(emu, emu.account_sid, "wrong").messaging.v1.services.list()
    twilio.api.v2010.accounts(sub.sid).update(status="suspended")
    with pytest.raises(TwilioRestException) as suspended:
        theirs.messaging.v1.services.create(friendly_name="no")
    assert (suspended.value.status, suspended.value.code) == (401, 20005)


def test_responses_match_the_messaging_v1_schemas(
    emu: Emulator, openapi_messaging: OpenApi
) -> None:
    http = httpx.Client(
        base_url=f"{emu.base_url}/messaging", auth=(emu.account_sid, emu.auth_token)
    )
    number = emu.sdk_client().incoming_phone_numbers.list()[0].sid

    def call(method: str, template: str, status: int, path: str, **kwargs: Any) -> Any:
        return openapi_messaging.call(http, method, template, status, path, **kwargs)

    try:
        created = call("POST", SERVICES, 201, SERVICES, data={"FriendlyName": "schema"})
        sid = created["sid"]
        assert ISO.match(created["date_created"]) and ISO.match(created["date_updated"])
        assert created["inbound_method"] == "POST" and created["validity_period"] == 36000
        call("POST", SERVICES, 201, SERVICES, data={"FriendlyName": "second"})
        listed = call("GET", SERVICES, 200, SERVICES, params={"PageSize": 1})
        meta = listed["meta"]
        assert set(meta) == {
            "page", "page_size", "first_page_url", "previous_page_url", "url", "next_page_url",
            "key",
        }  # fmt: skip
        assert (meta["key"], meta["page"], meta["page_size"]) == ("services", 0, 1)
        assert meta["first_page_url"] == f"{emu.base_url}/messaging/v1/Services?PageSize=1&Page=0"
        assert meta["previous_page_url"] is None
        assert meta["next_page_url"].startswith(f"{emu.base_url}/messaging/v1/Services?")
        assert [s["sid"] for s in listed["services"]] == [sid]
        following = call("GET", SERVICES, 200, meta["next_page_url"].split("/messaging", 1)[1])
        assert following["meta"]["next_page_url"] is None
        assert following["meta"]["previous_page_url"] is not None
        call("GET", SERVICE, 200, f"{SERVICES}/{sid}")
        call("POST", SERVICE, 200, f"{SERVICES}/{sid}", data={"StickySender": "false"})
        pool = f"{SERVICES}/{sid}/PhoneNumbers"
        added = call("POST", POOL, 201, pool, data={"PhoneNumberSid": number})
        assert ISO.match(added["date_created"])
        listed_pool = call("GET", POOL, 200, pool)
        assert listed_pool["meta"]["key"] == "phone_numbers"
        call("GET", POOLED, 200, f"{pool}/{number}")
        call("DELETE", POOLED, 204, f"{pool}/{number}")
        call("DELETE", SERVICE, 204, f"{SERVICES}/{sid}")
        missing = http.get(f"{SERVICES}/{sid}")
        assert missing.status_code == 404
        body = missing.json()
        assert (body["code"], body["status"]) == (20404, 404)
        assert body["more_info"] == "https://www.twilio.com/docs/errors/20404"
        assert http.put(f"{SERVICES}/{sid}").status_code == 405
    finally:
        http.close()
    assert len(openapi_messaging.validated) >= 9


def test_our_sync_client_does_every_operation(emu: Emulator) -> None:
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        service = client.messaging_services.create(
            "ours", status_callback="https://app.example.com/s", sticky_sender=False
        )
        assert isinstance(service, MessagingService) and service.sid.startswith("MG")
        assert (service.sticky_sender, service.status_callback) == (
            False,
            "https://app.example.com/s",
        )
        assert service.date_created is not None and service.date_created.tzinfo is not None
        fetched = client.messaging_services.fetch(service.sid)
        assert fetched.friendly_name == "ours"
        updated = client.messaging_services.update(service.sid, validity_period=60, usecase="poll")
        assert (updated.validity_period, updated.usecase) == (60, "poll")
        more = [client.messaging_services.create(f"n{i}").sid for i in range(3)]
        assert [s.sid for s in client.messaging_services.list()] == [service.sid, *more]
        assert [s.sid for s in client.messaging_services.iter(limit=3)] == [service.sid, *more[:2]]
        numbers = [n.sid for n in client.incoming_phone_numbers.list()]
        pool = client.messaging_services.phone_numbers(service.sid)
        added = pool.add(numbers[0])
        assert isinstance(added, MessagingServicePhoneNumber)
        assert (added.sid, added.service_sid) == (numbers[0], service.sid)
        pool.add(numbers[1])
        assert [n.sid for n in pool.list()] == numbers[:2]
        assert pool.fetch(numbers[1]).phone_number == "+15017122662"
        with pytest.raises(TwilioApiError) as taken:
            client.messaging_services.phone_numbers(more[0]).add(numbers[0])
        assert (taken.value.status, taken.value.code) == (400, 21712)
        pool.delete(numbers[0])
        assert [n.sid for n in pool.iter()] == [numbers[1]]
        client.messaging_services.delete(service.sid)
        with pytest.raises(NotFoundError):
            client.messaging_services.fetch(service.sid)


async def test_our_async_client_does_every_operation(emu: Emulator) -> None:
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        service = await client.messaging_services.create("async", area_code_geomatch=False)
        assert service.area_code_geomatch is False
        assert (await client.messaging_services.fetch(service.sid)).sid == service.sid
        renamed = await client.messaging_services.update(service.sid, friendly_name="renamed")
        assert renamed.friendly_name == "renamed"
        others = [(await client.messaging_services.create(f"a{i}")).sid for i in range(2)]
        listed = await client.messaging_services.list()
        assert [s.sid for s in listed] == [service.sid, *others]
        assert [s.sid async for s in client.messaging_services.iter(page_size=1)] == [
            service.sid,
            *others,
        ]
        numbers = [n.sid for n in await client.incoming_phone_numbers.list()]
        pool = client.messaging_services.phone_numbers(service.sid)
        await pool.add(numbers[0])
        with pytest.raises(TwilioApiError) as again:
            await pool.add(numbers[0])
        assert (again.value.status, again.value.code) == (409, 21710)
        assert [n.sid for n in await pool.list()] == [numbers[0]]
        assert [n.sid async for n in pool.iter()] == [numbers[0]]
        assert (await pool.fetch(numbers[0])).country_code == "US"
        await pool.delete(numbers[0])
        assert await pool.list() == []
        await client.messaging_services.delete(service.sid)
        with pytest.raises(NotFoundError):
            await client.messaging_services.delete(service.sid)


def test_reset_empties_services_and_pools(emu: Emulator, twilio: Client) -> None:
    sid = twilio.messaging.v1.services.create(friendly_name="gone").sid
    twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=_number_sids(twilio)[0])
    emu.reset()
    assert twilio.messaging.v1.services.list() == []
    count = emu.call(
        lambda core: core.store.query_one("SELECT COUNT(*) FROM messaging_service_numbers")
    )
    assert count[0] == 0
    # the number's old pool entry does not block it after the reset
    fresh = twilio.messaging.v1.services.create(friendly_name="fresh").sid
    number = _number_sids(twilio)[0]
    assert twilio.messaging.v1.services(fresh).phone_numbers.create(phone_number_sid=number)


def test_services_and_pools_persist_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    with Emulator(db_path=db, phone_numbers=("+15017122661",)) as first:
        sdk = first.sdk_client()
        token = first.auth_token
        sid = sdk.messaging.v1.services.create(friendly_name="kept", validity_period=900).sid
        number = sdk.incoming_phone_numbers.list()[0].sid
        sdk.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=number)
    with Emulator(db_path=db, auth_token=token, phone_numbers=("+15017122661",)) as second:
        sdk = second.sdk_client()
        kept = sdk.messaging.v1.services(sid).fetch()
        assert (kept.friendly_name, kept.validity_period) == ("kept", 900)
        assert [n.sid for n in sdk.messaging.v1.services(sid).phone_numbers.list()] == [number]


def test_a_released_number_leaves_the_pool(twilio: Client) -> None:
    sid = twilio.messaging.v1.services.create(friendly_name="pool").sid
    bought = twilio.incoming_phone_numbers.create(phone_number="+15005550006")
    twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=bought.sid)
    twilio.incoming_phone_numbers(bought.sid).delete()
    assert twilio.messaging.v1.services(sid).phone_numbers.list() == []
    with pytest.raises(TwilioRestException) as caught:
        twilio.messaging.v1.services(sid).phone_numbers(bought.sid).fetch()
    assert caught.value.status == 404
