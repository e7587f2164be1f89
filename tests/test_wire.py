"""The wire module: forms, addresses, date filters, URL credentials, API constants (pure)."""

from __future__ import annotations

import base64
import enum
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twilio_connector import _wire
from twilio_connector._wire import (
    API_PREFIX,
    API_VERSION,
    Address,
    DateRange,
    InvalidParameter,
    MalformedPayload,
    Userinfo,
    country_of,
    date_filters,
    encode_form,
    filter_day,
    form,
    form_value,
    format_address,
    format_iso_datetime,
    is_e164,
    message_verb_error,
    parse_address,
    parse_date_filters,
    parse_form,
    parse_form_strict,
    parse_iso_datetime,
    redact_userinfo,
    signed_url,
    split_userinfo,
    to_bool,
    to_float,
    to_int,
    whatsapp_address,
)

UTC = timezone.utc


def epoch(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


def test_every_name_in_all_is_importable() -> None:
    for name in _wire.__all__:
        assert hasattr(_wire, name), name


# --------------------------------------------------------------------------- API


def test_api_version_and_prefix() -> None:
    assert API_VERSION == "2010-04-01"
    assert API_PREFIX == "/2010-04-01"


def test_message_verb_errors_map_rest_codes_and_keep_the_others() -> None:
    assert [message_verb_error(c) for c in (21211, 21212, 21606, 21602)] == [
        14101,
        14102,
        14102,
        14103,
    ]
    assert message_verb_error(30007) == 30007


# --------------------------------------------------------------------------- form encoding


class Color(str, enum.Enum):
    RED = "red"


def test_form_values_as_twilio_reads_them() -> None:
    minus_five = timezone(timedelta(hours=-5))
    assert form_value(True) == "true" and form_value(False) == "false"
    assert form_value(datetime(2030, 1, 2, 22, 0, 0, tzinfo=minus_five)) == "2030-01-03T03:00:00Z"
    assert form_value(datetime(2030, 1, 2, 3, 4, 5)) == "2030-01-02T03:04:05Z"  # naive is UTC
    assert form_value(date(2024, 2, 29)) == "2024-02-29"
    assert form_value({"1": "Ada", "2": 3}) == '{"1":"Ada","2":3}'
    assert form_value(Color.RED) == "red"
    assert form_value(7) == "7"


def test_form_skips_none_and_repeats_list_keys() -> None:
    pairs = form(To="+1", Skipped=None, Empty="", MediaUrl=["a", "b"], Event=("x", True))
    assert pairs == [
        ("To", "+1"),
        ("Empty", ""),
        ("MediaUrl", "a"),
        ("MediaUrl", "b"),
        ("Event", "x"),
        ("Event", "true"),
    ]
    assert encode_form(pairs) == "To=%2B1&Empty=&MediaUrl=a&MediaUrl=b&Event=x&Event=true"


def test_space_is_plus_and_plus_is_escaped() -> None:
    assert encode_form([("Body", "a b+c")]) == "Body=a+b%2Bc"
    assert encode_form([("Body", "é ✓")]) == "Body=%C3%A9+%E2%9C%93"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=300)), max_size=6))
def test_encode_then_decode_round_trips_in_both_modes(pairs: list[tuple[str, str]]) -> None:
    encoded = encode_form(pairs)
    assert encoded == urlencode(pairs)
    decoded = parse_form(encoded.encode())
    assert decoded == pairs == parse_qsl(encoded, keep_blank_values=True)
    if not any("\x00" in k + v for k, v in pairs):
        grouped: dict[str, list[str]] = {}
        for k, v in decoded:
            grouped.setdefault(k, []).append(v)
        assert parse_form_strict(encoded) == grouped


# --------------------------------------------------------------------------- form decoding


def test_plus_and_percent_20_are_both_spaces() -> None:
    assert parse_form(b"a=x+y&b=x%20y&c=x%2By") == [("a", "x y"), ("b", "x y"), ("c", "x+y")]
    assert parse_form_strict("a=x+y&a=x%20y") == {"a": ["x y", "x y"]}


def test_repeated_keys_keep_every_value_in_order() -> None:
    body = b"MediaUrl=1&To=%2B1&MediaUrl=2&MediaUrl=3"
    assert parse_form(body) == [
        ("MediaUrl", "1"),
        ("To", "+1"),
        ("MediaUrl", "2"),
        ("MediaUrl", "3"),
    ]
    assert parse_form_strict(body) == {"MediaUrl": ["1", "2", "3"], "To": ["+1"]}


