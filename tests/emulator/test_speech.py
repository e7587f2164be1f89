"""The caller's speech (emulator.realtime.speech): real espeak-ng (whole frames of audible
8 kHz μ-law, BCP-47 voices), the synthetic fallback (no espeak-ng, or a missing path: a
deterministic buzz a word, one warning), bounds (text, voice names), a program that hangs
(killed after the timeout), fails or makes no audio, and the per-synthesizer LRU cache
(runs counted by a wrapper script around the real espeak-ng)."""

from __future__ import annotations

import logging
import os
import shutil
import stat
import sys
from array import array
from pathlib import Path

import pytest

from twilio_connector.emulator.realtime.speech import SpeechError, SpeechSynthesizer
from twilio_connector.realtime import audio, tones

ESPEAK = shutil.which("espeak-ng")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (make speech)")


def peak(mulaw: bytes) -> int:
    pcm = array("h", audio.ulaw_decode(mulaw))
    if sys.byteorder == "big":  # pragma: no cover
        pcm.byteswap()
    return max((abs(v) for v in pcm), default=0)


def script(path: Path, body: str) -> str:
    """An executable shell script standing in for espeak-ng (an external program)."""
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@needs_espeak
async def test_espeak_ng_speaks_whole_frames_of_audible_audio() -> None:
    speech = SpeechSynthesizer()
    assert speech.available and speech.executable is not None
    text = "Hello, I would like to book a table for two."
    said = await speech.synthesize(text)
    assert len(said) % audio.BYTES_PER_FRAME == 0
    assert 1.0 < len(said) / audio.SAMPLE_RATE < 6.0 and peak(said) > 2000
    estimate = speech.duration_ms(text)
    assert estimate % audio.FRAME_MS == 0 and 1000 < estimate < 6000
    assert tones.detect_dtmf(said) == ""  # speech is not keys
    # a BCP-47 language is a voice; another voice says it differently
    assert await speech.synthesize("hola, buenos días", voice="es-ES") != await speech.synthesize(
        "hola, buenos días", voice="en-us"
    )
    # text starting with a dash is spoken, not taken as an option
    assert peak(await speech.synthesize("-v --help")) > 2000
    assert await speech.synthesize("  \n\t ") == b"" and speech.duration_ms(" ") == 0


@needs_espeak
async def test_an_unknown_voice_is_a_speech_error_naming_espeak_ng_s_complaint() -> None:
    with pytest.raises(SpeechError, match="voice does not exist"):
        await SpeechSynthesizer().synthesize("hi", voice="xx-nowhere")


@pytest.mark.parametrize("executable", [None, "/nonexistent/espeak-ng", "no-such-program-xyz"])
async def test_without_espeak_ng_the_synthetic_voice_speaks(
    executable: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    speech = SpeechSynthesizer(executable)
    assert not speech.available
    with caplog.at_level(logging.WARNING, logger="twilio_connector.emulator"):
        three = await speech.synthesize("one two three")
        again = await speech.synthesize("two one three")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "apt-get install espeak-ng" in warnings[0]
    # 0.3 s a word and 0.1 s after it, whole frames, exactly as estimated
    assert len(three) == 3 * 3200 == len(again) and len(three) % audio.BYTES_PER_FRAME == 0
    assert speech.duration_ms("one two three") == 1200
    assert peak(three) > 2000
    assert three != again  # words are told apart by their pitch ("one" and "two" differ)
    assert await speech.synthesize("One") == three[:3200]  # a word's pitch ignores its case
    # deterministic: the same words sound the same, in another synthesizer too
    assert await SpeechSynthesizer(None).synthesize("one two three") == three
    assert tones.detect_dtmf(three) == ""


async def test_bounds_on_the_text_and_the_voice_name() -> None:
    speech = SpeechSynthesizer(None, max_text=20)
    assert len(await speech.synthesize("a" * 20)) == 3200
    with pytest.raises(ValueError, match="limited to 20 characters, not 21"):
        await speech.synthesize("a" * 21)
    with pytest.raises(ValueError, match="limited to 2000 characters"):
        await SpeechSynthesizer(None).synthesize("word " * 500)
    for voice in ("", "-x", "en us", "en;rm", "../../etc", "v" * 41, "en\n"):
        with pytest.raises(ValueError, match="not a voice name"):
            await speech.synthesize("hi", voice=voice)


async def test_a_hanging_program_is_killed_after_the_timeout(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    hang = script(tmp_path / "hang", f'echo $$ > "{pid_file}"\nexec sleep 60')
    speech = SpeechSynthesizer(hang, timeout=0.3)
    with pytest.raises(SpeechError, match=r"took more than 0\.3 s"):
        await speech.synthesize("hello")
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(pid, 0)


async def test_a_failing_program_and_one_without_audio(tmp_path: Path) -> None:
    fails = script(tmp_path / "fails", 'echo "boom: no sound card" >&2\necho more >&2\nexit 3')
    with pytest.raises(SpeechError, match=r"exit status 3\): boom: no sound card\Z"):
        await SpeechSynthesizer(fails).synthesize("hello")
    silent = script(tmp_path / "silent", "exit 0")
    with pytest.raises(SpeechError, match="made no audio for voice 'en-us': no error output"):
        await SpeechSynthesizer(silent).synthesize("hello")
    junk = script(tmp_path / "junk", "head -c 100 /dev/zero")
    with pytest.raises(SpeechError, match="not usable: not a PCM WAV file"):
        await SpeechSynthesizer(junk).synthesize("hello")


@needs_espeak
async def test_results_are_cached_per_synthesizer_lru_bounded(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    counting = script(tmp_path / "espeak", f'echo run >> "{runs}"\nexec "{ESPEAK}" "$@"')

    def count() -> int:
        return len(runs.read_text().splitlines()) if runs.exists() else 0

    speech = SpeechSynthesizer(counting, cache_size=2)
    first = await speech.synthesize("alpha")
    assert await speech.synthesize("  alpha ") is first and count() == 1  # same words: cached
    await speech.synthesize("alpha", voice="en-gb")  # another voice: another entry
    assert count() == 2
    await speech.synthesize("alpha")  # used again: the newest
    await speech.synthesize("bravo")  # evicts en-gb's alpha, the least recently used
    assert count() == 3
    assert await speech.synthesize("alpha") is first and count() == 3
    await speech.synthesize("alpha", voice="en-GB")
    assert count() == 4  # was evicted (voice names compare in any case)
    assert await SpeechSynthesizer(counting).synthesize("alpha") == first and count() == 5
