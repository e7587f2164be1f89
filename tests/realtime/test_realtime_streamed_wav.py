"""Streamed WAVs (sizes unknown when the header was written): ``espeak-ng --stdout``'s own
output, and hand-built headers with the sizes 0, 0x7FFFF000 and 0xFFFFFFFF; the bytes present
are the audio, still bounded by ``max_seconds``."""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import sys
from array import array

import pytest

from twilio_connector.realtime import audio
from twilio_connector.realtime.audio import AudioFormatError

ESPEAK = shutil.which("espeak-ng")


def pcm16(samples: list[int]) -> bytes:
    data = array("h", samples)
    if sys.byteorder == "big":  # pragma: no cover
        data.byteswap()
    return data.tobytes()


def streamed_wav(pcm: bytes, *, size: int, rate: int = 8000, channels: int = 1) -> bytes:
    """A WAV header whose RIFF and data sizes are ``size`` (a placeholder), then ``pcm``."""
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    riff = min(size + 36, 0xFFFFFFFF) if size else 0
    return (
        b"RIFF" + struct.pack("<I", riff) + b"WAVE"
        + b"fmt " + struct.pack("<I", len(fmt)) + fmt
        + b"data" + struct.pack("<I", size) + pcm
    )  # fmt: skip


def tone(freq: float, rate: int, seconds: float) -> list[int]:
    return [
        round(8000 * math.sin(2 * math.pi * freq * n / rate)) for n in range(int(rate * seconds))
    ]


@pytest.mark.parametrize("size", [0, 0x7FFFF000, 0xFFFFFFFF])
def test_a_streamed_header_reads_the_bytes_present(size: int) -> None:
    pcm = pcm16(tone(440, 16000, 0.5))
    out = audio.read_wav(io.BytesIO(streamed_wav(pcm, size=size, rate=16000)))
    assert len(out) == 2 * 4000  # half a second at 8 kHz
    # stereo, and a trailing odd byte (a cut-off last frame) dropped
    stereo = pcm16([100, -100] * 800) + b"\x01"
    out = audio.read_wav(io.BytesIO(streamed_wav(stereo, size=size, channels=2)))
    assert out == pcm16([0] * 800)


def test_a_streamed_wav_is_still_bounded() -> None:
    data = streamed_wav(pcm16([0] * 16000), size=0xFFFFFFFF)
    assert len(audio.read_wav(io.BytesIO(data), max_seconds=2)) == 32000
    with pytest.raises(AudioFormatError, match=r"lasts more than the 1\.5 s allowed"):
        audio.read_wav(io.BytesIO(data), max_seconds=1.5)


def test_a_declared_size_is_still_checked_before_reading() -> None:
    # a real size (not a placeholder) over the limit is refused from the header alone
    head = streamed_wav(b"", size=8000 * 2 * 3)
    with pytest.raises(AudioFormatError, match=r"lasts 3\.0 s, more than the 2 s allowed"):
        audio.read_wav(io.BytesIO(head), max_seconds=2)


def test_chunks_before_the_data_are_skipped_and_broken_headers_named() -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    info = b"LIST" + struct.pack("<I", 5) + b"INFOx\x00"  # odd size: one pad byte
    body = pcm16([1000] * 80)
    data = b"RIFF\x00\x00\x00\x00WAVE" + b"fmt \x10\x00\x00\x00" + fmt + info
    data += b"data" + struct.pack("<I", len(body)) + body
    assert audio.read_wav(io.BytesIO(data)) == body
    with pytest.raises(AudioFormatError, match="no data chunk"):
        audio.read_wav(io.BytesIO(b"RIFF\x00\x00\x00\x00WAVE" + b"fmt \x10\x00\x00\x00" + fmt))
    with pytest.raises(AudioFormatError, match="before the fmt chunk"):
        audio.read_wav(io.BytesIO(b"RIFF\x00\x00\x00\x00WAVEdata\x00\x00\x00\x00"))
    float32 = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
    with pytest.raises(AudioFormatError, match="format 3 is not integer PCM"):
        audio.read_wav(io.BytesIO(b"RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + float32))


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (make speech)")
def test_espeak_ng_stdout_is_read_whole() -> None:
    assert ESPEAK is not None
    wav = subprocess.run(
        [ESPEAK, "--stdout", "-v", "en-us", "hello world"], capture_output=True, check=True,
        timeout=30,
    ).stdout  # fmt: skip
    declared = int.from_bytes(wav[40:44], "little")
    assert wav[36:40] == b"data" and declared >= 0x7FFF0000  # a streamed header
    present = (len(wav) - 44) // 2  # 22.05 kHz mono samples
    mulaw = audio.wav_to_mulaw(io.BytesIO(wav))
    assert len(mulaw) == present * 8000 // 22050
    assert len(mulaw) > 4000  # more than half a second of speech
    assert max(abs(v) for v in array("h", audio.ulaw_decode(mulaw))) > 1000  # not silence