@pytest.mark.parametrize(
    ("body", "pairs"),
    [
        ("a=%zz", [("a", "%zz")]),
        ("a=%4", [("a", "%4")]),
        ("a=%", [("a", "%")]),
        ("a=100%25+sure%", [("a", "100% sure%")]),
        ("%zz=1&%41=2", [("%zz", "1"), ("A", "2")]),
        ("a=%e2%82%ac%zz", [("a", "€%zz")]),
        ("a=" + "%zz" * 100 + "%41", [("a", "%zz" * 100 + "A")]),  # the long-component path
        ("a&=v&&b=", [("a", ""), ("", "v"), ("b", "")]),
    ],
)
def test_malformed_escapes_stay_literal_in_both_modes(
    body: str, pairs: list[tuple[str, str]]
) -> None:
    assert parse_form(body.encode()) == pairs == parse_qsl(body, keep_blank_values=True)
    grouped: dict[str, list[str]] = {}
    for k, v in pairs:
        grouped.setdefault(k, []).append(v)
    assert parse_form_strict(body) == grouped


@pytest.mark.parametrize(
    "body",
    [b"Body=%ff", b"Body=\xff", b"B\xc3=1", b"Body=%C3", b"Body=" + b"x" * 300 + b"%ff"],
)
def test_bytes_that_are_not_utf8_are_refused_in_both_modes(body: bytes) -> None:
    with pytest.raises(MalformedPayload, match="UTF-8"):
        parse_form(body)
    with pytest.raises(MalformedPayload, match="invalid UTF-8"):
        parse_form_strict(body)


def test_lenient_mode_accepts_whatever_utf8_twilio_sends() -> None:
    body = "Body=" + "caf%C3%A9 %F0%9F%98%80 \x00 " * 50
    assert parse_form(body.encode()) == [("Body", "café 😀 \x00 " * 50)]
    assert parse_form("Body=\u00e9+ok") == [("Body", "é ok")]  # already decoded text
    assert parse_form(b"") == []


def test_strict_mode_refuses_nul_characters() -> None:
    with pytest.raises(MalformedPayload, match="NUL"):
        parse_form_strict("Body=a%00b")
    with pytest.raises(MalformedPayload, match="NUL"):
        parse_form_strict("a%00=1")


def test_strict_mode_caps_the_number_of_fields() -> None:
    assert len(parse_form_strict("&".join(f"k{i}=v" for i in range(1000)))) == 1000
    with pytest.raises(MalformedPayload, match=r"Too many parameters \(max 1000\)"):
        parse_form_strict("&".join(f"k{i}=v" for i in range(1001)))
    with pytest.raises(MalformedPayload, match=r"max 3"):
        parse_form_strict(b"a=1&b=2&c=3&d=4", max_fields=3)
    assert parse_form_strict("") == {}


@given(st.text(alphabet="ab=&%+2F0E9x€ ;\x00", max_size=24))
def test_strict_mode_is_parse_qsl_that_refuses_bad_input(raw: str) -> None:
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict")
        expected: dict[str, list[str]] | None = {}
        for key, value in pairs:
            expected.setdefault(key, []).append(value)  # type: ignore[union-attr]
        if any("\x00" in key + value for key, value in pairs):
            expected = None
    except UnicodeDecodeError:
        expected = None
    try:
        got: dict[str, list[str]] | None = parse_form_strict(raw)
    except MalformedPayload:
        got = None
    assert got == expected


