"""The voice agent samples (``samples/voice_agents/``) called end to end through the emulator,
each as its own process serving webhooks and its WebSocket on one port (``listener.run()``):
the echo agent on Media Streams through a call placed by the official SDK, the rule-based
agent on ConversationRelay through a call placed by our client. The assertions read the
call's transcript (both sides, in order), the agent's recorded audio and what the sample
printed from its signed status callbacks."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.samples import SampleListener

from twilio_connector import TwilioClient, VoiceCallInput
from twilio_connector.emulator import Emulator
from twilio_connector.realtime import audio

FROM = "+15005550006"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(port=0) as emulator:
        yield emulator


@pytest.fixture
def env(emu: Emulator) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    return {**keep, "TWILIO_AUTH_TOKEN": emu.auth_token}


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
    call = twilio.calls.create(to=to, from_=FROM, url=base + "/voice")
    echo_agent.wait_for(f"echoing call {call.sid} {{'caller': '{FROM}'}}")
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
    assert 0.5 * said["duration"] <= echoed <= said["duration"] + 0.1
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
        call = client.make_voice_call(FROM, to, VoiceCallInput.twiml_url(base + "/voice"))
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
