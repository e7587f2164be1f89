"""Bad input never yields a 500; state survives a restart; pure helpers behave."""

from __future__ import annotations

import base64
import http.client
import json
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.emulator import sdk_client

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.messages.segments import count_segments, encoding_of
from twilio_connector.emulator.messages.twiml import TwimlError, parse_messaging_twiml


def _raw(
    emu: Emulator, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _auth(emu: Emulator) -> dict[str, str]:
    token = base64.b64encode(f"{emu.account_sid}:{emu.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _assert_twilio_error(
    status: int, body: bytes, expected_status: int, code: int | None = None
) -> None:
    assert status == expected_status, body
    data = json.loads(body)
    assert data["status"] == expected_status and isinstance(data["code"], int)
    assert data["more_info"] == f"https://www.twilio.com/docs/errors/{data['code']}"
    if code is not None:
        assert data["code"] == code, data


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_malformed_requests_get_twilio_style_4xx(emu: Emulator) -> None:
    base = f"/2010-04-01/Accounts/{emu.account_sid}"
    auth = _auth(emu)
    cases = [
        ("GET", "/nope", b"", {}, 404, 20404),
        ("GET", f"{base}/Messages", b"", auth, 404, 20404),  # the XML flavour is not served
        ("PUT", f"{base}/Messages.json", b"", auth, 405, 20004),
        ("DELETE", "/2010-04-01/Accounts.json", b"", auth, 405, 20004),
        ("DELETE", f"{base}.json", b"", auth, 405, 20004),
        ("GET", f"{base}/Messages.json", b"", {}, 401, 20003),
        ("GET", f"{base}/Messages.json", b"", {"Authorization": "Basic !!!"}, 401, 20003),
        ("GET", f"{base}/Messages.json", b"", {"Authorization": "Bearer abc"}, 401, 20003),
        ("GET", f"{base}/Messages.json?PageSize=1001", b"", auth, 400, 20007),
        ("GET", f"{base}/Messages.json?PageSize=0", b"", auth, 400, 20001),
        ("GET", f"{base}/Messages.json?PageSize=ten", b"", auth, 400, 20001),
        ("GET", f"{base}/Messages.json?Page=-1", b"", auth, 400, 20001),
        ("GET", f"{base}/Messages.json?PageToken=XX", b"", auth, 400, 20001),
        ("GET", f"{base}/Messages.json?PageToken=PASM{'0' * 32}", b"", auth, 400, 20001),
        ("GET", f"{base}/Messages.json?DateSent=yesterday", b"", auth, 400, 20001),
        ("GET", f"{base}/Messages.json?DateSent=9999-12-31", b"", auth, 400, 20001),
        ("POST", "/_emulator/advance", b"seconds=1e20", {**auth, **FORM}, 400, 20001),
        ("POST", "/_emulator/rules", b"outcome=failed&times=1e20", {**auth, **FORM}, 400, 20001),
        ("GET", f"{base}/Messages.json?To=%FF", b"", auth, 400, 20001),
        ("POST", f"{base}/Messages.json", b"To=%2B1555&Body=%FF%FE", {**auth, **FORM}, 400, 20001),
        ("POST", f"{base}/Messages.json", b"\xff\xfe=\x00", {**auth, **FORM}, 400, 20001),
        (
            "POST",
            f"{base}/Messages.json",
            b'{"To": "+15558675310"}',
            {**auth, "Content-Type": "application/json"},
            400,
            21604,
        ),  # body ignored, like Twilio
        ("POST", f"{base}/Messages.json", b"x" * (2 * 1024 * 1024), {**auth, **FORM}, 413, None),
        (
            "POST",
            f"{base}/Messages.json",
            b"To=%2B15558675310&Body=hi&From=%2B15017122661&ValidityPeriod=soon",
            {**auth, **FORM},
            400,
            20001,
        ),
        (
            "POST",
            f"{base}/Messages.json",
            b"To=%2B15558675310&Body=hi&From=%2B15017122661&SendAt=tomorrow",
            {**auth, **FORM},
            400,
            20001,
        ),
        (
            "POST",
            f"{base}/IncomingPhoneNumbers.json",
            b"PhoneNumber=%2B15005550006&SmsMethod=PATCH",
            {**auth, **FORM},
            400,
            20001,
        ),
        ("GET", f"{base}/Messages/SM{'0' * 32}.json", b"", auth, 404, 20404),
        ("GET", f"{base}/Messages/SMnotasid.json", b"", auth, 404, 20404),
        ("GET", f"/2010-04-01/Accounts/AC{'0' * 32}/Messages.json", b"", auth, 401, 20003),
        (
            "POST",
            "/_emulator/rules",
            b"{not json",
            {**auth, "Content-Type": "application/json"},
            400,
            20001,
        ),
        (
            "POST",
            "/_emulator/rules",
            b'["list"]',
            {**auth, "Content-Type": "application/json"},
            400,
            20001,
        ),
        ("POST", "/_emulator/messages/inbound", b"from=x&to=y", {**auth, **FORM}, 400, 21212),
        ("DELETE", "/_emulator/rules/12345", b"", auth, 404, 20404),
    ]
    for method, path, body, headers, status, code in cases:
        got, data = _raw(emu, method, path, body, headers)
        _assert_twilio_error(got, data, status, code)
    assert _raw(emu, "GET", f"{base}.json", b"", auth)[0] == 200  # still serving


def test_garbage_on_the_socket_keeps_server_alive(emu: Emulator) -> None:
    for junk in (
        b"\x00\x01\x02 nonsense\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5) as s:
            s.sendall(junk)
            reply = s.recv(4096)
            assert not reply or reply.split(b" ")[1][:1] == b"4"
    assert (
        _raw(emu, "GET", f"/2010-04-01/Accounts/{emu.account_sid}.json", b"", _auth(emu))[0] == 200
    )


_PARAMS = [
    "To",
    "From",
    "Body",
    "MediaUrl",
    "StatusCallback",
    "PageSize",
    "Page",
    "PageToken",
    "DateSent",
    "DateSent<",
    "FriendlyName",
    "Status",
    "SmsUrl",
    "SmsMethod",
    "PhoneNumber",
    "AreaCode",
    "ContentSid",
    "ContentVariables",
    "MessagingServiceSid",
    "SendAt",
    "ScheduleType",
    "ValidityPeriod",
    "Contains",
    "AccountSid",
    "timeout",
    "seconds",
    "outcome",
    "to",
    "from",
    "body",
    "kind",
    "times",
    "error_code",
]
_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "+15558675310",
            "+15017122661",
            "whatsapp:+15551234567",
            "true",
            "-1",
            "99999999999999999999",
            "2024-13-45",
            "%zz",
            "http://x_y/",
            "HX" + "0" * 32,
            "",
            "GET",
            "canceled",
            "PA",
            "{}",
        ]
    ),
)


