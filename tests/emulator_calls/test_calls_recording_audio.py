"""Recordings with real audio, through real HTTP: created with 8 kHz μ-law (DTMF keys, so
what comes back can be heard again), served as a 16-bit PCM WAV at the media URL (and
``.wav``), the duration following the audio, the 10-minute bound, deleting (REST) and reset
removing the audio; recordings without audio still serve silence as long as they last."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import httpx
import pytest

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.core import EmulatorCore
from twilio_connector.emulator.recordings.records import RecordingRecord
from twilio_connector.emulator.recordings.state import MAX_AUDIO_SECONDS
from twilio_connector.realtime import audio, tones

CALL = "CA" + "ab" * 16


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as client:
        yield client


def create(
    emu: Emulator, *, duration: int | None = None, mulaw: bytes | None = None
) -> RecordingRecord:
    def make(core: EmulatorCore) -> RecordingRecord:
        return core.recordings.create(
            emu.account_sid, CALL, source="StartCallRecordingAPI", start_time=0.0,
            duration=duration, audio=mulaw,
        )  # fmt: skip

    return emu.call(make)


def read_wav(data: bytes) -> tuple[tuple[int, int, int], bytes]:
    with wave.open(io.BytesIO(data)) as wav:
        layout = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
        return layout, wav.readframes(wav.getnframes())


def test_a_recording_with_audio_serves_it_as_a_wav(emu: Emulator, http: httpx.Client) -> None:
    said = tones.dtmf_sequence("4711#", tone_ms=100, gap_ms=400) + audio.silence(300)
    assert 2.0 < len(said) / audio.SAMPLE_RATE < 3.0
    record = create(emu, mulaw=said)
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Recordings/{record.sid}"
    fetched = http.get(f"{base}.json").json()
    assert fetched["duration"] == "3"  # 2.8 s: a started second counts
    media = fetched["media_url"]
    with httpx.Client() as anonymous:  # media URLs need no auth, as Twilio's public ones
        for url in (media, media + ".wav"):
            resp = anonymous.get(url)
            assert resp.status_code == 200 and resp.headers["content-type"] == "audio/x-wav"
            layout, pcm = read_wav(resp.content)
            assert layout == (1, 2, 8000)  # mono 16-bit PCM at 8 kHz
            assert pcm == audio.ulaw_decode(said)
            assert tones.detect_dtmf(audio.ulaw_encode(pcm)) == "4711#"


def test_the_duration_follows_the_audio(emu: Emulator) -> None:
    assert create(emu, mulaw=audio.silence(2000)).duration == 2
    assert create(emu, mulaw=audio.silence(2000), duration=2).duration == 2
    assert create(emu, mulaw=audio.silence(2001)).duration == 3
    assert create(emu, mulaw=b"").duration == 0
    with pytest.raises(ValueError, match="lasts 2 s, not 5 s"):
        create(emu, mulaw=audio.silence(2000), duration=5)
    with pytest.raises(ValueError, match="needs its duration"):
        create(emu)


def test_audio_is_bounded_to_ten_minutes(emu: Emulator, http: httpx.Client) -> None:
    too_long = audio.silence((MAX_AUDIO_SECONDS + 5) * 1000)
    record = create(emu, mulaw=too_long)
    assert record.duration == MAX_AUDIO_SECONDS
    kept = emu.call(lambda core: core.recordings.repository.audio(record.sid))
    assert kept is not None and len(kept) == MAX_AUDIO_SECONDS * audio.SAMPLE_RATE
    resp = http.get(f"/2010-04-01/Accounts/{emu.account_sid}/Recordings/{record.sid}.wav")
    layout, pcm = read_wav(resp.content)
    assert layout == (1, 2, 8000) and len(pcm) == 2 * MAX_AUDIO_SECONDS * audio.SAMPLE_RATE


def test_deleting_the_recording_deletes_its_audio(emu: Emulator, http: httpx.Client) -> None:
    record = create(emu, mulaw=tones.dtmf_tone("5", 500))
    base = f"/2010-04-01/Accounts/{emu.account_sid}/Recordings/{record.sid}"
    assert http.get(base).status_code == 200
    assert http.delete(f"{base}.json").status_code == 204
    assert http.get(base).status_code == 404 and http.get(f"{base}.wav").status_code == 404
    assert emu.call(lambda core: core.recordings.repository.audio(record.sid)) is None
    again = create(emu, mulaw=tones.dtmf_tone("6", 500))
    emu.reset()
    assert emu.call(lambda core: core.recordings.repository.audio(again.sid)) is None


def test_without_audio_the_recording_is_silence_of_its_length(
    emu: Emulator, http: httpx.Client
) -> None:
    record = create(emu, duration=2)
    resp = http.get(f"/2010-04-01/Accounts/{emu.account_sid}/Recordings/{record.sid}")
    assert resp.headers["content-type"] == "audio/x-wav"
    layout, pcm = read_wav(resp.content)
    assert layout == (1, 1, 8000) and pcm == b"\x80" * 16000  # 8-bit silence, as before
