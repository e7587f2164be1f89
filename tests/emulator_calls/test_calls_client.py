"""Our TwilioClient / AsyncTwilioClient against the emulator's Calls API."""

from __future__ import annotations

from calls_testkit import EVENTS, HANDSET, MAGIC_FROM, assert_all_signed, statuses
from support.emulator import OWNED
from support.receiver import Receiver, twiml

from twilio_connector import AsyncTwilioClient, StatusCallback, TwilioClient, VoiceCallInput
from twilio_connector.emulator import Emulator
from twilio_connector.twiml import VoiceResponse


def _client(emu: Emulator) -> TwilioClient:
    return TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    )


def test_make_voice_call_text_and_gather_twiml(emu: Emulator, receiver: Receiver) -> None:
    receiver.reply("/gathered", twiml("<Say>Got it</Say>"))
    response = VoiceResponse()
    gather = response.gather(num_digits=4, action=receiver.url("/gathered"))
    gather.say("Enter your PIN")
    emu.set_rule("completed", to="+14155550123", kind="call", digits="1234")
    with _client(emu) as client:
        spoken = client.make_voice_call(
            MAGIC_FROM, HANDSET, VoiceCallInput.text("Hello <you> & me"),
            StatusCallback.all_events(receiver.url("/status")),
        )  # fmt: skip
        gathering = client.make_voice_call(
            OWNED, "+14155550123", VoiceCallInput.twiml(response), receiver.url("/status2")
        )
        assert spoken.status == "queued" and gathering.status == "queued"
        emu.settle()
        assert statuses(receiver, "/status") == [
            ("initiated", "0"), ("ringing", "1"), ("in-progress", "2"), ("completed", "3"),
        ]  # fmt: skip
        said = [e["text"] for e in emu.call_transcript(spoken.sid) if e["kind"] == "say"]
        assert said == ["Hello <you> & me"]
        assert receiver.at("/gathered")[0].form["Digits"] == "1234"
        assert statuses(receiver, "/status2") == [("completed", "0")]
        fetched = client.calls.fetch(gathering.sid)
        assert fetched.status == "completed" and fetched.duration is not None
        listed = client.calls.list(to="+14155550123")
        assert [c.sid for c in listed] == [gathering.sid]
    assert_all_signed(emu.auth_token, receiver)


def test_url_input_recordings_and_hangup(emu: Emulator, receiver: Receiver) -> None:
    receiver.reply("/voice", twiml("<Record maxLength='4' action='/done'/>"))
    receiver.reply("/done", twiml("<Hangup/>"))
    with _client(emu) as client:
        call = client.make_voice_call(
            MAGIC_FROM, HANDSET, VoiceCallInput.twiml_url(receiver.url("/voice"))
        )
        emu.settle()
        recordings = client.calls.list_recordings(call.sid)
        assert len(recordings) == 1 and recordings[0].source == "RecordVerb"
        assert client.calls.fetch_recording(recordings[0].sid).call_sid == call.sid
        client.calls.delete_recording(recordings[0].sid)
        assert client.calls.list_recordings(call.sid) == []
        emu.set_rule("completed", to="+14155550124", kind="call", interactive=True)
        receiver.reply("/wait", twiml("<Gather><Say>Say something</Say></Gather>"))
        live = client.calls.create(to="+14155550124", from_=OWNED, url=receiver.url("/wait"))
        receiver.wait_for(lambda rs: any(r.path == "/wait" for r in rs))
        assert client.calls.hangup(live.sid).status == "completed"
        client.calls.delete(live.sid)


async def test_async_client(emu: Emulator, receiver: Receiver) -> None:
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        call = await client.make_voice_call(
            MAGIC_FROM, HANDSET, VoiceCallInput.text("async hello"),
            StatusCallback(receiver.url("/status"), events=EVENTS),
        )  # fmt: skip
        assert call.status == "queued"
        receiver.wait_for(lambda rs: any(r.form.get("CallStatus") == "completed" for r in rs))
        fetched = await client.calls.fetch(call.sid)
        assert fetched.status == "completed"
        listed = await client.calls.list(status="completed")
        assert call.sid in [c.sid for c in listed]
    assert [s for s, _ in statuses(receiver, "/status")] == [
        "initiated", "ringing", "in-progress", "completed",
    ]  # fmt: skip
