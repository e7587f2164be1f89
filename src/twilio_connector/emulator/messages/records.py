"""The Messages resource's internal records (what its repository stores; times are epoch s).

Not the wire shapes: :mod:`twilio_connector.models` owns those, and :mod:`.serialize` turns
these records into models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MediaRecord", "MessageRecord"]


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
