"""Messages over a real socket: seed operations and ``client.messages``, sync and async."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from client_testkit import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    AUTH_TOKEN,
    CONTENT_SID,
    MEDIA_SID,
    MESSAGE_SID,
    ROOT,
    SERVICE_SID,
    FakeTwilio,
    Reply,
    collect,
    maybe,
    media,
    message,
    page,
)

from twilio_connector import Media, Message, StatusCallback

MESSAGES = f"{ROOT}/Messages.json"
ONE = f"{ROOT}/Messages/{MESSAGE_SID}.json"
UTC = timezone.utc


def basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


@pytest.mark.parametrize("auth", ["token", "api_key"])
async def test_send_sms_request_auth_and_model(
    server: FakeTwilio, make_client: Any, auth: str
) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message(body="Hi there")))
    client = make_client(auth=auth)

    msg = await maybe(
        client.send_sms(
            from_="+15005550006",
            to="+14155550100",
            body="Hi there & more",
            status_callback="https://example.com/status?x=1",
        )
    )

    req = server.only()
    assert req.method == "POST"
    assert req.path == MESSAGES  # the account SID stays in the path with API-key auth too
    assert req.headers["content-type"] == "application/x-www-form-urlencoded"
    assert req.headers["accept"] == "application/json"
    assert req.headers["user-agent"].startswith("twilio-connector/")
    expected = basic(ACCOUNT_SID, AUTH_TOKEN) if auth == "token" else basic(API_KEY, API_SECRET)
    assert req.headers["authorization"] == expected
    assert req.form == [
        ("To", "+14155550100"),
        ("From", "+15005550006"),
        ("Body", "Hi there & more"),
        ("StatusCallback", "https://example.com/status?x=1"),
    ]
    assert isinstance(msg, Message)
    assert msg.sid == MESSAGE_SID
    assert msg.from_ == "+15005550006"
    assert msg.to == "+14155550100"
    assert msg.body == "Hi there"
    assert msg.date_created == datetime(2015, 7, 30, 20, 12, 31, tzinfo=UTC)
    assert msg.date_sent == datetime(2015, 7, 31, 8, 0, 0, tzinfo=UTC)
    assert msg.error_code is None
    assert msg.num_segments == "1"
    assert msg.subresource_uris == {"media": f"{ROOT}/Messages/{MESSAGE_SID}/Media.json"}


async def test_send_sms_with_status_callback_object(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message()))
    await maybe(
        client.send_sms(
            "+15005550006", "+14155550100", "x", StatusCallback("https://cb.example.com/s")
        )
    )
    assert server.only().field("StatusCallback") == "https://cb.example.com/s"


@pytest.mark.parametrize(
    ("from_", "to"),
    [
        ("+14155238886", "+15005550006"),
        ("whatsapp:+14155238886", "whatsapp:+15005550006"),
        ("whatsapp:+14155238886", "+15005550006"),
    ],
)
async def test_send_whatsapp_adds_prefix_where_missing(
    server: FakeTwilio, client: Any, from_: str, to: str
) -> None:
    server.on(
        "POST",
        MESSAGES,
        Reply(201, json=message(to="whatsapp:+15005550006", **{"from": "whatsapp:+14155238886"})),
    )
    msg = await maybe(client.send_whatsapp_message(from_=from_, to=to, body="hola"))
    req = server.only()
    assert req.field("To") == "whatsapp:+15005550006"
    assert req.field("From") == "whatsapp:+14155238886"
    assert req.field("Body") == "hola"
    assert msg.from_ == "whatsapp:+14155238886"


async def test_send_whatsapp_template_and_media(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message()))
    await maybe(
        client.send_whatsapp_message(
            "+14155238886",
            "+15005550006",
            media_url=["https://a.example/1.png", "https://a.example/2.png"],
            content_sid=CONTENT_SID,
            content_variables={"1": "Ada", "2": "10:00"},
        )
    )
    req = server.only()
    assert req.values("MediaUrl") == ["https://a.example/1.png", "https://a.example/2.png"]
    assert req.field("ContentSid") == CONTENT_SID
    assert json.loads(req.field("ContentVariables")) == {"1": "Ada", "2": "10:00"}
    assert "Body" not in req.form_dict


async def test_get_message(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, message(status="delivered", price="-0.00750"))
    msg = await maybe(client.get_message(MESSAGE_SID))
    req = server.only()
    assert (req.method, req.path, req.body) == ("GET", ONE, b"")
    assert "content-type" not in req.headers
    assert req.headers["authorization"] == basic(ACCOUNT_SID, AUTH_TOKEN)
    assert msg.status == "delivered"
    assert msg.price == "-0.00750"


async def test_create_with_every_option(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message(status="scheduled")))
    send_at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    msg = await maybe(
        client.messages.create(
            to="+14155550100",
            messaging_service_sid=SERVICE_SID,
            body="later",
            media_url=["https://m.example/a.jpg", "https://m.example/b.jpg"],
            content_sid=CONTENT_SID,
            content_variables={"1": "Ada"},
            send_at=send_at,
            validity_period=600,
            status_callback="https://example.com/cb",
            smart_encoded=True,
            send_as_mms=False,
        )
    )
    req = server.only()
    form = req.form_dict
    assert form["To"] == ["+14155550100"]
    assert "From" not in form
    assert form["MessagingServiceSid"] == [SERVICE_SID]
    assert form["MediaUrl"] == ["https://m.example/a.jpg", "https://m.example/b.jpg"]
    assert form["ContentSid"] == [CONTENT_SID]
    assert json.loads(form["ContentVariables"][0]) == {"1": "Ada"}
    assert form["SendAt"] == ["2030-01-02T01:04:05Z"]  # converted to UTC
    assert form["ScheduleType"] == ["fixed"]
    assert form["ValidityPeriod"] == ["600"]
    assert form["SmartEncoded"] == ["true"]
    assert form["SendAsMms"] == ["false"]
    assert msg.status == "scheduled"


async def test_create_single_media_url_and_extra_wire_params(
    server: FakeTwilio, client: Any
) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message()))
    await maybe(
        client.messages.create(
            to="+1415",
            from_="+1500",
            media_url="https://m.example/only.jpg",
            extra_params={"PersistentAction": ["geo:37.7,-122.4", "mailto:a@b.c"]},
        )
    )
    req = server.only()
    assert req.values("MediaUrl") == ["https://m.example/only.jpg"]
    assert req.values("PersistentAction") == ["geo:37.7,-122.4", "mailto:a@b.c"]


async def test_fetch(server: FakeTwilio, client: Any) -> None:
    server.on("GET", ONE, message())
    msg = await maybe(client.messages.fetch(MESSAGE_SID))
    assert server.only().path == ONE
    assert msg.sid == MESSAGE_SID


async def test_sid_cannot_escape_its_path_segment(server: FakeTwilio, client: Any) -> None:
    server.on("GET", f"{ROOT}/Messages/..%2FCalls.json", message())
    await maybe(client.messages.fetch("../Calls"))
    req = server.only()
    assert req.path == f"{ROOT}/Messages/..%2FCalls.json"  # the slash stays encoded


async def test_list_with_filters(server: FakeTwilio, client: Any) -> None:
    server.on("GET", MESSAGES, page("messages", [message(), message("SM" + "ab" * 16)], MESSAGES))
    msgs = await maybe(
        client.messages.list(
            to="+14155550100",
            from_="+15005550006",
            date_sent_before=date(2024, 3, 31),
            date_sent_after=datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
            limit=20,
        )
    )
    req = server.only()
    assert req.query == [
        ("To", "+14155550100"),
        ("From", "+15005550006"),
        ("DateSent<", "2024-03-31"),
        ("DateSent>", "2024-03-01"),
        ("PageSize", "20"),
    ]
    # the inequality lives in the key and is percent-encoded on the wire
    assert "DateSent%3C=2024-03-31" in req.raw_query
    assert "DateSent%3E=2024-03-01" in req.raw_query
    assert [m.sid for m in msgs] == [MESSAGE_SID, "SM" + "ab" * 16]
    assert all(isinstance(m, Message) for m in msgs)


async def test_list_exact_date_sent(server: FakeTwilio, client: Any) -> None:
    server.on("GET", MESSAGES, page("messages", [], MESSAGES))
    assert await maybe(client.messages.list(date_sent="2024-03-05")) == []
    assert server.only().query_dict["DateSent"] == ["2024-03-05"]


async def test_iter(server: FakeTwilio, client: Any) -> None:
    server.on("GET", MESSAGES, page("messages", [message()], MESSAGES))
    items = await collect(client.messages.iter(to="+14155550100"))
    assert [m.sid for m in items] == [MESSAGE_SID]
    assert server.only().query_dict == {"To": ["+14155550100"], "PageSize": ["50"]}


async def test_update_redact(server: FakeTwilio, client: Any) -> None:
    server.on("POST", ONE, message(body=""))
    msg = await maybe(client.messages.redact(MESSAGE_SID))
    req = server.only()
    assert (req.method, req.path) == ("POST", ONE)
    assert req.form == [("Body", "")]  # an empty value is still sent: that is the redaction
    assert msg.body == ""


async def test_update_body(server: FakeTwilio, client: Any) -> None:
    server.on("POST", ONE, message(body=""))
    await maybe(client.messages.update(MESSAGE_SID, body=""))
    assert server.only().form == [("Body", "")]


async def test_cancel(server: FakeTwilio, client: Any) -> None:
    server.on("POST", ONE, message(status="canceled"))
    msg = await maybe(client.messages.cancel(MESSAGE_SID))
    assert server.only().form == [("Status", "canceled")]
    assert msg.status == "canceled"


async def test_delete(server: FakeTwilio, client: Any) -> None:
    server.on("DELETE", ONE, Reply(204))
    assert await maybe(client.messages.delete(MESSAGE_SID)) is None
    req = server.only()
    assert (req.method, req.path) == ("DELETE", ONE)


async def test_media_list_fetch_delete(server: FakeTwilio, client: Any) -> None:
    media_list = f"{ROOT}/Messages/{MESSAGE_SID}/Media.json"
    one = f"{ROOT}/Messages/{MESSAGE_SID}/Media/{MEDIA_SID}.json"
    server.on("GET", media_list, page("media_list", [media(), media("ME" + "99" * 16)], media_list))
    server.on("GET", one, media(content_type="image/png"))
    server.on("DELETE", one, Reply(204))

    items = await maybe(client.messages.list_media(MESSAGE_SID))
    item = await maybe(client.messages.fetch_media(MESSAGE_SID, MEDIA_SID))
    deleted = await maybe(client.messages.delete_media(MESSAGE_SID, MEDIA_SID))

    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", media_list),
        ("GET", one),
        ("DELETE", one),
    ]
    assert [m.sid for m in items] == [MEDIA_SID, "ME" + "99" * 16]
    assert all(isinstance(m, Media) for m in items)
    assert item.content_type == "image/png"
    assert item.parent_sid == MESSAGE_SID
    assert item.date_updated == datetime(2015, 7, 31, 8, 0, tzinfo=UTC)
    assert deleted is None


async def test_iter_media(server: FakeTwilio, client: Any) -> None:
    media_list = f"{ROOT}/Messages/{MESSAGE_SID}/Media.json"
    server.on("GET", media_list, page("media_list", [media()], media_list))
    items = await collect(client.messages.iter_media(MESSAGE_SID))
    assert [m.sid for m in items] == [MEDIA_SID]
