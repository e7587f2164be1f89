"""Call audio: G.711 μ-law against ITU-T's reference values, the codec over its whole domain,
20 ms framing and its timing, base64 payloads, WAV reading/writing and resampling to 8 kHz
mono (lengths, and a tone's frequency counted by zero crossings)."""

from __future__ import annotations

import io
import itertools
import math
import sys
import wave
from array import array
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twilio_connector.errors import TwilioError
from twilio_connector.realtime import audio
from twilio_connector.realtime.audio import AudioFormatError

ALL_SAMPLES = range(-32768, 32768)


def pcm(samples: list[int] | range | array[int]) -> bytes:
    data = array("h", samples)
    if sys.byteorder == "big":  # pragma: no cover
        data.byteswap()
    return data.tobytes()


def samples_of(data: bytes) -> array[int]:
    out = array("h", data)
    if sys.byteorder == "big":  # pragma: no cover
        out.byteswap()
    return out


# --------------------------------------------------------------------------- G.711 values


@pytest.mark.parametrize(
    ("sample", "code"),
    [
        # G.711 works on 14-bit magnitudes m (16-bit x: m = x >> 2, negatives through their
        # one's complement ~x); its segments end at m = 31, 95, 223, ..., 4063 and it clips
        # at 8159. Codes are inverted: 0xFF is +0, 0x7F is -0, 0x80/0x00 the loudest.
        (0, 0xFF),
        (3, 0xFF),  # m = 0: the first interval is one value wide
        (4, 0xFE),  # m = 1..2: then two values per step
        (11, 0xFE),
        (12, 0xFD),
        (123, 0xF0),  # m = 30: the end of the first segment
        (124, 0xEF),  # m = 31: the second segment (four values per step)
        (376, 0xE0),  # m = 94
        (380, 0xDF),  # m = 95: the third segment
        (16248, 0x90),  # m = 4062
        (16252, 0x8F),  # m = 4063: the last segment (256 values per step)
        (31608, 0x81),  # m = 7902
        (31612, 0x80),  # m = 7903: the loudest code
        (32767, 0x80),  # clipped
        (-1, 0x7F),  # ~x = 0: "negative zero"
        (-4, 0x7F),
        (-5, 0x7E),
        (-124, 0x70),
        (-125, 0x6F),
        (-31612, 0x01),
        (-31613, 0x00),
        (-32768, 0x00),
    ],
)
def test_encoding_matches_the_g711_reference(sample: int, code: int) -> None:
    assert audio.ulaw_encode_sample(sample) == code
    assert audio.ulaw_encode(pcm([sample])) == bytes([code])


@pytest.mark.parametrize(
    ("code", "sample"),
    [
        (0xFF, 0),
        (0x7F, 0),
        (0xFE, 8),
        (0x7E, -8),
        (0xF0, 120),
        (0xEF, 132),
        (0xE0, 372),
        (0xDF, 396),
        (0x90, 15996),  # the middle of m = 3935..4062 (x4)
        (0x8F, 16764),  # the middle of m = 4063..4318 (x4)
        (0x80, 32124),
        (0x00, -32124),
    ],
)
def test_decoding_matches_the_g711_reference(code: int, sample: int) -> None:
    assert audio.ulaw_decode_sample(code) == sample
    assert samples_of(audio.ulaw_decode(bytes([code]))).tolist() == [sample]


def test_the_codec_is_symmetric_in_the_ones_complement() -> None:
    for sample in range(0, 32768):
        assert audio.ulaw_encode_sample(-sample - 1) == audio.ulaw_encode_sample(sample) ^ 0x80
    for code in range(256):
        assert audio.ulaw_decode_sample(code ^ 0x80) == -audio.ulaw_decode_sample(code)


def test_the_tables_agree_with_the_arithmetic_over_every_value() -> None:
    everything = pcm(ALL_SAMPLES)
    encoded = audio.ulaw_encode(everything)
    assert encoded == bytes(audio.ulaw_encode_sample(s) for s in ALL_SAMPLES)
    codes = bytes(range(256))
    assert samples_of(audio.ulaw_decode(codes)).tolist() == [
        audio.ulaw_decode_sample(c) for c in codes
    ]