@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS"]),
    path=st.sampled_from(
        [
            "/2010-04-01/Accounts.json",
            "/2010-04-01/Accounts/{AC}.json",
            "/2010-04-01/Accounts/{AC}/Messages.json",
            "/2010-04-01/Accounts/{AC}/Messages/{SM}.json",
            "/2010-04-01/Accounts/{AC}/Messages/{SM}/Media.json",
            "/2010-04-01/Accounts/{AC}/Keys.json",
            "/2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json",
            "/2010-04-01/Accounts/{AC}/Balance.json",
            "/2010-04-01/Accounts/{AC}/AvailablePhoneNumbers/US/Local.json",
            "/_emulator/rules",
            "/_emulator/settle",
            "/_emulator/advance",
            "/_emulator/messages/inbound",
            "/{junk}",
        ]
    ),
    junk=st.text(
        st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#?"), max_size=30
    ),
    params=st.lists(st.tuples(st.sampled_from(_PARAMS), _VALUES), max_size=6),
    in_query=st.booleans(),
    ctype=st.sampled_from(
        ["application/x-www-form-urlencoded", "application/json", "text/plain", None]
    ),
    raw=st.binary(max_size=64),
    use_raw=st.booleans(),
    authed=st.booleans(),
)
@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_fuzzed_requests_never_500(
    fuzz_emu: tuple[Emulator, str],
    method: str,
    path: str,
    junk: str,
    params: list[tuple[str, str]],
    in_query: bool,
    ctype: str | None,
    raw: bytes,
    use_raw: bool,
    authed: bool,
) -> None:
    from urllib.parse import urlencode

    emu, sm = fuzz_emu
    target = path.replace("{AC}", emu.account_sid).replace("{SM}", sm).replace("{junk}", junk)
    encoded = urlencode(params)
    body = raw if use_raw else encoded.encode()
    if in_query:
        target += "?" + encoded
        body = b""
    headers = _auth(emu) if authed else {}
    if ctype:
        headers["Content-Type"] = ctype
    status, data = _raw(emu, method, target, body, headers)
    assert status < 500, (method, target, body, data)
    if status >= 400 and method != "HEAD":
        assert json.loads(data)["status"] == status


@pytest.fixture(scope="module")
def fuzz_emu() -> tuple[Emulator, str]:
    with Emulator() as emu:
        client = sdk_client(emu, emu.account_sid, emu.auth_token)
        sm = client.messages.create(to="+15558675310", from_="+15005550006", body="x").sid
        yield emu, sm  # type: ignore[misc]


