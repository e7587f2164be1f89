"""REST Streams (``Calls/{CallSid}/Streams``): one-way Media Streams started and stopped by
the API on a live call, through the official SDK and our clients, to real WebSocket agents.

The call under test sits in a ``<Connect><Stream>`` to a quiet agent (it stays live until
the test hangs it up), and the REST streams fork beside it, as a transcription service's
would beside a voice bot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from support.stream_agents import Agent, agent
from support.wait import wait_until
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from twilio_connector import AsyncTwilioClient, TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.errors import InvalidRequestError, NotFoundError

CALLER = "+14155550188"
MZ = re.compile(r"MZ[0-9a-f]{32}")


@contextmanager
def live_call(
    emu: Emulator, twilio: Client, receiver: Receiver, twiml_body: str = ""
) -> Iterator[str]:
    """An answered call held in a ``<Connect><Stream>`` (after ``twiml_body``); hung up after."""
    with agent(path="/bot") as bot:
        owned = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0]
        twilio.incoming_phone_numbers(owned.sid).update(voice_url=receiver.url("/voice"))
        receiver.reply("/voice", twiml(f'{twiml_body}<Connect><Stream url="{bot.url}"/></Connect>'))
        call = emu.simulate_incoming_call(CALLER, OWNED)
        _wait_started(bot)
        try:
            yield call.sid
        finally:
            if twilio.calls(call.sid).fetch().status == "in-progress":
                twilio.calls(call.sid).update(status="completed")
            emu.settle()


def _wait_started(app: Agent, n: int = 1) -> None:
    """Until the agent's ``n``-th connection has its ``start`` message."""
    assert wait_until(
        lambda: len(app.connections) >= n and "start" in app.connections[n - 1].events()
    )


def _settings(emu: Emulator) -> dict[str, str]:
    return {"account_sid": emu.account_sid, "auth_token": emu.auth_token, "base_url": emu.base_url}