def test_lenient_value_conversions() -> None:
    assert [to_int(v) for v in ("7", " 7 ", "-3", "7.5", "", None)] == [7, 7, -3, None, None, None]
    assert [to_float(v) for v in ("0.5", "nan", "inf", "-inf", "x", None)] == [
        0.5,
        None,
        None,
        None,
        None,
        None,
    ]
    assert [to_bool(v) for v in ("true", " TRUE ", "1", "yes", "false", "0", "no", "")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert to_bool("maybe") is None and to_bool(None) is None


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("text", "channel", "bare"),
    [
        ("+15558675310", "phone", "+15558675310"),
        ("whatsapp:+15558675310", "whatsapp", "+15558675310"),
        ("WhatsApp:+15558675310", "whatsapp", "+15558675310"),
        ("client:alice", "client", "alice"),
        ("sip:bob@example.com", "sip", "bob@example.com"),
        ("sips:bob@example.com:5061", "sips", "bob@example.com:5061"),
        ("sim:DE" + "a" * 32, "sim", "DE" + "a" * 32),
        ("messenger:104794531907950", "messenger", "104794531907950"),
        ("rcs:ms_dev_test_agent", "rcs", "ms_dev_test_agent"),
        ("MyShop", "phone", "MyShop"),  # alphanumeric sender ID
        ("12345", "phone", "12345"),  # short code
        ("foo:bar", "phone", "foo:bar"),  # not a prefix Twilio knows
        ("", "phone", ""),
    ],
)
def test_parse_address(text: str, channel: str, bare: str) -> None:
    address = parse_address(text)
    assert (address.channel, address.bare) == (channel, bare)
    assert str(address) == (text if channel == "phone" else f"{channel}:{bare}")
    assert parse_address(str(address)) == address


def test_format_address_and_switching_channel() -> None:
    assert format_address("whatsapp", "+1555") == "whatsapp:+1555"
    assert format_address("phone", "+1555") == "+1555"
    assert str(parse_address("whatsapp:+1555").on("phone")) == "+1555"
    assert str(Address("phone", "+1555").on("whatsapp")) == "whatsapp:+1555"


def test_whatsapp_address_adds_the_prefix_once() -> None:
    assert whatsapp_address("+15558675310") == "whatsapp:+15558675310"
    assert whatsapp_address("whatsapp:+15558675310") == "whatsapp:+15558675310"
    assert whatsapp_address("WHATSAPP:+15558675310") == "whatsapp:+15558675310"
    with pytest.raises(ValueError, match="client:alice"):
        whatsapp_address("client:alice")


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("+15558675310", True),
        ("+1234567", True),  # 7 digits
        ("+123456", False),
        ("+123456789012345", True),  # 15 digits
        ("+1234567890123456", False),
        ("+0123456789", False),
        ("15558675310", False),
        ("+1555867531x", False),
        ("+15558675310\n", False),
    ],
)
def test_e164(number: str, ok: bool) -> None:
    assert is_e164(number) is ok
    assert parse_address(f"whatsapp:{number}").is_e164 is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("+15558675310", True),
        ("MyShop", False),
        ("whatsapp:+15558675310", True),
        ("whatsapp:alice", False),
        ("client:alice.b-c_d@x", True),
        ("client:", False),
        ("client:has space", False),
        ("sip:bob@example.com", True),
        ("sip:bob", False),
        ("sips:bob@example.com", True),
        ("sim:DE" + "0" * 32, True),
        ("sim:DE123", False),
        ("messenger:1047", True),
        ("rcs:", False),
    ],
)
def test_well_formed_addresses(text: str, ok: bool) -> None:
    assert parse_address(text).well_formed is ok


def test_country_of_a_number() -> None:
    assert country_of("+15558675310") == "US"  # +1 is attributed to the US
    assert country_of("+447700900123") == "GB"
    assert country_of("whatsapp:+4915112345678") == "DE"
    assert country_of("+33612345678") == "FR"
    assert country_of("+61412345678") == "AU"
    assert country_of("+81312345678") == ""
    assert country_of("client:alice") == ""


# --------------------------------------------------------------------------- dates: writing


def test_filter_day_is_the_utc_day() -> None:
    minus_five = timezone(timedelta(hours=-5))
    assert filter_day(datetime(2024, 3, 1, 23, 30, tzinfo=minus_five)) == "2024-03-02"
    assert filter_day(datetime(2024, 3, 1, 23, 30)) == "2024-03-01"
    assert filter_day(date(2024, 3, 1)) == "2024-03-01"
    assert filter_day("2024-03-01") == "2024-03-01"


def test_date_filters_write_the_operator_in_the_name() -> None:
    assert date_filters("DateSent", None, date(2024, 3, 31), "2024-03-01") == [
        ("DateSent<", "2024-03-31"),
        ("DateSent>", "2024-03-01"),
    ]
    assert date_filters("StartTime", date(2024, 1, 2), None, None) == [("StartTime", "2024-01-02")]
    assert date_filters("EndTime", None, None, None) == []
    assert encode_form(date_filters("DateSent", None, None, "2008-01-02")) == (
        "DateSent%3E=2008-01-02"
    )


