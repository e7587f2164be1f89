"""The caller's speech: text to 8 kHz μ-law call audio, with Debian's ``espeak-ng``.

:class:`SpeechSynthesizer` runs ``espeak-ng --stdout -v <voice> -- <text>`` (an argument
list, never a shell) and turns the WAV it streams (22.05 kHz mono, sizes left unknown in
its header) into call audio with :func:`~twilio_connector.realtime.audio.wav_to_mulaw`,
padded with silence to whole 20 ms frames. Every run is bounded: the text's length, the
voice name (a safe pattern: ``en-us``, ``en-US``, ``es``, ``en+f3``...), a timeout after which
the process is killed, at most a few runs at once; its error output is summarised in
:class:`SpeechError`. Results are kept in a bounded LRU cache per synthesizer.

Without espeak-ng (``make speech`` installs it; ``make test`` and ``make demo`` run that) the
words become a synthetic voice: a vowel-like buzz of 0.3 s a word (its pitch chosen by the
word, so different words sound different and the same words the same) with 0.1 s gaps. A
warning, once per synthesizer, says how to install the real thing; :attr:`available` tells
which one is in use.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import re
import shutil
import sys
import zlib
from array import array
from collections import OrderedDict

from ...errors import TwilioError
from ...realtime import audio

__all__ = ["MAX_TEXT", "SpeechError", "SpeechSynthesizer"]

log = logging.getLogger("twilio_connector.emulator")

MAX_TEXT = 2000
"""The most characters one :meth:`SpeechSynthesizer.synthesize` speaks."""
_VOICE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]{0,39}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_RUNS = 4  # espeak-ng processes at once, per synthesizer
_ERROR_CHARS = 200

# the synthetic voice
_WORD_MS, _GAP_MS = 300, 100
_PITCHES = (110, 125, 140, 160)  # Hz: a word's pitch is one of these
_HARMONICS = (1, 2, 3, 5)
# espeak-ng's default speed, measured: about 55 ms a character and 0.35 s of lead-in/out
_ESPEAK_MS_PER_CHAR, _ESPEAK_BASE_MS = 55, 350


class SpeechError(TwilioError, RuntimeError):
    """espeak-ng failed: it timed out, exited with an error or made no audio (the message
    says which, with the start of its error output)."""


def _frames(mulaw: bytes) -> bytes:
    """``mulaw`` padded with silence to whole 20 ms frames."""
    return mulaw + audio.SILENCE_FRAME[: -len(mulaw) % audio.BYTES_PER_FRAME]


def _normalise(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _buzz(pitch: int) -> bytes:
    """One synthetic word: a vowel-like tone at ``pitch`` Hz with harmonics, faded in and out,
    then the gap that follows it."""
    rate, length = audio.SAMPLE_RATE, _WORD_MS * audio.SAMPLE_RATE // 1000
    samples = array("h")
    for n in range(length):
        t = n / rate
        envelope = math.sin(math.pi * n / length)
        value = sum(math.sin(2 * math.pi * pitch * k * t) / k for k in _HARMONICS)
        samples.append(round(6000 * envelope * value))
    if sys.byteorder == "big":  # pragma: no cover - big-endian hosts
        samples.byteswap()
    return audio.ulaw_encode(samples.tobytes()) + audio.silence(_GAP_MS)


class SpeechSynthesizer:
    """Text to the caller's call audio; one per emulator (it holds the cache).

    ``executable``: the espeak-ng program (a name looked up on ``PATH``, or a path); ``None``,
    or a program that cannot be found, selects the synthetic voice. ``timeout`` bounds each
    run (seconds), ``max_text`` the characters spoken, ``cache_size`` the results kept.
    """

    def __init__(
        self,
        executable: str | None = "espeak-ng",
        *,
        timeout: float = 10.0,
        max_text: int = MAX_TEXT,
        cache_size: int = 64,
    ) -> None:
        self.executable = shutil.which(executable) if executable else None
        self.timeout = timeout
        self.max_text = max_text
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._words: dict[int, bytes] = {}  # the synthetic voice's word per pitch
        self._runs = asyncio.Semaphore(_MAX_RUNS)
        self._warned = False

    @property
    def available(self) -> bool:
        """Whether real speech (espeak-ng) is used; ``False``: the synthetic voice."""
        return self.executable is not None

    def duration_ms(self, text: str) -> int:
        """How long ``text`` lasts once synthesized, in ms (whole frames): exact for the
        synthetic voice, an estimate from the text's length for espeak-ng."""
        words = _normalise(text)
        if not words:
            return 0
        if self.executable is None:
            return len(words.split()) * (_WORD_MS + _GAP_MS)
        estimate = _ESPEAK_BASE_MS + _ESPEAK_MS_PER_CHAR * len(words)
        return -(-estimate // audio.FRAME_MS) * audio.FRAME_MS

    async def synthesize(self, text: str, *, voice: str = "en-us") -> bytes:
        """``text`` spoken with ``voice`` (an espeak-ng voice or a BCP-47 language such as
        ``en-US``) as 8 kHz μ-law, whole 20 ms frames (``b""`` for blank text).

        ``ValueError`` for text over ``max_text`` characters or an unsafe voice name;
        :class:`SpeechError` when espeak-ng fails or takes longer than ``timeout``.
        """
        words = _normalise(text)
        if len(words) > self.max_text:
            raise ValueError(f"speech is limited to {self.max_text} characters, not {len(words)}")
        if not _VOICE.match(voice):
            raise ValueError(f"not a voice name: {voice[:40]!r}")
        if not words:
            return b""
        key = (voice.lower(), words)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        if self.executable is None:
            result = self._synthetic(words)
        else:
            result = _frames(await self._espeak(self.executable, words, key[0]))
        self._cache[key] = result
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return result

    def _synthetic(self, words: str) -> bytes:
        if not self._warned:
            self._warned = True
            log.warning(
                "espeak-ng not found: the caller's speech is a synthetic voice "
                "(apt-get install espeak-ng, or make speech, for real speech)"
            )
        parts = []
        for word in words.split():
            pitch = _PITCHES[zlib.crc32(word.lower().encode()) % len(_PITCHES)]
            if pitch not in self._words:
                self._words[pitch] = _buzz(pitch)
            parts.append(self._words[pitch])
        return _frames(b"".join(parts))

    async def _espeak(self, executable: str, words: str, voice: str) -> bytes:
        async with self._runs:
            proc = await asyncio.create_subprocess_exec(
                executable, "--stdout", "-v", voice, "--", words,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            try:
                out, err = await asyncio.wait_for(proc.communicate(), self.timeout)
            except asyncio.TimeoutError:
                raise SpeechError(f"espeak-ng took more than {self.timeout:g} s") from None
            finally:
                if proc.returncode is None:  # timed out or cancelled: never leave it running
                    proc.kill()
                    await proc.wait()
        said = err.decode("utf-8", "replace").strip().splitlines()
        summary = said[0][:_ERROR_CHARS] if said else "no error output"
        if proc.returncode != 0:
            raise SpeechError(f"espeak-ng failed (exit status {proc.returncode}): {summary}")
        if len(out) <= 44:  # a header alone: e.g. an unknown voice (espeak-ng exits 0)
            raise SpeechError(f"espeak-ng made no audio for voice {voice!r}: {summary}")
        try:
            return await asyncio.to_thread(audio.wav_to_mulaw, io.BytesIO(out))
        except audio.AudioFormatError as exc:
            raise SpeechError(f"espeak-ng's output is not usable: {exc}") from None
