"""``client.content`` on both clients: against the emulator (every operation, typed content
types and plain dicts, errors as typed exceptions, sending a template) and against a live
local server acting as Twilio's content host through a proxy (the JSON body and its
Content-Type, the ``content.twilio.com`` URLs, the v1 pages)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from client_testkit import FakeTwilio, Reply, maybe

from twilio_connector import (
    AsyncTwilioClient,
    Content,
    ContentApprovalRequest,
    ContentApprovalStatus,
    InvalidRequestError,
    NotFoundError,
    TwilioClient,
)
from twilio_connector.content_types import (
    CallToActionAction,
    QuickReplyAction,
    TwilioCallToAction,
    TwilioQuickReply,
    TwilioText,
    types_json,
)
from twilio_connector.emulator import Emulator

HX = "HX" + "a" * 32
HOST = "http://content.twilio.com"
TYPED = [
    TwilioText(body="Hi {{1}}, your order is ready."),
    TwilioQuickReply(
        body="Hi {{1}}, was it on time?",
        actions=[QuickReplyAction(title="Yes", id="y"), QuickReplyAction(title="No")],
    ),
]


def content_json(**over: Any) -> dict[str, Any]:
    return {
        "sid": HX, "account_sid": "AC" + "0" * 32, "friendly_name": "t", "language": "en",
        "variables": {"1": "Ada"}, "types": types_json(TYPED),
        "url": f"https://content.twilio.com/v1/Content/{HX}",
        "links": {"approval_fetch": f"https://content.twilio.com/v1/Content/{HX}/ApprovalRequests"},
        "date_created": "2015-07-30T20:12:31Z", "date_updated": "2015-07-30T20:12:31Z", **over,
    }  # fmt: skip


def test_types_json_takes_typed_types_or_dicts() -> None:
    assert types_json(TYPED) == {
        "twilio/text": {"body": "Hi {{1}}, your order is ready."},
        "twilio/quick-reply": {
            "body": "Hi {{1}}, was it on time?",
            "actions": [{"title": "Yes", "id": "y"}, {"title": "No"}],
        },
    }
    mixed = {"twilio/text": TwilioText(body="x"), "twilio/location": {"latitude": 1}}
    assert types_json(mixed) == {"twilio/text": {"body": "x"}, "twilio/location": {"latitude": 1}}


def test_our_sync_client_does_every_operation(emu: Emulator) -> None:
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        created = client.content.create(
            language="en", types=TYPED, friendly_name="order", variables={"1": "Ada"}
        )
        assert isinstance(created, Content) and created.sid.startswith("HX")
        assert created.types == types_json(TYPED) and created.variables == {"1": "Ada"}
        assert created.date_created is not None and created.date_created.tzinfo is not None
        assert client.content.fetch(created.sid).friendly_name == "order"
        edited = client.content.update(
            created.sid, language="en", types=TYPED, friendly_name="order", variables={"1": "Bo"}
        )
        assert (edited.sid, edited.variables) == (created.sid, {"1": "Bo"})
        plain = client.content.create(language="en", types={"twilio/text": {"body": "plain"}})
        assert [c.sid for c in client.content.list()] == [created.sid, plain.sid]
        assert [c.sid for c in client.content.iter(page_size=1)] == [created.sid, plain.sid]
        approval = client.content.request_whatsapp_approval(
            created.sid, name="order_ready", category="UTILITY"
        )
        assert isinstance(approval, ContentApprovalRequest)
        assert (approval.status, approval.content_type) == ("approved", "twilio/quick-reply")
        status = client.content.approval_status(created.sid)
        assert isinstance(status, ContentApprovalStatus) and status.whatsapp is not None
        assert (status.whatsapp.status, status.whatsapp.name) == ("approved", "order_ready")
        both = client.content.list_with_approvals()
        assert [(c.sid, c.approval_requests and c.approval_requests.status) for c in both] == [
            (created.sid, "approved"),
            (plain.sid, "unsubmitted"),
        ]
        # the short form: a template send, variables as a dict
        sent = client.send_whatsapp_message(
            "+14155238886", "+15551234567", content_sid=created.sid,
            content_variables={"1": "Bo"},
        )  # fmt: skip
        assert sent.body == "Hi Bo, was it on time?"
        emu.settle()
        assert client.get_message(sent.sid).status == "read"
        with pytest.raises(InvalidRequestError) as bad:
            client.content.create(language="en", types={"twilio/text": {"body": "Hi {{}}"}})
        assert (bad.value.status, bad.value.code) == (400, 20001)
        with pytest.raises(InvalidRequestError) as bad_sid:
            client.send_whatsapp_message("+14155238886", "+15551234567", content_sid=HX)
        assert bad_sid.value.code == 21655
        client.content.delete(plain.sid)
        with pytest.raises(NotFoundError):
            client.content.fetch(plain.sid)
        with pytest.raises(NotFoundError):
            client.content.approval_status(plain.sid)


async def test_our_async_client_does_every_operation(emu: Emulator) -> None:
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        cta = TwilioCallToAction(
            body="Track {{1}}",
            actions=[CallToActionAction(type="URL", title="Go", url="https://e.com/{{1}}")],
        )
        created = await client.content.create(language="en", types=[cta], variables={"1": "x"})
        assert created.types == {
            "twilio/call-to-action": types_json([cta])["twilio/call-to-action"]
        }
        assert (await client.content.fetch(created.sid)).sid == created.sid
        assert [c.sid async for c in client.content.iter()] == [created.sid]
        rejected = await client.content.request_whatsapp_approval(
            created.sid, name="track", category="AUTHENTICATION"
        )
        assert rejected.status == "rejected" and rejected.rejection_reason
        emu.set_content_approval(created.sid, "approved")
        status = await client.content.approval_status(created.sid)
        assert status.whatsapp is not None and status.whatsapp.status == "approved"
        assert [c.sid async for c in client.content.iter_with_approvals()] == [created.sid]
        sent = await client.messages.create(
            to="+15551234567", from_="+15017122661", content_sid=created.sid,
            content_variables={"1": "abc"},
        )  # fmt: skip
        assert sent.body == "Track abc"
        await client.content.delete(created.sid)
        assert await client.content.list() == []
        with pytest.raises(NotFoundError):
            await client.content.delete(created.sid)


async def test_operations_reach_twilios_content_host_with_json_bodies(
    proxied: Callable[[], Any], server: FakeTwilio
) -> None:
    approval = {
        "name": "n", "category": "UTILITY", "content_type": "twilio/text",
        "status": "received", "rejection_reason": "", "allow_category_change": True,
    }  # fmt: skip
    server.on("POST", f"{HOST}/v1/Content", Reply(201, json=content_json()))
    server.on("GET", f"{HOST}/v1/Content/{HX}", content_json())
    server.on(
        "POST", f"{HOST}/v1/Content/{HX}/ApprovalRequests/whatsapp", Reply(201, json=approval)
    )
    server.on(
        "GET", f"{HOST}/v1/Content/{HX}/ApprovalRequests",
        {"sid": HX, "account_sid": "AC" + "0" * 32, "whatsapp": {**approval, "type": "whatsapp"},
         "url": f"https://content.twilio.com/v1/Content/{HX}/ApprovalRequests"},
    )  # fmt: skip
    server.on("DELETE", f"{HOST}/v1/Content/{HX}", Reply(204))
    server.on("PUT", f"{HOST}/v1/Content/{HX}", content_json(language="es"))
    client = proxied()
    created = await maybe(
        client.content.create(language="en", types=TYPED, friendly_name="t", variables={"1": "A"})
    )
    assert created.sid == HX and created.date_created.year == 2015
    sent = server.requests[-1]
    assert sent.headers["host"] == "content.twilio.com"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["authorization"].startswith("Basic ")
    assert json.loads(sent.body) == {
        "language": "en", "types": types_json(TYPED), "friendly_name": "t", "variables": {"1": "A"},
    }  # fmt: skip
    assert (await maybe(client.content.fetch(HX))).types == types_json(TYPED)
    edited = await maybe(client.content.update(HX, language="es", types=[TwilioText(body="x")]))
    assert edited.language == "es"
    put = server.requests[-1]
    assert put.headers["content-type"] == "application/json"
    assert json.loads(put.body) == {"language": "es", "types": {"twilio/text": {"body": "x"}}}
    requested = await maybe(
        client.content.request_whatsapp_approval(HX, name="n", category="UTILITY")
    )
    assert requested.status == "received"
    assert json.loads(server.requests[-1].body) == {"name": "n", "category": "UTILITY"}
    assert server.requests[-1].headers["content-type"] == "application/json"
    status = await maybe(client.content.approval_status(HX))
    assert status.whatsapp.type == "whatsapp"
    assert await maybe(client.content.delete(HX)) is None
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", f"{HOST}/v1/Content"),
        ("GET", f"{HOST}/v1/Content/{HX}"),
        ("PUT", f"{HOST}/v1/Content/{HX}"),
        ("POST", f"{HOST}/v1/Content/{HX}/ApprovalRequests/whatsapp"),
        ("GET", f"{HOST}/v1/Content/{HX}/ApprovalRequests"),
        ("DELETE", f"{HOST}/v1/Content/{HX}"),
    ]


async def test_lists_follow_the_v1_meta_on_twilios_content_host(
    proxied: Callable[[], Any], server: FakeTwilio
) -> None:
    url = f"{HOST}/v1/ContentAndApprovals"
    second = f"{url}?PageSize=50&Page=1&PageToken=PA{HX}"

    def page(items: list[dict[str, Any]], next_url: str | None) -> dict[str, Any]:
        meta = {"page": 0, "page_size": 50, "first_page_url": url, "previous_page_url": None,
                "url": url, "next_page_url": next_url, "key": "contents"}  # fmt: skip
        return {"contents": items, "meta": meta}

    other = "HX" + "b" * 32
    server.on(
        "GET", url,
        Reply(json=page([content_json(approval_requests={"status": "approved"})], second)),
        Reply(json=page([content_json(sid=other)], None)),
    )  # fmt: skip
    client = proxied()
    items = await maybe(client.content.list_with_approvals())
    assert [c.sid for c in items] == [HX, other]
    assert items[0].approval_requests.status == "approved"
    assert [r.raw_query for r in server.requests] == [
        "PageSize=50",
        f"PageSize=50&Page=1&PageToken=PA{HX}",
    ]


async def test_a_form_post_still_sends_a_form(client: Any, server: FakeTwilio) -> None:
    path = "/messaging/v1/Services"
    server.on("POST", path, Reply(201, json={"sid": "MG" + "a" * 32}))
    await maybe(client.messaging_services.create("svc"))
    assert server.requests[-1].headers["content-type"] == "application/x-www-form-urlencoded"
