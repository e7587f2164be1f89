"""Recordings: created by running calls, fetched and deleted through the REST API.

A recording is stored complete (``status`` ``completed``) when its verb ends; its media is
served at :meth:`Recordings.media_url` without auth, like Twilio's public recording URLs:
its real audio when it was created with some (e.g. what an agent said on a Media Stream: 8 kHz
μ-law, served as a 16-bit PCM WAV), else silence as long as the recording
(:func:`silent_wav`).
"""

from __future__ import annotations

import math
import struct

from ...realtime.audio import SAMPLE_RATE, mulaw_to_wav
from ...specs import RECORDINGS
from ..errors import not_found
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import RecordingRecord
from .repository import RecordingRepository

__all__ = ["MAX_AUDIO_SECONDS", "MAX_WAV_SECONDS", "Recordings", "audio_seconds", "silent_wav"]

assert RECORDINGS.instance_path
_RECORDING = RECORDINGS.instance_path

WAV_RATE = 8000
MAX_WAV_SECONDS = 120
"""The longest silence served for a recording without audio."""
MAX_AUDIO_SECONDS = 600
"""The most real audio kept with a recording (10 minutes: 4.8 MB of μ-law); the rest is cut."""


def audio_seconds(mulaw: bytes | bytearray | memoryview) -> int:
    """A recording's ``duration`` for ``mulaw`` (8 kHz): whole seconds, a started one counts."""
    return math.ceil(len(mulaw) / SAMPLE_RATE)


def silent_wav(seconds: int) -> bytes:
    """8 kHz 8-bit mono PCM silence of ``seconds`` (capped at :data:`MAX_WAV_SECONDS`)."""
    size = WAV_RATE * max(0, min(seconds, MAX_WAV_SECONDS))
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, WAV_RATE, WAV_RATE, 1, 8)
    head = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE" + b"fmt " + fmt
    return head + b"data" + struct.pack("<I", size) + b"\x80" * size


class Recordings:
    """The recordings of one emulator."""

    def __init__(self, store: Store, clock: Clock, base_url: str) -> None:
        self.repository = RecordingRepository(store)
        self._clock = clock
        self._base_url = base_url

    def media_url(self, account_sid: str, sid: str) -> str:
        """Where the recording's audio is served (``RecordingUrl``; ``.wav`` works too)."""
        return self._base_url + _RECORDING.fill(account_sid, sid).removesuffix(".json")

    def create(
        self,
        account_sid: str,
        call_sid: str,
        *,
        source: str,
        duration: int | None = None,
        start_time: float,
        channels: int = 1,
        track: str = "both",
        sid: str | None = None,
        audio: bytes | None = None,
    ) -> RecordingRecord:
        """Store a completed recording (``sid``: one announced earlier, e.g. ``Record=true``).

        ``audio``: what was recorded, 8 kHz μ-law (cut at :data:`MAX_AUDIO_SECONDS`), served
        as a WAV; the recording's ``duration`` is then its length (:func:`audio_seconds`), and
        a ``duration`` given too must agree with it. Without ``audio`` the recording is
        silence and ``duration`` is required. ``ValueError`` otherwise.
        """
        if audio is not None:
            if duration is not None and duration != audio_seconds(audio):
                raise ValueError(
                    f"a recording of {len(audio)} bytes of audio lasts "
                    f"{audio_seconds(audio)} s, not {duration} s"
                )
            audio = bytes(audio[: MAX_AUDIO_SECONDS * SAMPLE_RATE])
            duration = audio_seconds(audio)
        elif duration is None:
            raise ValueError("a recording without audio needs its duration")
        now = self._clock.now()
        record = RecordingRecord(
            sid or new_sid("RE"), account_sid, call_sid, source, "completed", duration,
            channels, track, start_time, now, now,
        )  # fmt: skip
        self.repository.add(record)
        if audio is not None:
            self.repository.add_audio(record.sid, audio)
        return record

    def get(
        self, account_sid: str, sid: str, path: str, call_sid: str | None = None
    ) -> RecordingRecord:
        """The recording (of ``call_sid``, if given), else 404 for ``path``."""
        found = self.repository.get(account_sid, sid, call_sid)
        if found is None:
            raise not_found(path)
        return found

    def delete(self, account_sid: str, sid: str, path: str, call_sid: str | None = None) -> None:
        self.repository.delete(self.get(account_sid, sid, path, call_sid).sid)

    def audio(self, account_sid: str, sid: str, path: str) -> bytes:
        """The recording as WAV bytes: its real audio (8 kHz 16-bit PCM, decoded from the
        stored μ-law) or silence as long as it lasts; 404 for ``path`` when unknown."""
        record = self.get(account_sid, sid, path)
        mulaw = self.repository.audio(record.sid)
        if mulaw is not None:
            return mulaw_to_wav(mulaw)
        return silent_wav(record.duration)
