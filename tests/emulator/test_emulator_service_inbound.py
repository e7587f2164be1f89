"""Inbound messages to a number in a Messaging Service's pool (TWILIO.md §17.6): the
service's ``inbound_request_url`` with ``inbound_method``, ``fallback_url`` when that fails,
the number's own ``sms_url`` with ``use_inbound_webhook_on_number``, stored without a
webhook when the service has no inbound URL; signed, ``MessagingServiceSid`` in the params,
the TwiML reply executed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.receiver import Receiver, Reply, twiml
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.signature import validate_signature

OWNED = "+15017122661"
HANDSET = "+14155550100"


def _pooled_service(twilio: Client, **settings: Any) -> str:
    sid: str = twilio.messaging.v1.services.create(friendly_name="inbound", **settings).sid
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=number)
    return sid


def _number_urls(twilio: Client, receiver: Receiver) -> None:
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    twilio.incoming_phone_numbers(number).update(sms_url=receiver.url("/number"))


def test_the_services_inbound_url_gets_the_signed_webhook_and_its_reply_is_sent(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _number_urls(twilio, receiver)  # ignored: the service's URLs win
    service = _pooled_service(twilio, inbound_request_url=receiver.url("/svc"))
    receiver.reply("/svc", twiml("<Message>Thanks</Message>"))
    inbound = emu.simulate_inbound_message(HANDSET, OWNED, "hello")
    emu.settle()
    assert receiver.at("/number") == []
    (hit,) = receiver.at("/svc")
    assert hit.method == "POST"
    form = hit.form
    assert (form["MessagingServiceSid"], form["Body"], form["MessageSid"]) == (
        service,
        "hello",
        inbound.sid,
    )
    assert validate_signature(emu.auth_token, hit.url, form, hit.headers["X-Twilio-Signature"])
    stored = twilio.messages(inbound.sid).fetch()
    assert stored.messaging_service_sid == service
    (reply,) = [m for m in twilio.messages.list(to=HANDSET) if m.direction == "outbound-reply"]
    assert (reply.from_, reply.body) == (OWNED, "Thanks")


def test_inbound_method_get_and_the_fallback_url(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    service = _pooled_service(
        twilio, inbound_request_url=receiver.url("/broken"), inbound_method="GET",
        fallback_url=receiver.url("/fallback"), fallback_method="POST",
    )  # fmt: skip
    receiver.reply("/broken", Reply(500))
    receiver.reply("/fallback", twiml("<Message>From the fallback</Message>"))
    emu.simulate_inbound_message(HANDSET, OWNED, "hi")
    emu.settle()
    first = receiver.at("/broken")[0]
    assert first.method == "GET" and first.query["MessagingServiceSid"] == service
    (fallback,) = receiver.at("/fallback")
    assert fallback.method == "POST"
    assert (fallback.form["MessagingServiceSid"], fallback.form["ErrorCode"]) == (service, "11200")
    bodies = [m.body for m in twilio.messages.list(to=HANDSET) if m.direction == "outbound-reply"]
    assert bodies == ["From the fallback"]


def test_use_inbound_webhook_on_number_sends_it_to_the_numbers_sms_url(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _number_urls(twilio, receiver)
    service = _pooled_service(
        twilio, inbound_request_url=receiver.url("/svc"), use_inbound_webhook_on_number=True
    )
    emu.simulate_inbound_message(HANDSET, OWNED, "hi")
    emu.settle()
    assert receiver.at("/svc") == []
    (hit,) = receiver.at("/number")
    assert hit.form["MessagingServiceSid"] == service


def test_no_inbound_url_on_the_service_drops_the_message_unlogged(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _number_urls(twilio, receiver)  # the number's own URL is not used either
    service = _pooled_service(twilio)  # inbound_request_url null: inbound disabled
    inbound = emu.simulate_inbound_message(HANDSET, OWNED, "anyone?")
    assert inbound.messaging_service_sid == service
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        made = http.post(
            "/_emulator/messages/inbound", json={"from": HANDSET, "to": OWNED, "body": "again"}
        )
    assert made.status_code == 202 and made.json()["dropped"] is True
    emu.settle()
    assert receiver.requests == [] and emu.delivery_log(inbound.sid) == []
    with pytest.raises(TwilioRestException) as gone:
        twilio.messages(inbound.sid).fetch()
    assert gone.value.status == 404
    assert twilio.messages.list(from_=HANDSET) == []


def test_a_number_in_no_service_keeps_its_own_url_without_the_field(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _number_urls(twilio, receiver)
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        made = http.post(
            "/_emulator/messages/inbound", json={"from": HANDSET, "to": OWNED, "body": "hi"}
        )
        assert made.status_code == 201
        assert made.json()["messaging_service_sid"] is None
    emu.settle()
    (hit,) = receiver.at("/number")
    assert "MessagingServiceSid" not in hit.form


def test_whatsapp_inbound_to_a_pooled_number(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    emu.enable_whatsapp(OWNED)
    service = _pooled_service(twilio, inbound_request_url=receiver.url("/svc"))
    emu.simulate_inbound_message(f"whatsapp:{HANDSET}", f"whatsapp:{OWNED}", "hola")
    emu.settle()
    (hit,) = receiver.at("/svc")
    assert (hit.form["MessagingServiceSid"], hit.form["To"]) == (service, f"whatsapp:{OWNED}")


def test_a_number_moved_to_a_subaccount_leaves_the_parents_service(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    """Its inbound messages are the subaccount's: not posted to the parent's service URL,
    not tagged with the parent's service (the pool entry went with the move)."""
    service = _pooled_service(twilio, inbound_request_url=receiver.url("/parent"))
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    twilio.incoming_phone_numbers(number).update(account_sid=sub.sid)
    theirs = emu.sdk_client(sub.sid, sub.auth_token)
    theirs.incoming_phone_numbers(number).update(sms_url=receiver.url("/sub"))
    inbound = emu.simulate_inbound_message(HANDSET, OWNED, "for the subaccount")
    emu.settle()
    assert receiver.at("/parent") == []
    (hit,) = receiver.at("/sub")
    assert "MessagingServiceSid" not in hit.form
    assert theirs.messages(inbound.sid).fetch().messaging_service_sid is None
    assert twilio.messaging.v1.services(service).phone_numbers.list() == []