def test_state_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    with Emulator(db_path=db, phone_numbers=("+15017122661",)) as emu:
        twilio = sdk_client(emu, emu.account_sid, emu.auth_token)
        sent = twilio.messages.create(to="+15558675310", from_="+15017122661", body="keep me")
        sub = twilio.api.accounts.create(friendly_name="tenant")
        key = twilio.new_keys.create(friendly_name="k")
        number = twilio.incoming_phone_numbers.create(
            phone_number="+15005550006", sms_url="https://example.com/sms"
        )
        emu.set_rule("undelivered", to="+1555*", error_code=30003)
        emu.settle()
        credentials = (emu.account_sid, emu.auth_token)
    with Emulator(db_path=db, phone_numbers=("+15017122661",)) as again:
        assert (again.account_sid, again.auth_token) == credentials
        twilio = sdk_client(again, again.account_sid, again.auth_token)
        kept = twilio.messages(sent.sid).fetch()
        assert (kept.body, kept.status) == ("keep me", "delivered")
        assert [m.sid for m in twilio.messages.list()] == [sent.sid]
        assert twilio.api.accounts(sub.sid).fetch().friendly_name == "tenant"
        assert (
            twilio.incoming_phone_numbers(number.sid).fetch().sms_url == "https://example.com/sms"
        )
        keyed = sdk_client(again, key.sid, key.secret, account_sid=again.account_sid)
        assert keyed.messages(sent.sid).fetch().sid == sent.sid
        assert [r.error_code for r in again.rules()] == [30003]
        assert len(again.delivery_log()) == 0  # no callback was configured
        later = twilio.messages.create(
            to="+15558675310", from_="+15017122661", body="after restart"
        )
        again.settle()
        assert twilio.messages(later.sid).fetch().status == "undelivered"


def test_lifecycles_left_in_flight_resume_after_restart(tmp_path: Path) -> None:
    db = tmp_path / "emu.db"
    with Emulator(db_path=db, timing="manual") as emu:
        twilio = sdk_client(emu, emu.account_sid, emu.auth_token)
        queued = twilio.messages.create(to="+15558675310", from_="+15005550006", body="queued")
        assert twilio.messages(queued.sid).fetch().status == "queued"
    with Emulator(db_path=db) as again:
        twilio = sdk_client(again, again.account_sid, again.auth_token)
        again.settle()
        assert twilio.messages(queued.sid).fetch().status == "delivered"


def test_segments_and_encoding() -> None:
    assert count_segments("") == 0
    assert encoding_of("Hello @ £ € {}") == "GSM-7"
    assert encoding_of("tab\there") == "UCS-2"
    assert encoding_of("curly ’ quote") == "UCS-2"
    assert count_segments("a\nb" * 53) == 1  # 159 septets, newline is GSM-7
    # 152 plain + one '€' (2 septets) would straddle the 153-septet boundary: it moves over.
    assert count_segments("a" * 152 + "€" + "a" * 10) == 2
    assert count_segments("a" * 152 + "€" + "a" * 152) == 3


def test_messaging_twiml_parser() -> None:
    parsed = parse_messaging_twiml(
        b'<Response><Message to="+1" from="+2" action="/cb" method="get"><Body>Hi</Body>'
        b"<Media>https://x/a.png</Media></Message><Play/></Response>"
    )
    [msg] = parsed.actions
    assert (msg.body, msg.media, msg.to, msg.from_, msg.action, msg.method) == (
        "Hi",
        ("https://x/a.png",),
        "+1",
        "+2",
        "/cb",
        "GET",
    )
    assert [code for code, _ in parsed.warnings] == [12200]
    eleven = b"<Response>" + b"<Message>x</Message>" * 11 + b"</Response>"
    assert len(parse_messaging_twiml(eleven).actions) == 10
    for doc, code in (
        (b"  <?xml version='1.0'?><Response/>", 12100),
        (b"<Response>", 12100),
        (b"<Say>hi</Say>", 12102),
        (b"<Response>" + b" " * 70000 + b"</Response>", 11750),
    ):
        with pytest.raises(TwimlError) as info:
            parse_messaging_twiml(doc)
        assert info.value.code == code


@given(st.text(alphabet="ab=&%+2F0E9x€ ;", max_size=24))
def test_form_parsing_matches_parse_qsl(raw: str) -> None:
    from urllib.parse import parse_qsl

    from twilio_connector.emulator.errors import EmulatorError
    from twilio_connector.emulator.http import parse_form

    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict")
        expected: dict[str, list[str]] | None = {}
        for key, value in pairs:
            expected.setdefault(key, []).append(value)  # type: ignore[union-attr]
        if any("\x00" in key + value for key, value in pairs):
            expected = None  # we refuse NUL characters
    except UnicodeDecodeError:
        expected = None
    try:
        got: dict[str, list[str]] | None = parse_form(raw)
    except EmulatorError as exc:
        assert exc.status == 400
        got = None
    assert got == expected
