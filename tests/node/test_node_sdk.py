"""twilio-node, Twilio's official Node SDK, unchanged against the emulator over real sockets.

Each test runs one or two scripts of ``tests/node/scripts`` (``node`` fixture, one Node process
a script) and checks what twilio-node made of the emulator's answers: its instances as JSON
(camelCase, dates that twilio-node parsed as ``Date``), its pages, its ``RestException``, its
``validateRequest`` on webhooks the emulator signed.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from support.content import approved_template
from support.emulator import OWNED, OWNED_2
from support.node import NodeScripts, pinned_twilio_node_version
from support.receiver import Receiver, Reply, twiml
from support.stream_agents import agent
from support.wait import wait_until
from twilio.rest import Client

from twilio_connector._wire import DOMAINS, domain_base_url
from twilio_connector.emulator import Emulator

TO = "+15558675310"
HANDSET = "+14155550100"
MAGIC_FROM = "+15005550006"
WHATSAPP_SANDBOX = "whatsapp:+14155238886"
SMS_SID = re.compile(r"\ASM[0-9a-f]{32}\Z")
CALL_SID = re.compile(r"\ACA[0-9a-f]{32}\Z")
PARSED_DATE = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\Z")
"""A date twilio-node deserialized into a ``Date`` (its JSON form); an unparsed one stays as
the wire string."""


def _params(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Form pairs as twilio-node's ``validateRequest`` takes them: a repeated name's values
    as a list."""
    params: dict[str, Any] = {}
    for name, value in pairs:
        if name in params:
            held = params[name]
            params[name] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            params[name] = value
    return params


def test_every_domain_points_at_the_emulator(node: NodeScripts, emu: Emulator) -> None:
    got = node("domains")
    assert got["version"] == pinned_twilio_node_version()  # the one the lock pins
    assert got["domains"] == list(DOMAINS)  # emulator.js knows every domain Python does
    assert got["baseUrls"] == {d: domain_base_url(emu.base_url, d) for d in DOMAINS}
    assert got["baseUrls"]["messaging"] == f"{emu.base_url}/messaging"
    assert got["restExceptionExported"] is True


def test_twilio_edge_and_region_do_not_reroute_the_client(node: NodeScripts, emu: Emulator) -> None:
    # With TWILIO_EDGE/TWILIO_REGION twilio-node rewrites every request's host, here
    # localhost to localhost.sydney.au1.localhost (an IP address it cannot rewrite):
    # emulatorClient() clears them.
    base_url = emu.base_url.replace("127.0.0.1", "localhost")
    edgy = dataclasses.replace(
        node, base_url=base_url, extra_env=(("TWILIO_EDGE", "sydney"), ("TWILIO_REGION", "au1"))
    )
    assert edgy("account")["account"]["sid"] == emu.account_sid


def test_an_sms_is_sent_then_delivered(
    node: NodeScripts, emu: Emulator, receiver: Receiver
) -> None:
    sent = node(
        "sms_send",
        {"to": TO, "from": OWNED, "body": "Hello from Node", "statusCallback": receiver.url("/s")},
    )
    assert SMS_SID.match(sent["sid"]) and sent["status"] == "queued"
    assert (sent["to"], sent["from"], sent["body"]) == (TO, OWNED, "Hello from Node")
    assert (sent["accountSid"], sent["direction"], sent["numSegments"]) == (
        emu.account_sid,
        "outbound-api",
        "1",
    )
    assert PARSED_DATE.match(sent["dateCreated"]) and sent["dateSent"] is None
    assert sent["errorCode"] is None and sent["apiVersion"] == "2010-04-01"
    emu.settle()
    fetched = node("message_fetch", {"sid": sent["sid"]})
    assert fetched["sid"] == sent["sid"] and fetched["status"] == "delivered"
    assert PARSED_DATE.match(fetched["dateSent"]) and PARSED_DATE.match(fetched["dateUpdated"])
    assert (fetched["price"], fetched["priceUnit"]) == ("-0.00790", "USD")
    assert [r.form["MessageStatus"] for r in receiver.at("/s")] == ["sent", "delivered"]


