"""Ending calls through the REST API (``Status``), in every state, main calls and ``<Dial>``
legs: ``completed`` hangs up whatever the state, ``canceled`` only what was not answered.

Manual timing holds each call where the test wants it: ``advance`` moves it step by step.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from calls_testkit import EVENTS, HANDSET, MAGIC_FROM, statuses
from support.emulator import OWNED
from support.receiver import Receiver, Reply, twiml
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector.emulator import Emulator

DIALED = "+14155550166"


@pytest.fixture
def manual() -> Iterator[Emulator]:
    with Emulator(phone_numbers=(OWNED,), timing="manual") as e:
        yield e


def _client(emu: Emulator) -> Client:
    client = Client(emu.account_sid, emu.auth_token)
    client.api.base_url = emu.base_url
    return client


@pytest.mark.parametrize(
    ("seconds", "before"), [(0, "queued"), (0.5, "queued"), (1.5, "ringing")]
)  # 0.5: initiated (dialing), shown as queued
@pytest.mark.parametrize("status", ["completed", "canceled"])
def test_status_ends_a_queued_or_ringing_call_as_canceled(
    seconds: float, before: str, status: str, manual: Emulator, receiver: Receiver
) -> None:
    twilio = _client(manual)
    call = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, url=receiver.url("/voice"),
        status_callback=receiver.url("/status"), status_callback_event=EVENTS,
    )  # fmt: skip
    manual.advance(seconds)
    assert twilio.calls(call.sid).fetch().status == before
    ended = twilio.calls(call.sid).update(status=status)
    assert ended.status == "canceled"  # never answered: nothing to bill
    assert ended.duration is None and ended.price is None
    manual.settle()
    expected = [("initiated", "0"), ("ringing", "1")][: int(seconds + 0.5)]
    assert statuses(receiver, "/status") == [*expected, ("canceled", str(len(expected)))]
    assert receiver.at("/status")[-1].form["SipResponseCode"] == "487"
    assert receiver.at("/voice") == []


@pytest.mark.parametrize("status", ["completed", "canceled"])
def test_status_ends_a_ringing_inbound_call_as_canceled(
    status: str, manual: Emulator, receiver: Receiver
) -> None:
    twilio = _client(manual)
    number = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0]
    twilio.incoming_phone_numbers(number.sid).update(voice_url=receiver.url("/slow"))
    receiver.reply("/slow", Reply(hang=True))  # the app never answers the VoiceUrl request
    call = manual.simulate_incoming_call("+14155550188", OWNED)
    receiver.wait_for(lambda rs: any(r.path == "/slow" for r in rs))
    assert twilio.calls(call.sid).fetch().status == "ringing"
    ended = twilio.calls(call.sid).update(status=status)  # answers once the call has ended
    assert ended.status == "canceled" and ended.duration is None
    assert manual.call_transcript(call.sid)[-1]["reason"] == "api-hangup"


def _dial_until_the_leg(
    emu: Emulator, receiver: Receiver, *, leg_status: str, **rule: float
) -> tuple[Client, str, str]:
    """A call that dials DIALED (rule params ``rule``), advanced until the leg is
    ``leg_status``: (client, parent SID, leg SID)."""
    twilio = _client(emu)
    receiver.reply("/voice", twiml(f"<Dial timeout='600' action='/dialed'>{DIALED}</Dial>"))
    receiver.reply("/dialed", twiml("<Say>after the dial</Say>"))
    emu.set_rule("completed", to=DIALED, kind="call", **rule)
    parent = twilio.calls.create(to=HANDSET, from_=OWNED, url=receiver.url("/voice"))
    emu.advance(10)  # answered, TwiML fetched, the leg dialed (rings 600 s or talks 600 s)
    (leg,) = twilio.calls.list(parent_call_sid=parent.sid)
    assert leg.status == leg_status and twilio.calls(parent.sid).fetch().status == "in-progress"
    return twilio, parent.sid, leg.sid


@pytest.mark.parametrize("status", ["completed", "canceled"])
def test_status_on_a_ringing_dial_leg_cancels_it_and_the_dial_goes_on(
    status: str, manual: Emulator, receiver: Receiver
) -> None:
    twilio, parent, leg = _dial_until_the_leg(manual, receiver, leg_status="ringing", ring=600)
    assert twilio.calls(leg).update(status=status).status == "canceled"
    manual.settle()
    dialed = receiver.at("/dialed")[0].form
    assert (dialed["DialCallStatus"], dialed["DialCallSid"]) == ("canceled", leg)
    assert dialed["DialBridged"] == "false"
    assert twilio.calls(parent).fetch().status == "completed"
    said = [e["text"] for e in manual.call_transcript(parent) if e["kind"] == "say"]
    assert said == ["after the dial"]


def test_completed_on_a_bridged_dial_leg_hangs_it_up(manual: Emulator, receiver: Receiver) -> None:
    twilio, parent, leg = _dial_until_the_leg(
        manual, receiver, leg_status="in-progress", ring=1, talk=600
    )
    with pytest.raises(TwilioRestException) as info:
        twilio.calls(leg).update(status="canceled")  # answered: only completed ends it
    assert (info.value.status, info.value.code) == (400, 21220)
    ended = twilio.calls(leg).update(status="completed")
    assert ended.status == "completed" and int(ended.duration or 0) < 600
    manual.settle()
    dialed = receiver.at("/dialed")[0].form
    assert (dialed["DialCallStatus"], dialed["DialBridged"]) == ("completed", "true")
    assert int(dialed["DialCallDuration"]) < 600
    assert twilio.calls(parent).fetch().status == "completed"
    with pytest.raises(TwilioRestException) as info:
        twilio.calls(leg).update(status="completed")  # over: not in progress any more
    assert info.value.code == 21220
