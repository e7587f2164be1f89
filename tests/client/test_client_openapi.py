"""Every request the client builds, checked against Twilio's OpenAPI description of the
2010-04-01 API, and every response example of the resources we model, decoded.

The spec is read at runtime from ``../shared/openapi`` (outside the repository); the
tests skip, saying so, when it is absent. The fake server answers each operation with
the spec's own response example, so the same run checks decoding over the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from client_testkit import (
    ACCOUNT_SID,
    API_KEY,
    API_SECRET,
    AUTH_TOKEN,
    CALL_SID,
    CONTENT_SID,
    KEY_SID,
    MEDIA_SID,
    MESSAGE_SID,
    NUMBER_SID,
    RECORDING_SID,
    SERVICE_SID,
    SUB_SID,
    FakeTwilio,
    RecordedRequest,
    Reply,
    collect,
    maybe,
)

from twilio_connector import (
    Account,
    ApiKey,
    AvailablePhoneNumber,
    Balance,
    Call,
    IncomingPhoneNumber,
    Media,
    Message,
    NewApiKey,
    Recording,
    StatusCallback,
    VoiceCallInput,
)
from twilio_connector.models import TwilioModel, decode, decode_page

SPEC_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "openapi" / "twilio_api_v2010.json"
)


@dataclass
class Operation:
    template: str
    method: str
    op: dict[str, Any]
    path_params: dict[str, str]

    @property
    def id(self) -> str:
        return str(self.op["operationId"])


class Spec:
    """Finds the operation for a request and validates requests against it."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.routes: list[tuple[re.Pattern[str], str, dict[str, Any]]] = []
        for template, item in doc["paths"].items():
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            self.routes.append((re.compile(f"^{pattern}$"), template, item))

    def find(self, method: str, path: str) -> Operation | None:
        matches = []
        for pattern, template, item in self.routes:
            m = pattern.match(path)
            if m and method.lower() in item:
                params = {k: unquote(v) for k, v in m.groupdict().items()}
                matches.append(Operation(template, method, item[method.lower()], params))
        # a literal segment beats a placeholder (IncomingPhoneNumbers/Local.json vs {Sid}.json)
        return min(matches, key=lambda o: len(o.path_params), default=None)

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.doc["components"]["schemas"][name]
        return schema

    def convert(self, value: str, schema: dict[str, Any]) -> Any:
        """A form/query string value as the JSON type its schema declares."""
        kind = self.resolve(schema).get("type")
        try:
            if kind == "integer":
                return int(value)
            if kind == "number":
                return float(value)
        except ValueError:
            return value  # left as a string, so validation reports it
        if kind == "boolean":
            return {"true": True, "false": False}.get(value, value)
        return value

    def check(self, instance: Any, schema: dict[str, Any], where: str) -> None:
        rooted = {**schema, "components": self.doc["components"]}
        errors = [e.message for e in jsonschema.Draft7Validator(rooted).iter_errors(instance)]
        assert not errors, f"{where}: {errors}"

    def validate(self, request: RecordedRequest) -> Operation:
        found = self.find(request.method, request.path)
        assert found is not None, f"no spec operation for {request.method} {request.path}"
        where = f"{found.id} ({request.method} {request.path})"
        params = found.op.get("parameters", [])
        for p in params:
            if p["in"] == "path":
                value = found.path_params[p["name"]]
                self.check(value, p["schema"], f"{where} path {p['name']}")
        query_params = {p["name"]: p for p in params if p["in"] == "query"}
        for name, value in request.query:
            assert name in query_params, f"{where}: unknown query parameter {name!r}"
            schema = query_params[name]["schema"]
            self.check(self.convert(value, schema), schema, f"{where} query {name}")
        for p in query_params.values():
            if p.get("required"):
                assert p["name"] in request.query_dict, f"{where}: {p['name']} required"
        if request.method == "POST":
            body = found.op.get("requestBody")
            if not request.form:
                assert body is None or not self._required(body), f"{where}: empty body"
                return found
            assert body is not None, f"{where} takes no body"
            schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
            properties = schema.get("properties", {})
            instance: dict[str, Any] = {}
            for name, values in request.form_dict.items():
                assert name in properties, f"{where}: unknown form field {name!r}"
                prop = self.resolve(properties[name])
                if prop.get("type") == "array":
                    instance[name] = [self.convert(v, prop["items"]) for v in values]
                else:
                    assert len(values) == 1, f"{where}: {name} repeated but not an array"
                    instance[name] = self.convert(values[0], prop)
            self.check(instance, schema, f"{where} form")
        else:
            assert request.body == b"", f"{where}: unexpected body"
        return found

    @staticmethod
    def _required(body: dict[str, Any]) -> list[str]:
        schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
        return list(schema.get("required", []))

    def respond(self, request: RecordedRequest) -> Reply | None:
        """The spec's first 2xx example for the request's operation (lists end there)."""
        found = self.find(request.method, request.path)
        if found is None:
            return None
        status = next(code for code in found.op["responses"] if code.startswith("2"))
        if status == "204":
            return Reply(204)
        content = found.op["responses"][status].get("content", {}).get("application/json", {})
        example = next(iter(content.get("examples", {}).values()), None)
        if example is None:
            return Reply(int(status), json={})
        body = example["value"]
        if isinstance(body, dict) and "next_page_uri" in body:
            body = {**body, "next_page_uri": None}
        return Reply(int(status), json=body)


