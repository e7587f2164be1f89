"""Every seed sample in samples/ runs against the emulator, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.content import approved_template
from support.samples import SAMPLES, SampleListener

from twilio_connector import StatusCallback, TwilioClient, VoiceCallInput
from twilio_connector.emulator import Emulator


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
