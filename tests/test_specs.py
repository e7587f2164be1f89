"""The resource table (paths, list keys, SID prefixes, models) and the page envelope."""

from __future__ import annotations

import ast
from datetime import timezone
from pathlib import Path

import msgspec
import pytest

from twilio_connector import models, specs
from twilio_connector._wire import API_PREFIX
from twilio_connector.models import Message, PageMeta, decode_page, encode_page, page_envelope
from twilio_connector.specs import SPECS, PathTemplate, ResourceSpec, sid_pattern

ACCOUNT = "AC" + "0" * 32
SRC = Path(specs.__file__).parent

# TWILIO.md §2 (list keys) and §1.8 (SID prefixes), written out independently of the table.
EXPECTED = {
    "ACCOUNTS": ("/Accounts.json", "accounts", ("AC",), models.Account),
    "BALANCE": (None, None, (), models.Balance),
    "MESSAGES": ("/Accounts/{AccountSid}/Messages.json", "messages", ("SM", "MM"), Message),
    "MEDIA": (
        "/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json",
        "media_list",
        ("ME",),
        models.Media,
    ),
    "CALLS": ("/Accounts/{AccountSid}/Calls.json", "calls", ("CA",), models.Call),
    "RECORDINGS": (
        "/Accounts/{AccountSid}/Recordings.json",
        "recordings",
        ("RE",),
        models.Recording,
    ),
    "CALL_RECORDINGS": (
        "/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json",
        "recordings",
        ("RE",),
        models.Recording,
    ),
    "CALL_STREAMS": (  # created and stopped, never listed
        "/Accounts/{AccountSid}/Calls/{CallSid}/Streams.json",
        None,
        ("MZ",),
        models.CallStream,
    ),
    "INCOMING_PHONE_NUMBERS": (
        "/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
        "incoming_phone_numbers",
        ("PN",),
        models.IncomingPhoneNumber,
    ),
    "AVAILABLE_PHONE_NUMBER_COUNTRIES": (
        "/Accounts/{AccountSid}/AvailablePhoneNumbers.json",
        "countries",
        (),
        models.AvailablePhoneNumberCountry,
    ),
    "AVAILABLE_PHONE_NUMBERS": (
        "/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/{Type}.json",
        "available_phone_numbers",
        (),
        models.AvailablePhoneNumber,
    ),
    "KEYS": ("/Accounts/{AccountSid}/Keys.json", "keys", ("SK",), models.ApiKey),
    "SHORT_CODES": (
        "/Accounts/{AccountSid}/SMS/ShortCodes.json",
        "short_codes",
        ("SC",),
        models.ShortCode,
    ),
}

# TWILIO.md §17.1: messaging/v1, on its own host (prefix /messaging on the emulator).
EXPECTED_V1 = {
    "MESSAGING_SERVICES": (
        "/v1/Services", "/v1/Services/{Sid}", "services", ("MG",), models.MessagingService
    ),
    "MESSAGING_SERVICE_PHONE_NUMBERS": (
        "/v1/Services/{ServiceSid}/PhoneNumbers", "/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}",
        "phone_numbers", ("PN",), models.MessagingServicePhoneNumber,
    ),
    "MESSAGING_SERVICE_SHORT_CODES": (
        "/v1/Services/{ServiceSid}/ShortCodes", "/v1/Services/{ServiceSid}/ShortCodes/{Sid}",
        "short_codes", ("SC",), models.MessagingServiceShortCode,
    ),
    "MESSAGING_SERVICE_ALPHA_SENDERS": (
        "/v1/Services/{ServiceSid}/AlphaSenders", "/v1/Services/{ServiceSid}/AlphaSenders/{Sid}",
        "alpha_senders", ("AI",), models.MessagingServiceAlphaSender,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED_V1))
def test_each_messaging_v1_row(name: str) -> None:
    spec: ResourceSpec[models.TwilioModel] = getattr(specs, name)
    list_path, instance_path, list_key, prefixes, model = EXPECTED_V1[name]
    assert (spec.domain, spec.v1_envelope) == ("messaging", True)
    assert (spec.list_key, spec.sid_prefixes, spec.model) == (list_key, prefixes, model)
    assert spec.list_path is not None and spec.instance_path is not None
    assert (spec.list_path.template, spec.instance_path.template) == (list_path, instance_path)
    route = spec.route(spec.instance_path)
    assert route.startswith("/messaging/v1/Services/")
    assert "{Sid:" + prefixes[0] + "[0-9a-fA-F]{32}}" in route