def test_a_full_table_round_trip_stays_within_the_quantisation_error() -> None:
    decoded = samples_of(audio.ulaw_decode(audio.ulaw_encode(pcm(ALL_SAMPLES))))
    previous = -32768
    for sample, back in zip(ALL_SAMPLES, decoded, strict=True):
        code = audio.ulaw_encode_sample(sample)
        exponent = (~code >> 4) & 0x07
        half_step = 2 << (exponent + 1)  # half the interval, in 16-bit units
        if abs(sample) <= 32124:
            # the interval's middle, give or take the 2 bits G.711 drops (14-bit input)
            assert abs(back - sample) <= half_step + 4, (sample, back)
        else:
            assert back == (32124 if sample > 0 else -32124)  # clipped to the loudest level
        assert back >= previous  # monotonic: louder never decodes quieter
        previous = back
    # every code but negative zero is a fixed point of decode-then-encode
    for code in range(256):
        expected = 0xFF if code == 0x7F else code
        assert audio.ulaw_encode_sample(audio.ulaw_decode_sample(code)) == expected


def test_the_decoder_agrees_with_audioop_where_python_still_has_it() -> None:
    audioop = pytest.importorskip("audioop") if sys.version_info < (3, 13) else None
    if audioop is None:
        pytest.skip("audioop is gone from Python 3.13")
    codes = bytes(range(256))
    assert audio.ulaw_decode(codes) == audioop.ulaw2lin(codes, 2)
    positives = pcm(range(0, 32768))  # the encoders differ on some negatives only
    assert audio.ulaw_encode(positives) == audioop.lin2ulaw(positives, 2)


@pytest.mark.parametrize("bad", [32768, -32769])
def test_out_of_range_values_are_refused(bad: int) -> None:
    with pytest.raises(AudioFormatError, match="between -32768 and 32767"):
        audio.ulaw_encode_sample(bad)
    with pytest.raises(AudioFormatError, match="a byte"):
        audio.ulaw_decode_sample(bad)


def test_odd_pcm_is_refused_and_empty_audio_is_empty() -> None:
    with pytest.raises(AudioFormatError, match="even number of bytes, not 3") as caught:
        audio.ulaw_encode(b"\x00\x01\x02")
    assert isinstance(caught.value, TwilioError) and isinstance(caught.value, ValueError)
    assert audio.ulaw_encode(b"") == b"" and audio.ulaw_decode(b"") == b""
    assert audio.ulaw_encode(bytearray(pcm([0]))) == b"\xff"
    assert audio.ulaw_encode(memoryview(pcm([0, 1000]))) == audio.ulaw_encode(pcm([0, 1000]))


@given(st.lists(st.integers(-32768, 32767), max_size=400))
def test_any_pcm_encodes_sample_by_sample(samples: list[int]) -> None:
    encoded = audio.ulaw_encode(pcm(samples))
    assert encoded == bytes(audio.ulaw_encode_sample(s) for s in samples)
    assert len(audio.ulaw_decode(encoded)) == 2 * len(samples)


# --------------------------------------------------------------------------- frames and timing


def test_frame_constants() -> None:
    assert (audio.SAMPLE_RATE, audio.FRAME_MS, audio.BYTES_PER_FRAME) == (8000, 20, 160)
    assert audio.SILENCE_FRAME == b"\xff" * 160
    assert samples_of(audio.ulaw_decode(audio.SILENCE_FRAME)).tolist() == [0] * 160
    assert len(audio.encode_payload(audio.SILENCE_FRAME)) == 216


def test_split_frames_pads_the_last_frame_with_silence() -> None:
    data = bytes(range(200)) * 5  # 1000 bytes = 125 ms
    frames = list(audio.split_frames(data))
    assert [len(f) for f in frames] == [160] * 7
    assert b"".join(frames)[:1000] == data
    assert frames[-1][40:] == b"\xff" * 120
    short = list(audio.split_frames(data, pad=False))
    assert [len(f) for f in short] == [160] * 6 + [40]
    assert list(audio.split_frames(b"")) == []