def test_the_official_sdk_starts_and_stops_a_stream_by_name(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    with agent(path="/transcribe") as fork, live_call(emu, twilio, receiver) as call_sid:
        stream = twilio.calls(call_sid).streams.create(
            url=fork.url, name="transcription", track="both_tracks",
            status_callback=receiver.url("/stream-status"),
            parameter1_name="lang", parameter1_value="en-US",
            parameter2_name="customer", parameter2_value="42",
        )  # fmt: skip
        assert MZ.fullmatch(stream.sid) and stream.call_sid == call_sid
        assert (stream.name, stream.status, stream.account_sid) == (
            "transcription",
            "in-progress",
            emu.account_sid,
        )
        assert stream.uri == (
            f"/2010-04-01/Accounts/{emu.account_sid}/Calls/{call_sid}/Streams/{stream.sid}.json"
        )
        _wait_started(fork)  # sent before the answer; the agent's thread reads it meanwhile
        seen = fork.connections[0]
        start = seen.of("start")[0]
        assert start["streamSid"] == stream.sid and start["start"]["callSid"] == call_sid
        assert start["start"]["tracks"] == ["inbound", "outbound"]
        assert start["start"]["customParameters"] == {"lang": "en-US", "customer": "42"}
        stopped = twilio.calls(call_sid).streams("transcription").update(status="stopped")
        assert (stopped.sid, stopped.status) == (stream.sid, "stopped")
        assert seen.done.wait(5)
        assert seen.events()[-1] == "stop" and seen.of("media")  # frames flowed meanwhile
        again = twilio.calls(call_sid).streams(stream.sid).update(status="stopped")
        assert again.status == "stopped"  # stopping a stopped stream changes nothing
        events = receiver.wait_for(
            lambda rs: len([r for r in rs if r.path == "/stream-status"]) == 2
        )
        status = [r.form for r in events if r.path == "/stream-status"]
        assert [f["StreamEvent"] for f in status] == ["stream-started", "stream-stopped"]
        assert {f["StreamSid"] for f in status} == {stream.sid}
        assert {f["StreamName"] for f in status} == {"transcription"}
    kinds = [e["kind"] for e in emu.call_transcript(call_sid)]
    assert kinds.count("stream-start") == 2 and kinds.count("stream-stop") == 2


def test_our_client_stops_a_twiml_fork_by_sid_and_a_rest_stream_ends_with_the_call(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    with agent(path="/fork") as fork:
        start = f'<Start><Stream name="from-twiml" url="{fork.url}"/></Start>'
        with (
            TwilioClient(**_settings(emu)) as client,
            live_call(emu, twilio, receiver, start) as call_sid,
        ):
            _wait_started(fork)
            twiml_sid = fork.connections[0].of("start")[0]["streamSid"]
            rest = client.calls.start_stream(call_sid, fork.url, parameters=[("k", "v")])
            _wait_started(fork, 2)
            assert rest.name is None and rest.status == "in-progress"
            stopped = client.calls.stop_stream(call_sid, twiml_sid)
            assert (stopped.name, stopped.status) == ("from-twiml", "stopped")
            assert fork.connections[0].done.wait(5)
            twilio.calls(call_sid).update(status="completed")  # the REST stream ends with it
            assert fork.connections[1].done.wait(5)
        assert fork.connections[1].events()[-1] == "stop"
        assert fork.connections[1].of("start")[0]["start"]["customParameters"] == {"k": "v"}
        with TwilioClient(**_settings(emu)) as client, pytest.raises(InvalidRequestError) as ended:
            client.calls.start_stream(call_sid, fork.url)  # the call is over
        assert ended.value.code == 21220


async def test_the_async_client_and_what_is_refused(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    with agent(path="/fork") as fork, live_call(emu, twilio, receiver) as call_sid:
        async with AsyncTwilioClient(**_settings(emu)) as client:
            first = await client.calls.start_stream(call_sid, fork.url, name="a")
            with pytest.raises(InvalidRequestError) as taken:
                await client.calls.start_stream(call_sid, fork.url, name="a")
            assert taken.value.code == 20001 and "Name" in str(taken.value)
            for name in ("b", "c", "d"):
                await client.calls.start_stream(call_sid, fork.url, name=name)
            with pytest.raises(InvalidRequestError) as quota:
                await client.calls.start_stream(call_sid, fork.url, name="e")
            assert quota.value.code == 31960
            with pytest.raises(InvalidRequestError) as scheme:
                await client.calls.start_stream(call_sid, "https://example.com/x")
            assert scheme.value.code == 31922
            with pytest.raises(NotFoundError):
                await client.calls.stop_stream(call_sid, "no-such-stream")
            with pytest.raises(ValueError, match="at most 99"):
                await client.calls.start_stream(
                    call_sid, fork.url, parameters={f"p{i}": "x" for i in range(100)}
                )
            assert (await client.calls.stop_stream(call_sid, "a")).sid == first.sid
            again = await client.calls.start_stream(call_sid, fork.url, name="a")  # free again
            assert again.sid != first.sid and again.status == "in-progress"
            assert (await client.calls.stop_stream(call_sid, "a")).sid == again.sid


def test_wire_errors_without_a_client(emu: Emulator, twilio: Client, receiver: Receiver) -> None:
    with live_call(emu, twilio, receiver) as call_sid:
        base = f"{emu.base_url}/2010-04-01/Accounts/{emu.account_sid}/Calls/{call_sid}/Streams"
        auth = (emu.account_sid, emu.auth_token)
        with httpx.Client(auth=auth) as http:
            missing = http.post(f"{base}.json", data={"Name": "x"})
            assert missing.status_code == 400 and missing.json()["code"] == 20001
            assert "Url" in missing.json()["message"]
            bad_track = http.post(f"{base}.json", data={"Url": "wss://x.test/a", "Track": "left"})
            assert bad_track.status_code == 400 and bad_track.json()["code"] == 20001
            leaky = http.post(f"{base}.json", data={"Url": "wss://bot:s3cret@x.test:99999/a"})
            assert leaky.status_code == 400 and leaky.json()["code"] == 31923
            assert "s3cret" not in leaky.text and "bot:***@" in leaky.text
            assert http.get(f"{base}.json").status_code == 405  # created, never listed
            no_status = http.post(f"{base}/x.json", data={})
            assert no_status.status_code == 400
            other = http.post(f"{base}/x.json", data={"Status": "in-progress"})
            assert other.status_code == 400
        unknown = "CA" + "0" * 32
        with pytest.raises(TwilioRestException) as gone:
            twilio.calls(unknown).streams.create(url="wss://x.test/a")
        assert gone.value.status == 404
