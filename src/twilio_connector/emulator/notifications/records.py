"""The debugger notification record (the ``notifications`` table)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["NotificationRecord"]


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """A debugger alert (Twilio's Notifications): e.g. 12100 for unparsable TwiML."""

    sid: str
    timestamp: float
    account_sid: str
    resource_sid: str | None
    error_code: int
    log_level: str
    message: str
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
