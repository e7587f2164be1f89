"""The Verify Service record and the Verification record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SendAttempt", "VerificationRecord", "VerifyServiceRecord"]


@dataclass(slots=True)
class VerifyServiceRecord:
    """A Verify Service. ``settings`` holds its snake_case JSON fields (``code_length``,
    ``push`` ...), the nested objects as dicts."""

    sid: str
    account_sid: str
    friendly_name: str
    settings: dict[str, Any] = field(default_factory=dict)
    date_created: float = 0.0
    date_updated: float = 0.0


@dataclass(frozen=True, slots=True)
class SendAttempt:
    """One send of the code (``VL...``): when, on which channel, and what carried it (the
    ``SM``/``CA`` SID of the message or call)."""

    attempt_sid: str
    channel: str
    time: float
    resource_sid: str | None = None


@dataclass(slots=True)
class VerificationRecord:
    """A Verification: the code sent to ``to``, its sends and checks.

    ``status`` is stored as ``pending`` until something ends it (``approved``, ``canceled``,
    ``max_attempts_reached``, ``expired`` once seen past ``expires_at``)."""

    sid: str
    service_sid: str
    account_sid: str
    to: str
    channel: str
    code: str = field(repr=False)  # a secret: never in a repr (logs, tracebacks)
    status: str
    date_created: float
    date_updated: float
    expires_at: float
    attempts: list[SendAttempt] = field(default_factory=list)
    checks: int = 0
    amount: str | None = None
    payee: str | None = None
    locale: str | None = None
    custom_friendly_name: str | None = None
