"""Bad TwiML and bad requests fail like Twilio's; the emulator keeps serving; timing modes."""

from __future__ import annotations

import socket

import httpx
import pytest
from calls_testkit import EVENTS, HANDSET, MAGIC_FROM, statuses
from support.emulator import OWNED
from support.receiver import Receiver, Reply, twiml
from twilio.rest import Client

from twilio_connector.emulator import Emulator

V = "/2010-04-01"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Reply(body=b"this is not xml"), 12100),
        (Reply(body=b"<Response><Sayy>typo</Sayy></Response>"), 12200),
        (Reply(body=b"<Response><Gather><Dial>+14155550100</Dial></Gather></Response>"), 12200),
        (Reply(body=b"<Play>x.mp3</Play>"), 12102),
        (Reply(body=b"<Response/>", content_type="application/json"), 12300),
        (Reply(404, b"gone", "text/plain"), 11200),
    ],
)
def test_bad_twiml_fails_the_call_with_a_notification(
    reply: Reply, code: int, emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/voice", reply)
    call = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, url=receiver.url("/voice"),
        status_callback=receiver.url("/status"), status_callback_event=EVENTS,
    )  # fmt: skip
    emu.settle()
    assert [s for s, _ in statuses(receiver, "/status")][-2:] == ["in-progress", "completed"]
    notes = emu.notifications(call.sid)
    assert [n.error_code for n in notes] == [code] and notes[0].url == receiver.url("/voice")
    ended = emu.call_transcript(call.sid)[-1]
    assert ended["kind"] == "end" and ended["reason"] == "application-error"
    # the emulator keeps serving calls
    ok = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, twiml="<Response><Say>ok</Say></Response>"
    )
    emu.settle()
    assert twilio.calls(ok.sid).fetch().status == "completed"


def test_unreachable_url_and_fallback(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/voice"
    receiver.reply("/fallback", twiml("<Say>fallback speaking</Say>"))
    lost = twilio.calls.create(to=HANDSET, from_=MAGIC_FROM, url=dead)
    saved = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, url=dead, fallback_url=receiver.url("/fallback")
    )
    emu.settle()
    assert [n.error_code for n in emu.notifications(lost.sid)] == [11205]
    assert twilio.calls(lost.sid).fetch().status == "completed"
    form = receiver.at("/fallback")[0].form
    assert form["ErrorCode"] == "11205" and form["ErrorUrl"] == dead
    said = [e["text"] for e in emu.call_transcript(saved.sid) if e["kind"] == "say"]
    assert said == ["fallback speaking"]
    attempts = emu.call_callbacks(lost.sid, kind="voice-request")
    assert [(d.attempt, d.error_code) for d in attempts] == [(1, 11205), (2, 11205)]


def test_malformed_requests_are_4xx(emu: Emulator) -> None:
    base = f"{emu.base_url}{V}/Accounts/{emu.account_sid}"
    http = httpx.Client(auth=(emu.account_sid, emu.auth_token))
    sid = "CA" + "a" * 32
    form = {"content-type": "application/x-www-form-urlencoded"}
    ok = {"To": HANDSET, "From": MAGIC_FROM, "Twiml": "x"}
    cases = [
        http.post(f"{base}/Calls.json", content=b"\xff\xfe", headers=form),
        http.post(f"{base}/Calls.json", content=b"{}", headers={"content-type": "text/json"}),
        http.post(f"{base}/Calls.json", data={**ok, "Timeout": "-1"}),
        http.post(f"{base}/Calls.json", data={**ok, "Record": "perhaps"}),
        http.post(f"{base}/Calls.json", data={**ok, "TimeLimit": "0"}),
        http.post(f"{base}/Calls.json", data={**ok, "RecordingStatusCallbackEvent": "never"}),
        http.get(f"{base}/Calls.json", params={"PageSize": "5000"}),
        http.get(f"{base}/Calls.json", params={"Status": "exploded"}),
        http.get(f"{base}/Calls.json", params={"StartTime>": "yesterday"}),
        http.get(f"{base}/Calls.json", params={"PageToken": "PA" + sid}),
        http.get(f"{base}/Calls/{sid}.json"),
        http.post(f"{base}/Calls/{sid}.json", data={"Status": "completed"}),
        http.delete(f"{base}/Calls/{sid}.json"),
        http.get(f"{base}/Calls/{sid}/Recordings.json"),
        http.get(f"{base}/Recordings/RE{'b' * 32}.json"),
        http.get(f"{base}/Recordings/RE{'b' * 32}.wav"),
        http.put(f"{base}/Calls.json"),
        http.post(f"{base}/Calls/{sid}/Recordings.json"),
        httpx.post(f"{base}/Calls.json", data={"To": HANDSET}, auth=(emu.account_sid, "wrong")),
    ]
    codes = [r.status_code for r in cases]
    assert all(400 <= c < 500 for c in codes), codes
    assert all(r.json()["code"] for r in cases)
    assert httpx.get(f"{emu.base_url}{V}/Accounts.json", auth=(emu.account_sid, emu.auth_token))
    http.close()


