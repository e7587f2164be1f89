"""DTMF tones: each key's two frequencies (counted by a DFT independent of the detector),
sequences with gaps and ``w``/``W`` pauses, and the Goertzel detector on every key, at any
alignment, quiet, with noise, against silence and real speech (espeak-ng)."""

from __future__ import annotations

import cmath
import io
import math
import random
import shutil
import subprocess
import sys
from array import array

import pytest

from twilio_connector.realtime import audio, tones


def samples_of(mulaw: bytes) -> list[int]:
    pcm = array("h", audio.ulaw_decode(mulaw))
    if sys.byteorder == "big":  # pragma: no cover
        pcm.byteswap()
    return pcm.tolist()


def to_mulaw(samples: list[int]) -> bytes:
    pcm = array("h", (max(-32768, min(32767, v)) for v in samples))
    if sys.byteorder == "big":  # pragma: no cover
        pcm.byteswap()
    return audio.ulaw_encode(pcm.tobytes())


def magnitude(samples: list[int], freq: float) -> float:
    """|DFT| of ``samples`` at ``freq`` (a plain sum, not the detector's Goertzel)."""
    step = -2j * math.pi * freq / audio.SAMPLE_RATE
    return abs(sum(v * cmath.exp(step * n) for n, v in enumerate(samples))) / len(samples)


KEYPAD = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}  # fmt: skip
ALL = (697, 770, 852, 941, 1209, 1336, 1477, 1633)


@pytest.mark.parametrize("key", sorted(KEYPAD))
def test_each_key_is_its_row_and_column_frequency(key: str) -> None:
    assert tones.dtmf_frequencies(key) == KEYPAD[key]
    mulaw = tones.dtmf_tone(key, 100)
    assert len(mulaw) == 800  # 100 ms at 8 kHz, a byte a sample
    samples = samples_of(mulaw)
    levels = {f: magnitude(samples, f) for f in ALL}
    low, high = KEYPAD[key]
    assert levels[low] > 3000 and levels[high] > 3000  # amplitude 8000: about 4000 each
    assert all(levels[f] < 1000 for f in ALL if f not in (low, high))
    assert tones.detect_dtmf(mulaw) == key


def test_lower_case_letters_and_bad_keys() -> None:
    assert tones.dtmf_tone("a") == tones.dtmf_tone("A")
    for bad in ("E", "", "12", "w", " "):
        with pytest.raises(ValueError, match="not a DTMF key"):
            tones.dtmf_tone(bad)
    with pytest.raises(ValueError, match="between 0 and 10000 ms"):
        tones.dtmf_tone("1", 10_001)
    with pytest.raises(ValueError, match="at most 256 characters"):
        tones.dtmf_sequence("1" * 257)
    with pytest.raises(ValueError, match="a gap is between"):
        tones.dtmf_sequence("12", gap_ms=-1)
    assert tones.dtmf_tone("5", 0) == b"" and tones.dtmf_sequence("") == b""


def test_a_sequence_is_tones_gaps_and_pauses() -> None:
    one, two = tones.dtmf_tone("1", 100), tones.dtmf_tone("2", 100)
    gap = audio.silence(50)
    assert tones.dtmf_sequence("12") == one + gap + two
    assert tones.dtmf_sequence("1w2") == one + audio.silence(500) + two
    assert tones.dtmf_sequence("1W2") == one + audio.silence(1000) + two
    assert tones.dtmf_sequence("w1") == audio.silence(500) + one
    assert len(tones.dtmf_sequence("123", tone_ms=60, gap_ms=40)) == 8 * (3 * 60 + 2 * 40)
    with pytest.raises(ValueError, match="not a DTMF key"):
        tones.dtmf_sequence("12x")


def test_every_key_in_a_sequence_is_heard_once_repeats_included() -> None:
    digits = "0123456789*#ABCD"
    assert tones.detect_dtmf(tones.dtmf_sequence(digits)) == digits
    assert tones.detect_dtmf(tones.dtmf_sequence("1122w33W4")) == "1122334"
    assert tones.detect_dtmf(tones.dtmf_tone("7", 2000)) == "7"  # held: one key


@pytest.mark.parametrize("offset", [0, 17, 40, 80, 123])
@pytest.mark.parametrize(("tone_ms", "gap_ms"), [(40, 30), (60, 40), (100, 50), (250, 100)])
def test_short_keys_and_gaps_at_any_alignment(offset: int, tone_ms: int, gap_ms: int) -> None:
    sound = bytes([audio.SILENCE_BYTE]) * offset + tones.dtmf_sequence("9191#", tone_ms, gap_ms)
    assert tones.detect_dtmf(sound) == "9191#"


def test_quiet_noisy_and_twisted_keys_are_heard() -> None:
    rng = random.Random(13)
    for key in KEYPAD:
        clean = samples_of(tones.dtmf_tone(key, 100))
        quiet = [v // 8 for v in clean]  # -18 dB
        noisy = [v + rng.randint(-1500, 1500) for v in clean]
        assert tones.detect_dtmf(to_mulaw(quiet)) == key
        assert tones.detect_dtmf(to_mulaw(noisy)) == key
        low, high = KEYPAD[key]
        twisted = [
            round(8000 * math.sin(2 * math.pi * low * n / 8000))
            + round(4000 * math.sin(2 * math.pi * high * n / 8000))  # column 6 dB down
            for n in range(800)
        ]
        assert tones.detect_dtmf(to_mulaw(twisted)) == key


def test_silence_noise_single_tones_and_too_short_keys_are_not_keys() -> None:
    rng = random.Random(7)
    assert tones.detect_dtmf(b"") == ""
    assert tones.detect_dtmf(audio.silence(2000)) == ""
    assert tones.detect_dtmf(to_mulaw([rng.randint(-8000, 8000) for _ in range(8000)])) == ""
    for freq in (697, 1336, 440, 1000):  # one sine is not a key
        sine = [round(10000 * math.sin(2 * math.pi * freq * n / 8000)) for n in range(4000)]
        assert tones.detect_dtmf(to_mulaw(sine)) == ""
    assert tones.detect_dtmf(tones.dtmf_tone("5", 15)) == ""  # 15 ms: too short a press


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_speech_is_not_keys() -> None:
    for text, pitch in (("one two three four five six seven eight nine zero", "50"),
                        ("eeeeeeee oooooooo aaaaaaa", "99")):  # fmt: skip
        wav = subprocess.run(
            ["espeak-ng", "--stdout", "-p", pitch, text], capture_output=True, check=True,
            timeout=30,
        ).stdout  # fmt: skip
        assert tones.detect_dtmf(audio.wav_to_mulaw(io.BytesIO(wav))) == ""