def test_the_2010_rows_are_on_the_api_domain_without_a_prefix() -> None:
    for name in EXPECTED:
        spec = getattr(specs, name)
        assert (spec.domain, spec.v1_envelope) == ("api", False)
        if spec.list_path is not None:
            assert spec.route(spec.list_path).startswith(API_PREFIX)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_resource_row(name: str) -> None:
    spec: ResourceSpec[models.TwilioModel] = getattr(specs, name)
    list_path, list_key, prefixes, model = EXPECTED[name]
    assert spec.list_key == list_key
    assert spec.sid_prefixes == prefixes
    assert spec.model is model
    assert (spec.list_path.template if spec.list_path else None) == (
        API_PREFIX + list_path if list_path else None
    )
    for path in (spec.list_path, spec.instance_path):
        if path is not None:
            assert path.template.startswith(API_PREFIX + "/Accounts")


EXPECTED_CONTENT = {
    "CONTENTS": ("/v1/Content", "/v1/Content/{Sid}", "contents", models.Content),
    "CONTENT_APPROVAL_REQUESTS": (
        None, "/v1/Content/{ContentSid}/ApprovalRequests", None, models.ContentApprovalStatus
    ),
    "CONTENT_WHATSAPP_APPROVAL": (
        None, "/v1/Content/{ContentSid}/ApprovalRequests/whatsapp", None,
        models.ContentApprovalRequest,
    ),
    "CONTENT_AND_APPROVALS": (
        "/v1/ContentAndApprovals", None, "contents", models.ContentAndApprovals
    ),
    "LEGACY_CONTENTS": ("/v1/LegacyContent", None, "contents", models.Content),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED_CONTENT))
def test_each_content_v1_row(name: str) -> None:
    spec: ResourceSpec[models.TwilioModel] = getattr(specs, name)
    list_path, instance_path, list_key, model = EXPECTED_CONTENT[name]
    assert (spec.domain, spec.v1_envelope, spec.list_key, spec.model) == (
        "content",
        True,
        list_key,
        model,
    )
    assert (spec.list_path.template if spec.list_path else None) == list_path
    assert (spec.instance_path.template if spec.instance_path else None) == instance_path
    for path in (spec.list_path, spec.instance_path):
        if path is not None:
            assert spec.route(path).startswith("/content/v1/")
    if instance_path and "{ContentSid}" in instance_path:
        assert "{ContentSid:HX[0-9a-fA-F]{32}}" in spec.route(spec.instance_path)  # type: ignore[arg-type]


# TWILIO.md §20.1: verify/v2. Verifications and checks are created, never listed: their
# "list path" is where they are created, and they have no list key.
EXPECTED_VERIFY = {
    "VERIFY_SERVICES": ("/v2/Services", "/v2/Services/{Sid}", "services", models.VerifyService),
    "VERIFICATIONS": (
        "/v2/Services/{ServiceSid}/Verifications",
        "/v2/Services/{ServiceSid}/Verifications/{Sid}", None, models.Verification,
    ),
    "VERIFICATION_CHECKS": (
        "/v2/Services/{ServiceSid}/VerificationCheck", None, None, models.VerificationCheck
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED_VERIFY))
def test_each_verify_v2_row(name: str) -> None:
    spec: ResourceSpec[models.TwilioModel] = getattr(specs, name)
    list_path, instance_path, list_key, model = EXPECTED_VERIFY[name]
    assert (spec.domain, spec.v1_envelope, spec.list_key, spec.model) == (
        "verify", True, list_key, model
    )  # fmt: skip
    assert (spec.list_path.template if spec.list_path else None) == list_path
    assert (spec.instance_path.template if spec.instance_path else None) == instance_path
    assert spec.route(spec.list_path).startswith("/verify/v2/Services")  # type: ignore[arg-type]
    if "{ServiceSid}" in list_path:
        assert "{ServiceSid:VA[0-9a-fA-F]{32}}" in spec.route(spec.list_path)  # type: ignore[arg-type]


def test_the_table_lists_every_spec_once() -> None:
    names = [*EXPECTED, *EXPECTED_V1, *EXPECTED_CONTENT, *EXPECTED_VERIFY]
    assert {id(s) for s in SPECS} == {id(getattr(specs, n)) for n in names}
    assert len(SPECS) == len(names)


def test_every_list_key_has_a_list_path_and_every_sid_a_template() -> None:
    for spec in SPECS:
        if spec in (specs.VERIFICATIONS, specs.VERIFICATION_CHECKS, specs.CALL_STREAMS):
            assert spec.list_key is None and spec.list_path is not None  # created, never listed
            continue
        assert (spec.list_key is None) == (spec.list_path is None), spec.name
        if spec.sid_prefixes and spec.instance_path is not None:
            assert spec.instance_path.names[-1] in ("Sid", "AccountSid"), spec.name


