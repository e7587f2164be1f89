"""The Messages REST and control handlers called directly with a built Request (no HTTP)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any

import pytest

from twilio_connector.emulator.accounts.records import AccountRecord
from twilio_connector.emulator.core import EmulatorCore
from twilio_connector.emulator.errors import EmulatorError
from twilio_connector.emulator.http import Request, Response
from twilio_connector.emulator.messages.control import MessagesControl
from twilio_connector.emulator.messages.records import MessageRecord
from twilio_connector.emulator.messages.rest import MessagesApi
from twilio_connector.emulator.scheduler import Timing
from twilio_connector.emulator.store import Store

ACCOUNT = "AC" + "a" * 32
FROM = "+15017122661"
TO = "+15558675310"


@pytest.fixture
async def core() -> AsyncIterator[EmulatorCore]:
    core = EmulatorCore(Store(None), Timing.manual(), asyncio.get_running_loop(), "http://emu.test")
    core.seed(ACCOUNT, None, (FROM,))
    yield core
    await core.close()


def _account(core: EmulatorCore) -> AccountRecord:
    account = core.accounts.get(ACCOUNT)
    assert account is not None
    return account


def _request(
    core: EmulatorCore, method: str, path: str, params: dict[str, list[str]], **path_params: str
) -> Request:
    return Request(
        method, path, "", {}, {}, b"", params, {"AccountSid": ACCOUNT, **path_params},
        account=_account(core),
    )  # fmt: skip


def _json(response: Response) -> Any:
    return json.loads(response.body)


def _messages_path(suffix: str = ".json") -> str:
    return f"/2010-04-01/Accounts/{ACCOUNT}/Messages{suffix}"


async def test_create_fetch_and_list_without_http(core: EmulatorCore) -> None:
    api = MessagesApi(core)
    created = await api.create(
        _request(core, "POST", _messages_path(), {"To": [TO], "From": [FROM], "Body": ["hi"]})
    )
    assert created.status == 201
    sid = _json(created)["sid"]
    assert (_json(created)["status"], _json(created)["body"]) == ("queued", "hi")
    fetched = await api.fetch(_request(core, "GET", _messages_path(f"/{sid}.json"), {}, Sid=sid))
    assert _json(fetched)["sid"] == sid
    page = _json(await api.list(_request(core, "GET", _messages_path(), {"To": [TO]})))
    assert [m["sid"] for m in page["messages"]] == [sid]
    assert "To=%2B15558675310" in page["uri"]
    other = _json(await api.list(_request(core, "GET", _messages_path(), {"To": ["+15550000000"]})))
    assert other["messages"] == []


async def test_create_errors_are_emulator_errors(core: EmulatorCore) -> None:
    api = MessagesApi(core)
    send_at = ["2030-01-01T00:00:00Z"]
    for params, code in (
        ({"From": [FROM], "Body": ["x"]}, 21604),
        ({"To": [TO], "From": [FROM], "Body": ["x"], "SendAt": send_at}, 35118),
    ):
        with pytest.raises(EmulatorError) as info:
            await api.create(_request(core, "POST", _messages_path(), params))
        assert (info.value.status, info.value.code) == (400, code)


async def test_date_sent_filters(core: EmulatorCore) -> None:
    def sent(sid: str, when: datetime) -> MessageRecord:
        ts = when.timestamp()
        return MessageRecord(
            sid=sid, account_sid=ACCOUNT, direction="outbound-api", from_=FROM, to=TO,
            body=sid, status="delivered", num_segments=1, num_media=0, date_created=ts,
            date_updated=ts, date_sent=ts,
        )  # fmt: skip

    core.messaging.repository.insert(
        [
            sent("SM" + "1" * 32, datetime(2024, 5, 1, 23, 59, 59, tzinfo=timezone.utc)),
            sent("SM" + "2" * 32, datetime(2024, 5, 2, 0, 0, 0, tzinfo=timezone.utc)),
            sent("SM" + "3" * 32, datetime(2024, 5, 2, 12, 0, 0, tzinfo=timezone.utc)),
            sent("SM" + "4" * 32, datetime(2024, 5, 3, 0, 0, 0, tzinfo=timezone.utc)),
        ]
    )
    api = MessagesApi(core)

    async def bodies(**params: str) -> list[str]:
        form = {
            key.replace("_before", "<").replace("_after", ">"): [v] for key, v in params.items()
        }
        page = _json(await api.list(_request(core, "GET", _messages_path(), form)))
        return sorted(m["body"][2] for m in page["messages"])

    assert await bodies(DateSent="2024-05-02") == ["2", "3"]
    assert await bodies(DateSent_before="2024-05-02") == ["1", "2", "3"]
    assert await bodies(DateSent_before="2024-05-02T00:00:00Z") == ["1", "2"]
    assert await bodies(DateSent_after="2024-05-02T12:00:00Z") == ["3", "4"]
    assert await bodies(DateSent_after="2024-05-02", DateSent_before="2024-05-02") == ["2", "3"]


async def test_date_sent_outside_1970_to_9000_says_so(core: EmulatorCore) -> None:
    api = MessagesApi(core)
    for key, value in (("DateSent", "1969-12-31"), ("DateSent<", "9001-01-01"),
                       ("DateSent>", "9000-12-31T23:00:00-05:00")):  # fmt: skip
        with pytest.raises(EmulatorError) as info:
            await api.list(_request(core, "GET", _messages_path(), {key: [value]}))
        assert (info.value.status, info.value.code) == (400, 20001)
        assert info.value.message == (
            f"Invalid parameter: {key} ({value!r}): must be between 1970-01-01 and 9000-12-31 (UTC)"
        )
    with pytest.raises(EmulatorError) as info:
        await api.list(_request(core, "GET", _messages_path(), {"DateSent": ["May 2nd"]}))
    assert "expected an ISO 8601 date (YYYY-MM-DD)" in info.value.message
    edge = {"DateSent>": ["1970-01-01"], "DateSent<": ["9000-12-31"]}
    assert (await api.list(_request(core, "GET", _messages_path(), edge))).status == 200


async def test_media_content_is_public_redirect_and_other_accounts_404(core: EmulatorCore) -> None:
    api = MessagesApi(core)
    created = await api.create(
        _request(
            core, "POST", _messages_path(),
            {"To": [TO], "From": [FROM], "MediaUrl": ["https://cdn.example/cat.png"]},
        )
    )  # fmt: skip
    sid = _json(created)["sid"]
    media = _json(
        await api.list_media(
            _request(core, "GET", _messages_path(f"/{sid}/Media.json"), {}, MessageSid=sid)
        )
    )["media_list"]
    assert [m["content_type"] for m in media] == ["image/png"]
    path = _messages_path(f"/{sid}/Media/{media[0]['sid']}")
    params = {"MessageSid": sid, "Sid": media[0]["sid"]}
    content = await api.media_content(_request(core, "GET", path, {}, **params))
    assert content.status == 307
    assert ("location", "https://cdn.example/cat.png") in content.headers
    elsewhere = _request(core, "GET", path, {}, **params)
    elsewhere.path_params["AccountSid"] = "AC" + "b" * 32
    with pytest.raises(EmulatorError) as info:
        await api.media_content(elsewhere)
    assert info.value.status == 404


async def test_inbound_control_handler(core: EmulatorCore) -> None:
    control = MessagesControl(core)
    body = json.dumps({"from": TO, "to": FROM, "body": "hello", "media_url": "https://x/a.jpg"})
    req = Request(
        "POST", "/_emulator/messages/inbound", "", {}, {"content-type": "application/json"},
        body.encode(), {},
    )  # fmt: skip
    response = await control.inbound(req)
    assert response.status == 201
    got = _json(response)
    assert (got["direction"], got["status"], got["num_media"]) == ("inbound", "received", "1")
    bad = Request(
        "POST", "/_emulator/messages/inbound", "", {}, {"content-type": "application/json"},
        json.dumps({"from": [TO], "to": FROM}).encode(), {},
    )  # fmt: skip
    with pytest.raises(EmulatorError) as info:
        await control.inbound(bad)
    assert info.value.code == 20001


async def test_inbound_addresses_by_channel(core: EmulatorCore) -> None:
    inbound = core.inbound
    for sender, to, code in (
        ("client:" + TO, FROM, 21212),  # a voice address is no handset
        ("whatsapp:" + TO, FROM, 21910),  # WhatsApp to an SMS number
        (TO, "messenger:" + FROM, 20404),  # only numbers and WhatsApp addresses are owned
        (TO, "whatsapp:" + FROM, 21910),
        ("whatsapp:" + TO, "whatsapp:" + FROM, 63007),  # not a WhatsApp sender
    ):
        with pytest.raises(EmulatorError) as info:
            inbound.receive(sender, to, "hi")
        assert info.value.code == code, (sender, to)
    received = inbound.receive("whatsapp:" + TO, "whatsapp:+14155238886", "hi")  # the sandbox
    assert (received.channel, received.price) == ("whatsapp", "-0.00500")
