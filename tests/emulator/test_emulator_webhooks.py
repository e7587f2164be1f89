"""The webhook dispatcher: fragment overrides, retries, auth challenge, isolation of targets."""

from __future__ import annotations

import base64
import socket

import httpx
from support.receiver import Receiver, Reply
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.webhooks.dispatcher import ConnectionOverrides
from twilio_connector.signature import validate_signature

FROM = "+15017122661"
TO = "+15558675310"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_overrides_parse() -> None:
    o = ConnectionOverrides.parse("ct=1000&rt=2500&tt=9000&rc=3&rp=ct,rt,5xx")
    assert (o.connect_timeout, o.read_timeout, o.total_timeout, o.retry_count) == (1.0, 2.5, 9.0, 3)
    assert o.retry_on == {"ct", "rt", "5xx"}
    default = ConnectionOverrides.parse("ct=50&rt=99999&rc=9&rp=bogus&zz=1")
    assert default == ConnectionOverrides()


def test_retry_policy_from_fragment(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    receiver.reply("/flaky", Reply(500), Reply(503), Reply(200))
    url = receiver.url("/flaky?x=1#rc=2&rp=5xx")
    msg = twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=url)
    emu.settle()
    attempts = [d for d in emu.delivery_log(msg.sid) if d.param("MessageStatus") == "sent"]
    assert [(d.status, d.attempt) for d in attempts] == [(500, 1), (503, 2), (200, 3)]
    assert len({d.idempotency_token for d in attempts}) == 1
    assert all(d.url == receiver.url("/flaky?x=1") for d in attempts)  # fragment not sent
    for r in receiver.at("/flaky"):
        assert validate_signature(emu.auth_token, r.url, r.pairs, r.headers["X-Twilio-Signature"])
        assert r.path == "/flaky?x=1"


def test_default_policy_no_retry_on_5xx_one_on_connect(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/err", Reply(500))
    msg = twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url("/err"))
    dead = twilio.messages.create(
        to=TO, from_=FROM, body="x", status_callback=f"http://127.0.0.1:{_free_port()}/gone"
    )
    emu.settle()
    assert [d.attempt for d in emu.delivery_log(msg.sid)] == [1, 1]  # sent, delivered
    assert all(d.error_code == 11200 and d.status == 500 for d in emu.delivery_log(msg.sid))
    gone = emu.delivery_log(dead.sid)
    assert [(d.attempt, d.status, d.error_code) for d in gone] == [
        (1, None, 11205),
        (2, None, 11205),
        (1, None, 11205),
        (2, None, 11205),
    ]
    assert twilio.messages(dead.sid).fetch().status == "delivered"  # callbacks never block it


def test_read_timeout_override(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    receiver.reply("/slow", Reply(hang=True))
    msg = twilio.messages.create(
        to=TO, from_=FROM, body="x", status_callback=receiver.url("/slow#rt=200&rp=rt&rc=1")
    )
    emu.settle()
    log = emu.delivery_log(msg.sid)
    assert [(d.attempt, d.error_code) for d in log] == [(1, 11200), (2, 11200)] * 2
    assert all("timeout" in (d.error or "") for d in log)


def test_total_timeout_caps_retries(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    receiver.reply("/stuck", Reply(hang=True))
    msg = twilio.messages.create(
        to=TO, from_=FROM, body="x", status_callback=receiver.url("/stuck#tt=300&rp=all&rc=5")
    )
    emu.settle()
    sent = [d for d in emu.delivery_log(msg.sid) if d.param("MessageStatus") == "sent"]
    assert [(d.attempt, d.error_code) for d in sent] == [(1, 11200)]  # no time left to retry


def test_basic_auth_in_url_after_challenge(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    expected = "Basic " + base64.b64encode(b"user:p@ss").decode()
    receiver.reply("/private", Reply(require_auth=expected))
    url = receiver.url("/private").replace("http://", "http://user:p%40ss@")
    msg = twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=url)
    emu.settle()
    first = [d for d in emu.delivery_log(msg.sid) if d.param("MessageStatus") == "sent"]
    assert [d.status for d in first] == [401, 200]
    assert all("user" not in d.url for d in first)
    seen = receiver.at("/private")
    assert "Authorization" not in seen[0].headers and seen[1].headers["Authorization"] == expected
    # the signature covers the URL without the credentials
    assert validate_signature(
        emu.auth_token, seen[1].url, seen[1].pairs, seen[1].headers["X-Twilio-Signature"]
    )


def test_hung_target_does_not_delay_others(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    hung = Receiver()
    try:
        hung.reply("/hang", Reply(hang=True))
        # more hung deliveries than one target may run at once
        for _ in range(70):
            twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=hung.url("/hang"))
        healthy = [
            twilio.messages.create(
                to=TO, from_=FROM, body="y", status_callback=receiver.url("/ok")
            ).sid
            for _ in range(10)
        ]
        done = receiver.wait_for(lambda rs: len(rs) >= 20, timeout=10)
        assert sorted({r.form["MessageSid"] for r in done}) == sorted(healthy)
        # the hung target holds as many deliveries as it may, all still waiting for an answer
        hung.wait_for(lambda rs: len(rs) >= 64)
        assert emu.delivery_log(kind="message-status", url_prefix=hung.url("/")) == []
    finally:
        hung.close()


def test_failed_callbacks_are_debugger_notifications(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/err", Reply(500))
    dead = f"http://127.0.0.1:{_free_port()}/gone"
    urls = {11200: receiver.url("/err"), 11205: dead, 11210: "http://no-such-host.invalid/cb"}
    sids = {
        code: twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=url).sid
        for code, url in urls.items()
    }
    fine = twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url("/ok"))
    call = twilio.calls.create(
        to=TO, from_="+15005550006", twiml="<Response><Say>hi</Say></Response>",
        status_callback=dead, record=True, recording_status_callback=receiver.url("/err"),
    )  # fmt: skip
    emu.settle()
    for code, sid in sids.items():
        notes = emu.notifications(sid)
        assert [(n.error_code, n.log_level, n.url) for n in notes] == [
            (code, "error", urls[code])
        ] * 2  # sent, delivered: one per delivery, not per attempt
        assert all(n.account_sid == emu.account_sid and n.message for n in notes)
    assert emu.notifications(fine.sid) == []
    assert sorted((n.error_code, n.url) for n in emu.notifications(call.sid)) == [
        (11200, receiver.url("/err")),  # recording status
        (11205, dead),  # call status (completed)
    ]
    # the control plane shows the same
    listed = httpx.get(
        f"{emu.base_url}/_emulator/notifications",
        params={"resource_sid": sids[11205]},
        auth=(emu.account_sid, emu.auth_token),
    ).json()["notifications"]
    assert [n["error_code"] for n in listed] == [11205, 11205]
