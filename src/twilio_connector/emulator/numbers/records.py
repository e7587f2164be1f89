"""The owned phone number record (the ``phone_numbers`` table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["NumberRecord"]


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
