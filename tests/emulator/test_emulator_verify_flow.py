"""Verifications on the emulator through the official SDK: the code reaches the handset as
Twilio sends it (SMS, WhatsApp, a call that says it), resends, checks, limits, expiry in
simulated time, custom codes, PSD2, rules, and the control plane that shows the codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.verify.delivery import VERIFY_WHATSAPP_TEMPLATE_SID

HANDSET = "+15558675310"
OTHER = "+15558675311"


def error(fn: Callable[[], Any]) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as caught:
        fn()
    return caught.value.status, caught.value.code


def service(twilio: Client, name: str = "Acme", **settings: Any) -> Any:
    return twilio.verify.v2.services(
        twilio.verify.v2.services.create(friendly_name=name, **settings).sid
    )


def control(emu: Emulator, **params: str) -> httpx.Response:
    return httpx.get(
        f"{emu.base_url}/_emulator/verifications", params=params,
        auth=(emu.account_sid, emu.auth_token),
    )  # fmt: skip


def test_the_code_arrives_as_an_sms_in_the_inbox(emu: Emulator, twilio: Client) -> None:
    va = service(twilio, "Acme")
    started = va.verifications.create(to=HANDSET, channel="sms")
    code = emu.verification_code(HANDSET)
    assert code.isdigit() and len(code) == 6
    emu.settle()
    [sms] = twilio.messages.list(to=HANDSET)
    # the account's REST API never carries a code (on Twilio, Verify's messages are not in
    # the account's Messages at all); the inbox and the control plane show it
    assert (sms.from_, sms.body) == ("TWVerify", "Your Acme verification code is: ******")
    assert sms.status == "delivered" and sms.direction == "outbound-api"
    [entry] = control(emu, to=HANDSET).json()
    assert {k: entry[k] for k in ("sid", "service_sid", "to", "channel", "code", "status")} == {
        "sid": started.sid, "service_sid": va._solution["sid"], "to": HANDSET,
        "channel": "sms", "code": code, "status": "pending",
    }  # fmt: skip
    assert entry["delivery_sids"] == [sms.sid]
    inbox = httpx.get(f"{emu.base_url}/_emulator/ui", auth=(emu.account_sid, emu.auth_token))
    assert inbox.status_code == 200  # the web inbox shows it as any other message
    assert "TWVerify" in inbox.text and f"verification code is: {code}" in inbox.text


def test_custom_friendly_name_code_length_and_do_not_share(emu: Emulator, twilio: Client) -> None:
    va = service(twilio, "Bank", code_length=9, do_not_share_warning_enabled=True)
    va.verifications.create(to=HANDSET, channel="sms", custom_friendly_name="Bank Login")
    code = emu.verification_code(HANDSET)
    assert len(code) == 9
    emu.settle()
    [sms] = twilio.messages.list(to=HANDSET)
    assert sms.body == (
        f"Your Bank Login verification code is: {'*' * 9}. Don\u2019t share this code with anyone; "
        "our employees will never ask for the code"
    )
    bad = error(
        lambda: va.verifications.create(to=OTHER, channel="sms", custom_friendly_name="a.b")
    )
    assert bad == (400, 60200)


def test_the_code_arrives_on_whatsapp(emu: Emulator, twilio: Client) -> None:
    va = service(twilio, "Chat")
    started = va.verifications.create(to=HANDSET, channel="whatsapp")
    assert started.channel == "whatsapp"
    assert started.send_code_attempts[0]["channel"] == "whatsapp"
    code = emu.verification_code(HANDSET)
    emu.settle()
    [msg] = twilio.messages.list(to=f"whatsapp:{HANDSET}")
    assert msg.from_ == "whatsapp:+14155238886"  # the sandbox unless Whatsapp.From is set
    assert msg.body == "Your Chat verification code is: ******"  # masked in REST
    assert code not in (msg.body or "")
    assert msg.status in ("delivered", "read") and msg.error_code is None  # a template: no window
    # Twilio's own approved authentication template, not one of the account's templates
    assert msg.body is not None and twilio.content.v1.contents.list() == []


def test_whatsapp_goes_from_the_services_sender_or_through_its_messaging_service(
    emu: Emulator, twilio: Client
) -> None:
    emu.enable_whatsapp("+15017122662")
    va = service(twilio, "Own", whatsapp_from="+15017122662")
    va.verifications.create(to=HANDSET, channel="whatsapp")
    mg = twilio.messaging.v1.services.create(friendly_name="wa").sid
    wa_number = twilio.incoming_phone_numbers.list(phone_number="+15017122662")[0].sid
    twilio.messaging.v1.services(mg).phone_numbers.create(phone_number_sid=wa_number)  # 21704
    vb = service(twilio, "Pooled", whatsapp_msg_service_sid=mg)
    vb.verifications.create(to=OTHER, channel="whatsapp")
    emu.settle()
    [own] = twilio.messages.list(to=f"whatsapp:{HANDSET}")
    assert own.from_ == "whatsapp:+15017122662" and own.status in ("delivered", "read")
    [pooled] = twilio.messages.list(to=f"whatsapp:{OTHER}")
    assert pooled.messaging_service_sid == mg and pooled.from_ == "whatsapp:+15017122662"
    assert pooled.body == "Your Pooled verification code is: ******"


def test_a_call_says_the_code_digit_by_digit(emu: Emulator, twilio: Client) -> None:
    va = service(twilio, "Voice")
    started = va.verifications.create(to=HANDSET, channel="call")
    assert started.send_code_attempts[0]["channel"] == "CALL"
    code = emu.verification_code(HANDSET)
    emu.settle()
    [call] = twilio.calls.list(to=HANDSET)
    assert call._from == "+15017122661" and call.status == "completed"
    said = [e["text"] for e in emu.call_transcript(call.sid) if e["kind"] == "say"]
    assert said[0] == f"Your Voice verification code is: {', '.join(code)}."
    assert ", ".join(code) in said[1]


def test_a_resend_reuses_the_code_and_the_sid_up_to_five_sends(
    emu: Emulator, twilio: Client
) -> None:
    va = service(twilio)
    first = va.verifications.create(to=HANDSET, channel="sms")
    code = emu.verification_code(HANDSET)
    for n in range(2, 6):
        again = va.verifications.create(to=HANDSET, channel="call" if n == 3 else "sms")
        assert (again.sid, again.status) == (first.sid, "pending")
        assert len(again.send_code_attempts) == n
        assert emu.verification_code(HANDSET) == code
    assert [a["channel"] for a in again.send_code_attempts] == ["SMS", "SMS", "CALL", "SMS", "SMS"]
    assert len({a["attempt_sid"] for a in again.send_code_attempts}) == 5
    assert error(lambda: va.verifications.create(to=HANDSET, channel="sms")) == (429, 60203)
    emu.settle()
    assert len(twilio.messages.list(to=HANDSET)) == 4 and len(twilio.calls.list(to=HANDSET)) == 1
    # another number, and the same number in another service, are separate verifications
    assert va.verifications.create(to=OTHER, channel="sms").sid != first.sid
    other_service = service(twilio, "Other")
    assert other_service.verifications.create(to=HANDSET, channel="sms").sid != first.sid
    assert emu.verification_code(HANDSET, va._solution["sid"]) == code


def test_a_wrong_code_stays_pending_and_the_fifth_ends_it(emu: Emulator, twilio: Client) -> None:
    va = service(twilio)
    started = va.verifications.create(to=HANDSET, channel="sms")
    code = emu.verification_code(HANDSET)
    wrong = "0000" if code != "0000" else "1111"
    for _ in range(4):
        check = va.verification_checks.create(to=HANDSET, code=wrong)
        assert (check.status, check.valid, check.sid) == ("pending", False, started.sid)
    last = va.verification_checks.create(verification_sid=started.sid, code=wrong)
    assert (last.status, last.valid) == ("max_attempts_reached", False)
    assert error(lambda: va.verification_checks.create(to=HANDSET, code=code)) == (429, 60202)
    assert va.verifications(started.sid).fetch().status == "max_attempts_reached"
    # a new start makes a new verification with a new code
    fresh = va.verifications.create(to=HANDSET, channel="sms")
    assert fresh.sid != started.sid
    check = va.verification_checks.create(to=HANDSET, code=emu.verification_code(HANDSET))
    assert (check.status, check.valid, check.sid) == ("approved", True, fresh.sid)


def test_after_approval_the_verification_is_gone(emu: Emulator, twilio: Client) -> None:
    va = service(twilio)
    started = va.verifications.create(to=HANDSET, channel="sms")
    assert va.verifications(started.sid).fetch().status == "pending"
    check = va.verification_checks.create(to=HANDSET, code=emu.verification_code(HANDSET))
    assert check.status == "approved" and check.valid is True
    assert error(lambda: va.verifications(started.sid).fetch()) == (404, 20404)
    assert error(lambda: va.verification_checks.create(to=HANDSET, code="123456")) == (404, 20404)
    assert error(lambda: va.verifications(started.sid).update(status="canceled")) == (404, 20404)
    assert control(emu, to=HANDSET).json()[0]["status"] == "approved"
    with pytest.raises(LookupError, match=re.escape(HANDSET)):
        emu.verification_code(HANDSET)


def test_cancel_and_approve_by_update(emu: Emulator, twilio: Client) -> None:
    va = service(twilio)
    one = va.verifications.create(to=HANDSET, channel="sms")
    assert va.verifications(one.sid).update(status="canceled").status == "canceled"
    assert error(lambda: va.verifications(one.sid).fetch()) == (404, 20404)
    assert error(lambda: va.verification_checks.create(verification_sid=one.sid, code="1234")) == (
        404,
        20404,
    )
    two = va.verifications.create(to=HANDSET, channel="sms")
    assert two.sid != one.sid
    assert error(lambda: va.verifications(two.sid).update(status="expired")) == (400, 60200)
    approved = va.verifications(two.sid).update(status="approved")
    assert (approved.status, approved.valid) == ("approved", True)
    assert error(lambda: va.verifications(f"VE{'0' * 32}").fetch()) == (404, 20404)


def test_a_code_expires_after_ten_minutes_of_simulated_time(emu: Emulator, twilio: Client) -> None:
    va = service(twilio)
    started = va.verifications.create(to=HANDSET, channel="sms")
    code = emu.verification_code(HANDSET)
    emu.advance(599)
    assert va.verifications(started.sid).fetch().status == "pending"
    va.verifications.create(to=HANDSET, channel="sms")  # a resend does not extend it
    emu.advance(1)
    assert error(lambda: va.verifications(started.sid).fetch()) == (404, 20404)
    assert error(lambda: va.verification_checks.create(to=HANDSET, code=code)) == (404, 20404)
    assert control(emu, to=HANDSET).json()[0]["status"] == "expired"
    with pytest.raises(LookupError):
        emu.verification_code(HANDSET)
    fresh = va.verifications.create(to=HANDSET, channel="sms")
    assert fresh.sid != started.sid and len(fresh.send_code_attempts) == 1


def test_custom_codes_need_the_service_setting(emu: Emulator, twilio: Client) -> None:
    plain = service(twilio, "Plain")
    refused = lambda: plain.verifications.create(to=HANDSET, channel="sms", custom_code="4242")  # noqa: E731
    assert error(refused) == (400, 60204)
    custom = service(twilio, "Custom", custom_code_enabled=True)
    custom.verifications.create(to=HANDSET, channel="sms", custom_code="867530")
    assert emu.verification_code(HANDSET) == "867530"
    emu.settle()
    assert twilio.messages.list(to=HANDSET)[0].body.endswith("is: ******")  # masked in REST
    for bad in ("123", "12345678901", "12 34"):
        with pytest.raises(TwilioRestException) as caught:
            custom.verifications.create(to=OTHER, channel="sms", custom_code=bad)
        assert (caught.value.status, caught.value.code) == (400, 60200)
    check = custom.verification_checks.create(to=HANDSET, code="867530")
    assert check.status == "approved"


@pytest.mark.parametrize(
    ("params", "status_code"),
    [
        ({"to": "5558675310", "channel": "sms"}, (400, 60200)),
        ({"to": "not a number", "channel": "call"}, (400, 60200)),
        ({"to": HANDSET, "channel": "pigeon"}, (400, 60200)),
        ({"to": HANDSET, "channel": "email"}, (400, 60200)),
        ({"to": HANDSET, "channel": "sna"}, (400, 60200)),
        ({"to": HANDSET, "channel": "auto"}, (400, 60200)),
        ({"to": HANDSET, "channel": "sms", "locale": "english please"}, (400, 60200)),
        ({"to": HANDSET, "channel": "sms", "amount": "1.00", "payee": "Shop"}, (400, 60204)),
        ({"to": "+15005550001", "channel": "sms"}, (400, 60200)),  # the messages' magic invalid To
    ],
)
def test_bad_starts_are_refused_and_send_nothing(
    emu: Emulator, params: dict[str, str], status_code: tuple[int, int]
) -> None:
    twilio = emu.sdk_client()
    va = service(twilio)
    with pytest.raises(TwilioRestException) as caught:
        va.verifications.create(**params)
    assert (caught.value.status, caught.value.code) == status_code
    emu.settle()
    assert twilio.messages.list() == [] and emu.verifications() == []


def test_refused_channels_say_what_the_emulator_delivers(twilio: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        service(twilio).verifications.create(to=HANDSET, channel="email")
    assert "not emulated" in caught.value.msg and "sms" in caught.value.msg


def test_raw_starts_and_checks_need_their_parameters(emu: Emulator, twilio: Client) -> None:
    sid = twilio.verify.v2.services.create(friendly_name="Raw").sid
    with httpx.Client(
        base_url=f"{emu.base_url}/verify/v2/Services/{sid}", auth=(emu.account_sid, emu.auth_token)
    ) as http:
        for data in ({"Channel": "sms"}, {"To": HANDSET}):
            resp = http.post("/Verifications", data=data)
            assert (resp.status_code, resp.json()["code"]) == (400, 60200)
        checks = [({"To": HANDSET}, 60200), ({"Code": "1234"}, 60221)]
        for data, code in [*checks, ({"To": HANDSET, "Code": "12"}, 60200)]:
            resp = http.post("/VerificationCheck", data=data)
            assert (resp.status_code, resp.json()["code"]) == (400, code), data
        resp = http.post("/VerificationCheck", data={"To": HANDSET, "Code": "1234"})
        assert (resp.status_code, resp.json()["code"]) == (404, 20404)
        resp = http.post("/Verifications", data={"To": HANDSET, "Channel": "SMS"})
        assert resp.status_code == 201 and resp.json()["channel"] == "sms"
        assert emu.verification_code(HANDSET) not in resp.text  # the code is never in the API


def test_psd2_services_need_amount_and_payee_and_refuse_calls(
    emu: Emulator, twilio: Client
) -> None:
    va = service(twilio, "Pay", psd2_enabled=True)
    assert error(lambda: va.verifications.create(to=HANDSET, channel="sms")) == (400, 60206)
    assert error(
        lambda: va.verifications.create(to=HANDSET, channel="call", amount="€39.99", payee="Acme")
    ) == (400, 60214)
    started = va.verifications.create(to=HANDSET, channel="sms", amount="€39.99", payee="Acme")
    assert (started.amount, started.payee) == ("€39.99", "Acme")
    check = va.verification_checks.create(to=HANDSET, code=emu.verification_code(HANDSET))
    assert (check.status, check.amount, check.payee) == ("approved", "€39.99", "Acme")


def test_rules_make_verify_fail_or_rate_limit_for_a_number(emu: Emulator, twilio: Client) -> None:
    va = service(twilio)
    emu.set_rule("failed", to=HANDSET, kind="verify", error_code=60205)
    assert error(lambda: va.verifications.create(to=HANDSET, channel="sms")) == (400, 60205)
    assert va.verifications.create(to=OTHER, channel="sms").status == "pending"  # others unaffected
    emu.set_rule("rate-limited", to="+1555*", kind="verify", times=1)
    assert error(lambda: va.verifications.create(to=HANDSET, channel="sms")) == (429, 60203)
    # the one use is spent: the older rule (failed 60205) applies again
    assert error(lambda: va.verifications.create(to=HANDSET, channel="sms")) == (400, 60205)
    emu.clear_rules("verify")
    assert va.verifications.create(to=HANDSET, channel="sms").status == "pending"
    emu.settle()
    assert [m.to for m in twilio.messages.list()] == [HANDSET, OTHER]
    with pytest.raises(ValueError, match="outcome"):
        emu.set_rule("delivered", kind="verify")


def test_rules_through_the_control_plane(emu: Emulator, twilio: Client) -> None:
    va = service(twilio)
    auth = (emu.account_sid, emu.auth_token)
    url = f"{emu.base_url}/_emulator/rules"
    rule = {"kind": "verify", "to": HANDSET, "outcome": "rate-limited", "error_code": 60212}
    assert httpx.post(url, json=rule, auth=auth).status_code == 201
    assert error(lambda: va.verifications.create(to=HANDSET, channel="call")) == (429, 60212)
    blocked = {"kind": "verify", "to": OTHER, "outcome": "blocked"}
    assert httpx.post(url, json=blocked, auth=auth).status_code == 201
    assert error(lambda: va.verifications.create(to=OTHER, channel="sms")) == (403, 60410)
    bad = httpx.post(url, json={"kind": "verify", "outcome": "sent"}, auth=auth)
    assert (bad.status_code, bad.json()["code"]) == (400, 20001)
    # a rule on another service's SID (the rule's "from") leaves this one alone
    other = {"kind": "verify", "from": f"VA{'0' * 32}", "outcome": "failed"}
    assert httpx.post(url, json=other, auth=auth).status_code == 201
    assert va.verifications.create(to="+15558675312", channel="sms").status == "pending"


def test_the_control_plane_lists_newest_first_and_checks_its_query(
    emu: Emulator, twilio: Client
) -> None:
    va, vb = service(twilio, "A"), service(twilio, "B")
    a = va.verifications.create(to=HANDSET, channel="sms")
    b = vb.verifications.create(to=HANDSET, channel="whatsapp")
    c = va.verifications.create(to=OTHER, channel="call")
    assert [e["sid"] for e in control(emu).json()] == [c.sid, b.sid, a.sid]
    assert [e["sid"] for e in control(emu, to=HANDSET).json()] == [b.sid, a.sid]
    assert [e["sid"] for e in control(emu, to=HANDSET, service_sid=a.service_sid).json()] == [a.sid]
    assert [e["sid"] for e in control(emu, limit="1").json()] == [c.sid]
    assert emu.verification_code(HANDSET) == control(emu, to=HANDSET).json()[0]["code"]
    assert (
        emu.verification_code(HANDSET, a.service_sid) == control(emu, to=HANDSET).json()[1]["code"]
    )
    assert [v["sid"] for v in emu.verifications(HANDSET)] == [b.sid, a.sid]
    raw = httpx.get(  # as typed in a shell: the "+" not encoded
        f"{emu.base_url}/_emulator/verifications?to={HANDSET}",
        auth=(emu.account_sid, emu.auth_token),
    )
    assert [e["sid"] for e in raw.json()] == [b.sid, a.sid]
    for bad in ({"limit": "0"}, {"limit": "1001"}, {"limit": "x"}, {"to": "+1" * 40}):
        assert control(emu, **bad).status_code == 400
    wrong = httpx.get(f"{emu.base_url}/_emulator/verifications", auth=(emu.account_sid, "nope"))
    assert wrong.status_code == 401
    with pytest.raises(LookupError, match="service"):
        emu.verification_code(OTHER, vb._solution["sid"])


def test_no_rest_answer_carries_a_verification_code(emu: Emulator, twilio: Client) -> None:
    """Create, list, fetch and the update answer of the Messages API: the code is masked in
    every one (the message stays in the account, so its SID from the control plane works)."""
    va = service(twilio, "Acme", code_length=8)
    va.verifications.create(to=HANDSET, channel="sms")
    va.verifications.create(to=OTHER, channel="whatsapp")
    emu.settle()
    codes = [emu.verification_code(HANDSET), emu.verification_code(OTHER)]
    auth = (emu.account_sid, emu.auth_token)
    base = f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/Messages"
    listed = httpx.get(f"{base}.json", auth=auth)
    [sms] = [m for m in listed.json()["messages"] if m["to"] == HANDSET]
    fetched = httpx.get(f"{base}/{sms['sid']}.json", auth=auth)
    texts = [listed.text, fetched.text]
    assert all(code not in text for code in codes for text in texts)
    assert fetched.json()["body"] == "Your Acme verification code is: ********"
    redacted = httpx.post(f"{base}/{sms['sid']}.json", data={"Body": ""}, auth=auth)
    assert redacted.status_code == 200 and redacted.json()["body"] == ""


def test_a_verifications_repr_does_not_show_its_code(emu: Emulator, twilio: Client) -> None:
    service(twilio, "Acme").verifications.create(to=HANDSET, channel="sms")
    [record] = emu.call(lambda core: core.verify.recent(HANDSET))
    assert record.code == emu.verification_code(HANDSET)
    assert record.code not in repr(record) and record.sid in repr(record)


def test_verifys_own_whatsapp_template_is_not_the_accounts(emu: Emulator, twilio: Client) -> None:
    """Twilio's approved authentication template carries Verify's codes; an account naming
    its SID itself is 21655 (else it could send any text outside the 24-hour window)."""
    emu.enable_whatsapp("+15017122661")

    def send() -> Any:
        return twilio.messages.create(
            to=f"whatsapp:{HANDSET}", from_="whatsapp:+15017122661",
            content_sid=VERIFY_WHATSAPP_TEMPLATE_SID, content_variables='{"1": "Buy now!"}',
        )  # fmt: skip

    assert error(send) == (400, 21655)
    service(twilio, "Chat").verifications.create(to=HANDSET, channel="whatsapp")
    emu.settle()
    [msg] = twilio.messages.list(to=f"whatsapp:{HANDSET}")
    assert msg.status in ("delivered", "read") and msg.error_code is None
