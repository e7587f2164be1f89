"""``client.messaging_services`` against a live local server: the messaging domain's URLs
(``{base_url}/messaging/v1/...`` for a non-Twilio base URL, ``messaging.twilio.com`` for
Twilio's, reached here through the fake server acting as an HTTP proxy), the form it sends
and the v1 page envelope it follows (same origin only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from client_testkit import ACCOUNT_SID, FakeTwilio, Reply, collect, maybe

from twilio_connector import (
    MessagingService,
    MessagingServicePhoneNumber,
    ResponseDecodeError,
    TwilioClient,
    TwilioConfig,
    specs,
)

MG = "MG" + "a" * 32
MG2 = "MG" + "b" * 32
PN = "PN" + "c" * 32


def service(
    sid: str = MG, host: str = "https://messaging.twilio.com", **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sid": sid, "account_sid": ACCOUNT_SID, "friendly_name": "svc",
        "date_created": "2015-07-30T20:12:31Z", "date_updated": "2015-07-30T20:12:33Z",
        "inbound_request_url": None, "inbound_method": "POST", "sticky_sender": True,
        "validity_period": 36000, "url": f"{host}/v1/Services/{sid}", "links": {},
    }  # fmt: skip
    data.update(overrides)
    return data


def pool_number(sid: str = PN) -> dict[str, Any]:
    return {
        "sid": sid, "account_sid": ACCOUNT_SID, "service_sid": MG,
        "date_created": "2015-07-30T20:12:31Z", "date_updated": "2015-07-30T20:12:33Z",
        "phone_number": "+15017122661", "country_code": "US", "capabilities": ["SMS"],
        "url": f"https://messaging.twilio.com/v1/Services/{MG}/PhoneNumbers/{sid}",
    }  # fmt: skip


def v1_page(
    key: str, items: list[dict[str, Any]], url: str, next_url: str | None
) -> dict[str, Any]:
    return {
        key: items,
        "meta": {
            "page": 0, "page_size": 50, "first_page_url": f"{url}?PageSize=50&Page=0",
            "previous_page_url": None, "url": f"{url}?PageSize=50&Page=0",
            "next_page_url": next_url, "key": key,
        },
    }  # fmt: skip


def test_the_messaging_domain_maps_twilios_host_and_prefixes_any_other() -> None:
    def urls(base_url: str) -> tuple[str, str]:
        config = TwilioConfig(account_sid=ACCOUNT_SID, auth_token="t", base_url=base_url)
        with TwilioClient(config) as client:
            core = client._core
            return (
                core.list_path(specs.MESSAGING_SERVICES),
                core.instance_path(specs.MESSAGING_SERVICE_PHONE_NUMBERS, ServiceSid=MG, Sid=PN),
            )

    assert urls("https://api.twilio.com") == (
        "https://messaging.twilio.com/v1/Services",
        f"https://messaging.twilio.com/v1/Services/{MG}/PhoneNumbers/{PN}",
    )
    assert urls("http://127.0.0.1:9/") == (
        "http://127.0.0.1:9/messaging/v1/Services",
        f"http://127.0.0.1:9/messaging/v1/Services/{MG}/PhoneNumbers/{PN}",
    )


async def test_operations_reach_twilios_messaging_host(
    proxied: Callable[[], Any], server: FakeTwilio
) -> None:
    host = "http://messaging.twilio.com"
    server.on("POST", f"{host}/v1/Services", Reply(201, json=service()))
    server.on("GET", f"{host}/v1/Services/{MG}", service())
    server.on("POST", f"{host}/v1/Services/{MG}", service(friendly_name="new"))
    server.on("DELETE", f"{host}/v1/Services/{MG}", Reply(204))
    server.on("POST", f"{host}/v1/Services/{MG}/PhoneNumbers", Reply(201, json=pool_number()))
    server.on("GET", f"{host}/v1/Services/{MG}/PhoneNumbers/{PN}", pool_number())
    server.on("DELETE", f"{host}/v1/Services/{MG}/PhoneNumbers/{PN}", Reply(204))
    client = proxied()
    created = await maybe(
        client.messaging_services.create(
            "svc", sticky_sender=False, validity_period=600, inbound_method="GET",
            use_inbound_webhook_on_number=True,
        )
    )  # fmt: skip
    assert isinstance(created, MessagingService) and created.sid == MG
    assert created.date_created is not None and created.date_created.year == 2015
    sent = server.requests[-1]
    assert sent.headers["host"] == "messaging.twilio.com"
    assert sent.form == [
        ("FriendlyName", "svc"), ("InboundMethod", "GET"), ("StickySender", "false"),
        ("ValidityPeriod", "600"), ("UseInboundWebhookOnNumber", "true"),
    ]  # fmt: skip
    assert sent.headers["authorization"].startswith("Basic ")
    assert (await maybe(client.messaging_services.fetch(MG))).sid == MG
    updated = await maybe(client.messaging_services.update(MG, friendly_name="new"))
    assert updated.friendly_name == "new"
    assert server.requests[-1].form == [("FriendlyName", "new")]
    pool = client.messaging_services.phone_numbers(MG)
    added = await maybe(pool.add(PN))
    assert isinstance(added, MessagingServicePhoneNumber) and added.capabilities == ["SMS"]
    assert server.requests[-1].form == [("PhoneNumberSid", PN)]
    assert (await maybe(pool.fetch(PN))).phone_number == "+15017122661"
    assert await maybe(pool.delete(PN)) is None
    assert await maybe(client.messaging_services.delete(MG)) is None
    assert [(r.method, r.path) for r in server.requests] == [
        ("POST", f"{host}/v1/Services"),
        ("GET", f"{host}/v1/Services/{MG}"),
        ("POST", f"{host}/v1/Services/{MG}"),
        ("POST", f"{host}/v1/Services/{MG}/PhoneNumbers"),
        ("GET", f"{host}/v1/Services/{MG}/PhoneNumbers/{PN}"),
        ("DELETE", f"{host}/v1/Services/{MG}/PhoneNumbers/{PN}"),
        ("DELETE", f"{host}/v1/Services/{MG}"),
    ]


async def test_lists_follow_the_v1_next_page_url_on_twilios_host(
    proxied: Callable[[], Any], server: FakeTwilio
) -> None:
    host = "http://messaging.twilio.com"
    url = f"{host}/v1/Services"
    second = f"{url}?PageSize=50&Page=1&PageToken=PA{MG}"
    server.on(
        "GET",
        url,
        Reply(json=v1_page("services", [service(MG)], url, second)),
        Reply(json=v1_page("services", [service(MG2)], url, None)),
    )
    client = proxied()
    items = await maybe(client.messaging_services.list())
    assert [s.sid for s in items] == [MG, MG2]
    assert [r.raw_query for r in server.requests] == [
        "PageSize=50",
        f"PageSize=50&Page=1&PageToken=PA{MG}",
    ]


async def test_lists_on_another_base_url_use_the_prefix_and_refuse_another_origin(
    client: Any, server: FakeTwilio
) -> None:
    url = f"/messaging/v1/Services/{MG}/PhoneNumbers"
    away = "https://elsewhere.example/v1/Services?Page=1"
    server.on("GET", url, v1_page("phone_numbers", [pool_number()], server.url + url, away))
    pool = client.messaging_services.phone_numbers(MG)
    with pytest.raises(ResponseDecodeError, match="another origin"):
        await collect(pool.iter())
    assert [r.path for r in server.requests] == [url]
    server.on("GET", "/messaging/v1/Services", v1_page("services", [service(MG)], server.url, None))
    assert [s.sid for s in await maybe(client.messaging_services.list())] == [MG]
    assert server.requests[-1].path == "/messaging/v1/Services"
