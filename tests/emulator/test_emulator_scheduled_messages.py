"""Scheduled messages (TWILIO.md 18): ``ScheduleType=fixed`` + ``SendAt`` + a Messaging
Service answer ``scheduled`` with ``from: null``; the message goes out when the emulator's
clock reaches ``SendAt`` (``emu.advance``), can be canceled before (``canceled`` callback)
and not after; 35118 without a service, 35114 outside 300 s - 35 days, 35126 for another
``ScheduleType``, 35111 without ``SendAt``. Through the SDK, raw HTTP checked against the
2010 schema, and our client sync and async."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.openapi import OpenApi
from support.receiver import Receiver
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector import AsyncTwilioClient, TwilioApiError, TwilioClient
from twilio_connector.emulator import Emulator

FROM = "+15017122661"
TO = "+12125550100"
DAY = 86400


def _service(twilio: Client, **settings: Any) -> str:
    sid: str = twilio.messaging.v1.services.create(friendly_name="later", **settings).sid
    number = twilio.incoming_phone_numbers.list(phone_number=FROM)[0].sid
    twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=number)
    return sid


def _in(emu: Emulator, seconds: float) -> datetime:
    """The emulator's clock plus ``seconds``, whole seconds (SendAt has no fraction)."""
    now = emu.call(lambda core: core.clock.now())
    return datetime.fromtimestamp(int(now + seconds) + 1, timezone.utc)


def _statuses(receiver: Receiver, path: str) -> list[str]:
    return [r.form["MessageStatus"] for r in receiver.at(path)]


def _error(fn: Any) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as caught:
        fn()
    return caught.value.status, caught.value.code


