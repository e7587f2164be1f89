"""Messages through the official twilio SDK: lifecycle, signed status callbacks, errors."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from support.emulator import sdk_client
from support.receiver import Receiver
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.signature import validate_signature

FROM = "+15017122661"
TO = "+15558675310"
_MG = "MG" + "1" * 32
_IN_AN_HOUR = datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() + 3600, timezone.utc)


def _statuses(receiver: Receiver, path: str) -> list[str]:
    return [r.form["MessageStatus"] for r in receiver.at(path)]


def test_sms_lifecycle_posts_signed_callbacks(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    callback = receiver.url("/status?tenant=a%20b")
    msg = twilio.messages.create(
        to=TO, from_=FROM, body="Hello from the emulator", status_callback=callback
    )
    assert msg.sid.startswith("SM") and len(msg.sid) == 34
    assert msg.status == "queued"
    assert msg.num_segments == "1" and msg.direction == "outbound-api"
    assert msg.price is None and msg.error_code is None
    assert msg.uri == f"/2010-04-01/Accounts/{emu.account_sid}/Messages/{msg.sid}.json"
    emu.settle()
    got = receiver.wait_for(lambda rs: len(rs) >= 2)
    assert [r.form["MessageStatus"] for r in got] == ["sent", "delivered"]
    official = RequestValidator(emu.auth_token)
    tokens = set()
    for r in got:
        sig = r.headers["X-Twilio-Signature"]
        assert validate_signature(emu.auth_token, r.url, r.pairs, sig)
        assert official.validate(r.url, r.form, sig)
        assert not validate_signature("wrong" * 6, r.url, r.pairs, sig)
        assert r.method == "POST"
        assert r.headers["User-Agent"] == "TwilioProxy/1.1"
        assert r.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=UTF-8"
        uuid.UUID(r.headers["I-Twilio-Idempotency-Token"])
        tokens.add(r.headers["I-Twilio-Idempotency-Token"])
        form = r.form
        assert form["MessageSid"] == form["SmsSid"] == msg.sid
        assert form["SmsStatus"] == form["MessageStatus"]
        assert (form["AccountSid"], form["From"], form["To"]) == (emu.account_sid, FROM, TO)
        assert form["ApiVersion"] == "2010-04-01"
    assert len(tokens) == 2
    assert "RawDlrDoneDate" in got[1].form and len(got[1].form["RawDlrDoneDate"]) == 10
    fetched = twilio.messages(msg.sid).fetch()
    assert fetched.status == "delivered" and fetched.price == "-0.00790"
    assert fetched.price_unit == "USD" and fetched.date_sent is not None
    log = emu.delivery_log(msg.sid)
    assert [d.param("MessageStatus") for d in log] == ["sent", "delivered"]
    assert all(d.status == 200 and d.error is None and d.url == callback for d in log)


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        pytest.param("a" * 160, "1", id="gsm-160"),
        pytest.param("a" * 161, "2", id="gsm-161"),
        pytest.param("a" * 306, "2", id="gsm-306"),
        pytest.param("a" * 307, "3", id="gsm-307"),
        pytest.param("{" * 80, "1", id="gsm-extension-80"),  # extension chars cost 2 septets
        pytest.param("{" * 81, "2", id="gsm-extension-81"),
        pytest.param("é" * 100, "1", id="gsm-accent"),  # é is GSM-7: 100 fit in one
        pytest.param("ж" * 70, "1", id="ucs2-70"),
        pytest.param("ж" * 71, "2", id="ucs2-71"),
        pytest.param("😀" * 35, "1", id="ucs2-surrogates-35"),  # a surrogate pair costs 2
        pytest.param("😀" * 36, "2", id="ucs2-surrogates-36"),
    ],
)
def test_num_segments(twilio: Client, body: str, segments: str) -> None:
    assert twilio.messages.create(to=TO, from_=FROM, body=body).num_segments == segments


@pytest.mark.parametrize(
    ("kwargs", "code", "status"),
    [
        ({"from_": FROM, "body": "x", "to": ""}, 21604, 400),
        ({"to": TO, "body": "x"}, 21603, 400),
        ({"to": TO, "from_": FROM}, 21602, 400),
        ({"to": TO, "from_": FROM, "body": "x" * 1601}, 21617, 400),
        ({"to": "+15005550001", "from_": FROM, "body": "x"}, 21211, 400),
        ({"to": "+15005550002", "from_": FROM, "body": "x"}, 21612, 400),
        ({"to": "+15005550003", "from_": FROM, "body": "x"}, 21408, 400),
        ({"to": "+15005550004", "from_": FROM, "body": "x"}, 21610, 400),
        ({"to": "+15005550009", "from_": FROM, "body": "x"}, 21614, 400),
        ({"to": "not-a-number", "from_": FROM, "body": "x"}, 21211, 400),
        ({"to": TO, "from_": "+15005550001", "body": "x"}, 21212, 400),
        ({"to": TO, "from_": "+15005550007", "body": "x"}, 21606, 400),
        ({"to": TO, "from_": "+15005550008", "body": "x"}, 21611, 400),
        ({"to": TO, "from_": "+14155550000", "body": "x"}, 21606, 400),
        ({"to": TO, "from_": FROM, "media_url": ["ftp://x/a.png"]}, 21620, 400),
        (
            {"to": TO, "from_": FROM, "media_url": [f"https://x/{i}.png" for i in range(11)]},
            21623,
            400,
        ),
        ({"to": TO, "from_": FROM, "body": "x", "status_callback": "notaurl"}, 21609, 400),
        ({"to": TO, "from_": FROM, "body": "x", "validity_period": 0}, 21624, 400),
        ({"to": TO, "from_": FROM, "content_variables": "{}"}, 21654, 400),
        ({"to": "whatsapp:" + TO, "from_": FROM, "body": "x"}, 21910, 400),
        ({"to": TO, "from_": FROM, "body": "x", "messaging_service_sid": "MGnope"}, 21705, 400),
        # Scheduling needs a Messaging Service (35118) and a SendAt with ScheduleType (35111).
        ({"to": TO, "from_": FROM, "body": "x", "send_at": _IN_AN_HOUR}, 35118, 400),
        (
            {
                "to": TO,
                "from_": FROM,
                "body": "x",
                "send_at": _IN_AN_HOUR,
                "schedule_type": "fixed",
            },
            35118,
            400,
        ),
        (
            {"to": TO, "messaging_service_sid": _MG, "body": "x", "schedule_type": "fixed"},
            35111,
            400,
        ),
        # An unclosed IPv6 literal is an invalid URL, not a server error.
        ({"to": TO, "from_": FROM, "media_url": ["http://[::1"]}, 21620, 400),
        ({"to": TO, "from_": FROM, "body": "x", "status_callback": "http://[::1"}, 21609, 400),
        ({"to": TO, "from_": FROM, "body": "x", "status_callback": "http://h:port/"}, 21609, 400),
    ],
)
def test_create_validation_errors(
    twilio: Client, kwargs: dict[str, object], code: int, status: int
) -> None:
    with pytest.raises(TwilioRestException) as info:
        twilio.messages.create(**kwargs)  # type: ignore[arg-type]
    assert (info.value.code, info.value.status) == (code, status)
    assert info.value.msg


def test_magic_from_always_valid_and_magic_to_fails_async(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    cb = receiver.url("/cb")
    ok = twilio.messages.create(to=TO, from_="+15005550006", body="x", status_callback=cb)
    bad = twilio.messages.create(to="+15005553005", from_=FROM, body="x", status_callback=cb)
    failed = twilio.messages.create(to="+15005553001", from_=FROM, body="x", status_callback=cb)
    emu.settle()
    assert twilio.messages(ok.sid).fetch().status == "delivered"
    undelivered = twilio.messages(bad.sid).fetch()
    assert (undelivered.status, undelivered.error_code) == ("undelivered", 30005)
    assert undelivered.error_message == "Unknown destination handset"
    queue = twilio.messages(failed.sid).fetch()
    assert (queue.status, queue.error_code, queue.price) == ("failed", 30001, None)
    by_sid: dict[str, list[tuple[str, str | None]]] = {}
    for r in receiver.wait_for(lambda rs: len(rs) >= 5):
        by_sid.setdefault(r.form["MessageSid"], []).append(
            (r.form["MessageStatus"], r.form.get("ErrorCode"))
        )
    assert by_sid[bad.sid] == [("sent", None), ("undelivered", "30005")]
    assert by_sid[failed.sid] == [("failed", "30001")]


def test_rule_table_decides_outcome(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    emu.set_rule("failed", to="+1555000*", error_code=30007, times=1)
    emu.set_rule("sent", to="+15550009999")
    first = twilio.messages.create(to="+15550001234", from_=FROM, body="x")
    second = twilio.messages.create(to="+15550001234", from_=FROM, body="x")
    no_dlr = twilio.messages.create(to="+15550009999", from_=FROM, body="x")
    emu.settle()
    assert twilio.messages(first.sid).fetch().error_code == 30007
    assert twilio.messages(second.sid).fetch().status == "delivered"  # rule used up
    assert twilio.messages(no_dlr.sid).fetch().status == "sent"
    assert [r.to for r in emu.rules()] == ["+15550009999"]
    emu.clear_rules()
    assert emu.rules() == []


def test_fetch_list_filter_paginate(emu: Emulator, twilio: Client) -> None:
    sids = [
        twilio.messages.create(to=f"+1555000{i:04d}", from_=FROM, body=f"m{i}").sid
        for i in range(7)
    ]
    other = twilio.messages.create(to=TO, from_="+15017122662", body="other").sid
    emu.settle()
    listed = [m.sid for m in twilio.messages.list(page_size=3)]
    assert listed == [other, *reversed(sids)]  # newest first, across 3 pages
    assert [m.sid for m in twilio.messages.list(to="+15550000003")] == [sids[3]]
    assert [m.sid for m in twilio.messages.list(from_="+15017122662")] == [other]
    today = datetime.now(timezone.utc)
    assert len(twilio.messages.list(date_sent=today)) == 8
    assert len(twilio.messages.list(date_sent_before=datetime(2001, 1, 1))) == 0
    page = twilio.messages.page(page_size=2)
    assert [m.sid for m in page] == [other, sids[6]]
    new = twilio.messages.create(to=TO, from_=FROM, body="inserted meanwhile").sid
    second = page.next_page()
    assert [m.sid for m in second] == [sids[5], sids[4]]  # keyset: stable under inserts
    assert second.previous_page() is not None
    assert twilio.messages.list(limit=1)[0].sid == new


def test_update_redact_cancel_and_delete(emu: Emulator, twilio: Client) -> None:
    msg = twilio.messages.create(to=TO, from_=FROM, body="secret")
    emu.settle()
    redacted = twilio.messages(msg.sid).update(body="")
    assert redacted.body == ""
    assert twilio.messages(msg.sid).fetch().body == ""
    with pytest.raises(TwilioRestException) as info:
        twilio.messages(msg.sid).update(status="canceled")
    assert info.value.code == 30409
    assert twilio.messages(msg.sid).delete() is True
    with pytest.raises(TwilioRestException) as info:
        twilio.messages(msg.sid).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)


def test_delete_in_flight_is_refused() -> None:
    with Emulator(timing="manual") as emu:
        client = sdk_client(emu, emu.account_sid, emu.auth_token)
        msg = client.messages.create(to=TO, from_="+15005550006", body="x")
        with pytest.raises(TwilioRestException) as info:
            client.messages(msg.sid).delete()
        assert info.value.code == 20009
        assert client.messages(msg.sid).fetch().status == "queued"
        emu.advance(0.5)
        assert client.messages(msg.sid).fetch().status == "sending"
        emu.settle()
        assert client.messages(msg.sid).fetch().status == "delivered"
        assert client.messages(msg.sid).delete() is True


def test_scheduled_message_can_be_canceled(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    mg = _service_with_pool(twilio)
    send_at = datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() + 3600, timezone.utc)
    msg = twilio.messages.create(
        to=TO,
        messaging_service_sid=mg,
        body="later",
        send_at=send_at,
        schedule_type="fixed",
        status_callback=receiver.url("/s"),
    )
    assert msg.status == "scheduled"
    canceled = twilio.messages(msg.sid).update(status="canceled")
    assert canceled.status == "canceled"
    emu.settle()
    assert _statuses(receiver, "/s") == ["canceled"]
    with pytest.raises(TwilioRestException) as info:
        twilio.messages.create(
            to=TO,
            messaging_service_sid=mg,
            body="x",
            schedule_type="fixed",
            send_at=datetime(2001, 1, 1, tzinfo=timezone.utc),
        )
    assert info.value.code == 35114


def _service_with_pool(twilio: Client) -> str:
    """A Messaging Service whose pool holds the account's first number (FROM)."""
    sid: str = twilio.messaging.v1.services.create(friendly_name="pool").sid
    first = twilio.incoming_phone_numbers.list(phone_number=FROM)[0].sid
    twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=first)
    return sid


