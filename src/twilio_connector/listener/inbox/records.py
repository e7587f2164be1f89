"""What every inbox backend stores and answers: the record types and the store interface.

A backend keeps each verified callback as a row with a status (``pending``, ``done``,
``unhandled``, ``dead``). :class:`InboxStore` is what the ``twilio-connector inbox``
commands and :meth:`TwilioListener.open_inbox` use on any backend; the listener's hot path
talks to each backend through its own writer (group commit), see ``sqlite.py`` and
``postgres.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

__all__ = ["STATUSES", "InboxRecord", "InboxStore", "NewRecord", "Update"]

STATUSES = ("pending", "done", "unhandled", "dead")


@dataclass(frozen=True, slots=True)
class InboxRecord:
    """One stored callback (``status`` as shown: pending, done, unhandled or dead)."""

    id: int
    received_at: float
    name: str
    resource_sid: str | None
    rank: int
    token: str | None
    dedup_key: str | None
    inline: bool
    content_type: str
    payload: bytes
    status: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    reply: bytes | None
    updated_at: float

    def summary(self) -> dict[str, object]:
        """A JSON-friendly view without the payload."""
        return {
            "id": self.id,
            "received_at": self.received_at,
            "name": self.name,
            "resource_sid": self.resource_sid,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at or None,
            "last_error": self.last_error,
            "inline": self.inline,
            "idempotency_token": self.token,
        }


class NewRecord(NamedTuple):
    """A callback to store; SQLite's ``allocate_id`` gives ``id`` (PostgreSQL assigns one).

    A tuple in the column order of the insert, so a batch goes to SQLite as it is.
    """

    id: int
    received_at: float
    name: str
    resource_sid: str | None
    rank: int
    token: str | None
    dedup_key: str | None
    inline: bool
    content_type: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class Update:
    """A state change for one row (``done`` also appends the id to the done table)."""

    id: int
    status: str
    attempts: int
    next_attempt_at: float = 0.0
    last_error: str | None = None
    reply: bytes | None = None


class InboxStore(Protocol):
    """The operations shared by every backend (CLI, ``listener.open_inbox()``)."""

    def close(self) -> None: ...

    def __enter__(self) -> InboxStore: ...

    def __exit__(self, *exc: object) -> None: ...

    def get(self, record_id: int) -> InboxRecord | None: ...

    def get_many(self, ids: Sequence[int]) -> list[InboxRecord]: ...

    def records(
        self,
        statuses: Iterable[str] | None = None,
        *,
        limit: int = 100,
        after_id: int = 0,
        newest: bool = False,
    ) -> list[InboxRecord]: ...

    def counts(self) -> dict[str, int]: ...

    def replay(self, ids: Iterable[int] | None = None) -> int: ...

    def purge(self, older_than: float, limit: int = 1000) -> int: ...


def check_statuses(statuses: Iterable[str] | None) -> set[str]:
    """The wanted statuses (all when None); ValueError naming an unknown one."""
    wanted = set(STATUSES) if statuses is None else set(statuses)
    unknown = wanted - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown status {sorted(unknown)}; use {', '.join(STATUSES)}")
    return wanted