def test_a_scheduled_message_goes_out_when_the_clock_reaches_send_at(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    service = _service(twilio, status_callback=receiver.url("/s"))
    msg = twilio.messages.create(
        to=TO, messaging_service_sid=service, body="later", send_at=_in(emu, 3600),
        schedule_type="fixed",
    )  # fmt: skip
    assert (msg.status, msg.from_, msg.date_sent) == ("scheduled", None, None)
    emu.settle()  # returns at once: a message due in an hour is not pending work
    emu.advance(3000)
    emu.settle()
    assert twilio.messages(msg.sid).fetch().status == "scheduled"
    assert receiver.at("/s") == []
    emu.advance(700)
    emu.settle()
    done = twilio.messages(msg.sid).fetch()
    assert (done.status, done.from_) == ("delivered", FROM)
    assert done.date_sent is not None
    assert _statuses(receiver, "/s") == ["queued", "sent", "delivered"]
    assert {r.form["MessagingServiceSid"] for r in receiver.at("/s")} == {service}


def test_in_manual_timing_advance_releases_it() -> None:
    with Emulator(timing="manual", phone_numbers=(FROM,)) as emu:
        twilio = emu.sdk_client()
        service = _service(twilio)
        msg = twilio.messages.create(
            to=TO, messaging_service_sid=service, body="x", send_at=_in(emu, 600),
            schedule_type="fixed",
        )  # fmt: skip
        emu.settle()  # runs what is pending; the scheduled message is not
        assert twilio.messages(msg.sid).fetch().status == "scheduled"
        emu.advance(601)
        emu.settle()
        assert twilio.messages(msg.sid).fetch().status == "delivered"


def test_cancel_before_not_after(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    service = _service(twilio)
    msg = twilio.messages.create(
        to=TO, messaging_service_sid=service, body="x", send_at=_in(emu, 900),
        schedule_type="fixed", status_callback=receiver.url("/c"),
    )  # fmt: skip
    canceled = twilio.messages(msg.sid).update(status="canceled")
    assert canceled.status == "canceled"
    emu.advance(1000)
    emu.settle()
    assert twilio.messages(msg.sid).fetch().status == "canceled"
    assert _statuses(receiver, "/c") == ["canceled"]
    assert _error(lambda: twilio.messages(msg.sid).update(status="canceled")) == (400, 30409)
    sent = twilio.messages.create(
        to=TO, messaging_service_sid=service, body="x", send_at=_in(emu, 900),
        schedule_type="fixed",
    )  # fmt: skip
    emu.advance(1000)
    emu.settle()
    assert twilio.messages(sent.sid).fetch().status == "delivered"
    assert _error(lambda: twilio.messages(sent.sid).update(status="canceled")) == (400, 30409)


def test_scheduling_errors_are_twilios(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio)
    send = twilio.messages.create

    def at(seconds: float, **kwargs: Any) -> Any:
        options: dict[str, Any] = {"messaging_service_sid": service, "schedule_type": "fixed"}
        options.update(kwargs)
        return lambda: send(to=TO, body="x", send_at=_in(emu, seconds), **options)

    assert _error(at(3600, messaging_service_sid=None, from_=FROM)) == (400, 35118)
    assert _error(at(200)) == (400, 35114)  # not more than 300 s ahead
    assert _error(at(-60)) == (400, 35114)
    assert _error(at(35 * DAY + 60)) == (400, 35114)
    assert _error(at(3600, schedule_type="recurring")) == (400, 35126)
    assert _error(lambda: send(to=TO, body="x", messaging_service_sid=service,
                               schedule_type="fixed")) == (400, 35111)  # fmt: skip
    assert send(to=TO, body="x", messaging_service_sid=service, schedule_type="fixed",
                send_at=_in(emu, 310)).status == "scheduled"  # fmt: skip
    assert send(to=TO, body="x", messaging_service_sid=service, schedule_type="fixed",
                send_at=_in(emu, 35 * DAY - 60)).status == "scheduled"  # fmt: skip


def test_raw_responses_match_the_2010_schema(
    emu: Emulator, twilio: Client, openapi: OpenApi
) -> None:
    service = _service(twilio)
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    template = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
    one = "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json"
    send_at = _in(emu, 3600).strftime("%Y-%m-%dT%H:%M:%SZ")
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        data = {"To": TO, "Body": "x", "MessagingServiceSid": service, "ScheduleType": "fixed",
                "SendAt": send_at}  # fmt: skip
        created = http.post(f"{base}/Messages.json", data=data)
        assert created.status_code == 201, created.text
        openapi.validate("POST", template, 201, created.content)
        body = created.json()
        assert (body["status"], body["from"], body["date_sent"]) == ("scheduled", None, None)
        canceled = http.post(f"{base}/Messages/{body['sid']}.json", data={"Status": "canceled"})
        assert canceled.status_code == 200
        openapi.validate("POST", one, 200, canceled.content)
        assert canceled.json()["status"] == "canceled"
        refused = http.post(f"{base}/Messages.json", data={**data, "ScheduleType": "daily"})
        assert refused.status_code == 400
        assert refused.json()["code"] == 35126


def test_our_sync_client_schedules_and_cancels(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio)
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        later = client.send_sms(
            None, TO, "later", messaging_service_sid=service, send_at=_in(emu, 3600)
        )
        assert (later.status, later.from_) == ("scheduled", None)
        assert client.messages.cancel(later.sid).status == "canceled"
        with pytest.raises(TwilioApiError) as again:
            client.cancel_message(later.sid)
        assert (again.value.status, again.value.code) == (400, 30409)
        with pytest.raises(TwilioApiError) as no_service:
            client.send_sms(FROM, TO, "x", send_at=_in(emu, 3600))
        assert no_service.value.code == 35118
        soon = client.messages.create(
            to=TO, messaging_service_sid=service, body="x", send_at=_in(emu, 400)
        )  # schedule_type="fixed" is set for the caller
        assert soon.status == "scheduled"
        emu.advance(500)
        emu.settle()
        assert client.get_message(soon.sid).status == "delivered"


async def test_our_async_client_schedules_and_cancels(emu: Emulator, twilio: Client) -> None:
    service = _service(twilio)
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        later = await client.send_sms(
            None, TO, "later", messaging_service_sid=service,
            send_at=_in(emu, 3600).astimezone(timezone(timedelta(hours=-5))),  # sent as UTC
        )  # fmt: skip
        assert later.status == "scheduled"
        canceled = await client.cancel_message(later.sid)
        assert canceled.status == "canceled"
        with pytest.raises(TwilioApiError) as outside:
            await client.messages.create(
                to=TO, messaging_service_sid=service, body="x", send_at=_in(emu, 60)
            )
        assert outside.value.code == 35114


def test_a_scheduled_message_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    with Emulator(db_path=db, phone_numbers=(FROM,)) as first:
        sdk = first.sdk_client()
        token = first.auth_token
        service = _service(sdk)
        msg = sdk.messages.create(
            to=TO, messaging_service_sid=service, body="x", send_at=_in(first, 1800),
            schedule_type="fixed",
        )  # fmt: skip
    with Emulator(db_path=db, auth_token=token, phone_numbers=(FROM,)) as second:
        sdk = second.sdk_client()
        assert sdk.messages(msg.sid).fetch().status == "scheduled"
        second.advance(1900)
        second.settle()
        assert sdk.messages(msg.sid).fetch().status == "delivered"


def test_an_account_has_a_bounded_number_of_scheduled_messages(
    emu: Emulator, twilio: Client
) -> None:
    """Twilio's cap (500,000, 35125 beyond; lowered here): per account, and a message that
    leaves ``scheduled`` (canceled, or sent at SendAt) frees its place."""
    emu.call(lambda core: setattr(core.messaging, "max_scheduled", 2))
    service = _service(twilio)

    def schedule(seconds: float) -> Any:
        return twilio.messages.create(
            to=TO, messaging_service_sid=service, body="later", send_at=_in(emu, seconds),
            schedule_type="fixed",
        )  # fmt: skip

    first, _ = schedule(3600), schedule(7200)
    assert _error(lambda: schedule(3600)) == (400, 35125)
    assert len(twilio.messages.list()) == 2  # the refused one was not stored
    twilio.messages(first.sid).update(status="canceled")
    schedule(3600)
    assert _error(lambda: schedule(3600)) == (400, 35125)
    emu.advance(7300)
    emu.settle()
    schedule(3600)  # both went out: room again
    twilio.messages.create(to=TO, messaging_service_sid=service, body="now")  # not capped
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = emu.sdk_client(sub.sid, sub.auth_token)
    mine = theirs.messaging.v1.services.create(friendly_name="theirs").sid
    number = theirs.incoming_phone_numbers.create(phone_number="+14155550123").sid
    theirs.messaging.v1.services(mine).phone_numbers.create(phone_number_sid=number)
    theirs.messages.create(
        to=TO, messaging_service_sid=mine, body="later", send_at=_in(emu, 3600),
        schedule_type="fixed",
    )  # fmt: skip  # another account's count is its own


def test_one_long_advance_does_not_expire_a_message_of_a_service_with_a_validity() -> None:
    """Validity counts the time a message waits in the queue (from SendAt if scheduled), not
    how far a test moves the clock in one step: ``advance`` well past SendAt (or past a send
    at once) delivers it, with the service's 60 s ValidityPeriod."""
    with Emulator(timing="manual", phone_numbers=(FROM,)) as emu:
        twilio = emu.sdk_client()
        service = _service(twilio, validity_period=60)
        later = twilio.messages.create(
            to=TO, messaging_service_sid=service, body="later", send_at=_in(emu, 3600),
            schedule_type="fixed",
        )  # fmt: skip
        now = twilio.messages.create(to=TO, messaging_service_sid=service, body="now")
        emu.advance(2 * 3600)
        emu.settle()
        for sid in (later.sid, now.sid):
            done = twilio.messages(sid).fetch()
            assert (done.status, done.error_code) == ("delivered", None)


def test_a_message_left_queued_by_a_stopped_emulator_counts_that_time(tmp_path: Path) -> None:
    """Validity across a restart: the time the emulator was stopped counts as queued (at
    least 1.1 s here, over the service's 1 s ValidityPeriod), so the resumed message fails
    with 30001."""
    db = tmp_path / "emu.db"
    with Emulator(timing="manual", db_path=db, phone_numbers=(FROM,)) as emu:
        twilio = emu.sdk_client()
        service = _service(twilio, validity_period=1)
        sid = twilio.messages.create(to=TO, messaging_service_sid=service, body="x").sid
        token = emu.auth_token
    time.sleep(1.1)  # a lower bound on the downtime: the clock cannot move less
    with Emulator(timing="manual", db_path=db, auth_token=token, phone_numbers=(FROM,)) as emu:
        emu.advance(5)
        emu.settle()
        done = emu.sdk_client().messages(sid).fetch()
        assert (done.status, done.error_code) == ("failed", 30001)