def test_messaging_service_picks_sender(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    mg = _service_with_pool(twilio)
    msg = twilio.messages.create(
        to=TO, messaging_service_sid=mg, body="x", status_callback=receiver.url("/mg")
    )
    assert (msg.status, msg.from_, msg.num_segments) == ("accepted", None, "0")
    emu.settle()
    assert _statuses(receiver, "/mg") == ["queued", "sent", "delivered"]
    done = twilio.messages(msg.sid).fetch()
    assert done.from_ == FROM and done.messaging_service_sid == mg
    assert receiver.at("/mg")[0].form["MessagingServiceSid"] == mg


def test_mms_media_resources(emu: Emulator, twilio: Client) -> None:
    msg = twilio.messages.create(
        to=TO, from_=FROM, media_url=["https://example.com/cat.png", "https://example.com/doc.pdf"]
    )
    assert msg.sid.startswith("MM") and msg.num_media == "2"
    media = twilio.messages(msg.sid).media.list()
    assert [m.content_type for m in media] == ["image/png", "application/pdf"]
    one = twilio.messages(msg.sid).media(media[0].sid).fetch()
    assert one.parent_sid == msg.sid and one.sid.startswith("ME")
    assert twilio.messages(msg.sid).media(media[0].sid).delete() is True
    assert len(twilio.messages(msg.sid).media.list()) == 1


def test_other_accounts_resources_are_not_found(emu: Emulator, twilio: Client) -> None:
    sub = twilio.api.accounts.create(friendly_name="tenant")
    sub_client = sdk_client(emu, sub.sid, sub.auth_token)
    mine = twilio.messages.create(to=TO, from_=FROM, body="x")
    with pytest.raises(TwilioRestException) as info:
        sub_client.messages(mine.sid).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as info:
        sub_client.messages.create(to=TO, from_=FROM, body="not your number")
    assert info.value.code == 21606


def test_wrong_credentials_are_401(emu: Emulator) -> None:
    bad = sdk_client(emu, emu.account_sid, "0" * 32)
    with pytest.raises(TwilioRestException) as info:
        bad.messages.create(to=TO, from_=FROM, body="x")
    assert (info.value.status, info.value.code) == (401, 20003)
