"""How simulated time shows in a call's timestamps (see ``emulator.scheduler``): timestamps are
emulator clock readings, never after the moment they are read; durations count simulated
seconds. Fast timing compresses the timestamps; manual timing moves the clock with them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from calls_testkit import HANDSET, MAGIC_FROM
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.models import parse_rfc2822

LONG_CALL = "<Say>Please hold</Say><Pause length='20'/><Say>Bye</Say>"


def _client(emu: Emulator) -> Client:
    client = Client(emu.account_sid, emu.auth_token)
    client.api.base_url = emu.base_url
    return client


def test_fast_timing_never_dates_a_call_in_the_future(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/voice", twiml(LONG_CALL))
    call = twilio.calls.create(
        to=HANDSET, from_=MAGIC_FROM, url=receiver.url("/voice"), record=True,
        status_callback=receiver.url("/status"),
    )  # fmt: skip
    emu.settle()
    fetched = twilio.calls(call.sid).fetch()
    (recording,) = twilio.recordings.list(call_sid=call.sid)
    now = datetime.now(timezone.utc)
    assert int(fetched.duration or 0) >= 20  # simulated seconds
    created, start, end, updated = (
        fetched.date_created, fetched.start_time, fetched.end_time, fetched.date_updated,
    )  # fmt: skip
    assert start is not None and end is not None
    assert created <= start <= end <= updated <= now
    assert recording.start_time <= now and recording.date_created <= now
    assert int(recording.duration) == int(fetched.duration or 0)
    done = receiver.at("/status")[0]
    assert done.form["CallStatus"] == "completed"
    assert parse_rfc2822(done.form["Timestamp"]).timestamp() <= now.timestamp()


def test_fast_timing_never_dates_a_dial_leg_in_the_future(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    receiver.reply("/voice", twiml("<Dial>+14155550199</Dial>"))
    emu.set_rule("completed", to="+14155550199", kind="call", ring=30, talk=60)
    parent = twilio.calls.create(to=HANDSET, from_=OWNED, url=receiver.url("/voice"))
    emu.settle()
    (leg,) = twilio.calls.list(parent_call_sid=parent.sid)
    now = datetime.now(timezone.utc)
    assert leg.status == "completed" and int(leg.duration or 0) >= 60
    assert leg.start_time is not None and leg.end_time is not None
    assert leg.date_created <= leg.start_time <= leg.end_time <= now


def test_manual_timing_moves_the_clock_with_simulated_time(receiver: Receiver) -> None:
    receiver.reply("/voice", twiml(LONG_CALL))
    with Emulator(phone_numbers=(OWNED,), timing="manual") as emu:
        twilio = _client(emu)
        call = twilio.calls.create(to=HANDSET, from_=MAGIC_FROM, url=receiver.url("/voice"))
        emu.settle()
        fetched = twilio.calls(call.sid).fetch()
    assert fetched.start_time is not None and fetched.end_time is not None
    duration = int(fetched.duration or 0)
    assert duration >= 20
    # answered after ringing, so the dialed-to-ended span holds the whole answered time
    assert fetched.end_time - fetched.start_time >= timedelta(seconds=duration - 1)
