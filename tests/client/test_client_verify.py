"""Our client's Verify v2 (``client.verify``, ``start_verification``/``check_verification``)
on the emulator, sync and async: typed models, typed errors, the ``verify`` domain's URLs;
its parameter table and enums checked against Twilio's verify/v2 OpenAPI spec."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator

import pytest
from support.openapi import VERIFY_SPEC_PATH, OpenApi, load_openapi

from twilio_connector import (
    AsyncTwilioClient,
    InvalidRequestError,
    NotFoundError,
    RateLimitError,
    TwilioClient,
    enums,
)
from twilio_connector.emulator import Emulator
from twilio_connector.models import (
    Verification,
    VerificationCheck,
    VerifyService,
    VerifyTotp,
    VerifyWhatsapp,
)
from twilio_connector.resources.verify import SERVICE_PARAMS, VerifyServices

HANDSET = "+15558675310"


@pytest.fixture(scope="module")
def openapi_verify() -> OpenApi:
    return load_openapi(VERIFY_SPEC_PATH)


@pytest.fixture
def client(emu: Emulator) -> Iterator[TwilioClient]:
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url,
        max_retries=0,
    ) as c:  # fmt: skip
        yield c


def test_services_crud_sync(emu: Emulator, client: TwilioClient) -> None:
    service = client.verify.services.create(
        "Acme", code_length=5, totp_issuer="Acme Inc", totp_time_step=40,
        whatsapp_from="+15017122661", custom_code_enabled=True,
    )  # fmt: skip
    assert isinstance(service, VerifyService) and service.sid.startswith("VA")
    assert (service.friendly_name, service.code_length, service.custom_code_enabled) == (
        "Acme",
        5,
        True,
    )
    assert service.totp == VerifyTotp(issuer="Acme Inc", time_step=40)
    assert service.whatsapp == VerifyWhatsapp(from_="whatsapp:+15017122661")
    assert service.date_created is not None and service.date_created.tzinfo is not None
    assert service.url == f"{emu.base_url}/verify/v2/Services/{service.sid}"
    assert client.verify.services.fetch(service.sid).totp == service.totp
    updated = client.verify.services.update(service.sid, friendly_name="Acme 2", code_length=8)
    assert (updated.friendly_name, updated.code_length) == ("Acme 2", 8)
    more = [client.verify.services.create(f"n{i}").sid for i in range(3)]
    assert [s.sid for s in client.verify.services.list()] == [service.sid, *more]
    assert [s.sid for s in client.verify.services.iter(page_size=2)] == [service.sid, *more]
    assert [s.sid for s in client.verify.services.iter(limit=2)] == [service.sid, more[0]]
    client.verify.services.delete(service.sid)
    with pytest.raises(NotFoundError) as gone:
        client.verify.services.fetch(service.sid)
    assert (gone.value.status, gone.value.code) == (404, 20404)
    with pytest.raises(InvalidRequestError) as bad:
        client.verify.services.create("Acme", code_length=11)
    assert (bad.value.status, bad.value.code) == (400, 60200)


def test_start_and_check_sync(emu: Emulator, client: TwilioClient) -> None:
    va = client.verify.services.create("Shop").sid
    started = client.start_verification(va, HANDSET)
    assert isinstance(started, Verification)
    assert (started.status, started.channel, started.approved, started.valid) == (
        "pending",
        "sms",
        False,
        False,
    )
    assert started.send_code_attempts is not None
    assert [a.channel for a in started.send_code_attempts] == ["SMS"]
    assert started.send_code_attempts[0].attempt_sid.startswith("VL")
    wrong = client.check_verification(
        va, HANDSET, "000000" if emu.verification_code(HANDSET) != "000000" else "111111"
    )
    assert isinstance(wrong, VerificationCheck)
    assert (wrong.approved, wrong.status, wrong.sid) == (False, "pending", started.sid)
    again = client.start_verification(va, HANDSET, "call")
    assert (again.sid, again.channel) == (started.sid, "call")
    ok = client.check_verification(va, HANDSET, emu.verification_code(HANDSET))
    assert ok.approved and ok.valid is True and ok.status == "approved"
    with pytest.raises(NotFoundError):
        client.check_verification(va, HANDSET, "123456")
    with pytest.raises(NotFoundError):
        client.verify.verifications(va).fetch(started.sid)


def test_verifications_resource_sync(emu: Emulator, client: TwilioClient) -> None:
    va = client.verify.services.create("Res", custom_code_enabled=True).sid
    verifications = client.verify.verifications(va)
    one = verifications.create(HANDSET, "whatsapp", custom_code="4242", locale="en")
    assert emu.verification_code(HANDSET) == "4242"
    assert verifications.fetch(one.sid).channel == "whatsapp"
    canceled = verifications.cancel(one.sid)
    assert (canceled.status, canceled.approved) == ("canceled", False)
    two = verifications.create(HANDSET)
    assert verifications.approve(two.sid).approved
    three = verifications.create(HANDSET)
    assert verifications.update(three.sid, "canceled").status == "canceled"
    four = verifications.create(HANDSET)
    check = client.verify.check(va, emu.verification_code(HANDSET), verification_sid=four.sid)
    assert check.approved and check.sid == four.sid
    with pytest.raises(ValueError, match="one of them"):
        client.verify.check(va, "1234")
    with pytest.raises(ValueError, match="one of them"):
        client.verify.check(va, "1234", to=HANDSET, verification_sid=four.sid)
    with pytest.raises(InvalidRequestError) as bad:
        verifications.create(HANDSET, "email")
    assert bad.value.code == 60200 and "not emulated" in str(bad.value)


def test_limits_are_typed_rate_limit_errors(emu: Emulator, client: TwilioClient) -> None:
    va = client.verify.services.create("Limits").sid
    for _ in range(5):
        client.start_verification(va, HANDSET)
    with pytest.raises(RateLimitError) as sends:
        client.start_verification(va, HANDSET)
    assert (sends.value.status, sends.value.code) == (429, 60203)
    code = emu.verification_code(HANDSET)
    wrong = "0000" if not code.startswith("0000") else "1111"
    for _ in range(5):
        assert not client.check_verification(va, HANDSET, wrong).approved
    with pytest.raises(RateLimitError) as checks:
        client.check_verification(va, HANDSET, code)
    assert (checks.value.status, checks.value.code) == (429, 60202)


async def test_start_and_check_async(emu: Emulator) -> None:
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url,
        max_retries=0,
    ) as client:  # fmt: skip
        service = await client.verify.services.create("Async", code_length=4)
        assert (await client.verify.services.fetch(service.sid)).code_length == 4
        renamed = await client.verify.services.update(service.sid, friendly_name="Async 2")
        assert renamed.friendly_name == "Async 2"
        assert [s.sid async for s in client.verify.services.iter()] == [service.sid]
        assert [s.sid for s in await client.verify.services.list()] == [service.sid]
        started = await client.start_verification(service.sid, HANDSET, "sms")
        assert started.status == "pending"
        fetched = await client.verify.verifications(service.sid).fetch(started.sid)
        assert fetched.sid == started.sid
        code = emu.verification_code(HANDSET, service.sid)
        assert len(code) == 4
        result = await client.check_verification(service.sid, HANDSET, code)
        assert result.approved
        with pytest.raises(NotFoundError):
            await client.verify.check(service.sid, code, verification_sid=started.sid)
        other = await client.verify.verifications(service.sid).create(HANDSET, "call")
        assert (await client.verify.verifications(service.sid).cancel(other.sid)).status == (
            "canceled"
        )
        await client.verify.services.delete(service.sid)
        with pytest.raises(NotFoundError):
            await client.verify.services.delete(service.sid)


def test_the_client_reaches_verify_on_its_own_host() -> None:
    client = TwilioClient(account_sid="AC" + "0" * 32, auth_token="t")
    try:
        assert client._core.domain_url("verify") == "https://verify.twilio.com"
    finally:
        client.close()


def test_service_params_are_the_specs_and_the_methods(openapi_verify: OpenApi) -> None:
    body = openapi_verify.spec["paths"]["/v2/Services"]["post"]["requestBody"]
    wire = set(body["content"]["application/x-www-form-urlencoded"]["schema"]["properties"])
    assert set(SERVICE_PARAMS.values()) == wire - {"FriendlyName"}
    for method in (VerifyServices.create.fn, VerifyServices.update.fn):
        keywords = {
            name for name, p in inspect.signature(method).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }  # fmt: skip
        assert keywords - {"friendly_name", "extra_params"} == set(SERVICE_PARAMS), method


def test_verify_enums_match_the_spec(openapi_verify: OpenApi) -> None:
    schemas = openapi_verify.spec["components"]["schemas"]
    channels = set(typing.get_args(enums.VerificationChannel))
    assert channels == set(schemas["verification_enum_channel"]["enum"])
    assert channels == set(schemas["verification_check_enum_channel"]["enum"])
    statuses = set(typing.get_args(enums.VerificationStatus))
    assert set(schemas["verification_enum_status"]["enum"]) <= statuses  # the update values
    described = schemas["verification_enum_status"]["description"]
    assert all(f"`{s}`" in described for s in statuses)
    assert enums.is_known(enums.VerificationStatus, "max_attempts_reached")
    assert not enums.is_known(enums.VerificationStatus, "pending-review")


def test_a_status_twilio_adds_later_still_decodes() -> None:
    from twilio_connector import models

    body = b'{"sid": "VE1", "status": "pending-review", "channel": "rcs", "valid": false}'
    v = models.decode(Verification, body)
    assert (v.status, v.channel, v.approved) == ("pending-review", "rcs", False)