def test_messages_are_paged_through_next_page_uri(
    node: NodeScripts, emu: Emulator, twilio: Client
) -> None:
    sids = [twilio.messages.create(to=TO, from_=OWNED, body=f"m{i}").sid for i in range(5)]
    newest_first = sids[::-1]
    got = node("messages_paging", {"pageSize": 2})
    assert [page["sids"] for page in got["pages"]] == [
        newest_first[:2],
        newest_first[2:4],
        newest_first[4:],
    ]
    first_next = got["pages"][0]["nextPageUrl"]
    assert first_next.startswith(f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/Messages")
    assert "PageSize=2" in first_next and "Page=1" in first_next
    assert got["pages"][-1]["nextPageUrl"] is None
    assert got["listed"] == got["each"] == newest_first
    assert got["limited"] == newest_first[:3]


def test_a_whatsapp_template_message_is_read(node: NodeScripts, emu: Emulator) -> None:
    to = f"whatsapp:{TO}"
    got = node(
        "whatsapp",
        {
            "to": to,
            "from": WHATSAPP_SANDBOX,
            "contentSid": approved_template(emu),
            "contentVariables": {"1": "Ada"},
        },
    )
    created, fetched = got["created"], got["fetched"]
    assert (created["to"], created["from"], created["status"]) == (to, WHATSAPP_SANDBOX, "queued")
    assert fetched["sid"] == created["sid"] and fetched["status"] == "read"  # settled over HTTP


def test_calls_with_twiml_and_with_a_url_complete(
    node: NodeScripts, emu: Emulator, receiver: Receiver
) -> None:
    receiver.reply("/voice", twiml("<Say>Hello from a URL</Say>"))
    got = node(
        "calls",
        {
            "to": HANDSET,
            "from": MAGIC_FROM,
            "twiml": "<Response><Say>Hello from Node</Say></Response>",
            "url": receiver.url("/voice"),
            "statusCallback": receiver.url("/status"),
        },
    )
    inline, remote = got["created"]
    for call in got["created"]:
        assert CALL_SID.match(call["sid"]) and call["status"] == "queued"
        assert (call["to"], call["from"]) == (HANDSET, MAGIC_FROM)
        assert call["direction"] == "outbound-api"
    assert [c["sid"] for c in got["fetched"]] == [inline["sid"], remote["sid"]]
    for call in got["fetched"]:
        assert call["status"] == "completed" and int(call["duration"]) >= 1
        assert PARSED_DATE.match(call["startTime"]) and PARSED_DATE.match(call["endTime"])
    both = sorted([inline["sid"], remote["sid"]])
    assert sorted(got["listed"]) == sorted(got["completed"]) == both  # listed one a page
    (fetch,) = receiver.at("/voice")
    assert fetch.method == "POST" and fetch.form["CallSid"] == remote["sid"]
    statuses = [r.form["CallStatus"] for r in receiver.at("/status")]
    assert statuses == ["initiated", "ringing", "in-progress", "completed"]
    said = [e["text"] for e in emu.call_transcript(remote["sid"]) if e["kind"] == "say"]
    assert said == ["Hello from a URL"]


def test_the_account_its_balance_and_numbers(node: NodeScripts, emu: Emulator) -> None:
    got = node("account")
    account = got["account"]
    assert (account["sid"], account["status"], account["type"]) == (
        emu.account_sid,
        "active",
        "Full",
    )
    assert PARSED_DATE.match(account["dateCreated"])
    assert account["authToken"] == emu.auth_token  # Twilio returns it to its own account
    assert got["balance"]["accountSid"] == emu.account_sid and got["balance"]["currency"] == "USD"
    numbers = got["numbers"]  # one a page: list() followed next_page_uri
    assert [n["phoneNumber"] for n in numbers] == [OWNED, OWNED_2, WHATSAPP_SANDBOX[9:]]
    assert all(n["accountSid"] == emu.account_sid and n["sid"].startswith("PN") for n in numbers)
    assert numbers[0]["capabilities"] == {"voice": True, "sms": True, "mms": True, "fax": False}


def test_errors_are_rest_exceptions_with_twilios_code(node: NodeScripts) -> None:
    got = node("errors", {"from": OWNED, "badTo": "+15005550001", "to": TO})
    expected = {
        "badTo": (400, 21211),
        "missingBody": (400, 21602),
        "unknownMessage": (404, 20404),
        "unknownService": (404, 20404),
        "wrongToken": (401, 20003),
    }
    assert {name: (e["status"], e["code"]) for name, e in got.items()} == expected
    for error in got.values():
        assert error["restException"] is True and error["message"]
        assert error["moreInfo"] == f"https://www.twilio.com/docs/errors/{error['code']}"
    assert "+15005550001" in got["badTo"]["message"]


def test_messaging_services_and_their_pool(
    node: NodeScripts, emu: Emulator, twilio: Client
) -> None:
    first, second = (n.sid for n in twilio.incoming_phone_numbers.list()[:2])
    got = node("messaging_services", {"phoneNumberSids": [first, second]})
    created = got["created"]
    sid = created["sid"]
    assert re.fullmatch(r"MG[0-9a-f]{32}", sid)
    assert (created["friendlyName"], created["inboundMethod"], created["validityPeriod"]) == (
        "Alerts",
        "GET",
        600,
    )
    assert created["inboundRequestUrl"] == "https://app.example.com/in"
    assert (created["stickySender"], created["usecase"]) == (False, "notifications")
    assert PARSED_DATE.match(created["dateCreated"])  # v1's ISO 8601 dates parsed
    assert created["url"] == f"{emu.base_url}/messaging/v1/Services/{sid}"
    assert got["fetched"]["sid"] == sid and got["fetched"]["friendlyName"] == "Alerts"
    assert (got["updated"]["friendlyName"], got["updated"]["stickySender"]) == ("Renamed", True)
    assert got["updated"]["statusCallback"] == "https://app.example.com/status"  # kept

    # v1 paging: twilio-node follows meta.next_page_url as given, so it must be absolute.
    assert got["firstPage"]["size"] == 1
    assert got["firstPage"]["nextPageUrl"].startswith(f"{emu.base_url}/messaging/v1/Services?")
    assert got["listed"] == [sid, got["second"]]

    added = got["added"]
    assert (added["sid"], added["serviceSid"], added["phoneNumber"]) == (first, sid, OWNED)
    assert added["countryCode"] == "US" and sorted(added["capabilities"]) == ["MMS", "SMS", "Voice"]
    assert got["pooled"]["sid"] == first and got["poolListed"] == [first, second]
    assert (got["addedTwice"]["status"], got["addedTwice"]["code"]) == (409, 21710)
    assert (got["inOtherService"]["status"], got["inOtherService"]["code"]) == (400, 21712)
    assert got["removed"] is True and got["poolAfter"] == [second]
    assert got["deleted"] is True
    assert (got["afterDelete"]["status"], got["afterDelete"]["code"]) == (404, 20404)
    assert got["remaining"] == [got["second"]]
    assert [n.sid for n in twilio.incoming_phone_numbers.list()[:2]] == [first, second]  # kept


def test_validate_request_accepts_the_emulators_signed_callbacks(
    node: NodeScripts, emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    callback = receiver.url("/sms?a=1&b=x%20y")  # signed with its query string, as given
    twilio.messages.create(to=TO, from_=OWNED, body="x", status_callback=callback)
    twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, twiml="<Response/>", status_callback=receiver.url("/call")
    )
    (number,) = twilio.incoming_phone_numbers.list(phone_number=OWNED_2)
    twilio.incoming_phone_numbers(number.sid).update(sms_url=receiver.url("/in?app=1"))
    emu.simulate_inbound_message(HANDSET, OWNED_2, "hi", media_urls=["https://example.com/a.png"])
    emu.settle()
    hits = [*receiver.at("/sms"), *receiver.at("/call"), *receiver.at("/in")]
    assert len(hits) == 4  # sent, delivered; completed; the inbound SMS webhook
    requests = [
        {
            "url": r.url,
            "signature": r.headers["X-Twilio-Signature"],
            "params": _params(r.pairs),
            "settings": r.headers.get("X-Twilio-Webhooks-Signature-Settings"),
        }
        for r in hits
    ]
    got = node("validate_request", {"authToken": emu.auth_token, "requests": requests})
    expected = {"valid": True, "wrongToken": False, "tamperedParams": False, "otherUrl": False}
    assert got == [{"algorithm": "HMAC_SHA1", **expected}] * 4


def test_validate_request_accepts_shared_key_signatures(
    node: NodeScripts, emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    secret = "whsk_test_0123456789abcdefABCDEF"
    emu.set_webhook_signing("webhooks_sharedkey_01", secret, url_prefix=receiver.url("/signed/"))
    twilio.messages.create(
        to=TO, from_=OWNED, body="x", status_callback=receiver.url("/signed/status?a=1")
    )
    emu.settle()
    hits = receiver.at("/signed/status")
    assert len(hits) == 2
    requests = [
        {
            "url": r.url,
            "signature": r.headers["X-Twilio-Signature"],
            "params": _params(r.pairs),
            "settings": r.headers["X-Twilio-Webhooks-Signature-Settings"],
        }
        for r in hits
    ]
    got = node("validate_request", {"authToken": secret, "requests": requests})
    assert [(g["algorithm"], g["valid"], g["wrongToken"], g["tamperedParams"]) for g in got] == [
        ("HMAC_SHA256", True, False, False)
    ] * 2


def test_mms_media_redaction_deletion_and_filters(node: NodeScripts, emu: Emulator) -> None:
    media_urls = ["https://example.com/cat.png", "https://example.com/doc.pdf"]
    got = node("messages_more", {"to": HANDSET, "from": OWNED, "mediaUrls": media_urls})
    mms = got["mms"]
    assert re.fullmatch(r"MM[0-9a-f]{32}", mms["sid"]) and mms["numMedia"] == "2"
    assert [m["contentType"] for m in got["media"]] == ["image/png", "application/pdf"]
    assert all(m["parentSid"] == mms["sid"] and m["sid"].startswith("ME") for m in got["media"])
    assert got["oneMedia"]["sid"] == got["media"][0]["sid"]
    assert got["mediaRemoved"] is True and got["mediaAfter"] == [got["media"][1]["sid"]]
    redacted = got["redacted"]
    assert (redacted["sid"], redacted["body"], redacted["status"]) == (got["sms"], "", "delivered")
    assert got["toFiltered"] == [mms["sid"]]
    assert got["fromFiltered"] == [got["sms"], mms["sid"]]  # newest first
    assert got["removed"] is True
    assert (got["afterRemove"]["status"], got["afterRemove"]["code"]) == (404, 20404)


def test_subaccounts_and_api_keys(node: NodeScripts, emu: Emulator) -> None:
    got = node("accounts_keys", {"to": HANDSET})
    sub = got["sub"]
    assert sub["ownerAccountSid"] == emu.account_sid and sub["status"] == "active"
    assert got["subSelf"] == {"sid": sub["sid"], "friendlyName": "tenant"}
    assert got["subMessage"]["accountSid"] == sub["sid"]  # twilio({accountSid}) acts on it
    assert got["subListed"] == [got["subMessage"]["sid"]]
    assert got["key"]["sid"].startswith("SK") and got["key"]["secretLength"] == 32
    assert got["keyMessage"]["accountSid"] == emu.account_sid
    assert got["keysListed"] == [got["key"]["sid"]]
    assert (got["keyManagingKeys"]["status"], got["keyManagingKeys"]["code"]) == (403, 20006)
    assert got["keyRemoved"] is True
    assert (got["removedKey"]["status"], got["removedKey"]["code"]) == (401, 20003)
    assert (got["suspended"]["status"], got["suspended"]["code"]) == (401, 20005)
    assert got["suspendedListed"] == [sub["sid"]]


def test_numbers_are_searched_bought_updated_and_released(node: NodeScripts) -> None:
    got = node("numbers", {"areaCode": 415})
    assert (got["country"]["countryCode"], got["country"]["country"]) == ("US", "United States")
    available = got["available"]
    assert len(available) == 2 and all(n["phoneNumber"].startswith("+1415") for n in available)
    assert available[0]["region"] == "CA" and available[0]["capabilities"]["sms"] is True
    assert got["tollFree"][0]["phoneNumber"][:5] in {"+1800", "+1833", "+1844", "+1855", "+1866"}
    bought = got["bought"]
    assert bought["phoneNumber"] == available[0]["phoneNumber"] and bought["sid"].startswith("PN")
    assert (bought["smsUrl"], bought["voiceMethod"]) == ("https://app.example.com/sms", "GET")
    assert PARSED_DATE.match(bought["dateCreated"])
    updated = got["updated"]
    assert (updated["friendlyName"], updated["statusCallback"]) == (
        "support line",
        "https://app.example.com/status",
    )
    assert updated["smsUrl"] == "https://app.example.com/sms"  # kept
    assert (got["taken"]["status"], got["taken"]["code"]) == (400, 21422)
    assert got["released"] is True
    assert (got["afterRelease"]["status"], got["afterRelease"]["code"]) == (404, 20404)


def test_an_app_answers_with_twilio_nodes_twiml(
    node: NodeScripts, emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    got = node(
        "twiml_app",
        {
            "phoneNumber": OWNED,
            "smsUrl": receiver.url("/sms"),
            "voiceUrl": receiver.url("/voice"),
            "menuUrl": receiver.url("/menu"),
        },
    )
    assert (got["number"]["smsUrl"], got["number"]["voiceUrl"]) == (
        receiver.url("/sms"),
        receiver.url("/voice"),
    )
    for path in ("messaging", "voice", "menu"):
        assert got[path].startswith('<?xml version="1.0" encoding="UTF-8"?><Response>')
    receiver.reply("/sms", Reply(body=got["messaging"].encode()))
    receiver.reply("/voice", Reply(body=got["voice"].encode()))
    receiver.reply("/menu", Reply(body=got["menu"].encode()))

    inbound = emu.simulate_inbound_message(HANDSET, OWNED, "Hello")
    call = emu.simulate_incoming_call(HANDSET, OWNED, digits="1")
    emu.settle()
    (reply,) = [m for m in twilio.messages.list(to=HANDSET) if m.sid != inbound.sid]
    assert (reply.direction, reply.body, reply.status) == (
        "outbound-reply",
        "Thanks for writing, from twilio-node!",
        "delivered",
    )
    (menu,) = receiver.at("/menu")
    assert menu.form["Digits"] == "1" and menu.form["CallSid"] == call.sid
    said = [e["text"] for e in emu.call_transcript(call.sid) if e["kind"] == "say"]
    assert said == ["Press 1 for sales.", "Connecting you to sales."]
    assert twilio.calls(call.sid).fetch().status == "completed"


def test_live_calls_are_redirected_and_hung_up(node: NodeScripts, emu: Emulator) -> None:
    emu.set_rule("completed", to=HANDSET, kind="call", interactive=True)
    got = node("calls_live", {"to": HANDSET, "from": MAGIC_FROM})
    assert got["live"]["status"] == "in-progress" and got["live"]["endTime"] is None
    assert got["afterRedirect"]["status"] == "completed"
    said = [e["text"] for e in emu.call_transcript(got["redirected"]) if e["kind"] == "say"]
    assert said == ["Hold on.", "Redirected by twilio-node."]
    assert got["ended"]["sid"] == got["hungUp"] and got["ended"]["status"] == "completed"
    hangups = [e for e in emu.call_transcript(got["hungUp"]) if e["kind"] == "hangup"]
    assert [h["by"] for h in hangups] == ["api"]
    assert (got["again"]["status"], got["again"]["code"]) == (400, 21220)


def test_a_stream_is_started_and_stopped_on_a_live_call(node: NodeScripts, emu: Emulator) -> None:
    emu.set_rule("completed", to=HANDSET, kind="call", interactive=True)
    with agent(path="/fork") as fork:
        got = node("calls_streams", {"to": HANDSET, "from": MAGIC_FROM, "url": fork.url})
        assert wait_until(lambda: fork.connections and fork.connections[0].done.is_set())
    stream, stopped = got["stream"], got["stopped"]
    assert (stream["callSid"], stream["name"], stream["status"]) == (
        got["callSid"], "node-fork", "in-progress"
    )  # fmt: skip
    assert PARSED_DATE.match(stream["dateUpdated"])
    assert (stopped["sid"], stopped["status"]) == (stream["sid"], "stopped")
    seen = fork.connections[0]
    start = seen.of("start")[0]["start"]
    assert start["customParameters"] == {"sdk": "twilio-node"}
    assert start["tracks"] == ["inbound", "outbound"] and seen.events()[-1] == "stop"
    assert (got["unknown"]["status"], got["unknown"]["code"]) == (404, 20404)
    assert (got["ended"]["status"], got["ended"]["code"]) == (400, 21220)


def test_date_filters_scheduling_previous_pages_and_recordings(node: NodeScripts) -> None:
    got = node("dates_schedules_recordings", {"to": HANDSET, "from": OWNED, "callFrom": MAGIC_FROM})
    sms, call = got["sms"], got["call"]
    assert got["messages"] == {
        "sentAfterEarlier": [sms],
        "sentAfterLater": [],
        "sentBeforeLater": [sms],
        "sentOnTheDay": [sms],
    }
    assert got["calls"] == {
        "startedAfterEarlier": [call],
        "startedAfterLater": [],
        "endedBeforeLater": [call],
    }
    (recording,) = got["recordings"]
    assert recording["callSid"] == call and recording["sid"].startswith("RE")
    assert (recording["status"], recording["duration"]) == ("completed", "2")
    scheduled = got["scheduled"]
    assert (scheduled["status"], scheduled["messagingServiceSid"][:2]) == ("scheduled", "MG")
    assert got["canceled"]["sid"] == scheduled["sid"] and got["canceled"]["status"] == "canceled"
    v1, v2010 = got["pagesBack"]["v1"], got["pagesBack"]["v2010"]
    assert len(v1[0]) == 2 and v1[1] == v1[0]  # meta.previous_page_url followed
    assert len(v2010[0]) == 1 and v2010[1] == v2010[0]  # previous_page_uri followed
