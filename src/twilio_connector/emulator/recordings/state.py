"""Recordings: created by running calls, fetched and deleted through the REST API.

A recording is stored complete (``status`` ``completed``) when its verb ends; its media is
served at :meth:`Recordings.media_url` without auth, like Twilio's public recording URLs:
silence as long as the recording (:func:`silent_wav`).
"""

from __future__ import annotations

import struct

from ..errors import not_found
from ..records import new_sid
from ..router import API_PREFIX
from ..scheduler import Clock
from ..store import Store
from .records import RecordingRecord
from .repository import RecordingRepository

__all__ = ["MAX_WAV_SECONDS", "Recordings", "silent_wav"]

WAV_RATE = 8000
MAX_WAV_SECONDS = 120


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
        return f"{self._base_url}{API_PREFIX}/Accounts/{account_sid}/Recordings/{sid}"

    def create(
        self,
        account_sid: str,
        call_sid: str,
        *,
        source: str,
        duration: int,
        start_time: float,
        channels: int = 1,
        track: str = "both",
        sid: str | None = None,
    ) -> RecordingRecord:
        """Store a completed recording (``sid``: one announced earlier, e.g. ``Record=true``)."""
        now = self._clock.now()
        record = RecordingRecord(
            sid or new_sid("RE"), account_sid, call_sid, source, "completed", duration,
            channels, track, start_time, now, now,
        )  # fmt: skip
        self.repository.add(record)
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
        return silent_wav(self.get(account_sid, sid, path).duration)
