"""Every client resource requests the path of its row in ``specs`` and reads pages by its
list key: the server here answers only at the table's paths, with envelopes encoded by
``models.encode_page`` (the function the emulator uses)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from client_testkit import (
    ACCOUNT_SID,
    CALL_SID,
    KEY_SID,
    MEDIA_SID,
    MESSAGE_SID,
    NUMBER_SID,
    RECORDING_SID,
    SUB_SID,
    FakeTwilio,
    Reply,
    account,
    available_number,
    call,
    collect,
    incoming_number,
    key,
    maybe,
    media,
    message,
    recording,
)

from twilio_connector import specs
from twilio_connector.models import encode_page, page_uri
from twilio_connector.specs import ResourceSpec

Op = Callable[[Any], Any]

# (operation, spec, which path, path ids besides the account, record, its identity)
LISTS: list[tuple[str, Op, ResourceSpec[Any], dict[str, str], dict[str, Any], str]] = [
    ("accounts.list", lambda c: c.accounts.list(), specs.ACCOUNTS, {}, account(SUB_SID), SUB_SID),
    ("messages.list", lambda c: c.messages.list(), specs.MESSAGES, {}, message(), MESSAGE_SID),
    (
        "messages.list_media",
        lambda c: c.messages.list_media(MESSAGE_SID),
        specs.MEDIA,
        {"MessageSid": MESSAGE_SID},
        media(),
        MEDIA_SID,
    ),
    ("calls.list", lambda c: c.calls.list(), specs.CALLS, {}, call(), CALL_SID),
    (
        "calls.list_recordings",
        lambda c: c.calls.list_recordings(CALL_SID),
        specs.CALL_RECORDINGS,
        {"CallSid": CALL_SID},
        recording(),
        RECORDING_SID,
    ),
    (
        "incoming_phone_numbers.list",
        lambda c: c.incoming_phone_numbers.list(),
        specs.INCOMING_PHONE_NUMBERS,
        {},
        incoming_number(),
        NUMBER_SID,
    ),
    (
        "available_phone_numbers.local",
        lambda c: c.available_phone_numbers.local("gb"),
        specs.AVAILABLE_PHONE_NUMBERS,
        {"CountryCode": "GB", "Type": "Local"},
        available_number("+441234567890"),
        "+441234567890",
    ),
    ("keys.list", lambda c: c.keys.list(), specs.KEYS, {}, key(), KEY_SID),
]

FETCHES: list[tuple[str, Op, ResourceSpec[Any], dict[str, str], dict[str, Any]]] = [
    ("accounts.fetch()", lambda c: c.accounts.fetch(), specs.ACCOUNTS, {}, account()),
    (
        "accounts.fetch(sub)",
        lambda c: c.accounts.fetch(SUB_SID),
        specs.ACCOUNTS,
        {"AccountSid": SUB_SID},
        account(SUB_SID),
    ),
    (
        "balance",
        lambda c: c.balance(),
        specs.BALANCE,
        {},
        {"account_sid": ACCOUNT_SID, "balance": "1.00", "currency": "USD"},
    ),
    (
        "messages.fetch",
        lambda c: c.messages.fetch(MESSAGE_SID),
        specs.MESSAGES,
        {"Sid": MESSAGE_SID},
        message(),
    ),
    (
        "messages.fetch_media",
        lambda c: c.messages.fetch_media(MESSAGE_SID, MEDIA_SID),
        specs.MEDIA,
        {"MessageSid": MESSAGE_SID, "Sid": MEDIA_SID},
        media(),
    ),
    ("calls.fetch", lambda c: c.calls.fetch(CALL_SID), specs.CALLS, {"Sid": CALL_SID}, call()),
    (
        "calls.fetch_recording",
        lambda c: c.calls.fetch_recording(RECORDING_SID),
        specs.RECORDINGS,
        {"Sid": RECORDING_SID},
        recording(),
    ),
    (
        "incoming_phone_numbers.fetch",
        lambda c: c.incoming_phone_numbers.fetch(NUMBER_SID),
        specs.INCOMING_PHONE_NUMBERS,
        {"Sid": NUMBER_SID},
        incoming_number(),
    ),
    ("keys.fetch", lambda c: c.keys.fetch(KEY_SID), specs.KEYS, {"Sid": KEY_SID}, key()),
]


@pytest.mark.parametrize(
    ("operation", "spec", "ids", "record", "identity"),
    [row[1:] for row in LISTS],
    ids=[row[0] for row in LISTS],
)
async def test_lists_use_the_table_path_and_list_key(
    server: FakeTwilio,
    client: Any,
    operation: Op,
    spec: ResourceSpec[Any],
    ids: dict[str, str],
    record: dict[str, Any],
    identity: str,
) -> None:
    assert spec.list_path is not None and spec.list_key is not None
    path = spec.list_path.format(AccountSid=ACCOUNT_SID, **ids)
    body = encode_page(
        spec.list_key,
        [record],
        page=0,
        page_size=50,
        uri=page_uri(path, [("PageSize", "50"), ("Page", "0")]),
        first_page_uri=page_uri(path, [("PageSize", "50"), ("Page", "0")]),
    )
    server.on("GET", path, Reply(json=msgspec.json.decode(body)))
    items = await maybe(operation(client))
    if not isinstance(items, list):
        items = await collect(items)
    assert server.only().path == path
    assert [getattr(i, "sid", None) or i.phone_number for i in items] == [identity]
    assert all(isinstance(i, spec.model) for i in items)


@pytest.mark.parametrize(
    ("operation", "spec", "ids", "record"),
    [row[1:] for row in FETCHES],
    ids=[row[0] for row in FETCHES],
)
async def test_fetches_use_the_table_path_and_model(
    server: FakeTwilio,
    client: Any,
    operation: Op,
    spec: ResourceSpec[Any],
    ids: dict[str, str],
    record: dict[str, Any],
) -> None:
    assert spec.instance_path is not None
    path = spec.instance_path.format(**{"AccountSid": ACCOUNT_SID, **ids})
    server.on("GET", path, record)
    got = await maybe(operation(client))
    assert server.only().path == path
    assert isinstance(got, spec.model)
