"""Every sample in samples/ runs against the emulator, as a user would run it (the voice agents
called through it end to end)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.content import approved_template
from support.samples import SAMPLES, SampleListener

from twilio_connector import StatusCallback, TwilioClient, VoiceCallInput
from twilio_connector.emulator import Emulator
from twilio_connector.realtime import audio


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(port=0) as emulator:
        yield emulator


@pytest.fixture
def env(emu: Emulator) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    return {
        **keep,
        "TWILIO_ACCOUNT_SID": emu.account_sid,
        "TWILIO_AUTH_TOKEN": emu.auth_token,
        "TWILIO_BASE_URL": emu.base_url,
        "SAMPLE_CONTENT_SID": approved_template(emu),  # send_whatsapp_message.py sends it
    }


@pytest.fixture
def client(emu: Emulator) -> Iterator[TwilioClient]:
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as c:
        yield c


def run_sample(name: str, env: dict[str, str], cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(SAMPLES / name), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("client/get_account_details.py", "Account AC"),
        ("client/send_sms.py", ": queued"),
        ("client/send_whatsapp_message.py", "to whatsapp:+14155550100: queued"),
        ("client/make_voice_call.py", ": queued"),
    ],
)
def test_client_sample(sample: str, expected: str, env: dict[str, str], tmp_path: Path) -> None:
    out = run_sample(sample, env, tmp_path)
    assert expected in out


def test_get_message_sample(env: dict[str, str], tmp_path: Path, client: TwilioClient) -> None:
    sent = client.send_sms("+15005550006", "+14155550177", "sample get_message")
    out = run_sample("client/get_message.py", env, tmp_path, sent.sid)
    assert f"Message {sent.sid}" in out and "sample get_message" in out


def _sms(client: TwilioClient, url: str) -> str:
    return client.send_sms("+15005550006", "+14155550101", "sample", status_callback=url).sid


def _sms_via_service(client: TwilioClient, url: str) -> str:
    service = client.messaging_services.create("samples")
    number = client.incoming_phone_numbers.list()[0]
    client.messaging_services.phone_numbers(service.sid).add(number.sid)
    message = client.messages.create(
        to="+14155550102",
        messaging_service_sid=service.sid,
        body="sample via a Messaging Service",
        status_callback=url,
    )
    return message.sid


def _call(client: TwilioClient, url: str) -> str:
    voice = VoiceCallInput.text("Hello from a sample")
    call = client.make_voice_call(
        "+15005550006", "+14155550103", voice, StatusCallback.all_events(url)
    )
    return call.sid


@pytest.mark.parametrize(
    ("sample", "trigger", "expected"),
    [
        ("listener/queued_sms_event.py", _sms_via_service, "queued to +14155550102"),
        ("listener/sent_sms_event.py", _sms, "sent to +14155550101"),
        ("listener/delivered_sms_event.py", _sms, "delivered to +14155550101"),
        ("listener/voice_call_ringing_event.py", _call, "is ringing"),
        ("listener/voice_call_in_progress_event.py", _call, "answered (in-progress)"),
        ("listener/voice_call_completed_event.py", _call, "completed after"),
    ],
)
def test_listener_sample(
    sample: str,
    trigger: Callable[[TwilioClient, str], str],
    expected: str,
    env: dict[str, str],
    tmp_path: Path,
    client: TwilioClient,
) -> None:
    listener = SampleListener(sample, env, tmp_path)
    try:
        sid = trigger(client, listener.url)
        line = listener.wait_for(expected)
        assert sid in line
    finally:
        listener.stop()


# -- the voice agent samples (samples/voice_agents/): each as its own process serving webhooks
# and its WebSocket on one port; the assertions read the call's transcript (both sides, in
# order), the agent's recorded audio and what the sample printed from its signed callbacks.
AGENT_CALLER_ID = "+15005550006"


@pytest.fixture
def echo_agent(env: dict[str, str], tmp_path: Path) -> Iterator[SampleListener]:
    sample = SampleListener("voice_agents/echo_agent.py", env, tmp_path)
    yield sample
    sample.stop()


@pytest.fixture
def relay_agent(env: dict[str, str], tmp_path: Path) -> Iterator[SampleListener]:
    sample = SampleListener("voice_agents/relay_agent.py", env, tmp_path)
    yield sample
    sample.stop()


def _kinds(entries: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in entries]


def test_echo_agent_plays_back_the_caller(emu: Emulator, echo_agent: SampleListener) -> None:
    to = "+14155550141"
    emu.set_rule(
        "completed", to=to, kind="call",
        script=[{"say": "testing one two three"}, {"press": "#"}],
    )  # fmt: skip
    twilio = emu.sdk_client()
    base = f"http://127.0.0.1:{echo_agent.port}"
    call = twilio.calls.create(to=to, from_=AGENT_CALLER_ID, url=base + "/voice")
    echo_agent.wait_for(f"echoing call {call.sid} {{'caller': '{AGENT_CALLER_ID}'}}")
    emu.settle(30)
    echo_agent.wait_for("stopped")  # the stream status callbacks reached the listener
    assert twilio.calls(call.sid).fetch().status == "completed"

    entries = emu.call_transcript(call.sid)
    kinds = _kinds(entries)
    order = ["stream-start", "caller-say", "agent-audio", "caller-press", "mark", "stream-stop"]
    assert [k for k in kinds if k in order][:1] == ["stream-start"]
    positions = [kinds.index(k) for k in order]
    assert positions == sorted(positions), kinds
    stop = next(e for e in entries if e["kind"] == "stream-stop")
    assert stop["reason"] == "app-closed"
    said = next(e for e in entries if e["kind"] == "caller-say")
    echoed = sum(e["duration"] for e in entries if e["kind"] == "agent-audio")
    assert 0.5 * said["duration"] <= echoed <= said["duration"] + 0.2  # with the '#' tone
    mark = next(e for e in entries if e["kind"] == "mark")
    assert mark["name"] == "key-#" and mark["cleared"] is False
    goodbye = next(e for e in entries if e["kind"] == "say")
    assert goodbye["text"] == "The echo has stopped. Goodbye."
    assert kinds.index("stream-stop") < kinds.index("say")

    # the agent's side of the call, as the caller heard it: a recording of the echo
    rec = next(e for e in entries if e["kind"] == "agent-recording")
    wav = httpx.get(rec["recording_url"] + ".wav", timeout=10).content
    heard = audio.ulaw_encode(audio.read_wav(io.BytesIO(wav)))
    frames = audio.split_frames(heard)
    spoken = [f for f in frames if f != audio.SILENCE_FRAME]
    assert len(spoken) * audio.FRAME_MS / 1000 == pytest.approx(echoed, abs=0.02)


def test_relay_agent_answers_and_hands_off(emu: Emulator, relay_agent: SampleListener) -> None:
    to = "+14155550142"
    emu.set_rule(
        "completed", to=to, kind="call",
        script=[
            {"say": "what are your opening hours"},
            {"say": "where is my order"},
            {"say": "I would like a person please"},
        ],
    )  # fmt: skip
    base = f"http://127.0.0.1:{relay_agent.port}"
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        call = client.make_voice_call(
            AGENT_CALLER_ID, to, VoiceCallInput.twiml_url(base + "/voice")
        )
        relay_agent.wait_for("relay ended {'reason': 'person'")
        emu.settle(30)
        assert client.calls.fetch(call.sid).status == "completed"

    entries = emu.call_transcript(call.sid)
    talk = [
        (e["kind"], e["text"]) for e in entries if e["kind"] in ("caller-say", "agent-say", "say")
    ]
    assert talk == [
        ("agent-say", "Hello! Ask me about opening hours or your order, or say person."),
        ("caller-say", "what are your opening hours"),
        ("agent-say", "We are open from nine to five, Monday to Friday."),
        ("caller-say", "where is my order"),
        ("agent-say", "Your order has shipped and arrives tomorrow."),
        ("caller-say", "I would like a person please"),
        ("agent-say", "One moment."),
        ("say", "Connecting you to a person."),
        ("say", "Goodbye."),
    ]
    ended = next(e for e in entries if e["kind"] == "relay-end")
    assert (ended["status"], ended["reason"]) == ("ended", "app-end")
    handoff = json.loads(ended["handoff_data"])
    assert handoff == {"reason": "person", "said": "I would like a person please"}
    kinds = _kinds(entries)
    assert kinds.index("relay-start") < kinds.index("caller-say")
    assert kinds.index("relay-end") < kinds.index("say")