def test_reset_during_live_calls_keeps_serving(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    emu.set_rule("completed", to=HANDSET, kind="call", interactive=True)
    receiver.reply("/wait", twiml("<Gather><Say>wait</Say></Gather>"))
    for _ in range(3):
        twilio.calls.create(to=HANDSET, from_=OWNED, url=receiver.url("/wait"))
    receiver.wait_for(lambda rs: len([r for r in rs if r.path == "/wait"]) == 3)
    emu.reset()
    assert twilio.calls.list() == []
    call = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, twiml="<Response><Say>x</Say></Response>"
    )
    emu.settle()
    assert twilio.calls(call.sid).fetch().status == "completed"


def test_manual_timing_settles_and_concurrent_calls(receiver: Receiver) -> None:
    receiver.reply("/voice", twiml("<Gather numDigits='2' action='/g'><Say>hi</Say></Gather>"))
    receiver.reply("/g", twiml("<Pause length='30'/><Say>bye</Say>"))
    with Emulator(phone_numbers=(OWNED,), timing="manual") as emu:
        twilio = Client(emu.account_sid, emu.auth_token)
        twilio.api.base_url = emu.base_url
        emu.set_rule("completed", to="+1415555*", kind="call", digits="77")
        sids = [
            twilio.calls.create(
                to=f"+14155550{i:03d}", from_=OWNED, url=receiver.url("/voice"),
                status_callback=receiver.url("/status"),
            ).sid
            for i in range(20)
        ]  # fmt: skip
        assert {twilio.calls(s).fetch().status for s in sids} == {"queued"}  # time stands still
        emu.settle(timeout=30)
        assert {twilio.calls(s).fetch().status for s in sids} == {"completed"}
        assert len(receiver.at("/g")) == 20 and len(receiver.at("/status")) == 20
        assert {r.form["Digits"] for r in receiver.at("/g")} == {"77"}
        durations = {int(r.form["CallDuration"]) for r in receiver.at("/status")}
        assert min(durations) >= 30  # the 30 s pause counted in simulated time


def test_manual_advance_runs_a_call_step_by_step(receiver: Receiver) -> None:
    receiver.reply("/voice", twiml("<Say>one</Say><Pause length='10'/><Say>two</Say>"))
    with Emulator(phone_numbers=(OWNED,), timing="manual") as emu:
        twilio = Client(emu.account_sid, emu.auth_token)
        twilio.api.base_url = emu.base_url
        call = twilio.calls.create(to=HANDSET, from_=OWNED, url=receiver.url("/voice"))
        emu.advance(5)  # dialled, ringing and answered: the first <Say> runs
        assert twilio.calls(call.sid).fetch().status == "in-progress"
        said = [e["text"] for e in emu.call_transcript(call.sid) if e.get("kind") == "say"]
        assert said == ["one"]
        emu.advance(60)  # the pause and the second <Say> pass in simulated time
        assert twilio.calls(call.sid).fetch().status == "completed"
        said = [e["text"] for e in emu.call_transcript(call.sid) if e.get("kind") == "say"]
        assert said == ["one", "two"]


def test_redirect_to_a_malformed_url_is_reported_like_any_invalid_url(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as api:
        path = f"/2010-04-01/Accounts/{emu.account_sid}/Calls.json"
        sids = []
        for url in ("http://[::1/x", "ftp://example.com/x"):
            twiml = f"<Response><Redirect>{url}</Redirect></Response>"
            data = {"To": "+15558675310", "From": "+15017122661", "Twiml": twiml}
            sids.append(api.post(path, data=data).json()["sid"])
        emu.settle()
        outcomes = [
            (
                {n.error_code for n in emu.notifications(sid)},
                api.get(path[:-5] + f"/{sid}.json").json()["status"],
            )
            for sid in sids
        ]
    assert outcomes[0] == outcomes[1] and 11100 in outcomes[0][0], outcomes
