"""Internal records of the emulator's state (what the store persists).

These are not the wire shapes: :mod:`twilio_connector.models` owns those, and
:mod:`.serialize` turns records into models. Times are epoch seconds (UTC floats).
Resources laid out by subpackage keep theirs in ``<resource>/records.py``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["MediaRecord", "MessageRecord", "new_sid"]


def new_sid(prefix: str) -> str:
    """A fresh Twilio SID: two-letter prefix + 32 lowercase hex digits.

    The first 12 digits count microseconds (wrapping every ~9 years), the other 20 are
    random: unique, and new rows land at the end of the SID indexes instead of at random
    places, which keeps inserts cheap when millions of messages are stored.
    """
    return f"{prefix}{time.time_ns() // 1000 & 0xFFFFFFFFFFFF:012x}{os.urandom(10).hex()}"


@dataclass(slots=True)
class MessageRecord:
    sid: str
    account_sid: str
    direction: str
    from_: str | None
    to: str
    body: str
    status: str
    num_segments: int
    num_media: int
    date_created: float
    date_updated: float
    date_sent: float | None = None
    error_code: int | None = None
    error_message: str | None = None
    price: str | None = None
    price_unit: str = "USD"
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    extra: dict[str, Any] | None = None

    @property
    def channel(self) -> str:
        """``"whatsapp"`` for WhatsApp addresses, else ``"sms"``."""
        return "whatsapp" if self.to.startswith("whatsapp:") else "sms"


@dataclass(slots=True)
class MediaRecord:
    sid: str
    account_sid: str
    parent_sid: str
    content_type: str
    url: str
    date_created: float