@pytest.fixture(scope="module")
def spec() -> Spec:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Twilio OpenAPI spec not found at {SPEC_PATH.resolve()} (../shared/openapi)")
    return Spec(json.loads(SPEC_PATH.read_text()))


# -- every operation, with as many parameters as it takes -----------------------------------------

Call_ = Callable[[Any], Any]
SWEEP: list[tuple[str, Call_, type | None]] = [
    (
        "send_sms",
        lambda c: c.send_sms("+15005550006", "+14155550100", "hi", "https://example.com/s"),
        Message,
    ),
    (
        "send_whatsapp_message",
        lambda c: c.send_whatsapp_message(
            "+14155238886",
            "+15005550006",
            "hola",
            media_url=["https://e.example/1.png", "https://e.example/2.png"],
            content_sid=CONTENT_SID,
            content_variables={"1": "Ada"},
            status_callback=StatusCallback("https://example.com/s"),
        ),
        Message,
    ),
    (
        "make_voice_call(text)",
        lambda c: c.make_voice_call(
            "+15005550006",
            "+14155550100",
            VoiceCallInput.text("Hello <world> & you"),
            StatusCallback("https://e.example/s", "GET", ["initiated", "answered", "completed"]),
        ),
        Call,
    ),
    (
        "make_voice_call(url)",
        lambda c: c.make_voice_call(
            "+15005550006", "+14155550100", VoiceCallInput.twiml_url("https://e.example/v.xml")
        ),
        Call,
    ),
    (
        "make_voice_call(twiml)",
        lambda c: c.make_voice_call(
            "+15005550006", "+14155550100", VoiceCallInput.twiml("<Response><Hangup/></Response>")
        ),
        Call,
    ),
    ("get_message", lambda c: c.get_message(MESSAGE_SID), Message),
    ("get_account_details", lambda c: c.get_account_details(), Account),
    (
        "messages.create",
        lambda c: c.messages.create(
            to="+14155550100",
            from_="+15005550006",
            messaging_service_sid=SERVICE_SID,
            body="later",
            media_url="https://e.example/a.jpg",
            content_sid=CONTENT_SID,
            content_variables={"1": "x"},
            status_callback="https://e.example/cb",
            send_at=datetime(2030, 1, 2, 3, 4, 5),
            validity_period=600,
            application_sid="AP" + "12" * 16,
            smart_encoded=True,
            send_as_mms=True,
            shorten_urls=False,
            attempt=2,
            extra_params={"PersistentAction": ["geo:1,2"]},
        ),
        Message,
    ),
    ("messages.fetch", lambda c: c.messages.fetch(MESSAGE_SID), Message),
    (
        "messages.list",
        lambda c: c.messages.list(
            to="+1415",
            from_="+1500",
            date_sent_before="2024-03-31",
            date_sent_after="2024-03-01",
            limit=10,
        ),
        list,
    ),
    ("messages.list(date)", lambda c: c.messages.list(date_sent="2024-03-05"), list),
    ("messages.iter", lambda c: collect(c.messages.iter(page_size=3)), list),
    ("messages.update", lambda c: c.messages.update(MESSAGE_SID, body=""), Message),
    ("messages.redact", lambda c: c.messages.redact(MESSAGE_SID), Message),
    ("messages.cancel", lambda c: c.messages.cancel(MESSAGE_SID), Message),
    ("messages.delete", lambda c: c.messages.delete(MESSAGE_SID), None),
    ("messages.list_media", lambda c: c.messages.list_media(MESSAGE_SID, limit=5), list),
    ("messages.iter_media", lambda c: collect(c.messages.iter_media(MESSAGE_SID)), list),
    ("messages.fetch_media", lambda c: c.messages.fetch_media(MESSAGE_SID, MEDIA_SID), Media),
    ("messages.delete_media", lambda c: c.messages.delete_media(MESSAGE_SID, MEDIA_SID), None),
    (
        "calls.create",
        lambda c: c.calls.create(
            to="+14155550100",
            from_="+15005550006",
            url="https://e.example/twiml",
            method="GET",
            status_callback=StatusCallback.all_events("https://e.example/ev"),
            timeout=20,
            record=True,
            recording_status_callback="https://e.example/rec",
            machine_detection="Enable",
            send_digits="ww1234",
            fallback_url="https://e.example/fb",
            time_limit=60,
            extra_params={"Trim": "trim-silence", "MachineDetectionTimeout": "10"},
        ),
        Call,
    ),
    (
        "calls.create(twiml)",
        lambda c: c.calls.create(to="+1415", from_="+1500", twiml="<Response/>"),
        Call,
    ),
    ("calls.fetch", lambda c: c.calls.fetch(CALL_SID), Call),
    (
        "calls.list",
        lambda c: c.calls.list(
            to="+1415",
            from_="+1500",
            status="completed",
            parent_call_sid=CALL_SID,
            start_time="2024-01-05",
            start_time_before="2024-02-01",
            start_time_after="2024-01-01",
            limit=5,
        ),
        list,
    ),
    ("calls.iter", lambda c: collect(c.calls.iter(status="busy")), list),
    (
        "calls.update",
        lambda c: c.calls.update(
            CALL_SID,
            url="https://e.example/next",
            method="POST",
            status_callback="https://e.example/s",
            status_callback_method="GET",
            fallback_url="https://e.example/fb",
            time_limit=30,
        ),
        Call,
    ),
    ("calls.update(twiml)", lambda c: c.calls.update(CALL_SID, twiml="<Response/>"), Call),
    ("calls.hangup", lambda c: c.calls.hangup(CALL_SID), Call),
    ("calls.cancel", lambda c: c.calls.cancel(CALL_SID), Call),
    ("calls.delete", lambda c: c.calls.delete(CALL_SID), None),
    ("calls.list_recordings", lambda c: c.calls.list_recordings(CALL_SID), list),
    ("calls.fetch_recording", lambda c: c.calls.fetch_recording(RECORDING_SID), Recording),
    ("calls.delete_recording", lambda c: c.calls.delete_recording(RECORDING_SID), None),
    ("accounts.fetch", lambda c: c.accounts.fetch(SUB_SID), Account),
    (
        "accounts.list",
        lambda c: c.accounts.list(friendly_name="Main", status="active", limit=3),
        list,
    ),
    ("accounts.iter", lambda c: collect(c.accounts.iter(status="suspended")), list),
    ("accounts.create", lambda c: c.accounts.create(friendly_name="team"), Account),
    (
        "accounts.update",
        lambda c: c.accounts.update(SUB_SID, status="closed", friendly_name="old"),
        Account,
    ),
    ("balance", lambda c: c.balance(), Balance),
    (
        "incoming_phone_numbers.list",
        lambda c: c.incoming_phone_numbers.list(phone_number="+1500", friendly_name="x"),
        list,
    ),
    (
        "incoming_phone_numbers.fetch",
        lambda c: c.incoming_phone_numbers.fetch(NUMBER_SID),
        IncomingPhoneNumber,
    ),
    (
        "incoming_phone_numbers.purchase",
        lambda c: c.incoming_phone_numbers.purchase(
            phone_number="+15005550006",
            friendly_name="n",
            sms_url="https://e.example/sms",
            sms_method="POST",
            sms_fallback_url="https://e.example/smsfb",
            sms_fallback_method="GET",
            voice_url="https://e.example/voice",
            voice_method="GET",
            voice_fallback_url="https://e.example/vfb",
            voice_fallback_method="POST",
            status_callback="https://e.example/st",
            status_callback_method="POST",
        ),
        IncomingPhoneNumber,
    ),
    (
        "incoming_phone_numbers.purchase(area)",
        lambda c: c.incoming_phone_numbers.purchase(area_code="510"),
        IncomingPhoneNumber,
    ),
    (
        "incoming_phone_numbers.update",
        lambda c: c.incoming_phone_numbers.update(
            NUMBER_SID,
            friendly_name="n",
            sms_url="",
            sms_method="GET",
            voice_url="https://e.example/v",
            voice_method="POST",
            status_callback="https://e.example/st",
            status_callback_method="GET",
            extra_params={"VoiceCallerIdLookup": "true"},
        ),
        IncomingPhoneNumber,
    ),
    (
        "incoming_phone_numbers.release",
        lambda c: c.incoming_phone_numbers.release(NUMBER_SID),
        None,
    ),
    (
        "available_phone_numbers.local",
        lambda c: c.available_phone_numbers.local(
            "US",
            area_code=510,
            contains="55*",
            sms_enabled=True,
            mms_enabled=False,
            voice_enabled=True,
            in_region="CA",
            in_postal_code="94610",
            in_locality="Oakland",
            limit=3,
        ),
        list,
    ),
    (
        "available_phone_numbers.mobile",
        lambda c: c.available_phone_numbers.mobile("GB", contains="7", sms_enabled=True),
        list,
    ),
    (
        "available_phone_numbers.toll_free",
        lambda c: c.available_phone_numbers.toll_free(area_code="800", voice_enabled=True),
        list,
    ),
    ("keys.create", lambda c: c.keys.create(friendly_name="ci"), NewApiKey),
    ("keys.fetch", lambda c: c.keys.fetch(KEY_SID), ApiKey),
    ("keys.list", lambda c: c.keys.list(limit=2), list),
    ("keys.delete", lambda c: c.keys.delete(KEY_SID), None),
    (
        "request",
        lambda c: c.request(
            "GET", "/2010-04-01/Accounts/{AccountSid}/Queues.json", {"PageSize": 2}
        ),
        dict,
    ),
    (
        "request(post)",
        lambda c: c.request("POST", "Queues.json", data={"FriendlyName": "q", "MaxSize": 5}),
        dict,
    ),
]