def test_paths_format_each_segment_quoted() -> None:
    path = specs.MEDIA.instance_path
    assert path is not None
    assert path.names == ("AccountSid", "MessageSid", "Sid")
    got = path.format(AccountSid=ACCOUNT, MessageSid="SM1", Sid="../Calls")
    assert got == f"/2010-04-01/Accounts/{ACCOUNT}/Messages/SM1/Media/..%2FCalls.json"
    with pytest.raises(ValueError, match="MessageSid is required"):
        path.format(AccountSid=ACCOUNT, Sid="ME1")
    with pytest.raises(ValueError, match="Sid is required"):
        path.format(AccountSid=ACCOUNT, MessageSid="SM1", Sid="")
    assert str(PathTemplate("/x/{A}.json")) == "/x/{A}.json"


def test_fill_puts_sids_in_order_as_format_does() -> None:
    for spec in SPECS:
        for path in (spec.list_path, spec.instance_path):
            if path is None:
                continue
            values = [f"XX{i}" for i in range(len(path.names))]
            assert path.fill(*values) == path.format(**dict(zip(path.names, values, strict=True)))
    assert PathTemplate("/100%/{A}/x").fill("a") == "/100%/a/x"
    with pytest.raises(TypeError):
        specs.CALLS.instance_path.fill(ACCOUNT)  # type: ignore[union-attr]


def test_bind_fills_some_segments_and_leaves_the_others() -> None:
    path = specs.MESSAGES.instance_path
    assert path is not None
    bound = path.bind(AccountSid="AC/1", Other="ignored")
    assert bound.template == "/2010-04-01/Accounts/AC%2F1/Messages/{Sid}.json"
    assert bound.names == ("Sid",)
    assert bound.format(Sid="SM1") == "/2010-04-01/Accounts/AC%2F1/Messages/SM1.json"
    full = bound.bind(Sid="SM2")
    assert full.names == () and full.format() == "/2010-04-01/Accounts/AC%2F1/Messages/SM2.json"
    with pytest.raises(ValueError, match="AccountSid is required"):
        path.bind(AccountSid="")


# The emulator's route templates today: the table must give exactly these.
_AC = "{AccountSid:AC[0-9a-fA-F]{32}}"
ROUTES = [
    (specs.ACCOUNTS, "list", "/2010-04-01/Accounts.json"),
    (specs.ACCOUNTS, "instance", f"/2010-04-01/Accounts/{_AC}.json"),
    (specs.BALANCE, "instance", f"/2010-04-01/Accounts/{_AC}/Balance.json"),
    (specs.MESSAGES, "list", f"/2010-04-01/Accounts/{_AC}/Messages.json"),
    (
        specs.MESSAGES,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/Messages/{{Sid:(?:SM|MM)[0-9a-fA-F]{{32}}}}.json",
    ),
    (
        specs.MEDIA,
        "list",
        f"/2010-04-01/Accounts/{_AC}/Messages/{{MessageSid:(?:SM|MM)[0-9a-fA-F]{{32}}}}/Media.json",
    ),
    (
        specs.MEDIA,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/Messages/{{MessageSid:(?:SM|MM)[0-9a-fA-F]{{32}}}}"
        "/Media/{Sid:ME[0-9a-fA-F]{32}}.json",
    ),
    (specs.CALLS, "instance", f"/2010-04-01/Accounts/{_AC}/Calls/{{Sid:CA[0-9a-fA-F]{{32}}}}.json"),
    (
        specs.CALL_RECORDINGS,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/Calls/{{CallSid:CA[0-9a-fA-F]{{32}}}}"
        "/Recordings/{Sid:RE[0-9a-fA-F]{32}}.json",
    ),
    (
        specs.RECORDINGS,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/Recordings/{{Sid:RE[0-9a-fA-F]{{32}}}}.json",
    ),
    (
        specs.INCOMING_PHONE_NUMBERS,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/IncomingPhoneNumbers/{{Sid:PN[0-9a-fA-F]{{32}}}}.json",
    ),
    (
        specs.AVAILABLE_PHONE_NUMBER_COUNTRIES,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/AvailablePhoneNumbers/{{CountryCode:[A-Z]{{2}}}}.json",
    ),
    (
        specs.AVAILABLE_PHONE_NUMBERS,
        "list",
        f"/2010-04-01/Accounts/{_AC}/AvailablePhoneNumbers/{{CountryCode:[A-Z]{{2}}}}/{{Type}}.json",
    ),
    (specs.KEYS, "instance", f"/2010-04-01/Accounts/{_AC}/Keys/{{Sid:SK[0-9a-fA-F]{{32}}}}.json"),
    (  # a stream is stopped by its SID or its name: the segment takes either
        specs.CALL_STREAMS,
        "instance",
        f"/2010-04-01/Accounts/{_AC}/Calls/{{CallSid:CA[0-9a-fA-F]{{32}}}}/Streams/{{Sid}}.json",
    ),
]


