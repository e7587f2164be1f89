"""Internal records of the emulator's state (what the store persists).

These are not the wire shapes: :mod:`twilio_connector.models` owns those, and
:mod:`.serialize` turns records into models. Times are epoch seconds (UTC floats).
Resources with their own ``records`` module (:mod:`.messages.records`, ...) keep theirs there.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AccountRecord",
    "DeliveryRecord",
    "KeyRecord",
    "NotificationRecord",
    "NumberRecord",
    "new_sid",
]


def new_sid(prefix: str) -> str:
    """A fresh Twilio SID: two-letter prefix + 32 lowercase hex digits.

    The first 12 digits count microseconds (wrapping every ~9 years), the other 20 are
    random: unique, and new rows land at the end of the SID indexes instead of at random
    places, which keeps inserts cheap when millions of messages are stored.
    """
    return f"{prefix}{time.time_ns() // 1000 & 0xFFFFFFFFFFFF:012x}{os.urandom(10).hex()}"


@dataclass(slots=True)
class AccountRecord:
    sid: str
    owner_sid: str
    auth_token: str
    friendly_name: str
    status: str = "active"
    type: str = "Full"
    balance: str = "20.00"
    date_created: float = 0.0
    date_updated: float = 0.0

    @property
    def is_main(self) -> bool:
        return self.owner_sid == self.sid

    def __repr__(self) -> str:  # never show the token
        return f"AccountRecord(sid={self.sid!r}, status={self.status!r})"


@dataclass(slots=True)
class KeyRecord:
    sid: str
    account_sid: str
    secret_hash: str
    friendly_name: str
    date_created: float = 0.0
    date_updated: float = 0.0


@dataclass(slots=True)
class NumberRecord:
    """An IncomingPhoneNumber. ``config`` holds the snake_case JSON fields that users set."""

    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    number_type: str = "local"
    whatsapp: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    date_created: float = 0.0
    date_updated: float = 0.0

    def get(self, key: str, default: Any = None) -> Any:
        value = self.config.get(key)
        return default if value in (None, "") else value


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One webhook attempt as the dispatcher made it (the delivery log).

    ``status`` is the HTTP status received (``None`` if no response), ``error`` a short
    reason when the attempt failed (connect error, timeout, non-2xx ...), ``error_code``
    the Twilio debugger code (11200, 11205, ...). ``params`` are the form fields sent.
    """

    id: int
    timestamp: float
    kind: str
    account_sid: str
    resource_sid: str | None
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    status: int | None
    latency_ms: float
    error: str | None
    error_code: int | None
    signature: str
    idempotency_token: str
    attempt: int
    response_body: str | None = None

    def param(self, name: str) -> str | None:
        """The first value sent for ``name``."""
        for key, value in self.params:
            if key == name:
                return value
        return None


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