@pytest.mark.parametrize("auth", ["token", "api_key"])
async def test_every_request_matches_the_spec(
    spec: Spec, server: FakeTwilio, make_client: Any, auth: str
) -> None:
    server.fallback = spec.respond
    client = make_client(auth=auth)
    covered: dict[str, str] = {}
    for label, invoke, expected in SWEEP:
        before = len(server.requests)
        result = await maybe(invoke(client))
        if expected is None:
            assert result is None, label
        else:
            assert isinstance(result, expected), f"{label}: {type(result).__name__}"
        new = server.requests[before:]
        assert new, f"{label} sent nothing"
        for request in new:
            op = spec.validate(request)
            covered[label] = op.id
    # the auth header on every request, and the account SID in every account-scoped path
    user, secret = (ACCOUNT_SID, AUTH_TOKEN) if auth == "token" else (API_KEY, API_SECRET)
    import base64

    expected_auth = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
    for request in server.requests:
        assert request.headers["authorization"] == expected_auth
        assert request.path.startswith("/2010-04-01/Accounts")
        if request.method == "POST":
            assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert len(covered) == len(SWEEP)
    assert set(covered.values()) >= {
        "CreateMessage", "FetchMessage", "ListMessage", "UpdateMessage", "DeleteMessage",
        "ListMedia", "FetchMedia", "DeleteMedia",
        "CreateCall", "FetchCall", "ListCall", "UpdateCall", "DeleteCall",
        "ListCallRecording", "FetchRecording", "DeleteRecording",
        "FetchAccount", "ListAccount", "CreateAccount", "UpdateAccount", "FetchBalance",
        "ListIncomingPhoneNumber", "FetchIncomingPhoneNumber", "CreateIncomingPhoneNumber",
        "UpdateIncomingPhoneNumber", "DeleteIncomingPhoneNumber",
        "ListAvailablePhoneNumberLocal", "ListAvailablePhoneNumberMobile",
        "ListAvailablePhoneNumberTollFree",
        "CreateNewKey", "FetchKey", "ListKey", "DeleteKey", "ListQueue", "CreateQueue",
    }  # fmt: skip