def test_pacing_math() -> None:
    one_second = audio.silence(1000)
    assert len(one_second) == 8000
    frames = list(audio.split_frames(one_second))
    assert len(frames) == 50  # 50 frames a second
    assert [audio.frame_timestamp_ms(i) for i in (0, 1, 2, 49, 50)] == [0, 20, 40, 980, 1000]
    assert audio.duration_ms(160) == 20 and audio.duration_ms(8000) == 1000
    assert audio.duration_ms(len(b"".join(frames))) == 1000
    assert audio.silence(20) == audio.SILENCE_FRAME and audio.silence(0) == b""
    assert len(audio.silence(1)) == 8  # one ms = 8 samples
    with pytest.raises(AudioFormatError):
        audio.silence(-1)
    with pytest.raises(AudioFormatError):
        audio.frame_timestamp_ms(-1)


def test_payloads_are_standard_base64() -> None:
    frame = bytes(range(96, 256))
    text = audio.encode_payload(frame)
    assert audio.decode_payload(text) == frame == audio.decode_payload(text.encode())
    assert "+" in audio.encode_payload(b"\xfb\xef") or "/" in audio.encode_payload(b"\xff\xff")
    for bad in ("abc", "ab*=", "YWJj\n"):
        with pytest.raises(AudioFormatError, match=r"media\.payload is not valid base64"):
            audio.decode_payload(bad)


# --------------------------------------------------------------------------- WAV


def tone(freq: float, rate: int, seconds: float, *, amplitude: int = 12000) -> list[int]:
    return [
        round(amplitude * math.sin(2 * math.pi * freq * i / rate))
        for i in range(round(rate * seconds))
    ]


def write_pcm_wav(
    path: Path | io.BytesIO, left: list[int], rate: int, right: list[int] | None = None
) -> None:
    interleaved = (
        left if right is None else [v for pair in zip(left, right, strict=True) for v in pair]
    )
    with wave.open(path if isinstance(path, io.BytesIO) else str(path), "wb") as wav:
        wav.setnchannels(1 if right is None else 2)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm(interleaved))


def zero_crossings(samples: array[int]) -> int:
    signs = [s >= 0 for s in samples]
    return sum(a != b for a, b in itertools.pairwise(signs))


RATES = [8000, 16000, 22050, 44100, 48000]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("freq", [440, 3000])
def test_a_wav_is_resampled_to_8k_mono_keeping_its_frequency(
    tmp_path: Path, rate: int, channels: int, freq: int
) -> None:
    left = tone(freq, rate, 1.0)
    path = tmp_path / f"tone-{rate}-{channels}.wav"
    write_pcm_wav(path, left, rate, left if channels == 2 else None)
    out = samples_of(audio.read_wav(path))
    assert len(out) == 8000  # one second at 8 kHz, whatever the source rate
    # a tone of f Hz crosses zero 2f times a second
    assert abs(zero_crossings(out) - 2 * freq) <= 4, zero_crossings(out)
    # the level is kept (box filter: a little loss near 4 kHz, none at 440 Hz)
    peak = max(abs(v) for v in out)
    assert 0.75 * 12000 <= peak <= 12000 + 1


def test_stereo_is_mixed_by_averaging(tmp_path: Path) -> None:
    left = tone(440, 16000, 0.5)
    path = tmp_path / "opposed.wav"
    write_pcm_wav(path, left, 16000, [-v for v in left])  # opposite channels cancel out
    assert max(abs(v) for v in samples_of(audio.read_wav(path))) <= 1
    write_pcm_wav(path, [20000] * 800, 8000, [10000] * 800)
    assert set(samples_of(audio.read_wav(path))) == {15000}


def test_odd_lengths_round_down_and_upsampling_interpolates() -> None:
    assert len(audio.to_8k_mono(pcm([0] * 44101), rate=44100)) == 2 * 8000
    assert len(audio.to_8k_mono(pcm([0] * 3), rate=48000)) == 0
    ramp = audio.to_8k_mono(pcm([0, 400, 800, 1200]), rate=4000)
    assert samples_of(ramp).tolist() == [0, 200, 400, 600, 800, 1000, 1200, 1200]
    slow = samples_of(audio.to_8k_mono(pcm(tone(440, 4000, 1.0)), rate=4000))
    assert len(slow) == 8000 and abs(zero_crossings(slow) - 880) <= 4