def test_iso_datetimes_are_written_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert (
        format_iso_datetime(datetime(2024, 1, 1, 1, 0, tzinfo=plus_two)) == "2023-12-31T23:00:00Z"
    )


# --------------------------------------------------------------------------- dates: reading


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        (" 2024-01-02 ", datetime(2024, 1, 2, tzinfo=UTC)),
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05-05:00", datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC)),
        ("1970-01-01", datetime(1970, 1, 1, tzinfo=UTC)),
        ("1969-12-31T19:00:00-05:00", datetime(1970, 1, 1, tzinfo=UTC)),
        ("9000-12-31", datetime(9000, 12, 31, tzinfo=UTC)),
        ("9000-12-31T23:59:59Z", datetime(9000, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_parse_iso_datetime(raw: str, expected: datetime) -> None:
    value = parse_iso_datetime("SendAt", raw)
    assert value == expected and value.tzinfo == UTC


@pytest.mark.parametrize(
    "raw",
    [
        "1969-12-31",
        "1970-01-01T00:00:00+01:00",  # 1969 in UTC
        "9001-01-01",
        "9000-12-31T23:00:00-05:00",  # 9001 in UTC
        "9999-12-31T23:00:00-05:00",  # past datetime's range once in UTC
        "0001-01-01T00:00:00+01:00",
        "0001-01-01",
    ],
)
def test_dates_outside_1970_to_9000_say_so(raw: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        parse_iso_datetime("DateSent>", raw)
    assert info.value.name == "DateSent>"
    assert info.value.value == raw
    assert info.value.why == "must be between 1970-01-01 and 9000-12-31 (UTC)"
    assert str(info.value) == (
        f"Invalid parameter: DateSent> ({raw!r}): must be between 1970-01-01 and 9000-12-31 (UTC)"
    )


@pytest.mark.parametrize(
    "raw", ["yesterday", "2024-13-01", "2024-02-30", "01/02/2024", "2024-01-02T25:00"]
)
def test_malformed_dates_say_what_is_expected(raw: str) -> None:
    with pytest.raises(InvalidParameter, match="expected an ISO 8601 date"):
        parse_iso_datetime("DateSent", raw)


def params(**values: str) -> dict[str, str]:
    return {k.replace("_lt", "<").replace("_gt", ">"): v for k, v in values.items()}


def test_an_exact_date_selects_that_utc_day() -> None:
    got = parse_date_filters("DateSent", params(DateSent="2024-03-05").get)
    assert got == DateRange(
        epoch(2024, 3, 5), epoch(2024, 3, 6), False, (("DateSent", "2024-03-05"),)
    )
    assert epoch(2024, 3, 5) in got
    assert epoch(2024, 3, 6) - 0.001 in got
    assert epoch(2024, 3, 6) not in got
    assert epoch(2024, 3, 5) - 0.001 not in got
    at_noon = parse_date_filters("DateSent", params(DateSent="2024-03-05T12:00:00+09:00").get)
    assert (at_noon.start, at_noon.end) == (epoch(2024, 3, 5), epoch(2024, 3, 6))  # 03:00 UTC


def test_before_a_date_includes_that_whole_day() -> None:
    got = parse_date_filters("DateSent", params(DateSent_lt="2024-03-31").get)
    assert (got.start, got.end, got.end_inclusive) == (None, epoch(2024, 4, 1), False)
    assert epoch(2024, 3, 31, 23, 59, 59) in got
    assert epoch(2024, 4, 1) not in got
    assert 0.0 in got


def test_before_a_datetime_includes_that_instant() -> None:
    got = parse_date_filters("StartTime", params(StartTime_lt="2024-03-31T10:00:00Z").get)
    assert (got.end, got.end_inclusive) == (epoch(2024, 3, 31, 10), True)
    assert epoch(2024, 3, 31, 10) in got
    assert epoch(2024, 3, 31, 10) + 0.001 not in got


def test_after_a_date_or_datetime_is_on_or_after() -> None:
    day = parse_date_filters("EndTime", params(EndTime_gt="2024-03-01").get)
    assert (day.start, day.end) == (epoch(2024, 3, 1), None)
    assert epoch(2024, 3, 1) in day and epoch(2024, 3, 1) - 0.001 not in day
    instant = parse_date_filters("EndTime", params(EndTime_gt="2024-03-01T08:30:00Z").get)
    assert instant.start == epoch(2024, 3, 1, 8, 30)


def test_filters_combine_into_the_tightest_range() -> None:
    query = params(DateCreated_gt="2024-03-01", DateCreated_lt="2024-03-10")
    got = parse_date_filters("DateCreated", query.get)
    assert (got.start, got.end, got.end_inclusive) == (epoch(2024, 3, 1), epoch(2024, 3, 11), False)
    assert got.filters == (("DateCreated<", "2024-03-10"), ("DateCreated>", "2024-03-01"))
    narrower = params(DateSent="2024-03-05", DateSent_lt="2024-03-05T12:00:00Z")
    got = parse_date_filters("DateSent", narrower.get)
    assert (got.start, got.end, got.end_inclusive) == (
        epoch(2024, 3, 5),
        epoch(2024, 3, 5, 12),
        True,
    )
    same_end = params(DateSent="2024-03-05", DateSent_lt="2024-03-06T00:00:00Z")
    got = parse_date_filters("DateSent", same_end.get)
    assert (got.end, got.end_inclusive) == (epoch(2024, 3, 6), False)  # exclusive is tighter
    empty = parse_date_filters(
        "DateSent", params(DateSent_gt="2024-03-10", DateSent_lt="2024-03-01").get
    )
    assert epoch(2024, 3, 5) not in empty


def test_no_or_blank_filters_select_everything() -> None:
    got = parse_date_filters("DateSent", params(DateSent="", To="+1").get)
    assert got == DateRange()
    assert 0.0 in got and 1e12 in got
    assert "2024" not in got  # only numbers are timestamps


def test_filter_ranges_at_the_limits() -> None:
    low = parse_date_filters("DateSent", params(DateSent_gt="1970-01-01").get)
    assert low.start == 0.0
    high = parse_date_filters("DateSent", params(DateSent_lt="9000-12-31").get)
    assert high.end == epoch(9001, 1, 1)
    with pytest.raises(InvalidParameter, match=r"DateSent< \('9001-01-01'\): must be between"):
        parse_date_filters("DateSent", params(DateSent_lt="9001-01-01").get)
    with pytest.raises(InvalidParameter, match=r"DateSent \('1969-12-31'\)"):
        parse_date_filters("DateSent", params(DateSent="1969-12-31").get)


# --------------------------------------------------------------------------- URL userinfo


def test_split_userinfo_decodes_the_credentials() -> None:
    url, info = split_userinfo("https://us%40er:pa%3Ass@hooks.example.com:8443/sms?a=1#rc=2")
    assert url == "https://hooks.example.com:8443/sms?a=1#rc=2"
    assert info == Userinfo("us@er", "pa:ss")
    assert info.basic_authorization() == "Basic " + base64.b64encode(b"us@er:pa:ss").decode()


def test_split_userinfo_without_a_password_or_credentials() -> None:
    assert split_userinfo("https://user@host/p") == ("https://host/p", Userinfo("user", ""))
    assert split_userinfo("https://host/p?email=a@b#x@y") == ("https://host/p?email=a@b#x@y", None)
    assert split_userinfo("https://host/p") == ("https://host/p", None)
    assert split_userinfo("not a url @ all") == ("not a url @ all", None)


def test_the_last_at_sign_ends_the_userinfo() -> None:
    assert split_userinfo("https://a@b:c@host/") == ("https://host/", Userinfo("a@b", "c"))


def test_urls_urlsplit_refuses_are_still_split() -> None:
    assert split_userinfo("http://u:p@[::1") == ("http://[::1", Userinfo("u", "p"))
    assert redact_userinfo("http://u:p@[::1") == "http://u:***@[::1"
    assert signed_url("http://u:p@[::1#f") == "http://[::1"


def test_the_password_is_never_in_the_repr() -> None:
    info = Userinfo("user", "s3cret-pass")
    assert "s3cret-pass" not in repr(info)
    assert "user" in repr(info)


def test_signed_url_drops_fragment_and_userinfo_only() -> None:
    assert signed_url("https://u:p@host/a?b=1&c=@#rc=5") == "https://host/a?b=1&c=@"
    assert signed_url("https://host/a?b=1") == "https://host/a?b=1"
    assert signed_url("https://host#frag") == "https://host"


def test_redact_userinfo_hides_only_the_password() -> None:
    assert redact_userinfo("postgresql://app:hunter2@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert redact_userinfo("postgresql://app:@db/x") == "postgresql://app:***@db/x"
    assert redact_userinfo("postgresql://app@db/x") == "postgresql://app@db/x"
    assert redact_userinfo("https://host/p?x=a:b@c") == "https://host/p?x=a:b@c"


def test_resolve_url_joins_relative_actions_and_never_raises() -> None:
    from twilio_connector._wire import resolve_url

    assert resolve_url("https://app.test/sms/in", "status") == "https://app.test/sms/status"
    assert resolve_url("https://app.test/sms", "https://other.test/x") == "https://other.test/x"
    assert resolve_url("https://app.test/sms", "http://[::1/s") == "http://[::1/s"
    assert resolve_url("http://[::1", "/s") == "/s"


@pytest.mark.parametrize(
    ("base_url", "domain", "expected"),
    [
        ("https://api.twilio.com", "messaging", "https://messaging.twilio.com"),
        ("https://api.twilio.com/", "verify", "https://verify.twilio.com"),
        (
            "https://api.dublin.ie1.twilio.com",
            "messaging",
            "https://messaging.dublin.ie1.twilio.com",
        ),
        ("https://api.twilio.com", "api", "https://api.twilio.com"),
        ("http://127.0.0.1:8080", "messaging", "http://127.0.0.1:8080/messaging"),
        ("http://127.0.0.1:8080/", "content", "http://127.0.0.1:8080/content"),
        (
            "https://emu.example.test/twilio",
            "messaging",
            "https://emu.example.test/twilio/messaging",
        ),
        (
            "https://api.twilio.com.evil.test",
            "messaging",
            "https://api.twilio.com.evil.test/messaging",
        ),
        ("http://127.0.0.1:8080", "api", "http://127.0.0.1:8080"),
    ],
)
def test_domain_base_urls_map_hosts_on_twilio_and_prefixes_elsewhere(
    base_url: str, domain: str, expected: str
) -> None:
    assert _wire.domain_base_url(base_url, domain) == expected
    assert _wire.domain_prefix(domain) == ("" if domain == "api" else f"/{domain}")


def test_same_origin() -> None:
    from twilio_connector._wire import same_origin

    assert same_origin("https://API.twilio.com/2010-04-01/x?y=1", "https://api.twilio.com")
    assert same_origin("http://u:p@127.0.0.1:8080/a", "http://127.0.0.1:8080")
    assert not same_origin("http://127.0.0.1:8081/a", "http://127.0.0.1:8080")
    assert not same_origin("http://api.twilio.com/a", "https://api.twilio.com")
    assert not same_origin("/2010-04-01/Accounts.json", "https://api.twilio.com")


def test_numbered_params_match_the_spec_names_and_are_bounded(openapi: object) -> None:
    got = _wire.numbered_params("Parameter", {"lang": "en-US", "n": "1"})
    assert got == [
        ("Parameter1.Name", "lang"), ("Parameter1.Value", "en-US"),
        ("Parameter2.Name", "n"), ("Parameter2.Value", "1"),
    ]  # fmt: skip
    assert _wire.numbered_params("Parameter", None) == []
    assert _wire.numbered_params("Parameter", [("a", "1"), ("a", "2")])[2] == (
        "Parameter2.Name",
        "a",
    )
    path = "/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Streams.json"
    body = openapi.spec["paths"][path]["post"]["requestBody"]  # type: ignore[attr-defined]
    fields = set(body["content"]["application/x-www-form-urlencoded"]["schema"]["properties"])
    most = [("p", "v")] * _wire.MAX_NUMBERED
    assert {name for name, _ in _wire.numbered_params("Parameter", most)} <= fields
    assert f"Parameter{_wire.MAX_NUMBERED + 1}.Name" not in fields
    with pytest.raises(ValueError, match="at most 99"):
        _wire.numbered_params("Parameter", [("p", "v")] * 100)
    with pytest.raises(ValueError, match="no name"):
        _wire.numbered_params("Parameter", {"": "v"})
