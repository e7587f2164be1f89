"""Verify v2 through twilio-node (``client.verify.v2.services``) on the emulator: services,
verifications on every emulated channel, checks with the code the handset got (read on the
Python side, ``emu.verification_code(to)``, and passed to the script), updates, Verify's
limits and expiry in simulated time, as twilio-node parses them (camelCase fields, ``Date``
objects, ``sendCodeAttempts`` as the wire's list, ``RestException`` with Twilio's code)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from support.emulator import OWNED
from support.node import NODE_DIR, NodeScripts
from twilio.rest import Client

from twilio_connector.emulator import Emulator

SMS_TO = "+15558675310"
WHATSAPP_TO = "+15558675311"
CALL_TO = "+15558675312"
SERVICE_SID = re.compile(r"\AVA[0-9a-f]{32}\Z")
VERIFICATION_SID = re.compile(r"\AVE[0-9a-f]{32}\Z")
ATTEMPT_SID = re.compile(r"\AVL[0-9a-f]{32}\Z")
PARSED_DATE = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\Z")
"""A date twilio-node deserialized into a ``Date`` (its JSON form); an unparsed one stays as
the wire string (no milliseconds)."""
WIRE_DATE = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "node.md"


def _error(got: dict[str, Any]) -> tuple[bool, int, int]:
    return got["restException"], got["status"], got["code"]


def _wrong(code: str) -> str:
    """A code of the same length that is not ``code``."""
    return "1" * len(code) if code != "1" * len(code) else "2" * len(code)


def test_services_crud_and_an_unknown_service(node: NodeScripts, emu: Emulator) -> None:
    got = node("verify_services")
    created, fetched, updated = got["created"], got["fetched"], got["updated"]
    sid = created["sid"]
    assert SERVICE_SID.match(sid) and created["accountSid"] == emu.account_sid
    assert (created["friendlyName"], created["codeLength"]) == ("Login", 8)
    assert got["parsed"] == {"codeLength": "number", "dateCreated": True, "dateUpdated": True}
    assert created["doNotShareWarningEnabled"] is True and created["customCodeEnabled"] is True
    assert created["psd2Enabled"] is False and created["dtmfInputRequired"] is True
    # nested settings sent with twilio-node's dotted names come back as the wire's objects
    assert created["totp"]["issuer"] == "Acme"
    assert created["whatsapp"]["from"] == "whatsapp:+15017122661"
    assert PARSED_DATE.match(created["dateCreated"]) and PARSED_DATE.match(created["dateUpdated"])
    url = f"{emu.base_url}/verify/v2/Services/{sid}"
    assert created["url"] == url
    assert created["links"]["verifications"] == f"{url}/Verifications"
    assert created["links"]["verification_checks"] == f"{url}/VerificationCheck"
    assert fetched == created
    assert (updated["friendlyName"], updated["codeLength"]) == ("Sign in", 4)
    assert updated["totp"]["issuer"] == "Acme"  # an update keeps what it does not name
    # v1-style meta paging: one service a page, list() follows next_page_url
    assert got["firstPage"]["size"] == 1
    assert got["firstPage"]["nextPageUrl"].startswith(f"{emu.base_url}/verify/v2/Services?")
    assert sorted(got["listed"]) == sorted([sid, got["second"]])
    assert got["removed"] is True and got["remaining"] == [sid]
    assert _error(got["afterRemove"]) == (True, 404, 20404)
    for what in ("fetch", "verification", "check"):
        unknown = got["unknown"][what]
        assert _error(unknown) == (True, 404, 20404), what
        assert unknown["moreInfo"] == "https://www.twilio.com/docs/errors/20404"
    assert [s.sid for s in emu.sdk_client().verify.v2.services.list()] == [sid]


def test_codes_by_sms_whatsapp_and_call_are_checked(
    node: NodeScripts, emu: Emulator, twilio: Client
) -> None:
    starts = [
        {"to": SMS_TO, "channel": "sms"},
        {"to": WHATSAPP_TO, "channel": "whatsapp"},
        {"to": CALL_TO, "channel": "call"},
    ]
    got = node("verify_start", {"friendlyName": "My App", "starts": starts})
    service = got["service"]
    by_sms, by_whatsapp, by_call = got["started"]
    for started, start in zip(got["started"], starts, strict=True):
        assert VERIFICATION_SID.match(started["sid"])
        assert (started["to"], started["channel"]) == (start["to"], start["channel"])
        assert (started["status"], started["valid"]) == ("pending", False)
        assert (started["serviceSid"], started["accountSid"]) == (service, emu.account_sid)
        assert started["url"] == (
            f"{emu.base_url}/verify/v2/Services/{service}/Verifications/{started['sid']}"
        )
        assert started["lookup"] == {} and started["amount"] is None
        assert PARSED_DATE.match(started["dateCreated"])
        # sendCodeAttempts is the wire's list as is: snake_case keys, the time a string
        [attempt] = started["sendCodeAttempts"]
        assert ATTEMPT_SID.match(attempt["attempt_sid"]) and WIRE_DATE.match(attempt["time"])
    assert [v["sendCodeAttempts"][0]["channel"] for v in got["started"]] == [
        "SMS",
        "whatsapp",
        "CALL",
    ]
    assert got["fetched"] == got["started"]
    assert (
        got["parsed"] == [{"dateCreated": True, "dateUpdated": True, "sendCodeAttempts": True}] * 3
    )

    codes = {to: emu.verification_code(to) for to in (SMS_TO, WHATSAPP_TO, CALL_TO)}
    assert all(code.isdigit() and len(code) == 6 for code in codes.values())
    emu.settle()
    [sms] = twilio.messages.list(to=SMS_TO)
    assert sms.body == "Your My App verification code is: ******"  # never a code in REST
    [whatsapp] = twilio.messages.list(to=f"whatsapp:{WHATSAPP_TO}")
    assert whatsapp.body == "Your My App verification code is: ******"
    [call] = twilio.calls.list(to=CALL_TO)
    assert call._from == OWNED

    checked = node(
        "verify_check",
        {
            "serviceSid": service,
            "checks": [
                {"to": SMS_TO, "code": _wrong(codes[SMS_TO])},
                {"to": SMS_TO, "code": codes[SMS_TO]},
                {"verificationSid": by_whatsapp["sid"], "code": codes[WHATSAPP_TO]},
                {"verificationSid": by_call["sid"], "code": codes[CALL_TO]},
            ],
            "fetch": [by_sms["sid"], by_whatsapp["sid"]],
        },
    )
    wrong, approved, *others = checked["checked"]
    assert (wrong["sid"], wrong["status"], wrong["valid"]) == (by_sms["sid"], "pending", False)
    assert (approved["sid"], approved["status"], approved["valid"]) == (
        by_sms["sid"],
        "approved",
        True,
    )
    assert [(c["sid"], c["status"], c["valid"]) for c in others] == [
        (by_whatsapp["sid"], "approved", True),
        (by_call["sid"], "approved", True),
    ]
    assert approved["snaAttemptsErrorCodes"] == [] and approved["channel"] == "sms"
    assert checked["parsed"] == [True] * 4
    assert all(PARSED_DATE.match(c["dateUpdated"]) for c in checked["checked"])
    # approved verifications are gone, as on Twilio
    assert [_error(f) for f in checked["fetched"]] == [(True, 404, 20404)] * 2
    assert [v["status"] for v in emu.verifications(service_sid=service)] == ["approved"] * 3


def test_update_cancels_and_approves(node: NodeScripts, emu: Emulator) -> None:
    got = node("verify_update", {"to": SMS_TO})
    first, second = got["first"], got["second"]
    assert (got["canceled"]["sid"], got["canceled"]["status"]) == (first["sid"], "canceled")
    assert got["canceled"]["valid"] is False
    assert _error(got["fetchCanceled"]) == (True, 404, 20404)
    assert _error(got["checkCanceled"]) == (True, 404, 20404)
    assert second["sid"] != first["sid"] and second["status"] == "pending"  # a new one
    assert _error(got["badStatus"]) == (True, 400, 60200)
    approved = got["approved"]
    assert (approved["sid"], approved["status"], approved["valid"]) == (
        second["sid"],
        "approved",
        True,
    )
    assert _error(got["updateApproved"]) == (True, 404, 20404)
    assert _error(got["unknown"]) == (True, 404, 20404)
    statuses = {v["sid"]: v["status"] for v in emu.verifications(to=SMS_TO)}
    assert statuses == {first["sid"]: "canceled", second["sid"]: "approved"}


def test_the_sixth_send_and_the_sixth_check_are_429(node: NodeScripts, emu: Emulator) -> None:
    got = node("verify_limits", {"to": SMS_TO, "wrongCode": "0000"})  # 4 digits: never the code
    *sends, sixth_send = got["sends"]
    [sid] = {s["sid"] for s in sends}  # a resend is the same verification
    assert [len(s["sendCodeAttempts"]) for s in sends] == [1, 2, 3, 4, 5]
    assert [a["channel"] for a in sends[-1]["sendCodeAttempts"]] == [
        "SMS",
        "SMS",
        "CALL",
        "SMS",
        "SMS",
    ]
    assert _error(sixth_send) == (True, 429, 60203)
    assert sixth_send["moreInfo"] == "https://www.twilio.com/docs/errors/60203"
    *checks, sixth_check = got["checked"]
    assert [(c["sid"], c["status"], c["valid"]) for c in checks] == [
        (sid, "pending", False)
    ] * 4 + [(sid, "max_attempts_reached", False)]
    assert _error(sixth_check) == (True, 429, 60202)
    assert sixth_check["moreInfo"] == "https://www.twilio.com/docs/errors/60202"
    assert got["after"]["status"] == "max_attempts_reached"
    [entry] = emu.verifications(to=SMS_TO)
    assert (entry["send_attempts"], entry["checks"]) == (5, 5)


def test_a_code_expires_after_ten_simulated_minutes(node: NodeScripts, emu: Emulator) -> None:
    got = node(
        "verify_start", {"friendlyName": "My App", "starts": [{"to": SMS_TO, "channel": "sms"}]}
    )
    [started] = got["started"]
    code = emu.verification_code(SMS_TO)
    emu.advance(600)
    after = node(
        "verify_check",
        {
            "serviceSid": got["service"],
            "checks": [
                {"to": SMS_TO, "code": code},
                {"verificationSid": started["sid"], "code": code},
            ],
            "fetch": [started["sid"]],
        },
    )
    assert [_error(c) for c in after["checked"]] == [(True, 404, 20404)] * 2
    assert [_error(f) for f in after["fetched"]] == [(True, 404, 20404)]
    assert emu.verifications(to=SMS_TO)[0]["status"] == "expired"


def test_a_check_without_to_or_verification_sid_is_60221(node: NodeScripts, twilio: Client) -> None:
    service = twilio.verify.v2.services.create(friendly_name="My App").sid
    got = node("verify_check", {"serviceSid": service, "checks": [{"code": "123456"}]})
    assert _error(got["checked"][0]) == (True, 400, 60221)


def _script_block() -> str:
    """docs/node.md's example of a script for a new domain (the first one requiring
    ``../emulator``): it runs only beside ``emulator.js``, so test_node_docs.py leaves it."""
    tokens = MarkdownIt("commonmark").parse(DOCS.read_text(encoding="utf-8"))
    [code] = [
        t.content for t in tokens if t.type == "fence" and 'require("../emulator")' in t.content
    ]
    return code


def test_the_docs_example_script_runs_beside_emulator_js(
    node: NodeScripts, emu: Emulator, tmp_path: Path
) -> None:
    (tmp_path / "emulator.js").symlink_to(NODE_DIR / "emulator.js")
    script = tmp_path / "scripts" / "example.js"
    script.parent.mkdir()
    script.write_text(_script_block(), encoding="utf-8")
    stdout, _ = node.run(script, {"to": SMS_TO})
    got = json.loads(stdout)
    [entry] = emu.verifications(to=SMS_TO)
    assert got["service"]["sid"] == entry["service_sid"]
    assert (got["verification"]["sid"], got["verification"]["status"]) == (entry["sid"], "pending")
