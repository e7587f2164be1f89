"""Sending through a Messaging Service (TWILIO.md §17.4, §17.5, §17.7) on the emulator: the
official SDK, raw HTTP validated against the 2010 OpenAPI schema, our client sync and async.
Twilio's synchronous errors, the ``accepted`` answer, the sender the pool gives (sticky
sender, geomatch, short codes, alpha sender, WhatsApp), status callbacks and validity."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.openapi import OpenApi
from support.receiver import Receiver
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector import AsyncTwilioClient, TwilioApiError, TwilioClient
from twilio_connector.emulator import Emulator, Timing

FROM = "+15017122661"
FROM_2 = "+15017122662"
TO = "+12125550100"
NY = "+12125550111"  # a pool number with the To's area code
LONDON = "+447700900111"
GB_TO = "+447700900999"


def _service(twilio: Client, *numbers: str, **settings: Any) -> str:
    """A service whose pool holds ``numbers`` (bought when the account has them not)."""
    sid: str = twilio.messaging.v1.services.create(friendly_name="send", **settings).sid
    owned = {n.phone_number: n.sid for n in twilio.incoming_phone_numbers.list()}
    for number in numbers:
        pn = owned.get(number) or _buy(twilio, number)
        twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=pn)
    return sid


def _buy(twilio: Client, number: str) -> str:
    """Buy ``number``: a UK one as a mobile (UK landlines cannot send SMS)."""
    numbers = twilio.incoming_phone_numbers
    kind = numbers.mobile if number.startswith("+44") else numbers
    return str(kind.create(phone_number=number).sid)


def _pool(twilio: Client, service: str) -> Any:
    return twilio.messaging.v1.services(service)


def _send(twilio: Client, service: str, to: str = TO, **kwargs: Any) -> Any:
    return twilio.messages.create(to=to, messaging_service_sid=service, body="hi", **kwargs)


def _sent_from(emu: Emulator, twilio: Client, service: str, to: str = TO, **kwargs: Any) -> str:
    msg = _send(twilio, service, to, **kwargs)
    emu.settle()
    done = twilio.messages(msg.sid).fetch()
    assert done.status in ("delivered", "read"), (done.status, done.error_code)
    return str(done.from_)


def _error(fn: Any) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as caught:
        fn()
    return caught.value.status, caught.value.code


# -- synchronous errors -----------------------------------------------------------------------


def test_an_unknown_service_or_another_accounts_is_21701(emu: Emulator, twilio: Client) -> None:
    assert _error(lambda: _send(twilio, "MG" + "0" * 32)) == (400, 21701)
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = emu.sdk_client(sub.sid, sub.auth_token)
    other = _service(theirs)
    theirs.messaging.v1.services(other).phone_numbers.create(
        phone_number_sid=theirs.incoming_phone_numbers.create(phone_number="+14155550123").sid
    )
    assert _error(lambda: _send(twilio, other)) == (400, 21701)
    assert _error(lambda: _send(twilio, "MG123")) == (400, 21705)
    assert twilio.messages.list() == []  # nothing was stored


def test_an_empty_pool_is_21704_and_a_from_outside_the_pool_21711(twilio: Client) -> None:
    empty = _service(twilio)
    assert _error(lambda: _send(twilio, empty)) == (400, 21704)
    service = _service(twilio, FROM)
    assert _error(lambda: _send(twilio, service, from_=FROM_2)) == (400, 21711)
    assert _error(lambda: _send(twilio, service, from_="+14155550000")) == (400, 21606)


def test_from_with_the_service_is_that_sender(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    service = _service(twilio, FROM, FROM_2, status_callback=receiver.url("/svc"))
    msg = _send(twilio, service, from_=FROM_2)
    assert (msg.status, msg.from_, msg.messaging_service_sid) == ("queued", FROM_2, service)
    emu.settle()
    assert twilio.messages(msg.sid).fetch().from_ == FROM_2
    forms = [r.form for r in receiver.at("/svc")]
    assert [f["MessageStatus"] for f in forms] == ["sent", "delivered"]
    assert {f["MessagingServiceSid"] for f in forms} == {service}


# -- the accepted answer, the pick, the callbacks ---------------------------------------------


def test_create_answers_accepted_then_the_pool_picks_the_sender(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    service = _service(twilio, FROM, status_callback=receiver.url("/svc"))
    msg = _send(twilio, service)
    assert (msg.status, msg.from_, msg.num_segments, msg.price) == ("accepted", None, "0", None)
    assert msg.messaging_service_sid == service
    emu.settle()
    done = twilio.messages(msg.sid).fetch()
    assert (done.status, done.from_, done.num_segments) == ("delivered", FROM, "1")
    forms = [r.form for r in receiver.at("/svc")]  # the service's status_callback
    assert [f["MessageStatus"] for f in forms] == ["queued", "sent", "delivered"]
    assert {(f["MessagingServiceSid"], f["From"]) for f in forms} == {(service, FROM)}


def test_the_messages_status_callback_wins_over_the_services(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    service = _service(twilio, FROM, status_callback=receiver.url("/svc"))
    _send(twilio, service, status_callback=receiver.url("/own"))
    emu.settle()
    assert receiver.at("/svc") == []
    assert [r.form["MessageStatus"] for r in receiver.at("/own")] == ["queued", "sent", "delivered"]


def test_no_sender_that_can_deliver_fails_the_message_with_21703(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    service = _service(twilio, FROM, status_callback=receiver.url("/svc"))
    msg = _send(twilio, service, to="whatsapp:+14155550100")  # no WhatsApp sender in the pool
    assert msg.status == "accepted"
    emu.settle()
    done = twilio.messages(msg.sid).fetch()
    assert (done.status, done.error_code, done.from_) == ("failed", 21703, None)
    (hit,) = receiver.at("/svc")
    assert (hit.form["MessageStatus"], hit.form["ErrorCode"]) == ("failed", "21703")


def test_a_deleted_service_fails_its_accepted_messages() -> None:
    with Emulator(timing="manual", phone_numbers=(FROM,)) as emu:  # nothing moves until settle
        twilio = emu.sdk_client()
        service = _service(twilio, FROM)
        msg = _send(twilio, service)
        _pool(twilio, service).delete()
        emu.settle()
        done = twilio.messages(msg.sid).fetch()
        assert (done.status, done.error_code) == ("failed", 21703)


# -- which sender ------------------------------------------------------------------------------


def test_country_and_area_code_geomatch(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM, LONDON, NY)
    assert _sent_from(emu, twilio, service, GB_TO) == LONDON
    assert _sent_from(emu, twilio, service, TO) == NY  # same area code (212)
    assert _sent_from(emu, twilio, service, "+33612345678") == FROM  # no FR number: a US one
    plain = _service(twilio, "+15017122663", "+12125550112", area_code_geomatch=False)
    assert _sent_from(emu, twilio, plain, "+12125550101") == "+15017122663"


def test_sticky_sender_keeps_the_recipients_sender_until_it_leaves_the_pool(
    emu: Emulator, twilio: Client
) -> None:
    service = _service(twilio, FROM)
    assert _sent_from(emu, twilio, service) == FROM
    ny = twilio.incoming_phone_numbers.create(phone_number=NY).sid
    _pool(twilio, service).phone_numbers.create(phone_number_sid=ny)
    assert _sent_from(emu, twilio, service) == FROM  # sticky beats area-code geomatch
    assert _sent_from(emu, twilio, service, "+12125550199") == NY  # a new recipient
    _pool(twilio, service).update(sticky_sender=False)
    assert _sent_from(emu, twilio, service) == NY  # ignored while off ...
    _pool(twilio, service).update(sticky_sender=True)
    assert _sent_from(emu, twilio, service) == FROM  # ... but kept
    first = next(n.sid for n in twilio.incoming_phone_numbers.list() if n.phone_number == FROM)
    _pool(twilio, service).phone_numbers(first).delete()
    _pool(twilio, service).phone_numbers.create(phone_number_sid=first)
    assert _sent_from(emu, twilio, service) == NY  # the mapping went with the number
    assert _sent_from(emu, twilio, service) == NY


def test_sticky_mappings_go_when_the_number_is_released(emu: Emulator, twilio: Client) -> None:
    bought = twilio.incoming_phone_numbers.create(phone_number="+14155550177").sid
    service = _service(twilio, FROM)
    _pool(twilio, service).phone_numbers(
        next(n.sid for n in twilio.incoming_phone_numbers.list() if n.phone_number == FROM)
    ).delete()
    _pool(twilio, service).phone_numbers.create(phone_number_sid=bought)
    _pool(twilio, service).phone_numbers.create(
        phone_number_sid=next(
            n.sid for n in twilio.incoming_phone_numbers.list() if n.phone_number == FROM
        )
    )
    assert _sent_from(emu, twilio, service, "+14155550100") == "+14155550177"
    twilio.incoming_phone_numbers(bought).delete()
    rows = emu.call(lambda core: core.store.query("SELECT sender FROM messaging_sticky_senders"))
    assert rows == []
    assert _sent_from(emu, twilio, service, "+14155550100") == FROM


def test_a_short_code_goes_before_long_codes_for_its_country(emu: Emulator, twilio: Client) -> None:
    sc = emu.add_short_code("12345")
    service = _service(twilio, FROM)
    _pool(twilio, service).short_codes.create(short_code_sid=sc.sid)
    assert _sent_from(emu, twilio, service) == "12345"
    assert _sent_from(emu, twilio, service, GB_TO) == FROM  # a US short code stays in the US
    # a short code of the pool can be named as From
    msg = _send(twilio, service, "+13105550100", from_="12345")
    assert msg.from_ == "12345"


def test_the_alpha_sender_outside_us_and_canada(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM)
    _pool(twilio, service).alpha_senders.create(alpha_sender="Acme Co")
    assert _sent_from(emu, twilio, service, GB_TO) == "Acme Co"
    assert _sent_from(emu, twilio, service, "+16045550100") == FROM  # Canada: a number


def test_whatsapp_to_a_whatsapp_enabled_pool_number(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM, FROM_2)
    emu.enable_whatsapp(FROM_2)
    emu.simulate_inbound_message("whatsapp:+14155550100", f"whatsapp:{FROM_2}", "hi")
    emu.settle()  # opens the 24-hour window
    assert _sent_from(emu, twilio, service, "whatsapp:+14155550100") == f"whatsapp:{FROM_2}"


def test_validity_period_of_the_service_fails_a_message_that_waits_longer() -> None:
    slow = Timing(scale=None, message_queue=30.0)  # a queue slower than the validity period
    with Emulator(timing=slow, phone_numbers=(FROM,)) as emu:
        twilio = emu.sdk_client()
        service = _service(twilio, FROM, validity_period=10)
        expired = _send(twilio, service)
        kept = _send(twilio, service, validity_period=3600)  # the message's own wins
        emu.settle()
        assert twilio.messages(expired.sid).fetch().error_code == 30001
        assert twilio.messages(expired.sid).fetch().status == "failed"
        assert twilio.messages(kept.sid).fetch().status == "delivered"


# -- raw HTTP against the 2010 schema, our clients ----------------------------------------------


def test_raw_responses_match_the_2010_schema(
    emu: Emulator, twilio: Client, openapi: OpenApi
) -> None:
    service = _service(twilio, FROM)
    template = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
    path = f"/2010-04-01/Accounts/{emu.account_sid}/Messages.json"
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        created = http.post(path, data={"To": TO, "MessagingServiceSid": service, "Body": "x"})
        assert created.status_code == 201
        openapi.validate("POST", template, 201, created.content)
        body = created.json()
        assert (body["status"], body["from"], body["num_segments"]) == ("accepted", None, "0")
        emu.settle()
        one = f"/2010-04-01/Accounts/{emu.account_sid}/Messages/{body['sid']}.json"
        fetched = http.get(one)
        openapi.validate("GET", "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json", 200,
                         fetched.content)  # fmt: skip
        assert fetched.json()["from"] == FROM
        unknown = {"To": TO, "MessagingServiceSid": "MG" + "0" * 32, "Body": "x"}
        refused = http.post(path, data=unknown)
        assert refused.status_code == 400
        error = refused.json()
        assert (error["code"], error["status"]) == (21701, 400)
        assert error["more_info"] == "https://www.twilio.com/docs/errors/21701"


def test_our_sync_client_sends_through_a_service(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM)
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        msg = client.messages.create(to=TO, messaging_service_sid=service, body="x")
        assert (msg.status, msg.from_, msg.num_segments) == ("accepted", None, "0")
        short = client.send_sms(None, TO, "short form", messaging_service_sid=service)
        assert short.status == "accepted" and short.messaging_service_sid == service
        emu.settle()
        assert client.get_message(short.sid).from_ == FROM
        with pytest.raises(TwilioApiError) as caught:
            client.send_sms(None, TO, "x", messaging_service_sid="MG" + "0" * 32)
        assert (caught.value.status, caught.value.code) == (400, 21701)


async def test_our_async_client_sends_through_a_service(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM)
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        msg = await client.send_sms(None, TO, "async", messaging_service_sid=service)
        assert (msg.status, msg.from_) == ("accepted", None)
        wa = await client.send_whatsapp_message(
            None, "+14155550100", "hi", messaging_service_sid=service
        )
        assert wa.to == "whatsapp:+14155550100" and wa.from_ is None
        empty = _service(twilio)
        with pytest.raises(TwilioApiError) as caught:
            await client.messages.create(to=TO, messaging_service_sid=empty, body="x")
        assert (caught.value.status, caught.value.code) == (400, 21704)


def test_the_pool_follows_changes_made_after_it_was_used(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM, FROM_2)
    assert _sent_from(emu, twilio, service, "+13105550100") == FROM  # the pool is read
    whatsapp_to = "whatsapp:+14155550100"
    failed = _send(twilio, service, whatsapp_to)
    emu.settle()
    assert twilio.messages(failed.sid).fetch().error_code == 21703
    emu.enable_whatsapp(FROM_2)  # a number of the pool changes
    emu.simulate_inbound_message(whatsapp_to, f"whatsapp:{FROM_2}", "hi")
    emu.settle()
    assert _sent_from(emu, twilio, service, whatsapp_to) == f"whatsapp:{FROM_2}"
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    first = next(n.sid for n in twilio.incoming_phone_numbers.list() if n.phone_number == FROM)
    twilio.incoming_phone_numbers(first).update(account_sid=sub.sid)  # moved to a subaccount
    assert _sent_from(emu, twilio, service, "+13105550101") == FROM_2


def test_the_pools_alpha_sender_can_be_named_as_from(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio, FROM)
    _pool(twilio, service).alpha_senders.create(alpha_sender="Acme-Co_&+")
    msg = _send(twilio, service, GB_TO, from_="Acme-Co_&+")
    assert (msg.status, msg.from_) == ("queued", "Acme-Co_&+")
    assert _error(lambda: _send(twilio, service, GB_TO, from_="Other")) == (400, 21711)


def test_sticky_mappings_are_not_all_kept_in_memory(emu: Emulator, twilio: Client) -> None:
    """One mapping per recipient ever sent to: memory holds the most recent few (the store
    has them all), and an evicted recipient still gets its sender."""
    emu.call(lambda core: setattr(core.services, "sticky_cache_size", 2))
    service = _service(twilio, FROM)
    recipients = [f"+1212555010{i}" for i in range(4)]
    assert [_sent_from(emu, twilio, service, to) for to in recipients] == [FROM] * 4
    _pool(twilio, service).phone_numbers.create(
        phone_number_sid=twilio.incoming_phone_numbers.create(phone_number=NY).sid
    )  # area-code geomatch would pick NY for these 212 recipients: sticky keeps FROM
    assert emu.call(lambda core: len(core.services._sticky)) <= 2
    assert _sent_from(emu, twilio, service, recipients[0]) == FROM  # read back from the store
    assert _sent_from(emu, twilio, service, "+12125550199") == NY  # a new one: geomatch
    assert emu.call(lambda core: len(core.services._sticky)) <= 2


def test_a_short_code_as_from_is_the_senders_own_among_equal_digits(
    emu: Emulator, twilio: Client
) -> None:
    """The same digits may be two accounts' short codes in two countries: each account can
    send from its own (before, the first one provisioned answered for both: 21606)."""
    sub = twilio.api.v2010.accounts.create(friendly_name="uk")
    emu.add_short_code("12345", "US")
    emu.add_short_code("12345", "GB", account_sid=sub.sid)
    theirs = emu.sdk_client(sub.sid, sub.auth_token)
    sent = theirs.messages.create(to=GB_TO, from_="12345", body="hi")
    assert sent.from_ == "12345"
    mine = twilio.messages.create(to=TO, from_="12345", body="hi")
    assert mine.from_ == "12345"
    other = twilio.api.v2010.accounts.create(friendly_name="none")
    nobody = emu.sdk_client(other.sid, other.auth_token)
    assert _error(lambda: nobody.messages.create(to=TO, from_="12345", body="x")) == (400, 21606)
