"""Verify Services (``verify/v2``) on the emulator: the official SDK through its ``verify``
domain (``emu.sdk_client()``), raw HTTP validated against Twilio's verify/v2 OpenAPI schemas,
settings and their checks, per-account services, reset and persistence."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.openapi import VERIFY_SPEC_PATH, OpenApi, load_openapi
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import Emulator, sdk_client

SERVICES = "/v2/Services"
SERVICE = "/v2/Services/{Sid}"
VERIFICATIONS = "/v2/Services/{ServiceSid}/Verifications"
VERIFICATION = "/v2/Services/{ServiceSid}/Verifications/{Sid}"
CHECK = "/v2/Services/{ServiceSid}/VerificationCheck"
ISO = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
HANDSET = "+15558675310"


@pytest.fixture(scope="module")
def openapi_verify() -> OpenApi:
    return load_openapi(VERIFY_SPEC_PATH)


def error(fn: Callable[[], Any]) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as caught:
        fn()
    return caught.value.status, caught.value.code


def test_the_sdk_creates_a_service_with_twilios_defaults(twilio: Client) -> None:
    service = twilio.verify.v2.services.create(friendly_name="Acme Login")
    assert re.fullmatch(r"VA[0-9a-f]{32}", service.sid)
    assert (service.friendly_name, service.code_length) == ("Acme Login", 6)
    flags = (
        service.lookup_enabled, service.psd2_enabled, service.skip_sms_to_landlines,
        service.do_not_share_warning_enabled, service.custom_code_enabled,
        service.verify_event_subscription_enabled,
    )  # fmt: skip
    assert flags == (False,) * 6
    assert service.dtmf_input_required is True
    assert service.tts_name is None and service.default_template_sid is None
    assert service.push == {
        "include_date": False, "apn_credential_sid": None, "fcm_credential_sid": None
    }  # fmt: skip
    assert service.totp == {"issuer": None, "time_step": None, "code_length": None, "skew": None}
    assert service.whatsapp == {"msg_service_sid": None, "from": None}
    assert service.passkeys["relying_party"] == {"id": None, "name": None, "origins": None}
    assert service.url.endswith(f"/verify/v2/Services/{service.sid}")
    assert service.links["verifications"] == f"{service.url}/Verifications"
    assert service.links["verification_checks"] == f"{service.url}/VerificationCheck"
    assert service.account_sid == twilio.account_sid


def test_the_sdk_does_every_service_operation(twilio: Client) -> None:
    created = twilio.verify.v2.services.create(
        friendly_name="Shop", code_length=8, lookup_enabled=True, skip_sms_to_landlines=True,
        dtmf_input_required=False, tts_name="Polly.Joanna", do_not_share_warning_enabled=True,
        custom_code_enabled=True, push_include_date=True, totp_issuer="Shop Inc",
        totp_time_step=45, totp_code_length=8, totp_skew=2,
        whatsapp_from="+15017122661", passkeys_relying_party_id="example.com",
        passkeys_relying_party_origins="example.com, login.example.com",
        passkeys_user_verification="preferred",
    )  # fmt: skip
    sid = created.sid
    assert (created.code_length, created.lookup_enabled, created.skip_sms_to_landlines) == (
        8,
        True,
        True,
    )
    assert (created.tts_name, created.custom_code_enabled) == ("Polly.Joanna", True)
    assert created.totp == {"issuer": "Shop Inc", "time_step": 45, "code_length": 8, "skew": 2}
    assert created.whatsapp["from"] == "whatsapp:+15017122661"
    assert created.push["include_date"] is True
    assert created.passkeys["relying_party"]["origins"] == ["example.com", "login.example.com"]
    assert created.passkeys["user_verification"] == "preferred"

    fetched = twilio.verify.v2.services(sid).fetch()
    assert (fetched.sid, fetched.friendly_name, fetched.code_length) == (sid, "Shop", 8)
    updated = twilio.verify.v2.services(sid).update(
        friendly_name="Shop 2", code_length=4, totp_skew=0
    )
    assert (updated.friendly_name, updated.code_length) == ("Shop 2", 4)
    assert updated.totp["skew"] == 0 and updated.totp["issuer"] == "Shop Inc"  # others kept
    assert updated.date_updated >= updated.date_created

    others = [twilio.verify.v2.services.create(friendly_name=f"n{i}").sid for i in range(3)]
    assert [s.sid for s in twilio.verify.v2.services.list()] == [sid, *others]
    assert [s.sid for s in twilio.verify.v2.services.list(page_size=2)] == [sid, *others]
    assert twilio.verify.v2.services(sid).delete() is True
    assert error(lambda: twilio.verify.v2.services(sid).fetch()) == (404, 20404)
    assert error(lambda: twilio.verify.v2.services(sid).delete()) == (404, 20404)
    assert error(lambda: twilio.verify.v2.services(sid).verifications.create(
        to=HANDSET, channel="sms"
    )) == (404, 20404)  # fmt: skip


@pytest.mark.parametrize(
    "name",
    ["", "   ", "x" * 33, "Acme.com", "Call +15551234567", "Acme 12345", "Acme!", "<b>Acme</b>"],
)
def test_a_friendly_name_twilio_would_not_show_is_refused(twilio: Client, name: str) -> None:
    assert error(lambda: twilio.verify.v2.services.create(friendly_name=name)) == (400, 60200)


def test_friendly_names_with_letters_digits_dashes_and_accents_are_accepted(
    twilio: Client,
) -> None:
    for name in ("Acme", "Café-Login_2024", "x" * 32, "Ünïcode Bank"):
        assert twilio.verify.v2.services.create(friendly_name=name).friendly_name == name


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"code_length": 3}, "CodeLength"),
        ({"code_length": 11}, "CodeLength"),
        ({"totp_time_step": 19}, "TimeStep"),
        ({"totp_time_step": 61}, "TimeStep"),
        ({"totp_code_length": 9}, "Totp.CodeLength"),
        ({"totp_skew": 3}, "Skew"),
        ({"skip_sms_to_landlines": True}, "SkipSmsToLandlines"),
        ({"whatsapp_from": "not a number"}, "Whatsapp.From"),
        ({"whatsapp_msg_service_sid": "MG123"}, "MsgServiceSid"),
        ({"default_template_sid": "HX" + "0" * 32}, "DefaultTemplateSid"),
        ({"passkeys_user_verification": "always"}, "UserVerification"),
        ({"tts_name": "x" * 257}, "TtsName"),
    ],
)
def test_bad_settings_are_60200_and_name_the_parameter(
    emu: Emulator, params: dict[str, Any], why: str
) -> None:
    twilio = emu.sdk_client()
    with pytest.raises(TwilioRestException) as caught:
        twilio.verify.v2.services.create(friendly_name="Bad", **params)
    assert (caught.value.status, caught.value.code) == (400, 60200)
    assert why in caught.value.msg
    assert twilio.verify.v2.services.list() == []  # nothing half-made


def test_raw_form_values_are_checked(emu: Emulator) -> None:
    with httpx.Client(
        base_url=f"{emu.base_url}/verify", auth=(emu.account_sid, emu.auth_token)
    ) as http:
        for data in (
            {"FriendlyName": "a", "CodeLength": "six"},
            {"FriendlyName": "a", "LookupEnabled": "yes"},
        ):
            resp = http.post(SERVICES, data=data)
            assert resp.status_code == 400 and resp.json()["code"] == 60200, resp.text
        sid = http.post(SERVICES, data={"FriendlyName": "ok"}).json()["sid"]
        resp = http.post(f"{SERVICES}/{sid}", data={"SkipSmsToLandlines": "true"})
        assert resp.status_code == 400 and "LookupEnabled" in resp.json()["message"]
        ok = http.post(
            f"{SERVICES}/{sid}", data={"LookupEnabled": "true", "SkipSmsToLandlines": "true"}
        )
        assert ok.status_code == 200 and ok.json()["skip_sms_to_landlines"] is True
        assert http.post(f"{SERVICES}/{sid}", data={"FriendlyName": ""}).status_code == 400
        assert http.get(f"{SERVICES}/{sid}").json()["friendly_name"] == "ok"  # unchanged
        assert http.get(f"{SERVICES}/VA{'0' * 32}").status_code == 404
        assert http.get(f"{SERVICES}/not-a-sid").status_code == 404
        assert http.put(f"{SERVICES}/{sid}").status_code == 405


def test_services_are_the_credentials_accounts(emu: Emulator, twilio: Client) -> None:
    mine = twilio.verify.v2.services.create(friendly_name="mine").sid
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = sdk_client(emu, sub.sid, sub.auth_token)
    assert theirs.verify.v2.services.list() == []
    assert error(lambda: theirs.verify.v2.services(mine).fetch()) == (404, 20404)
    assert error(
        lambda: theirs.verify.v2.services(mine).verification_checks.create(to=HANDSET, code="1234")
    ) == (404, 20404)
    with pytest.raises(TwilioException, match="20003"):
        sdk_client(emu, emu.account_sid, "wrong").verify.v2.services.list()
    own = theirs.verify.v2.services.create(friendly_name="theirs").sid
    assert [s.sid for s in theirs.verify.v2.services.list()] == [own]
    twilio.api.v2010.accounts(sub.sid).update(status="suspended")
    assert error(lambda: theirs.verify.v2.services.create(friendly_name="no")) == (401, 20005)


def test_responses_match_the_verify_v2_schemas(emu: Emulator, openapi_verify: OpenApi) -> None:
    http = httpx.Client(base_url=f"{emu.base_url}/verify", auth=(emu.account_sid, emu.auth_token))

    def call(method: str, template: str, status: int, path: str, **kwargs: Any) -> Any:
        return openapi_verify.call(http, method, template, status, path, **kwargs)

    try:
        created = call("POST", SERVICES, 201, SERVICES, data={"FriendlyName": "schema"})
        sid = created["sid"]
        assert ISO.match(created["date_created"]) and ISO.match(created["date_updated"])
        call("POST", SERVICES, 201, SERVICES, data={"FriendlyName": "second"})
        listed = call("GET", SERVICES, 200, SERVICES, params={"PageSize": 1})
        meta = listed["meta"]
        assert (meta["key"], meta["page"], meta["page_size"]) == ("services", 0, 1)
        assert meta["first_page_url"] == f"{emu.base_url}/verify/v2/Services?PageSize=1&Page=0"
        assert meta["next_page_url"].startswith(f"{emu.base_url}/verify/v2/Services?")
        following = call("GET", SERVICES, 200, meta["next_page_url"].split("/verify", 1)[1])
        assert following["meta"]["next_page_url"] is None
        call("GET", SERVICE, 200, f"{SERVICES}/{sid}")
        call("POST", SERVICE, 200, f"{SERVICES}/{sid}", data={"CodeLength": "4"})

        started = call("POST", VERIFICATIONS, 201, f"{SERVICES}/{sid}/Verifications",
                       data={"To": HANDSET, "Channel": "sms"})  # fmt: skip
        vsid = started["sid"]
        assert re.fullmatch(r"VE[0-9a-f]{32}", vsid)
        assert (started["status"], started["valid"], started["channel"]) == (
            "pending",
            False,
            "sms",
        )
        assert started["lookup"] == {} and started["sna"] is None
        [attempt] = started["send_code_attempts"]
        assert attempt["channel"] == "SMS" and re.fullmatch(
            r"VL[0-9a-f]{32}", attempt["attempt_sid"]
        )
        assert ISO.match(attempt["time"])
        assert started["url"] == f"{emu.base_url}/verify/v2/Services/{sid}/Verifications/{vsid}"
        one = f"{SERVICES}/{sid}/Verifications/{vsid}"
        call("GET", VERIFICATION, 200, one)
        bad_code = "0000" if emu.verification_code(HANDSET) != "0000" else "1111"
        wrong = call("POST", CHECK, 200, f"{SERVICES}/{sid}/VerificationCheck",
                     data={"To": HANDSET, "Code": bad_code})  # fmt: skip
        assert (wrong["status"], wrong["valid"], wrong["sid"]) == ("pending", False, vsid)
        code = emu.verification_code(HANDSET, sid)
        assert len(code) == 4
        right = call("POST", CHECK, 200, f"{SERVICES}/{sid}/VerificationCheck",
                     data={"VerificationSid": vsid, "Code": code})  # fmt: skip
        assert (right["status"], right["valid"]) == ("approved", True)
        assert right["sna_attempts_error_codes"] == [] and "url" not in right
        missing = http.get(one)
        assert missing.status_code == 404
        body = missing.json()
        assert (body["code"], body["status"]) == (20404, 404)
        assert body["more_info"] == "https://www.twilio.com/docs/errors/20404"

        again = call("POST", VERIFICATIONS, 201, f"{SERVICES}/{sid}/Verifications",
                     data={"To": HANDSET, "Channel": "call"})  # fmt: skip
        assert again["sid"] != vsid and again["send_code_attempts"][0]["channel"] == "CALL"
        canceled = call("POST", VERIFICATION, 200, f"{SERVICES}/{sid}/Verifications/{again['sid']}",
                        data={"Status": "canceled"})  # fmt: skip
        assert canceled["status"] == "canceled"
        for _ in range(5):
            call("POST", VERIFICATIONS, 201, f"{SERVICES}/{sid}/Verifications",
                 data={"To": "+15558675399", "Channel": "sms"})  # fmt: skip
        limited = call("POST", VERIFICATIONS, 429, f"{SERVICES}/{sid}/Verifications",
                       data={"To": "+15558675399", "Channel": "sms"})  # fmt: skip
        assert (limited["code"], limited["status"]) == (60203, 429)
        assert limited["more_info"] == "https://www.twilio.com/docs/errors/60203"
        call("DELETE", SERVICE, 204, f"{SERVICES}/{sid}")
    finally:
        http.close()
    assert len(openapi_verify.validated) >= 17


def test_reset_empties_services_and_verifications(emu: Emulator, twilio: Client) -> None:
    sid = twilio.verify.v2.services.create(friendly_name="gone").sid
    twilio.verify.v2.services(sid).verifications.create(to=HANDSET, channel="sms")
    emu.reset()
    assert twilio.verify.v2.services.list() == []
    assert emu.verifications() == []
    count = emu.call(lambda core: core.store.query_one("SELECT COUNT(*) FROM verifications"))
    assert count[0] == 0
    with pytest.raises(LookupError):
        emu.verification_code(HANDSET)


def test_services_and_pending_verifications_persist_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    with Emulator(db_path=db, phone_numbers=("+15017122661",)) as first:
        sdk = first.sdk_client()
        token = first.auth_token
        sid = sdk.verify.v2.services.create(friendly_name="kept", code_length=7).sid
        vsid = sdk.verify.v2.services(sid).verifications.create(to=HANDSET, channel="sms").sid
        code = first.verification_code(HANDSET)
    with Emulator(db_path=db, auth_token=token, phone_numbers=("+15017122661",)) as second:
        sdk = second.sdk_client()
        kept = sdk.verify.v2.services(sid).fetch()
        assert (kept.friendly_name, kept.code_length) == ("kept", 7)
        assert second.verification_code(HANDSET) == code
        check = sdk.verify.v2.services(sid).verification_checks.create(to=HANDSET, code=code)
        assert (check.sid, check.status) == (vsid, "approved")
