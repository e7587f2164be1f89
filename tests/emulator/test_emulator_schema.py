"""Every JSON response the emulator serves validates against Twilio's OpenAPI schemas."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest
from support.content import approved_template
from support.openapi import OpenApi

from twilio_connector.emulator import Emulator

V = "/2010-04-01"
A = f"{V}/Accounts/{{AccountSid}}"


def _service(emu: Emulator) -> str:
    """A Messaging Service with the account's first number in its pool (inbound goes to the
    number's own URL, so an inbound message is logged)."""
    sdk = emu.sdk_client()
    service = sdk.messaging.v1.services.create(
        friendly_name="schema", use_inbound_webhook_on_number=True
    )
    sid: str = service.sid
    number = sdk.incoming_phone_numbers.list()[0].sid
    sdk.messaging.v1.services(sid).phone_numbers.create(phone_number_sid=number)
    return sid


def test_responses_match_openapi_schemas(emu: Emulator, openapi: OpenApi) -> None:
    ac = emu.account_sid
    http = httpx.Client(base_url=emu.base_url, auth=(ac, emu.auth_token))

    def call(method: str, template: str, status: int, path: str, **kwargs: Any) -> dict[str, Any]:
        resp = http.request(method, path, **kwargs)
        assert resp.status_code == status, resp.text
        assert resp.headers["content-type"].startswith("application/json")
        assert resp.headers["twilio-request-id"].startswith("RQ")
        openapi.validate(method, template, status, resp.content)
        body: dict[str, Any] = resp.json()
        return body

    base = f"{V}/Accounts/{ac}"
    try:
        call("GET", f"{V}/Accounts.json", 200, f"{V}/Accounts.json")
        sub = call(
            "POST", f"{V}/Accounts.json", 201, f"{V}/Accounts.json", data={"FriendlyName": "s"}
        )
        call("GET", f"{V}/Accounts/{{Sid}}.json", 200, f"{V}/Accounts/{sub['sid']}.json")
        call(
            "POST",
            f"{V}/Accounts/{{Sid}}.json",
            200,
            f"{V}/Accounts/{sub['sid']}.json",
            data={"Status": "suspended"},
        )
        call("GET", f"{A}/Balance.json", 200, f"{base}/Balance.json")
        key = call("POST", f"{A}/Keys.json", 201, f"{base}/Keys.json", data={"FriendlyName": "k"})
        call("GET", f"{A}/Keys.json", 200, f"{base}/Keys.json")
        call("GET", f"{A}/Keys/{{Sid}}.json", 200, f"{base}/Keys/{key['sid']}.json")
        call(
            "POST",
            f"{A}/Keys/{{Sid}}.json",
            200,
            f"{base}/Keys/{key['sid']}.json",
            data={"FriendlyName": "x"},
        )
        sms = call(
            "POST",
            f"{A}/Messages.json",
            201,
            f"{base}/Messages.json",
            data={"To": "+15558675310", "From": "+15017122661", "Body": "hi"},
        )
        mms = call(
            "POST",
            f"{A}/Messages.json",
            201,
            f"{base}/Messages.json",
            data={
                "To": "+15558675310",
                "From": "+15017122661",
                "MediaUrl": "https://example.com/a.gif",
            },
        )
        wa = call(
            "POST",
            f"{A}/Messages.json",
            201,
            f"{base}/Messages.json",
            data={
                "To": "whatsapp:+15558675310",
                "From": "whatsapp:+14155238886",
                "ContentSid": approved_template(emu),
            },
        )
        mg = call(
            "POST",
            f"{A}/Messages.json",
            201,
            f"{base}/Messages.json",
            data={"To": "+15558675310", "MessagingServiceSid": _service(emu), "Body": "x"},
        )
        emu.settle()
        for msg in (sms, mms, wa, mg):
            call("GET", f"{A}/Messages/{{Sid}}.json", 200, f"{base}/Messages/{msg['sid']}.json")
        page = call("GET", f"{A}/Messages.json", 200, f"{base}/Messages.json?PageSize=2")
        call("GET", f"{A}/Messages.json", 200, page["next_page_uri"])
        call(
            "POST",
            f"{A}/Messages/{{Sid}}.json",
            200,
            f"{base}/Messages/{sms['sid']}.json",
            data={"Body": ""},
        )
        media = call(
            "GET",
            f"{A}/Messages/{{MessageSid}}/Media.json",
            200,
            f"{base}/Messages/{mms['sid']}/Media.json",
        )
        call(
            "GET",
            f"{A}/Messages/{{MessageSid}}/Media/{{Sid}}.json",
            200,
            f"{base}/Messages/{mms['sid']}/Media/{media['media_list'][0]['sid']}.json",
        )
        inbound = emu.simulate_inbound_message("+15558675310", "+15017122661", "in")
        call("GET", f"{A}/Messages/{{Sid}}.json", 200, f"{base}/Messages/{inbound.sid}.json")
        numbers = call(
            "GET", f"{A}/IncomingPhoneNumbers.json", 200, f"{base}/IncomingPhoneNumbers.json"
        )
        pn = numbers["incoming_phone_numbers"][0]["sid"]
        call(
            "GET",
            f"{A}/IncomingPhoneNumbers/{{Sid}}.json",
            200,
            f"{base}/IncomingPhoneNumbers/{pn}.json",
        )
        call(
            "POST",
            f"{A}/IncomingPhoneNumbers/{{Sid}}.json",
            200,
            f"{base}/IncomingPhoneNumbers/{pn}.json",
            data={"SmsUrl": "https://example.com/sms", "VoiceMethod": "GET"},
        )
        call(
            "POST",
            f"{A}/IncomingPhoneNumbers.json",
            201,
            f"{base}/IncomingPhoneNumbers.json",
            data={"AreaCode": "415"},
        )
        for kind in ("Local", "Mobile", "TollFree"):
            call(
                "GET",
                f"{A}/IncomingPhoneNumbers/{kind}.json",
                200,
                f"{base}/IncomingPhoneNumbers/{kind}.json",
            )
        call(
            "POST",
            f"{A}/IncomingPhoneNumbers/Local.json",
            201,
            f"{base}/IncomingPhoneNumbers/Local.json",
            data={"PhoneNumber": "+15005550006"},
        )
        call("GET", f"{A}/AvailablePhoneNumbers.json", 200, f"{base}/AvailablePhoneNumbers.json")
        call(
            "GET",
            f"{A}/AvailablePhoneNumbers/{{CountryCode}}.json",
            200,
            f"{base}/AvailablePhoneNumbers/US.json",
        )
        for kind in (
            "Local",
            "TollFree",
            "Mobile",
            "National",
            "Voip",
            "SharedCost",
            "MachineToMachine",
        ):
            call(
                "GET",
                f"{A}/AvailablePhoneNumbers/{{CountryCode}}/{kind}.json",
                200,
                f"{base}/AvailablePhoneNumbers/GB/{kind}.json?PageSize=3",
            )
    finally:
        http.close()
    assert len(openapi.validated) >= 40


def test_validator_rejects_wrong_shapes(openapi: OpenApi) -> None:
    template = f"{A}/Messages/{{Sid}}.json"
    for bad in (
        b'{"status": "bogus"}',
        b'{"num_segments": 1}',
        b'{"sid": "XX123"}',
        b'{"error_code": "1"}',
    ):
        with pytest.raises(jsonschema.ValidationError):
            openapi.validate("GET", template, 200, bad)
    openapi.validate("GET", template, 200, b'{"status": "sent", "price": null}')