def test_the_validator_catches_bad_requests(spec: Spec) -> None:
    """The checks above can fail: wrong names, types, enums and missing params are caught."""

    def recorded(method: str, path: str, form: list[tuple[str, str]] = (), query: Any = ()) -> Any:
        return RecordedRequest(method, path, list(query), list(form), {}, b"x" if form else b"",
                               "", 0.0)  # fmt: skip

    root = f"/2010-04-01/Accounts/{ACCOUNT_SID}"
    bad = [
        recorded("POST", f"{root}/Messages.json", [("To", "+1"), ("Bdy", "typo")]),
        recorded("POST", f"{root}/Messages.json", [("Body", "no To")]),
        recorded("POST", f"{root}/Messages.json", [("To", "+1"), ("ValidityPeriod", "soon")]),
        recorded("POST", f"{root}/Messages.json", [("To", "+1"), ("ScheduleType", "later")]),
        recorded("POST", f"{root}/Messages.json", [("To", "+1"), ("To", "+2")]),
        recorded("POST", f"{root}/Calls.json", [("To", "+1"), ("From", "+2"), ("Record", "yes")]),
        recorded("GET", f"{root}/Messages.json", query=[("DateSentBefore", "2024-01-01")]),
        recorded("GET", f"{root}/Messages.json", query=[("PageSize", "5000")]),
        recorded("GET", "/2010-04-01/Accounts/ACnot-a-sid/Messages.json"),
        recorded("GET", f"{root}/Nope.json"),
    ]
    for request in bad:
        with pytest.raises(AssertionError):
            spec.validate(request)


