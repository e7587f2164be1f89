"""Inbound messages, TwiML replies, fallbacks and WhatsApp (window, templates, read)."""

from __future__ import annotations

import httpx
import pytest
from support.content import approved_template
from support.emulator import sdk_client
from support.receiver import Receiver, Reply
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from twilio_connector.emulator import Emulator, EmulatorError
from twilio_connector.signature import validate_signature

NUMBER = "+15017122661"
HANDSET = "+15558675310"
SANDBOX = "whatsapp:+14155238886"
USER = "whatsapp:+15551234567"


def _configure(twilio: Client, number: str, **kwargs: str) -> None:
    pn = twilio.incoming_phone_numbers.list(phone_number=number)[0]
    twilio.incoming_phone_numbers(pn.sid).update(**kwargs)


def _twiml(body: str) -> Reply:
    return Reply(200, f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'.encode())


def _verify(emu: Emulator, request_url: str, params: dict[str, str], sig: str) -> None:
    assert validate_signature(emu.auth_token, request_url, params, sig)
    assert RequestValidator(emu.auth_token).validate(request_url, params, sig)


def test_inbound_sms_webhook_and_twiml_reply(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _configure(twilio, NUMBER, sms_url=receiver.url("/sms?app=1"))
    receiver.reply("/sms", _twiml('<Message action="/reply-status">Thanks for writing!</Message>'))
    inbound = emu.simulate_inbound_message(HANDSET, NUMBER, "Hello there")
    assert (inbound.direction, inbound.status, inbound.body) == (
        "inbound",
        "received",
        "Hello there",
    )
    emu.settle()
    [hook] = receiver.at("/sms")
    form = hook.form
    _verify(emu, hook.url, form, hook.headers["X-Twilio-Signature"])
    assert form["MessageSid"] == form["SmsSid"] == form["SmsMessageSid"] == inbound.sid
    assert (form["From"], form["To"], form["Body"]) == (HANDSET, NUMBER, "Hello there")
    assert (form["NumMedia"], form["NumSegments"], form["SmsStatus"]) == ("0", "1", "received")
    assert (form["AccountSid"], form["ApiVersion"], form["ToCountry"]) == (
        emu.account_sid,
        "2010-04-01",
        "US",
    )
    replies = twilio.messages.list(from_=NUMBER)
    assert len(replies) == 1
    reply = replies[0]
    assert (reply.direction, reply.to, reply.body, reply.status) == (
        "outbound-reply",
        HANDSET,
        "Thanks for writing!",
        "delivered",
    )
    statuses = [r.form["MessageStatus"] for r in receiver.at("/reply-status")]
    assert statuses == ["sent", "delivered"]
    assert twilio.messages(inbound.sid).fetch().direction == "inbound"


def test_inbound_mms_media_urls(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    _configure(twilio, NUMBER, sms_url=receiver.url("/mms"))
    msg = emu.simulate_inbound_message(
        HANDSET, NUMBER, "", media_urls=["https://cdn.example/a.jpg"]
    )
    assert msg.sid.startswith("MM") and msg.num_media == "1"
    emu.settle()
    form = receiver.at("/mms")[0].form
    assert form["NumMedia"] == "1" and form["MediaContentType0"] == "image/jpeg"
    media_url = form["MediaUrl0"]
    assert media_url.startswith(f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/Messages/")
    resp = httpx.get(media_url)
    assert resp.status_code == 307 and resp.headers["location"] == "https://cdn.example/a.jpg"


def test_redirect_get_and_signature_over_query(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _configure(twilio, NUMBER, sms_url=receiver.url("/first"), sms_method="GET")
    receiver.reply(
        "/first", _twiml('<Redirect method="POST">/second?step=2</Redirect><Message>no</Message>')
    )
    receiver.reply("/second", _twiml("<Message>from the second document</Message><Bogus/>"))
    emu.simulate_inbound_message(HANDSET, NUMBER, "go")
    emu.settle()
    [first] = receiver.at("/first")
    assert first.method == "GET" and first.body == b"" and first.query["Body"] == "go"
    _verify(emu, first.url, {}, first.headers["X-Twilio-Signature"])
    [second] = receiver.at("/second")
    assert second.method == "POST" and second.query == {"step": "2"}
    _verify(emu, second.url, second.form, second.headers["X-Twilio-Signature"])
    assert [m.body for m in twilio.messages.list(from_=NUMBER)] == ["from the second document"]
    warnings = [(n.error_code, n.log_level) for n in emu.notifications()]
    assert warnings == [(12200, "warning")]


def test_invalid_twiml_is_12100_and_fallback_runs(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _configure(
        twilio, NUMBER, sms_url=receiver.url("/broken"), sms_fallback_url=receiver.url("/fallback")
    )
    receiver.reply("/broken", Reply(200, b"<Response><Message>unclosed"))
    receiver.reply("/fallback", _twiml("<Message>fallback reply</Message>"))
    inbound = emu.simulate_inbound_message(HANDSET, NUMBER, "hi")
    emu.settle()
    [note] = emu.notifications(inbound.sid)
    assert (note.error_code, note.log_level) == (12100, "error")
    assert note.url == receiver.url("/broken")
    [fallback] = receiver.at("/fallback")
    assert fallback.form["ErrorCode"] == "12100" and fallback.form["ErrorUrl"] == receiver.url(
        "/broken"
    )
    _verify(emu, fallback.url, fallback.form, fallback.headers["X-Twilio-Signature"])
    assert [m.body for m in twilio.messages.list(from_=NUMBER)] == ["fallback reply"]


def test_failed_webhook_is_logged(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    _configure(twilio, NUMBER, sms_url=receiver.url("/down"))
    receiver.reply("/down", Reply(500, b"oops", "text/plain"))
    inbound = emu.simulate_inbound_message(HANDSET, NUMBER, "hi")
    emu.settle()
    assert [n.error_code for n in emu.notifications(inbound.sid)] == [11200]
    [attempt] = emu.delivery_log(inbound.sid)
    assert (attempt.status, attempt.error_code, attempt.kind) == (500, 11200, "incoming-message")
    assert twilio.messages.list(from_=NUMBER) == []


def test_inbound_validation() -> None:
    with Emulator() as emu:
        with pytest.raises(EmulatorError) as info:
            emu.simulate_inbound_message(HANDSET, "+15550000000", "not ours")
        assert info.value.status == 404
        with pytest.raises(EmulatorError) as info:
            emu.simulate_inbound_message("garbage", "+15017122661", "x")
        assert info.value.code == 21212
        with pytest.raises(EmulatorError) as info:
            emu.simulate_inbound_message(USER, "whatsapp:+15017122661", "not a WhatsApp sender")
        assert info.value.code == 63007


def test_whatsapp_window_templates_and_read(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    cb = receiver.url("/wa")
    cold = twilio.messages.create(
        to=USER, from_=SANDBOX, body="free-form, no window", status_callback=cb
    )
    template = twilio.messages.create(
        to=USER,
        from_=SANDBOX,
        content_sid=approved_template(emu),
        content_variables='{"1": "Ada"}',
        status_callback=cb,
    )
    emu.settle()
    assert (
        twilio.messages(cold.sid).fetch().status,
        twilio.messages(cold.sid).fetch().error_code,
    ) == (
        "failed",
        63016,
    )
    assert twilio.messages(template.sid).fetch().status == "read"
    by_sid: dict[str, list[dict[str, str]]] = {}
    for r in receiver.at("/wa"):
        by_sid.setdefault(r.form["MessageSid"], []).append(r.form)
    assert [f["MessageStatus"] for f in by_sid[cold.sid]] == ["failed"]
    assert by_sid[cold.sid][0]["ErrorCode"] == "63016"
    forms = by_sid[template.sid]
    assert [f["MessageStatus"] for f in forms] == ["sent", "delivered", "read"]
    assert forms[2]["EventType"] == "READ" and forms[0]["ChannelPrefix"] == "whatsapp"
    assert forms[0]["To"] == USER and forms[0]["From"] == SANDBOX
    # The user writes: the 24-hour window opens; the TwiML reply goes out over WhatsApp.
    _configure(twilio, "+14155238886", sms_url=receiver.url("/wa-in"))
    receiver.reply("/wa-in", _twiml("<Message>Hi Ada!</Message>"))
    emu.simulate_inbound_message(USER, SANDBOX, "hello", ProfileName="Ada")
    emu.settle()
    [hook] = receiver.at("/wa-in")
    assert (hook.form["WaId"], hook.form["ProfileName"], hook.form["MessageType"]) == (
        "15551234567",
        "Ada",
        "text",
    )
    _verify(emu, hook.url, hook.form, hook.headers["X-Twilio-Signature"])
    [reply] = [m for m in twilio.messages.list(to=USER) if m.direction == "outbound-reply"]
    assert (reply.from_, reply.body, reply.status, reply.num_segments) == (
        SANDBOX,
        "Hi Ada!",
        "read",
        "1",
    )
    warm = twilio.messages.create(to=USER, from_=SANDBOX, body="free-form, inside the window")
    emu.settle()
    assert twilio.messages(warm.sid).fetch().status == "read"


def test_whatsapp_window_closes_after_24_hours() -> None:
    with Emulator(timing="manual") as emu:
        twilio = sdk_client(emu, emu.account_sid, emu.auth_token)
        emu.simulate_inbound_message(USER, SANDBOX, "hi")
        emu.settle()
        inside = twilio.messages.create(to=USER, from_=SANDBOX, body="within 24 h")
        emu.settle()
        assert twilio.messages(inside.sid).fetch().status == "read"
        emu.advance(25 * 3600)
        outside = twilio.messages.create(to=USER, from_=SANDBOX, body="a day later")
        emu.settle()
        assert twilio.messages(outside.sid).fetch().error_code == 63016


def test_whatsapp_sender_must_be_enabled(emu: Emulator, twilio: Client) -> None:
    template = approved_template(emu)
    with pytest.raises(TwilioRestException) as info:
        twilio.messages.create(to=USER, from_="whatsapp:" + NUMBER, content_sid=template)
    assert info.value.code == 63007
    emu.enable_whatsapp(NUMBER)
    msg = twilio.messages.create(to=USER, from_="whatsapp:" + NUMBER, content_sid=template)
    assert msg.status == "queued"
    with pytest.raises(TwilioRestException) as info:
        twilio.messages.create(to=SANDBOX, from_=SANDBOX, body="self")
    assert info.value.code == 63031


def test_control_plane_over_http(emu: Emulator, receiver: Receiver) -> None:
    auth = (emu.account_sid, emu.auth_token)
    with httpx.Client(base_url=emu.base_url, auth=auth) as http:
        assert httpx.get(f"{emu.base_url}/_emulator").status_code == 401
        info = http.get("/_emulator").json()
        assert info["main_account_sid"] == emu.account_sid and info["timing"]["scale"] == 0.001
        rule = http.post(
            "/_emulator/rules", json={"to": "+1555*", "outcome": "undelivered", "error_code": 30003}
        )
        assert rule.status_code == 201 and rule.json()["error_code"] == 30003
        assert http.post("/_emulator/rules", json={"outcome": "exploded"}).status_code == 400
        assert [r["to"] for r in http.get("/_emulator/rules").json()["rules"]] == ["+1555*"]
        twilio = sdk_client(emu, emu.account_sid, emu.auth_token)
        sent = twilio.messages.create(
            to=HANDSET, from_=NUMBER, body="x", status_callback=receiver.url("/s")
        )
        _configure(twilio, NUMBER, sms_url=receiver.url("/in"))
        created = http.post(
            "/_emulator/messages/inbound",
            json={
                "from": HANDSET,
                "to": NUMBER,
                "body": "via HTTP",
                "media_url": ["https://x.example/a.png"],
                "params": {"FromCity": "SPRINGFIELD"},
            },
        )
        assert created.status_code == 201 and created.json()["direction"] == "inbound"
        assert http.post("/_emulator/settle", json={"timeout": 10}).json() == {"settled": True}
        assert receiver.at("/in")[0].form["FromCity"] == "SPRINGFIELD"
        assert twilio.messages(sent.sid).fetch().error_code == 30003
        log = http.get("/_emulator/deliveries", params={"resource_sid": sent.sid}).json()[
            "deliveries"
        ]
        assert [dict(d["params"])["MessageStatus"] for d in log] == ["sent", "undelivered"]
        assert all(d["status"] == 200 and d["signature"] for d in log)
        assert http.get("/_emulator/notifications").json() == {"notifications": []}
        assert http.post("/_emulator/advance", json={"seconds": 60}).json()["clock_offset"] == 60
        assert http.post("/_emulator/advance", json={"seconds": -1}).status_code == 400
        assert (
            http.post("/_emulator/numbers/+15017122662", json={"whatsapp": True}).status_code == 200
        )
        assert http.delete(f"/_emulator/rules/{rule.json()['id']}").status_code == 204
        assert http.get("/_emulator/rules").json() == {"rules": []}
        assert http.post("/_emulator/reset").json() == {"reset": True}
        assert twilio.messages.list() == []
        assert http.get("/_emulator/deliveries").json() == {"deliveries": []}
        assert twilio.incoming_phone_numbers.list()[0].phone_number == NUMBER
        sub = twilio.api.accounts.create()
        sub_http = httpx.Client(base_url=emu.base_url, auth=(sub.sid, sub.auth_token))
        assert sub_http.post("/_emulator/reset").status_code == 401  # main accounts only
        sub_http.close()


def test_reply_whose_action_url_is_malformed_is_refused_and_reported(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    _configure(twilio, NUMBER, sms_url=receiver.url("/sms-bad-action"))
    receiver.reply("/sms-bad-action", _twiml('<Message action="http://[::1/s">Hi</Message>'))
    inbound = emu.simulate_inbound_message(HANDSET, NUMBER, "Hello")
    emu.settle()
    assert twilio.messages.list(from_=NUMBER) == []  # the reply is refused, not crashed on
    [note] = emu.notifications(inbound.sid)
    assert note.error_code == 21609 and "http://[::1/s" in note.message
