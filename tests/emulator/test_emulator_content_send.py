"""Sending a Content template (``ContentSid`` + ``ContentVariables``) through the official
SDK: the rendered body and media per channel, defaults, Twilio's error codes (21654/21655/
21656 at once, 63028/63021/63016 as delivery failures) and the WhatsApp 24-hour window,
which only an approved template may cross."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from support.content import approved_template
from support.emulator import sdk_client
from support.receiver import Receiver
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList

from twilio_connector.emulator import Emulator

SANDBOX = "whatsapp:+14155238886"
USER = "whatsapp:+15551234567"
HANDSET = "+15551234567"
OWNED = "+15017122661"
ORDER = {
    "twilio/text": {"body": "Hi {{1}}, order {{2}} has shipped."},
    "twilio/quick-reply": {
        "body": "Hi {{1}}, did order {{2}} arrive?",
        "actions": [{"title": "Yes {{1}}", "id": "yes-{{2}}"}, {"title": "No", "id": "no"}],
    },
}
DEFAULTS = {"1": "Ada", "2": "42"}


def _template(
    twilio: Client, types: dict[str, Any], variables: dict[str, str] | None = None
) -> str:
    request = ContentList.ContentCreateRequest(
        {"language": "en", "variables": variables or {}, "types": types}
    )
    sid: str = twilio.content.v1.contents.create(request).sid
    return sid


def _send(twilio: Client, to: str, sid: str, variables: Any = None, **more: Any) -> Any:
    from_ = SANDBOX if to.startswith("whatsapp:") else OWNED
    if variables is not None and not isinstance(variables, str):
        variables = json.dumps(variables)
    if variables is not None:
        more["content_variables"] = variables
    return twilio.messages.create(to=to, from_=from_, content_sid=sid, **more)


def _final(emu: Emulator, twilio: Client, sid: str) -> Any:
    emu.settle()
    return twilio.messages(sid).fetch()


def _extra(emu: Emulator, sid: str) -> dict[str, Any]:
    emu.settle()
    record = emu.call(lambda core: core.messaging.repository.get(emu.account_sid, sid))
    assert record is not None
    return dict(record.extra or {})


def test_an_approved_template_opens_a_whatsapp_conversation(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    sid = approved_template(emu, ORDER, DEFAULTS)
    sent = _send(twilio, USER, sid, {"1": "Bo"}, status_callback=receiver.url("/s"))
    # WhatsApp carries the richest type: the quick reply, its text as the body
    assert (sent.body, sent.status, sent.num_segments) == (
        "Hi Bo, did order 42 arrive?",
        "queued",
        "1",
    )
    final = _final(emu, twilio, sent.sid)
    assert (final.status, final.error_code) == ("read", None)
    assert [r.form["MessageStatus"] for r in receiver.at("/s")] == ["sent", "delivered", "read"]
    extra = _extra(emu, sent.sid)
    assert (extra["content_sid"], extra["content_type"]) == (sid, "twilio/quick-reply")
    assert extra["content"]["actions"] == [
        {"title": "Yes Bo", "id": "yes-42"},
        {"title": "No", "id": "no"},
    ]


@pytest.mark.parametrize("verdict", [None, "rejected", "pending", "paused"])
def test_outside_the_window_only_an_approved_template_goes_through(
    emu: Emulator, twilio: Client, verdict: str | None
) -> None:
    sid = _template(twilio, ORDER, DEFAULTS)
    if verdict is not None:
        emu.set_content_approval(sid, verdict, reason="Meta says no")
    final = _final(emu, twilio, _send(twilio, USER, sid).sid)
    assert (final.status, final.error_code) == ("failed", 63016)
    assert "outside the allowed window" in final.error_message
    emu.set_content_approval(sid, "approved")
    assert _final(emu, twilio, _send(twilio, USER, sid).sid).status == "read"


def test_inside_the_window_an_unapproved_template_is_a_session_message(
    emu: Emulator, twilio: Client
) -> None:
    sid = _template(twilio, ORDER, DEFAULTS)
    emu.simulate_inbound_message(USER, SANDBOX, "hi")
    emu.settle()
    final = _final(emu, twilio, _send(twilio, USER, sid).sid)
    assert (final.status, final.body) == ("read", "Hi Ada, did order 42 arrive?")


def test_sms_renders_the_text_type_with_defaults(emu: Emulator, twilio: Client) -> None:
    sid = _template(twilio, ORDER, DEFAULTS)
    sent = _send(
        twilio, HANDSET, sid, {"2": "7"}, body="ignored: the template wins",
        media_url=["https://example.com/ignored.png"],
    )  # fmt: skip
    assert sent.body == "Hi Ada, order 7 has shipped."
    assert sent.sid.startswith("SM") and sent.num_media == "0"
    final = _final(emu, twilio, sent.sid)
    assert (final.status, final.body) == ("delivered", "Hi Ada, order 7 has shipped.")
    assert _extra(emu, sent.sid)["content_type"] == "twilio/text"


def test_sms_without_a_text_type_sends_the_interactive_types_text(
    emu: Emulator, twilio: Client
) -> None:
    sid = _template(twilio, {"twilio/quick-reply": ORDER["twilio/quick-reply"]}, DEFAULTS)
    final = _final(emu, twilio, _send(twilio, HANDSET, sid).sid)
    assert (final.status, final.body) == ("delivered", "Hi Ada, did order 42 arrive?")


def test_media_and_card_templates_carry_media(emu: Emulator, twilio: Client) -> None:
    media = {"twilio/media": {"body": "Ticket {{1}}", "media": ["https://example.com/t/{{1}}.png"]}}
    sid = _template(twilio, media, {"1": "A1"})
    sent = _send(twilio, HANDSET, sid, {"1": "B2"})
    assert (sent.sid[:2], sent.num_media, sent.body) == ("MM", "1", "Ticket B2")
    [item] = twilio.messages(sent.sid).media.list()
    assert item.content_type == "image/png"
    with httpx.Client(base_url=emu.base_url) as http:
        file = http.get(item.uri.removesuffix(".json"))
    assert (file.status_code, file.headers["location"]) == (307, "https://example.com/t/B2.png")
    card = {
        "twilio/card": {
            "title": "Sale for {{1}}",
            "subtitle": "today only",
            "media": ["https://example.com/sale.jpg"],
            "actions": [{"type": "URL", "title": "Shop", "url": "https://example.com/s"}],
        }
    }
    sent = _send(twilio, USER, approved_template(emu, card, {"1": "Ada"}))
    assert (sent.body, sent.num_media) == ("Sale for Ada\ntoday only", "1")
    assert _final(emu, twilio, sent.sid).status == "read"


def test_whatsapp_authentication_uses_whatsapps_wording(emu: Emulator, twilio: Client) -> None:
    auth = {
        "whatsapp/authentication": {
            "add_security_recommendation": True,
            "code_expiration_minutes": 5,
            "actions": [{"type": "COPY_CODE", "copy_code_text": "Copy"}],
        }
    }
    sid = _template(twilio, auth)
    sent = _send(twilio, USER, sid, {"1": "123456"})
    assert sent.body == (
        "*123456* is your verification code. For your security, do not share this code.\n"
        "This code expires in 5 minutes."
    )
    # without the code the send fails on WhatsApp's side
    missing = _final(emu, twilio, _send(twilio, USER, sid).sid)
    assert (missing.status, missing.error_code) == ("failed", 63028)


def test_a_variable_without_value_or_default_fails_the_send(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    sid = _template(twilio, {"twilio/text": {"body": "Hi {{1}}, see you at {{time}}."}})
    emu.set_content_approval(sid, "approved")  # WhatsApp's review would want samples
    for to in (USER, HANDSET):
        sent = _send(twilio, to, sid, {"1": "Bo"}, status_callback=receiver.url("/m"))
        assert sent.status == "queued"  # the REST API accepts it
        final = _final(emu, twilio, sent.sid)
        assert (final.status, final.error_code) == ("failed", 63028)
        assert "number of parameters" in final.error_message.lower()
        assert _extra(emu, sent.sid)["content_missing"] == ["time"]
    statuses = [(r.form["MessageStatus"], r.form["ErrorCode"]) for r in receiver.at("/m")]
    assert statuses == [("failed", "63028"), ("failed", "63028")]


def test_a_type_the_channel_cannot_carry_fails_with_63021(emu: Emulator, twilio: Client) -> None:
    sid = _template(twilio, {"twilio/location": {"latitude": 1.0, "longitude": 2.0}})
    final = _final(emu, twilio, _send(twilio, HANDSET, sid).sid)
    assert (final.status, final.error_code) == ("failed", 63021)


@pytest.mark.parametrize(
    "variables",
    [
        '{"1": null}',
        '{"1": ""}',
        '{"1": {"nested": "x"}}',
        '{"1": true}',
        '{"bad key": "x"}',
        json.dumps({"1": "x" * 1601}),
        "[1]",
        "not json",
        json.dumps({f"k{i}": "v" for i in range(101)}),
    ],
)
def test_bad_content_variables_are_21656(emu: Emulator, twilio: Client, variables: str) -> None:
    sid = _template(twilio, ORDER, DEFAULTS)
    with pytest.raises(TwilioRestException) as caught:
        _send(twilio, HANDSET, sid, variables)
    assert (caught.value.status, caught.value.code) == (400, 21656)
    assert twilio.messages.list() == []


def test_unknown_or_another_accounts_template_is_21655(emu: Emulator, twilio: Client) -> None:
    with pytest.raises(TwilioRestException) as unknown:
        _send(twilio, USER, "HX" + "0" * 32)
    assert (unknown.value.status, unknown.value.code) == (400, 21655)
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = _template(sdk_client(emu, sub.sid, sub.auth_token), ORDER, DEFAULTS)
    with pytest.raises(TwilioRestException) as other:
        _send(twilio, HANDSET, theirs)
    assert other.value.code == 21655
    with pytest.raises(TwilioRestException) as deleted:
        mine = _template(twilio, ORDER, DEFAULTS)
        twilio.content.v1.contents(mine).delete()
        _send(twilio, HANDSET, mine)
    assert deleted.value.code == 21655
    with pytest.raises(TwilioRestException) as alone:
        twilio.messages.create(to=HANDSET, from_=OWNED, body="x", content_variables='{"1": "a"}')
    assert alone.value.code == 21654


def _service(twilio: Client) -> str:
    sid: str = twilio.messaging.v1.services.create(friendly_name="templates").sid
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    twilio.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=number)
    return sid


def test_a_template_through_a_messaging_service_and_scheduled() -> None:
    with Emulator(timing="manual", phone_numbers=(OWNED,)) as emu:
        twilio = emu.sdk_client()
        service = _service(twilio)
        sid = _template(twilio, ORDER, DEFAULTS)
        accepted = twilio.messages.create(
            to=HANDSET, messaging_service_sid=service, content_sid=sid,
            content_variables='{"1": "Cy"}',
        )  # fmt: skip
        assert (accepted.status, accepted.body) == ("accepted", "Hi Cy, order 42 has shipped.")
        later = datetime.now(timezone.utc) + timedelta(hours=1)
        scheduled = twilio.messages.create(
            to=HANDSET, messaging_service_sid=service, content_sid=sid,
            send_at=later, schedule_type="fixed",
        )  # fmt: skip
        assert (scheduled.status, scheduled.body) == ("scheduled", "Hi Ada, order 42 has shipped.")
        emu.settle()
        assert twilio.messages(accepted.sid).fetch().status == "delivered"
        emu.advance(3600 + 60)
        emu.settle()
        done = twilio.messages(scheduled.sid).fetch()
        assert (done.status, done.body, done.from_) == (
            "delivered",
            "Hi Ada, order 42 has shipped.",
            OWNED,
        )


def test_a_text_too_long_once_rendered_fails_with_63021(emu: Emulator, twilio: Client) -> None:
    sid = _template(twilio, {"twilio/text": {"body": "Note: {{1}} (end)"}})
    fits = _final(emu, twilio, _send(twilio, HANDSET, sid, {"1": "x" * 1500}).sid)
    assert fits.status == "delivered" and len(fits.body) == 1500 + 12
    sent = _send(twilio, HANDSET, sid, {"1": "x" * 1600})
    final = _final(emu, twilio, sent.sid)
    assert (final.status, final.error_code) == ("failed", 63021)
    assert len(final.body) == 1600
    quick = {"twilio/quick-reply": {"body": "Q {{1}}", "actions": [{"title": "ok"}]}}
    long_reply = _final(
        emu, twilio, _send(twilio, USER, _template(twilio, quick), {"1": "y" * 1100}).sid
    )
    assert (long_reply.status, long_reply.error_code) == ("failed", 63021)
