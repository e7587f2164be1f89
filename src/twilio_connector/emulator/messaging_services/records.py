"""The Messaging Service record and its pool entries (an owned number, a short code or the
alpha sender of one service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["AlphaSenderRecord", "PoolNumberRecord", "PoolShortCodeRecord", "ServiceRecord"]


@dataclass(slots=True)
class ServiceRecord:
    """A service. ``settings`` holds its snake_case JSON fields (``sticky_sender`` ...)."""

    sid: str
    account_sid: str
    friendly_name: str
    settings: dict[str, Any] = field(default_factory=dict)
    date_created: float = 0.0
    date_updated: float = 0.0


@dataclass(slots=True)
class PoolNumberRecord:
    """An IncomingPhoneNumber (``number_sid``) in a service's sender pool."""

    service_sid: str
    number_sid: str
    account_sid: str
    date_created: float = 0.0
    date_updated: float = 0.0


@dataclass(slots=True)
class PoolShortCodeRecord:
    """A short code (``short_code_sid``, ``SC...``) in a service's sender pool."""

    service_sid: str
    short_code_sid: str
    account_sid: str
    date_created: float = 0.0
    date_updated: float = 0.0


@dataclass(slots=True)
class AlphaSenderRecord:
    """A service's Alphanumeric Sender ID (``AI...``; one per service)."""

    sid: str
    service_sid: str
    account_sid: str
    alpha_sender: str
    date_created: float = 0.0
    date_updated: float = 0.0
