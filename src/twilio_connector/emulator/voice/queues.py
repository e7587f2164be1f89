"""Simple call queues for ``<Enqueue>``, ``<Leave>`` and ``<Dial><Queue>``.

One :class:`CallQueues` per account (the emulator keeps them); everything runs on the event
loop of the calls, no locking needed. A dequeuing call bridges with the caller at the head
of the queue: :meth:`QueueEntry.bridge` wakes the waiting ``<Enqueue>``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import deque
from dataclasses import dataclass, field

__all__ = ["CallQueues", "QueueEntry", "QueueFull"]


class QueueFull(Exception):
    """The queue already holds ``maxQueueSize`` callers."""


@dataclass(eq=False)
class QueueEntry:
    """One caller waiting in a queue."""

    queue_name: str
    queue_sid: str
    call_sid: str
    enqueued_at: float
    """The waiting call's simulated clock reading when it joined."""
    bridged_with: str | None = None
    talk_seconds: float = 0.0
    left: bool = False
    _event: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def event(self) -> asyncio.Event:
        """Set once the caller is bridged (or removed)."""
        return self._event

    def bridge(self, other_call_sid: str, talk_seconds: float) -> None:
        self.bridged_with = other_call_sid
        self.talk_seconds = talk_seconds
        self._event.set()


class CallQueues:
    """Named FIFO queues of waiting calls (``QU…`` SIDs made on first use)."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[QueueEntry]] = {}
        self._sids: dict[str, str] = {}

    def sid(self, name: str) -> str:
        sid = self._sids.get(name)
        if sid is None:
            sid = self._sids[name] = "QU" + uuid.uuid4().hex
        return sid

    def size(self, name: str) -> int:
        return len(self._queues.get(name, ()))

    def position(self, entry: QueueEntry) -> int:
        """1-based position of a waiting entry (0 if it is no longer waiting)."""
        for index, item in enumerate(self._queues.get(entry.queue_name, ()), 1):
            if item is entry:
                return index
        return 0

    def join(self, name: str, call_sid: str, *, max_size: int, now: float) -> QueueEntry:
        """Add a caller at the tail; raise :class:`QueueFull` when at ``max_size``."""
        queue = self._queues.setdefault(name, deque())
        if len(queue) >= max_size:
            raise QueueFull(name)
        entry = QueueEntry(name, self.sid(name), call_sid, now)
        queue.append(entry)
        return entry

    def leave(self, entry: QueueEntry) -> None:
        """Remove a caller (``<Leave>``, hang-up); harmless if already gone."""
        queue = self._queues.get(entry.queue_name)
        if queue is not None and entry in queue:
            queue.remove(entry)
        entry.left = True

    def dequeue(self, name: str) -> QueueEntry | None:
        """Take the caller at the head (the caller of ``bridge`` on it), or ``None``."""
        queue = self._queues.get(name)
        if not queue:
            return None
        return queue.popleft()
