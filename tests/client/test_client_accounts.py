"""Accounts, balance, phone numbers, keys, ``get_account_details`` and ``client.request``."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from client_testkit import (
    ACCOUNT_SID,
    KEY_SID,
    NUMBER_SID,
    ROOT,
    SUB_SID,
    FakeTwilio,
    Reply,
    account,
    available_number,
    collect,
    incoming_number,
    key,
    maybe,
    page,
)

from twilio_connector import (
    Account,
    ApiKey,
    AvailablePhoneNumber,
    Balance,
    IncomingPhoneNumber,
    NewApiKey,
)

ACCOUNT = f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"
ACCOUNTS = "/2010-04-01/Accounts.json"
NUMBERS = f"{ROOT}/IncomingPhoneNumbers.json"
NUMBER = f"{ROOT}/IncomingPhoneNumbers/{NUMBER_SID}.json"
UTC = timezone.utc


async def test_get_account_details(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ACCOUNT, account())
    acct = await maybe(client.get_account_details())
    req = server.only()
    assert (req.method, req.path) == ("GET", ACCOUNT)
    assert isinstance(acct, Account)
    assert acct.sid == ACCOUNT_SID
    assert acct.status == "active"
    assert acct.type == "Full"
    assert acct.date_updated == datetime(2015, 7, 31, 8, 0, tzinfo=UTC)


async def test_accounts_fetch_other(server: FakeTwilio, client: Any) -> None:
    path = f"/2010-04-01/Accounts/{SUB_SID}.json"
    server.on("GET", path, account(SUB_SID, friendly_name="sub"))
    acct = await maybe(client.accounts.fetch(SUB_SID))
    assert server.only().path == path
    assert acct.friendly_name == "sub"


async def test_accounts_list_and_iter(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ACCOUNTS, page("accounts", [account(), account(SUB_SID)], ACCOUNTS))
    listed = await maybe(client.accounts.list(status="active", friendly_name="Main"))
    iterated = await collect(client.accounts.iter())
    first, second = server.requests
    assert first.query == [("FriendlyName", "Main"), ("Status", "active"), ("PageSize", "50")]
    assert second.query == [("PageSize", "50")]
    assert [a.sid for a in listed] == [ACCOUNT_SID, SUB_SID]
    assert [a.sid for a in iterated] == [ACCOUNT_SID, SUB_SID]


async def test_accounts_create_subaccount(server: FakeTwilio, client: Any) -> None:
    server.on("POST", ACCOUNTS, Reply(201, json=account(SUB_SID, friendly_name="team-a")))
    sub = await maybe(client.accounts.create(friendly_name="team-a"))
    req = server.only()
    assert (req.method, req.path, req.form) == ("POST", ACCOUNTS, [("FriendlyName", "team-a")])
    assert sub.sid == SUB_SID


async def test_accounts_update_status(server: FakeTwilio, client: Any) -> None:
    path = f"/2010-04-01/Accounts/{SUB_SID}.json"
    server.on("POST", path, account(SUB_SID, status="suspended"))
    sub = await maybe(client.accounts.update(SUB_SID, status="suspended"))
    req = server.only()
    assert (req.method, req.path, req.form) == ("POST", path, [("Status", "suspended")])
    assert sub.status == "suspended"


async def test_balance(server: FakeTwilio, client: Any) -> None:
    server.on(
        "GET",
        f"{ROOT}/Balance.json",
        {"account_sid": ACCOUNT_SID, "balance": "0.05", "currency": "USD"},
    )
    bal = await maybe(client.balance())
    assert server.only().path == f"{ROOT}/Balance.json"
    assert bal == Balance(account_sid=ACCOUNT_SID, balance="0.05", currency="USD")


async def test_incoming_numbers_list_fetch(server: FakeTwilio, client: Any) -> None:
    server.on("GET", NUMBERS, page("incoming_phone_numbers", [incoming_number()], NUMBERS))
    server.on("GET", NUMBER, incoming_number(sms_url="https://example.com/sms"))
    listed = await maybe(client.incoming_phone_numbers.list(phone_number="+1500"))
    iterated = await collect(client.incoming_phone_numbers.iter(friendly_name="main"))
    fetched = await maybe(client.incoming_phone_numbers.fetch(NUMBER_SID))
    assert server.requests[0].query == [("PhoneNumber", "+1500"), ("PageSize", "50")]
    assert server.requests[1].query == [("FriendlyName", "main"), ("PageSize", "50")]
    assert server.requests[2].path == NUMBER
    assert [n.sid for n in listed] == [NUMBER_SID]
    assert [n.sid for n in iterated] == [NUMBER_SID]
    assert isinstance(fetched, IncomingPhoneNumber)
    assert fetched.sms_url == "https://example.com/sms"
    assert fetched.capabilities is not None
    assert fetched.capabilities.sms is True
    assert fetched.capabilities.can_mms


async def test_incoming_numbers_purchase(server: FakeTwilio, client: Any) -> None:
    server.on("POST", NUMBERS, Reply(201, json=incoming_number()))
    bought = await maybe(
        client.incoming_phone_numbers.purchase(
            phone_number="+15005550006",
            friendly_name="support",
            sms_url="https://example.com/sms",
            sms_method="POST",
            voice_url="https://example.com/voice",
            voice_method="GET",
            status_callback="https://example.com/status",
            status_callback_method="POST",
        )
    )
    req = server.only()
    assert (req.method, req.path) == ("POST", NUMBERS)
    assert req.form == [
        ("PhoneNumber", "+15005550006"),
        ("FriendlyName", "support"),
        ("SmsUrl", "https://example.com/sms"),
        ("SmsMethod", "POST"),
        ("VoiceUrl", "https://example.com/voice"),
        ("VoiceMethod", "GET"),
        ("StatusCallback", "https://example.com/status"),
        ("StatusCallbackMethod", "POST"),
    ]
    assert bought.phone_number == "+15005550006"


async def test_incoming_numbers_purchase_by_area_code(server: FakeTwilio, client: Any) -> None:
    server.on("POST", NUMBERS, Reply(201, json=incoming_number()))
    await maybe(client.incoming_phone_numbers.purchase(area_code="510"))
    assert server.only().form == [("AreaCode", "510")]


async def test_incoming_numbers_purchase_needs_a_number(server: FakeTwilio, client: Any) -> None:
    with pytest.raises(ValueError, match="phone_number or area_code"):
        await maybe(client.incoming_phone_numbers.purchase(friendly_name="x"))
    assert server.requests == []


async def test_incoming_numbers_update_and_release(server: FakeTwilio, client: Any) -> None:
    server.on("POST", NUMBER, incoming_number(sms_url=""))
    server.on("DELETE", NUMBER, Reply(204))
    updated = await maybe(
        client.incoming_phone_numbers.update(
            NUMBER_SID,
            sms_url="",
            sms_fallback_url="https://example.com/fb",
            voice_fallback_method="GET",
            extra_params={"VoiceCallerIdLookup": "true"},
        )
    )
    released = await maybe(client.incoming_phone_numbers.release(NUMBER_SID))
    update, release = server.requests
    assert (update.method, update.path) == ("POST", NUMBER)
    assert update.form == [
        ("SmsUrl", ""),
        ("SmsFallbackUrl", "https://example.com/fb"),
        ("VoiceFallbackMethod", "GET"),
        ("VoiceCallerIdLookup", "true"),
    ]
    assert (release.method, release.path) == ("DELETE", NUMBER)
    assert updated.sms_url == ""
    assert released is None


@pytest.mark.parametrize(
    ("op", "segment"), [("local", "Local"), ("mobile", "Mobile"), ("toll_free", "TollFree")]
)
async def test_available_numbers(server: FakeTwilio, client: Any, op: str, segment: str) -> None:
    path = f"{ROOT}/AvailablePhoneNumbers/GB/{segment}.json"
    server.on(
        "GET",
        path,
        page("available_phone_numbers", [available_number(), available_number("+1")], path),
    )
    found = await maybe(
        getattr(client.available_phone_numbers, op)(
            "gb", area_code=510, contains="55*", sms_enabled=True, limit=2
        )
    )
    req = server.only()
    assert req.path == path  # country upper-cased
    assert req.query == [
        ("AreaCode", "510"),
        ("Contains", "55*"),
        ("SmsEnabled", "true"),
        ("PageSize", "2"),
    ]
    assert [n.phone_number for n in found] == ["+15108675310", "+1"]
    first = found[0]
    assert isinstance(first, AvailablePhoneNumber)
    assert first.locality == "Oakland"
    assert first.capabilities is not None and first.capabilities.can_sms  # "SMS" upper case
    assert not first.capabilities.can_mms


async def test_available_local_extra_filters(server: FakeTwilio, client: Any) -> None:
    path = f"{ROOT}/AvailablePhoneNumbers/US/Local.json"
    server.on("GET", path, page("available_phone_numbers", [], path))
    found = await maybe(
        client.available_phone_numbers.local(
            in_region="CA", in_postal_code="94610", extra_params={"NearNumber": "+1"}
        )
    )
    assert found == []
    assert server.only().query_dict == {
        "InRegion": ["CA"],
        "InPostalCode": ["94610"],
        "NearNumber": ["+1"],
        "PageSize": ["50"],
    }


async def test_keys(server: FakeTwilio, client: Any) -> None:
    keys = f"{ROOT}/Keys.json"
    one = f"{ROOT}/Keys/{KEY_SID}.json"
    server.on("POST", keys, Reply(201, json=key(secret="s3cr3t-never-shown")))
    server.on("GET", keys, page("keys", [key()], keys))
    server.on("GET", one, key(friendly_name="ci"))
    server.on("DELETE", one, Reply(204))

    created = await maybe(client.keys.create(friendly_name="ci"))
    listed = await maybe(client.keys.list())
    fetched = await maybe(client.keys.fetch(KEY_SID))
    deleted = await maybe(client.keys.delete(KEY_SID))

    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", keys),
        ("GET", keys),
        ("GET", one),
        ("DELETE", one),
    ]
    assert server.requests[0].form == [("FriendlyName", "ci")]
    assert isinstance(created, NewApiKey)
    assert created.secret == "s3cr3t-never-shown"
    assert "s3cr3t" not in repr(created)
    assert [k.sid for k in listed] == [KEY_SID]
    assert isinstance(fetched, ApiKey) and not isinstance(fetched, NewApiKey)
    assert deleted is None


async def test_request_any_operation(server: FakeTwilio, client: Any) -> None:
    queues = f"{ROOT}/Queues.json"
    server.on("GET", queues, {"queues": [{"sid": "QU1"}], "next_page_uri": None})
    server.on("POST", queues, Reply(201, json={"sid": "QU2", "max_size": 10}))
    server.on("DELETE", f"{ROOT}/Queues/QU2.json", Reply(204))

    listed = await maybe(
        client.request(
            "get", "/2010-04-01/Accounts/{AccountSid}/Queues.json", params={"PageSize": 2}
        )
    )
    created = await maybe(
        client.request(
            "POST", "Queues.json", data={"FriendlyName": "q", "MaxSize": 10, "Tag": ["a", "b"]}
        )
    )
    deleted = await maybe(client.request("DELETE", "Queues/QU2.json"))

    get, post, delete = server.requests
    assert (get.method, get.path, get.query) == ("GET", queues, [("PageSize", "2")])
    assert (post.method, post.path) == ("POST", queues)
    assert post.form == [("FriendlyName", "q"), ("MaxSize", "10"), ("Tag", "a"), ("Tag", "b")]
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert delete.method == "DELETE"
    assert listed == {"queues": [{"sid": "QU1"}], "next_page_uri": None}
    assert created == {"sid": "QU2", "max_size": 10}
    assert deleted is None


async def test_request_post_without_data_sends_empty_form(server: FakeTwilio, client: Any) -> None:
    path = f"{ROOT}/Calls/CA1/Recordings.json"
    server.on("POST", path, Reply(201, json={"sid": "RE1"}))
    assert await maybe(client.request("POST", path)) == {"sid": "RE1"}
    req = server.only()
    assert req.body == b""
    assert req.headers.get("content-length") == "0"
