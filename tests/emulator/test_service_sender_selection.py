"""The sender-selection rules of a Messaging Service's pool (TWILIO.md §17.4), as a pure
function: sticky sender, WhatsApp, alpha sender, short code before long code, country and
area-code geomatch, MMS capability, and "none can deliver"."""

from __future__ import annotations

from twilio_connector.emulator.messaging_services.selection import (
    Sender,
    choose_sender,
    number_country,
)

US_415 = Sender("+14155550100", "long_code", "US", mms=True)
US_212 = Sender("+12125550100", "long_code", "US", mms=True)
US_SMS_ONLY_212 = Sender("+12125550199", "long_code", "US", mms=False)
CA_604 = Sender("+16045550100", "long_code", "CA", mms=True)
GB = Sender("+447700900100", "long_code", "GB")
US_SHORT = Sender("12345", "short_code", "US")
GB_SHORT = Sender("60006", "short_code", "GB")
ALPHA = Sender("Acme", "alpha")
WA = Sender("+14155550111", "long_code", "US", whatsapp=True)


def _from(pool: list[Sender], to: str, **kwargs: object) -> str | None:
    choice = choose_sender(pool, to, **kwargs)  # type: ignore[arg-type]
    return None if choice is None else choice.from_


def test_countries_of_numbers_follow_the_area_code_for_nanp() -> None:
    assert number_country("+16045550100") == "CA"
    assert number_country("+14155550100") == "US"
    assert number_country("+447700900100") == "GB"


def test_a_number_of_the_recipients_country_comes_first() -> None:
    assert _from([US_415, GB], "+447700900999") == GB.address
    assert _from([GB, US_415], "+14155550999") == US_415.address
    assert _from([GB, CA_604], "+16045550999") == CA_604.address


def test_else_a_us_number_else_any() -> None:
    assert _from([GB, US_212], "+33612345678") == US_212.address
    assert _from([GB], "+33612345678") == GB.address
    assert _from([GB], "+14155550999") == GB.address


def test_area_code_geomatch_prefers_the_same_area_code_when_on() -> None:
    pool = [US_415, US_212]
    assert _from(pool, "+12125550999") == US_212.address
    assert _from(pool, "+12125550999", area_code_geomatch=False) == US_415.address
    assert _from(pool, "+13105550999") == US_415.address  # no 310 number: the first US one
    assert choose_sender(pool, "+12125550999").rule == "area_code"  # type: ignore[union-attr]


def test_short_code_before_long_code_for_its_country_only() -> None:
    pool = [US_415, US_SHORT, GB_SHORT]
    assert _from(pool, "+14155550999") == "12345"
    assert _from(pool, "+447700900999") == "60006"
    assert _from([US_415, GB_SHORT], "+14155550999") == US_415.address
    assert _from([GB_SHORT], "+14155550999") is None  # a short code does not send abroad


def test_the_alpha_sender_is_for_sms_outside_us_and_canada() -> None:
    pool = [US_415, ALPHA, GB_SHORT]
    assert _from(pool, "+447700900999") == "Acme"
    assert _from(pool, "+14155550999") == US_415.address
    assert _from(pool, "+16045550999") == US_415.address
    assert _from(pool, "+447700900999", mms=True) == "60006"  # no alpha sender for MMS
    assert _from([ALPHA], "+14155550999") is None


def test_mms_prefers_an_mms_capable_number() -> None:
    pool = [US_SMS_ONLY_212, US_212]
    assert _from(pool, "+12125550999") == US_SMS_ONLY_212.address
    assert _from(pool, "+12125550999", mms=True) == US_212.address


def test_whatsapp_needs_a_whatsapp_sender() -> None:
    assert _from([US_415, WA], "whatsapp:+14155550999") == "whatsapp:+14155550111"
    assert _from([US_415, ALPHA], "whatsapp:+447700900999") is None
    assert _from([WA], "+14155550999") == WA.address  # a WhatsApp number still sends SMS


def test_sticky_sender_reuses_the_mapping_while_it_can_deliver() -> None:
    pool = [US_415, US_212]
    assert _from(pool, "+12125550999", sticky=US_415.address) == US_415.address
    assert _from(pool, "+12125550999", sticky=US_415.address, sticky_sender=False) == US_212.address
    # a mapping to a sender no longer in the pool, or one that cannot carry it, is re-chosen
    assert _from([US_212], "+12125550999", sticky=US_415.address) == US_212.address
    assert _from([*pool, ALPHA], "+14155550999", sticky="Acme") == US_415.address
    choice = choose_sender(pool, "+12125550999", sticky=US_415.address)
    assert choice is not None and choice.rule == "sticky"


def test_an_empty_pool_or_only_unusable_senders_choose_none() -> None:
    assert choose_sender([], "+14155550999") is None
    no_sms = Sender("+14155550123", "long_code", "US", sms=False)
    assert choose_sender([no_sms], "+14155550999") is None
