"""The Recording as the emulator stores it (an internal shape: epoch-second times)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RecordingRecord"]


@dataclass(slots=True, eq=False)
class RecordingRecord:
    sid: str
    account_sid: str
    call_sid: str
    source: str
    """``RecordVerb``, ``DialVerb`` or ``OutboundAPI`` (``Record=true``)."""
    status: str
    duration: int
    channels: int
    track: str
    start_time: float
    date_created: float
    date_updated: float