@pytest.mark.parametrize(
    ("kwargs", "data", "match"),
    [
        ({"rate": 8000, "channels": 3}, b"", "mono or stereo"),
        ({"rate": 10}, b"", "sample rate"),
        ({"rate": 16000, "channels": 2}, b"\x00\x00", "multiple of 4 bytes"),
    ],
)
def test_to_8k_mono_refuses_what_it_cannot_convert(
    kwargs: dict[str, int], data: bytes, match: str
) -> None:
    with pytest.raises(AudioFormatError, match=match):
        audio.to_8k_mono(data, **kwargs)


def test_read_wav_refuses_what_is_not_pcm16_mono_or_stereo_or_too_long(tmp_path: Path) -> None:
    eight_bit = tmp_path / "8bit.wav"
    with wave.open(str(eight_bit), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(b"\x80" * 100)
    with pytest.raises(AudioFormatError, match="16-bit PCM, not 8-bit"):
        audio.read_wav(eight_bit)
    three = tmp_path / "three.wav"
    with wave.open(str(three), "wb") as wav:
        wav.setnchannels(3)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00" * 60)
    with pytest.raises(AudioFormatError, match="not 3 channels"):
        audio.read_wav(three)
    long = tmp_path / "long.wav"
    write_pcm_wav(long, [0] * 16000, 8000)
    assert len(audio.read_wav(long, max_seconds=2)) == 32000
    with pytest.raises(AudioFormatError, match=r"lasts 2\.0 s, more than the 1\.5 s allowed"):
        audio.read_wav(long, max_seconds=1.5)
    with pytest.raises(AudioFormatError, match="not a PCM WAV file"):
        audio.read_wav(io.BytesIO(b"RIFF\x00\x00\x00\x00WAVEjunk"))
    with pytest.raises(AudioFormatError, match="not a PCM WAV file"):
        audio.read_wav(io.BytesIO(b"not a wav at all"))


def test_write_wav_and_the_mulaw_helpers(tmp_path: Path) -> None:
    source = tmp_path / "speech.wav"
    write_pcm_wav(source, tone(440, 48000, 0.5), 48000)
    mulaw = audio.wav_to_mulaw(source)
    assert len(mulaw) == 4000  # 0.5 s at 8 kHz, one byte a sample
    assert len(list(audio.split_frames(mulaw))) == 25
    data = audio.mulaw_to_wav(mulaw)
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.readframes(wav.getnframes()) == audio.ulaw_decode(mulaw)
    target = tmp_path / "agent.wav"
    audio.write_wav(target, audio.ulaw_decode(mulaw))
    assert audio.read_wav(target) == audio.ulaw_decode(mulaw)  # 8 kHz mono: read back as is
    with pytest.raises(AudioFormatError):
        audio.write_wav(tmp_path / "odd.wav", b"\x00")


def box_reference(samples: list[int], rate: int) -> list[int]:
    """The box filter over the whole signal at once (what the one-second blocks must equal)."""
    count = len(samples) * 8000 // rate
    bounds = [i * rate // 8000 for i in range(count + 1)]
    return [round(sum(samples[a:b]) / (b - a)) for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_long_audio_is_resampled_in_blocks_without_seams(rate: int) -> None:
    noise = [((i * 7919) % 20001) - 10000 for i in range(round(rate * 2.3))]
    out = samples_of(audio.to_8k_mono(pcm(noise), rate=rate))
    assert len(out) == 18400  # 2.3 s
    assert out.tolist() == box_reference(noise, rate)
    slow = [((i * 31) % 2001) - 1000 for i in range(4000 * 2 + 1234)]
    up = samples_of(audio.to_8k_mono(pcm(slow), rate=4000)).tolist()
    assert len(up) == 2 * len(slow)
    assert up[0::2] == slow  # every other output sample is a source sample
    assert up[8001] == round((slow[4000] + slow[4001]) / 2)  # across the first block's end


def test_long_audio_encodes_in_chunks_like_sample_by_sample() -> None:
    samples = [((i * 7919) % 65536) - 32768 for i in range(10_001)]
    assert audio.ulaw_encode(pcm(samples)) == bytes(map(audio.ulaw_encode_sample, samples))
