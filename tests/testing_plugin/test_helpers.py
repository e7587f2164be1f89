"""The helpers on their own (no pytester): TwilioEmulator's queries, assertions and waits,
ListenerHarness, serve_wsgi and the status paths."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from twilio_connector import TwilioApiError, TwilioClient
from twilio_connector.listener import TwilioEvent
from twilio_connector.testing import ListenerHarness, TwilioEmulator, serve_wsgi
from twilio_connector.testing.statuses import is_final, reached

TO = "+15558675310"
TO_OWNED = "+15017122661"  # the emulator's default number
GATHER = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather input="dtmf" numDigits="1" action="/gathered"><Say>Press 1</Say></Gather>'
    "</Response>"
)
GOODBYE = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Bye</Say></Response>'


@pytest.fixture(scope="module")
def session_emulator() -> Iterator[TwilioEmulator]:
    with TwilioEmulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(session_emulator: TwilioEmulator) -> TwilioEmulator:
    session_emulator.reset("fast")
    return session_emulator


@pytest.fixture
def client(emulator: TwilioEmulator) -> Iterator[TwilioClient]:
    with emulator.client() as c:
        yield c


@pytest.fixture
def harness(emulator: TwilioEmulator, tmp_path: Path) -> Iterator[ListenerHarness]:
    with ListenerHarness(emulator.auth_token, tmp_path / "inbox.sqlite3") as h:
        yield h


@pytest.mark.parametrize(
    ("kind", "current", "wanted", "expected"),
    [
        ("message", "delivered", ["sent"], True),  # passed through sent
        ("message", "sent", ["delivered"], False),
        ("message", "undelivered", ["sent"], False),  # not on the successful path
        ("message", "read", ["delivered", "undelivered"], True),
        ("message", None, ["queued"], False),
        ("call", "completed", ["ringing"], True),
        ("call", "busy", ["ringing"], False),
        ("call", "in-progress", ["in-progress"], True),
    ],
)
def test_reached(kind: str, current: str | None, wanted: list[str], expected: bool) -> None:
    assert reached(kind, current, wanted) is expected


def test_final_statuses() -> None:
    assert is_final("message", "undelivered") and not is_final("message", "delivered")
    assert is_final("call", "no-answer") and not is_final("call", "ringing")


def test_messages_filters_oldest_first(emulator: TwilioEmulator, client: TwilioClient) -> None:
    for body in ("one", "two", "three"):
        client.send_sms(emulator.phone_number, TO, body)
    client.send_sms(emulator.phone_number, "+15558675399", "other")
    emulator.simulate_inbound_message(TO, emulator.phone_number, "incoming")
    assert [m.body for m in emulator.messages(to=TO)] == ["one", "two", "three"]
    assert [m.body for m in emulator.messages(body_contains="o", direction="outbound")] == [
        "one", "two", "other"
    ]  # fmt: skip
    assert [m.body for m in emulator.messages(direction="inbound")] == ["incoming"]
    assert emulator.messages(body="two")[0].to == TO


def test_assertions_count_and_list(emulator: TwilioEmulator, client: TwilioClient) -> None:
    client.send_sms(emulator.phone_number, TO, "same")
    client.send_sms(emulator.phone_number, TO, "same")
    with pytest.raises(AssertionError, match=r"2 outbound messages match .*exactly one") as e:
        emulator.assert_message_sent(to=TO, body="same")
    assert str(e.value).count("body='same'") >= 2
    with pytest.raises(AssertionError, match=r"expected no outbound message .* found 2"):
        emulator.assert_no_message_sent(to=TO)
    emulator.assert_no_message_sent(to="+15558675399")
    long_body = "x" * 200
    client.send_sms(emulator.phone_number, TO, long_body)
    with pytest.raises(AssertionError) as e:
        emulator.assert_message_sent(body="nothing like it")
    assert "'" + "x" * 57 + "...'" in str(e.value) and long_body not in str(e.value)


def test_wait_for_status_failures(emulator: TwilioEmulator, client: TwilioClient) -> None:
    with pytest.raises(ValueError, match="neither a message SID"):
        emulator.wait_for_status("PN" + "0" * 32, "delivered")
    with pytest.raises(AssertionError, match=r"no message SM0+ in the emulator"):
        emulator.wait_for_status("SM" + "0" * 32, "delivered")
    emulator.reset("realistic")  # a message takes seconds: 50 ms cannot see it delivered
    message = client.send_sms(emulator.phone_number, TO, "slow")
    with pytest.raises(AssertionError, match=r"did not reach 'delivered' within 0.05 s"):
        emulator.wait_for_status(message, "delivered", timeout=0.05)
    emulator.reset("fast")
    message = client.send_sms(emulator.phone_number, TO, "fast")
    got = emulator.wait_for_status(message.sid, ["undelivered", "delivered"])
    assert got.status == "delivered" and got.sid == message.sid


def test_deliveries_filters(
    emulator: TwilioEmulator, client: TwilioClient, harness: ListenerHarness
) -> None:
    message = client.send_sms(
        emulator.phone_number, TO, "hi", status_callback=harness.url_for("/status?tag=a")
    )
    emulator.wait_for_status(message, "delivered")
    emulator.settle()
    all_hooks = emulator.deliveries(resource_sid=message.sid)
    assert [d.param("MessageStatus") for d in all_hooks] == ["sent", "delivered"]
    assert len(emulator.deliveries(url=harness.url_for("/status?tag=a"))) == 2
    assert emulator.deliveries(url=harness.url_for("/status")) == []
    assert len(emulator.deliveries(path="/status", kind="message-status", status=200)) == 2
    assert emulator.deliveries(status=500) == []
    hit = emulator.assert_webhook_delivered(path="/status", params={"MessageStatus": "delivered"})
    assert hit.status == 200 and hit.resource_sid == message.sid
    listed = r"status=404.* among these 2:\n.*/status\?tag=a -> 200"
    with pytest.raises(AssertionError, match=listed):
        emulator.assert_webhook_delivered(path="/status", status=404)


def test_calls_wait_and_assert(
    emulator: TwilioEmulator, client: TwilioClient, harness: ListenerHarness
) -> None:
    call = client.calls.create(to=TO, from_=emulator.phone_number, twiml=GOODBYE)
    done = emulator.wait_for_status(call, "completed")
    assert done.status == "completed"
    assert emulator.assert_call_made(to=TO).sid == call.sid
    with pytest.raises(AssertionError, match=r"no outbound call matching to='\+15550000000'"):
        emulator.assert_call_made(to="+15550000000")
    emulator.set_rule("busy", to="+15558675311", kind="call")
    busy = client.calls.create(to="+15558675311", from_=emulator.phone_number, twiml=GOODBYE)
    with pytest.raises(AssertionError, match="ended 'busy', a final status; expected 'completed'"):
        emulator.wait_for_status(busy, "completed")
    assert [c.status for c in emulator.calls()] == ["completed", "busy"]


def test_wait_for_a_call_that_waits_for_the_caller(
    emulator: TwilioEmulator, harness: ListenerHarness
) -> None:
    @harness.on("call.incoming")
    def answer(event: TwilioEvent) -> str:
        return GATHER

    @harness.on("call.gather")
    def gathered(event: TwilioEvent) -> str:
        return GOODBYE

    emulator.configure_number(voice_url=harness.url_for("/voice"))
    call = emulator.simulate_incoming_call(TO, emulator.phone_number)
    with pytest.raises(AssertionError, match=r"stays 'in-progress'.*press_digits"):
        emulator.wait_for_status(call, "completed")
    emulator.press_digits(call.sid, "1")
    assert emulator.wait_for_status(call, "completed").status == "completed"
    assert [e.name for e in harness.events][:2] == ["call.incoming", "call.gather"]


def test_configure_number(emulator: TwilioEmulator, client: TwilioClient) -> None:
    emulator.configure_number(sms_url="http://127.0.0.1:9/sms", voice_method="GET")
    (owned,) = [n for n in client.incoming_phone_numbers.list() if n.phone_number == TO_OWNED]
    assert (owned.sms_url, owned.voice_method) == ("http://127.0.0.1:9/sms", "GET")
    with pytest.raises(TwilioApiError) as bad:
        emulator.configure_number(sms_url="ftp://127.0.0.1/sms")
    assert bad.value.code == 21502
    with pytest.raises(ValueError, match=r"does not own \+15550001111"):
        emulator.configure_number("+15550001111", sms_url="http://127.0.0.1:9/sms")


def _hello(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"hello {environ['PATH_INFO']}".encode()]


def test_serve_wsgi_serves_and_stops() -> None:
    with serve_wsgi(_hello) as url:
        assert httpx.get(f"{url}/there").text == "hello /there"
        port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