# -- response examples decode -------------------------------------------------------------------

DECODES: dict[str, tuple[type[TwilioModel], str | None]] = {
    "CreateMessage": (Message, None),
    "FetchMessage": (Message, None),
    "UpdateMessage": (Message, None),
    "ListMessage": (Message, "messages"),
    "FetchMedia": (Media, None),
    "ListMedia": (Media, "media_list"),
    "CreateCall": (Call, None),
    "FetchCall": (Call, None),
    "UpdateCall": (Call, None),
    "ListCall": (Call, "calls"),
    "ListCallRecording": (Recording, "recordings"),
    "FetchCallRecording": (Recording, None),
    "FetchRecording": (Recording, None),
    "ListRecording": (Recording, "recordings"),
    "CreateAccount": (Account, None),
    "FetchAccount": (Account, None),
    "UpdateAccount": (Account, None),
    "ListAccount": (Account, "accounts"),
    "FetchBalance": (Balance, None),
    "CreateIncomingPhoneNumber": (IncomingPhoneNumber, None),
    "FetchIncomingPhoneNumber": (IncomingPhoneNumber, None),
    "UpdateIncomingPhoneNumber": (IncomingPhoneNumber, None),
    "ListIncomingPhoneNumber": (IncomingPhoneNumber, "incoming_phone_numbers"),
    "ListAvailablePhoneNumberLocal": (AvailablePhoneNumber, "available_phone_numbers"),
    "ListAvailablePhoneNumberMobile": (AvailablePhoneNumber, "available_phone_numbers"),
    "ListAvailablePhoneNumberTollFree": (AvailablePhoneNumber, "available_phone_numbers"),
    "CreateNewKey": (NewApiKey, None),
    "FetchKey": (ApiKey, None),
    "UpdateKey": (ApiKey, None),
    "ListKey": (ApiKey, "keys"),
}


def test_every_response_example_of_our_resources_decodes(spec: Spec) -> None:
    decoded: dict[str, int] = {}
    for item in spec.doc["paths"].values():
        for op in item.values():
            if not isinstance(op, dict) or op.get("operationId") not in DECODES:
                continue
            model, list_key = DECODES[op["operationId"]]
            for status, response in op["responses"].items():
                examples = response.get("content", {}).get("application/json", {})
                for name, example in examples.get("examples", {}).items():
                    where = f"{op['operationId']} {status} {name}"
                    raw = json.dumps(example["value"]).encode()
                    if list_key is None:
                        items = [decode(model, raw)]
                    else:
                        items, meta = decode_page(model, list_key, raw)
                        assert meta.page_size >= 0, where
                        assert len(items) == len(example["value"][list_key]), where
                    for obj in items:
                        check_decoded(obj, where)
                    decoded[op["operationId"]] = decoded.get(op["operationId"], 0) + 1
    assert set(decoded) == set(DECODES), set(DECODES) - set(decoded)


def check_decoded(obj: TwilioModel, where: str) -> None:
    data = obj.to_dict()
    for field in obj.__struct_fields__:
        value = getattr(obj, field)
        if field.startswith("date_") or field in ("start_time", "end_time"):
            assert value is None or isinstance(value, datetime), f"{where}: {field}={value!r}"
            if value is not None:
                assert value.tzinfo is not None, where
    if isinstance(obj, (Message, Call)):
        assert "from" in data and obj.from_ == data["from"], where
