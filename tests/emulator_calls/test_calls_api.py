"""The Calls and Recordings REST API: validation errors, OpenAPI shapes, lists, <Dial> legs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from calls_testkit import HANDSET, MAGIC_FROM, assert_all_signed
from support.emulator import OWNED
from support.openapi import OpenApi
from support.receiver import Receiver, twiml
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import Emulator

V = "/2010-04-01"
A = f"{V}/Accounts/{{AccountSid}}"
SAY = "<Response><Say>hi</Say></Response>"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"To": "+15005550001"}, 21217),
        ({"To": "+15005550002"}, 21214),
        ({"To": "+15005550003"}, 21215),
        ({"To": "+15005550004"}, 21216),
        ({"To": "12345"}, 21211),
        ({"To": "client:"}, 21211),
        ({"From": "+15005550001"}, 21212),
        ({"From": "+14155559999"}, 21210),  # not owned
        ({"From": "hello"}, 21212),
        ({"From": "client:alice"}, 21212),  # a client caller needs a client/SIP callee
        ({"To": None}, 21201),
        ({"From": None}, 21213),
        ({"Twiml": None}, 21205),
        ({"Twiml": None, "Url": "ftp://example.com/x"}, 21205),
        ({"Twiml": None, "ApplicationSid": "AP" + "1" * 32}, 21218),
        ({"StatusCallbackEvent": ["initiated", "hungup"]}, 21626),
        ({"StatusCallback": "not a url"}, 21609),
        ({"Timeout": "soon"}, 20001),
        ({"SendDigits": "12x"}, 20001),
        ({"Method": "PUT"}, 20001),
        ({"MachineDetection": "Maybe"}, 20001),
        ({"Twiml": "<Response>" + "x" * 4000 + "</Response>"}, 20001),
        ({"PageSize": "1"}, None),  # unknown parameters are ignored
    ],
)
def test_create_validation(params: dict[str, Any], code: int | None, emu: Emulator) -> None:
    data: dict[str, Any] = {"To": HANDSET, "From": MAGIC_FROM, "Twiml": SAY}
    for key, value in params.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    resp = httpx.post(
        f"{emu.base_url}{V}/Accounts/{emu.account_sid}/Calls.json",
        data=data,
        auth=(emu.account_sid, emu.auth_token),
    )
    if code is None:
        assert resp.status_code == 201
        return
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["code"] == code and body["status"] == 400
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"


def test_client_and_sip_addresses_and_space_separated_events(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    call = twilio.calls.create(
        to="client:alice", from_="client:bob", twiml=SAY, status_callback=receiver.url("/s"),
        status_callback_event=["initiated ringing", "completed"],
    )  # fmt: skip
    sip = twilio.calls.create(to="sip:alice@example.com", from_=OWNED, twiml=SAY)
    emu.settle()
    assert [r.form["CallStatus"] for r in receiver.at("/s")] == [
        "initiated",
        "ringing",
        "completed",
    ]
    assert twilio.calls(call.sid).fetch().to == "client:alice"
    assert twilio.calls(sip.sid).fetch().status == "completed"


def test_responses_match_openapi(
    emu: Emulator, openapi: OpenApi, receiver: Receiver, twilio: Client
) -> None:
    ac = emu.account_sid
    http = httpx.Client(base_url=emu.base_url, auth=(ac, emu.auth_token))
    base = f"{V}/Accounts/{ac}"

    def call(method: str, template: str, status: int, path: str, **kw: Any) -> Any:
        resp = http.request(method, path, **kw)
        assert resp.status_code == status, resp.text
        openapi.validate(method, template, status, resp.content)
        return resp.json()

    receiver.reply("/rec", twiml("<Record maxLength='5' action='/done'/>"))
    receiver.reply("/done", twiml("<Hangup/>"))
    created = call(
        "POST", f"{A}/Calls.json", 201, f"{base}/Calls.json",
        data={"To": HANDSET, "From": MAGIC_FROM, "Url": receiver.url("/rec"), "Record": "true"},
    )  # fmt: skip
    sid = created["sid"]
    emu.settle()
    call("GET", f"{A}/Calls/{{Sid}}.json", 200, f"{base}/Calls/{sid}.json")
    listed = call("GET", f"{A}/Calls.json", 200, f"{base}/Calls.json?PageSize=5")
    assert listed["calls"][0]["sid"] == sid
    call("POST", f"{A}/Calls/{{Sid}}.json", 200, f"{base}/Calls/{sid}.json", data={})
    recs = call(
        "GET", f"{A}/Calls/{{CallSid}}/Recordings.json", 200, f"{base}/Calls/{sid}/Recordings.json"
    )
    assert {r["source"] for r in recs["recordings"]} == {"RecordVerb", "OutboundAPI"}
    rec = recs["recordings"][0]["sid"]
    call(
        "GET", f"{A}/Calls/{{CallSid}}/Recordings/{{Sid}}.json", 200,
        f"{base}/Calls/{sid}/Recordings/{rec}.json",
    )  # fmt: skip
    account_level = call("GET", f"{A}/Recordings.json", 200, f"{base}/Recordings.json")
    assert len(account_level["recordings"]) == 2
    one = call("GET", f"{A}/Recordings/{{Sid}}.json", 200, f"{base}/Recordings/{rec}.json")
    assert one["media_url"].endswith(f"/Recordings/{rec}")
    assert http.delete(f"{base}/Calls/{sid}/Recordings/{rec}.json").status_code == 204
    assert http.get(f"{base}/Recordings/{rec}.json").status_code == 404
    assert http.delete(f"{base}/Calls/{sid}.json").status_code == 204
    assert http.get(f"{base}/Calls/{sid}.json").json()["code"] == 20404
    http.close()


def test_list_filters_pagination_and_dial_legs(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply(
        "/dial",
        twiml("<Dial action='/dialed' timeout='20'><Number>+14155550199</Number></Dial>"),
    )
    receiver.reply("/dialed", twiml("<Say>after the dial</Say>"))
    emu.set_rule("busy", to="+14155550177", kind="call")
    parent = twilio.calls.create(to=HANDSET, from_=OWNED, url=receiver.url("/dial"))
    others = [
        twilio.calls.create(to=f"+1415555017{i}", from_=MAGIC_FROM, twiml=SAY) for i in range(5, 8)
    ]
    emu.settle()
    dialed = receiver.at("/dialed")[0].form
    assert dialed["DialCallStatus"] == "completed" and dialed["DialBridged"] == "true"
    child = twilio.calls(dialed["DialCallSid"]).fetch()
    assert child.parent_call_sid == parent.sid and child.direction == "outbound-dial"
    assert child.to == "+14155550199" and child.status == "completed"
    assert [c.sid for c in twilio.calls.list(parent_call_sid=parent.sid)] == [child.sid]
    assert [c.sid for c in twilio.calls.list(status="busy")] == [others[2].sid]
    assert [c.sid for c in twilio.calls.list(to="+14155550175")] == [others[0].sid]
    assert len(twilio.calls.list(start_time_after="2000-01-01")) == 5
    assert twilio.calls.list(start_time_before="2000-01-01") == []
    every = [c.sid for c in twilio.calls.list(page_size=2)]
    assert len(every) == 5 and len(set(every)) == 5
    assert set(every) == {parent.sid, child.sid, *(c.sid for c in others)}
    assert every[-1] == parent.sid  # newest first: the first call comes last
    page = httpx.get(
        f"{emu.base_url}{V}/Accounts/{emu.account_sid}/Calls.json?PageSize=2",
        auth=(emu.account_sid, emu.auth_token),
    ).json()
    assert page["next_page_uri"] and page["previous_page_uri"] is None
    assert_all_signed(emu.auth_token, receiver)


def test_dial_leg_magic_number_fails_with_notification(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/dial", twiml("<Dial action='/dialed'>+15005550004</Dial>"))
    receiver.reply("/dialed", twiml(""))
    call = twilio.calls.create(to=HANDSET, from_=OWNED, url=receiver.url("/dial"))
    emu.settle()
    assert receiver.at("/dialed")[0].form["DialCallStatus"] == "failed"
    assert [n.error_code for n in emu.notifications(call.sid)] == [13225]


def test_update_and_delete_errors(emu: Emulator, twilio: Client) -> None:
    call = twilio.calls.create(to=HANDSET, from_=MAGIC_FROM, twiml=SAY)
    emu.settle()
    for kwargs in ({"status": "canceled"}, {"url": "http://127.0.0.1:9/x"}, {"twiml": SAY}):
        with pytest.raises(TwilioRestException) as info:
            twilio.calls(call.sid).update(**kwargs)  # type: ignore[arg-type]
        assert info.value.code == 21220
    with pytest.raises(TwilioRestException) as info:
        twilio.calls(call.sid).update(status="bogus")
    assert info.value.status == 400
    with pytest.raises(TwilioRestException) as info:
        twilio.calls("CA" + "0" * 32).fetch()
    assert info.value.status == 404
    assert twilio.calls(call.sid).delete() is True


def test_call_rules_are_checked(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="outcome"):
        emu.set_rule("delivered", kind="call")
    with pytest.raises(ValueError, match="unknown call rule params"):
        emu.set_rule("completed", kind="call", digit="1")
    with pytest.raises(ValueError, match="answered_by"):
        emu.set_rule("completed", kind="call", answered_by="robot")
    rule = emu.set_rule("busy", to="+1555*", kind="call", ring=2.5, times=1)
    assert rule.kind == "call" and rule.params == {"ring": 2.5}


def test_machine_detection_answered_by(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    emu.set_rule("completed", to=HANDSET, kind="call", answered_by="machine_start")
    receiver.reply("/voice", twiml("<Hangup/>"))
    call = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, url=receiver.url("/voice"), machine_detection="Enable"
    )
    emu.settle()
    assert receiver.at("/voice")[0].form["AnsweredBy"] == "machine_start"
    assert twilio.calls(call.sid).fetch().answered_by == "machine_start"
