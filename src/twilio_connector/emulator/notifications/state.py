"""Debugger notifications: what Twilio shows in its Debugger / Alerts (no HTTP in here).

Resources raise them through ``core.notify(...)`` (a webhook that failed, TwiML that could
not be parsed, ...); tests read them through ``Emulator.notifications()`` or the control
route (:mod:`.control`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import NotificationRecord
from .repository import NotificationRepository

__all__ = ["Notifications"]


class Notifications:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._repo = NotificationRepository(store)
        self._clock = clock

    def record(
        self,
        account_sid: str,
        code: int,
        message: str,
        *,
        resource_sid: str | None = None,
        url: str | None = None,
        level: str = "error",
    ) -> NotificationRecord:
        """Record one notification (``level``: ``error`` or ``warning``)."""
        record = NotificationRecord(
            new_sid("NO"), self._clock.now(), account_sid, resource_sid, code, level, message, url
        )
        self._repo.insert(record)
        return record

    def all(self, resource_sid: str | None = None) -> list[NotificationRecord]:
        return self._repo.all(resource_sid)

    def recent(self, account_sids: Sequence[str], limit: int = 50) -> list[NotificationRecord]:
        """The newest of some accounts, newest first (the web inbox's alerts)."""
        return self._repo.recent(account_sids, limit)
