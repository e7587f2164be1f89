"""The webhook HTTP client over real sockets: redirects (credentials stay with their origin,
a 303 turns into a bodiless GET) and lanes (a hung path does not hold up its host)."""

from __future__ import annotations

import base64

import pytest
from support.receiver import Receiver, Reply
from twilio.rest import Client

from twilio_connector.emulator import Emulator

FROM = "+15017122661"
TO = "+15558675310"
SECRET_HEADERS = ("Authorization", "X-Twilio-Signature")


def test_redirect_to_another_origin_drops_credentials(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    other = Receiver()
    try:
        basic = "Basic " + base64.b64encode(b"user:pw").decode()
        moved = Reply(307, headers={"Location": other.url("/landing")}, require_auth=basic)
        receiver.reply("/private", moved)
        url = receiver.url("/private").replace("http://", "http://user:pw@")
        msg = twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=url)
        emu.settle()
        asked = receiver.at("/private")
        assert [r.headers.get("Authorization") for r in asked][:2] == [None, basic]
        landed = other.at("/landing")
        assert len(landed) == 2  # sent, delivered
        for hit in landed:
            assert not [h for h in SECRET_HEADERS if h in hit.headers], hit.headers
            assert hit.method == "POST" and hit.form["MessageSid"] == msg.sid  # 307 keeps both
    finally:
        other.close()


def test_redirect_within_the_origin_keeps_credentials(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    basic = "Basic " + base64.b64encode(b"user:pw").decode()
    receiver.reply("/old", Reply(308, headers={"Location": "/new"}, require_auth=basic))
    url = receiver.url("/old").replace("http://", "http://user:pw@")
    twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=url)
    emu.settle()
    landed = receiver.at("/new")
    assert len(landed) == 2
    assert all(r.headers.get("Authorization") == basic for r in landed)
    assert all("X-Twilio-Signature" in r.headers for r in landed)


@pytest.mark.parametrize("status", [301, 302, 303])
def test_redirect_to_get_drops_the_body_and_its_content_type(
    status: int, emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/form", Reply(status, headers={"Location": "/after"}))
    twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url("/form"))
    emu.settle()
    posted = receiver.at("/form")
    assert posted[0].method == "POST" and posted[0].headers["Content-Type"].startswith(
        "application/x-www-form-urlencoded"
    )
    landed = receiver.at("/after")
    assert len(landed) == 2
    for hit in landed:
        assert (hit.method, hit.body, hit.path) == ("GET", b"", "/after")
        assert "Content-Type" not in hit.headers and "Content-Length" not in hit.headers


def test_hung_path_does_not_delay_other_paths_of_its_host(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/hang", Reply(hang=True))
    # more hung deliveries than one path may run at once, all on the receiver's host
    for _ in range(70):
        twilio.messages.create(to=TO, from_=FROM, body="x", status_callback=receiver.url("/hang"))
    receiver.wait_for(lambda rs: len([r for r in rs if r.path == "/hang"]) >= 64)
    fast = twilio.messages.create(to=TO, from_=FROM, body="y", status_callback=receiver.url("/ok"))
    # generous: before the fix /ok waited for a hung delivery to time out (15 s)
    receiver.wait_for(lambda rs: len([r for r in rs if r.path == "/ok"]) >= 2, timeout=30)
    assert [r.form["MessageSid"] for r in receiver.at("/ok")] == [fast.sid, fast.sid]
    # ... and it came while every hung delivery was still waiting for its answer
    assert emu.delivery_log(kind="message-status", url_prefix=receiver.url("/hang")) == []