@pytest.mark.parametrize(("spec", "which", "route"), ROUTES)
def test_route_templates_constrain_each_sid_to_its_prefixes(
    spec: ResourceSpec[models.TwilioModel], which: str, route: str
) -> None:
    path = spec.list_path if which == "list" else spec.instance_path
    assert path is not None
    assert spec.route(path) == route


def test_sid_patterns_and_checks() -> None:
    assert sid_pattern(("CA",)) == "CA[0-9a-fA-F]{32}"
    assert sid_pattern(("SM", "MM")) == "(?:SM|MM)[0-9a-fA-F]{32}"
    assert specs.MESSAGES.is_sid("MM" + "aB" * 16)
    assert specs.MESSAGES.is_sid("SM" + "0" * 32)
    assert not specs.MESSAGES.is_sid("CA" + "0" * 32)
    assert not specs.MESSAGES.is_sid("SM" + "0" * 31)
    assert not specs.MESSAGES.is_sid("SM" + "0" * 32 + "\n")
    assert not specs.MESSAGES.is_sid("SM" + "g" * 32)
    assert not specs.BALANCE.is_sid("AC" + "0" * 32)  # no SID of its own


def _literals(path: Path) -> list[str]:
    """String constants of a module, docstrings (bare string statements) left out."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


CLIENT_MODULES = [
    *sorted((SRC / "resources").glob("*.py")),
    SRC / "client.py",
    SRC / "_base_client.py",
]


@pytest.mark.parametrize("module", CLIENT_MODULES, ids=lambda p: p.name)
def test_client_modules_take_paths_and_list_keys_from_specs(module: Path) -> None:
    list_keys = {s.list_key for s in SPECS if s.list_key}
    for text in _literals(module):
        assert ".json" not in text, f"{module.name}: path literal {text!r}"
        assert "2010-04-01" not in text, f"{module.name}: API version literal {text!r}"
        assert "Accounts/" not in text, f"{module.name}: path literal {text!r}"
        assert text not in list_keys, f"{module.name}: list key literal {text!r}"


# --------------------------------------------------------------------------- page envelope

PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
WHEN = models.Rfc2822Datetime(2015, 7, 30, 20, 12, 31, tzinfo=timezone.utc)


def _message(n: int) -> Message:
    return Message(sid=f"SM{n:032x}", body=f"m{n}", date_created=WHEN, from_="+15005550006")


def test_page_uri_is_the_path_and_its_form_encoded_query() -> None:
    query = [("To", "+123456789"), ("DateSent>", "2008-01-02"), ("PageSize", "2"), ("Page", "0")]
    assert models.page_uri(PATH, query) == (
        f"{PATH}?To=%2B123456789&DateSent%3E=2008-01-02&PageSize=2&Page=0"
    )
    assert models.page_uri(PATH, []) == PATH


def test_page_envelope_counts_and_orders_keys() -> None:
    env = page_envelope(
        "messages",
        [_message(4), _message(5)],
        page=2,
        page_size=2,
        uri=f"{PATH}?PageSize=2&Page=2&PageToken=PA3",
        first_page_uri=f"{PATH}?PageSize=2&Page=0",
        next_page_uri=f"{PATH}?PageSize=2&Page=3&PageToken=PA5",
        previous_page_uri=f"{PATH}?PageSize=2&Page=1&PageToken=PB4",
    )
    assert list(env) == sorted(env)
    assert set(env) == {*(f.name for f in msgspec.structs.fields(PageMeta)), "messages"}
    assert (env["start"], env["end"], env["page"], env["page_size"]) == (4, 5, 2, 2)
    empty = page_envelope("calls", [], page=3, page_size=50, uri="u", first_page_uri="f")
    assert (empty["start"], empty["end"], empty["calls"]) == (150, 0, [])
    assert empty["next_page_uri"] is None and empty["previous_page_uri"] is None


def test_an_encoded_page_decodes_to_the_same_records_and_envelope() -> None:
    records = [_message(1), _message(2), _message(3)]
    body = encode_page(
        "messages",
        records,
        page=1,
        page_size=3,
        uri=f"{PATH}?PageSize=3&Page=1",
        first_page_uri=f"{PATH}?PageSize=3&Page=0",
        next_page_uri=None,
        previous_page_uri=f"{PATH}?PageSize=3&Page=0",
    )
    raw = msgspec.json.decode(body)
    assert raw["messages"][0]["date_created"] == "Thu, 30 Jul 2015 20:12:31 +0000"
    assert raw["messages"][0]["from"] == "+15005550006"
    items, meta = decode_page(Message, specs.MESSAGES.list_key or "", body)
    assert items == records
    assert meta == PageMeta(
        uri=f"{PATH}?PageSize=3&Page=1",
        first_page_uri=f"{PATH}?PageSize=3&Page=0",
        next_page_uri=None,
        previous_page_uri=f"{PATH}?PageSize=3&Page=0",
        page=1,
        page_size=3,
        start=3,
        end=5,
    )
