"""Message and call lifecycles as the waiting helpers read them.

A status is *reached* when the resource has it, or has gone past it on the successful path
(waiting for ``sent`` is satisfied by ``delivered``: in fast timing a step may pass between
two looks). A resource in a final status it cannot leave, other than the one awaited, ends
the wait at once.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = [
    "CALL_FINAL",
    "CALL_PATH",
    "MESSAGE_FINAL",
    "MESSAGE_PATH",
    "is_final",
    "reached",
]

MESSAGE_PATH = ("accepted", "scheduled", "queued", "sending", "sent", "delivered", "read")
"""An outbound message's successful path, in order (``accepted``/``scheduled`` come first)."""
MESSAGE_FINAL = frozenset({"undelivered", "failed", "canceled", "read", "received"})
"""Message statuses nothing follows (``delivered`` may still become ``read`` on WhatsApp)."""
CALL_PATH = ("queued", "initiated", "ringing", "in-progress", "completed")
"""A call's successful path, in order."""
CALL_FINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
"""Call statuses nothing follows."""


def _path(kind: str) -> tuple[str, ...]:
    return MESSAGE_PATH if kind == "message" else CALL_PATH


def is_final(kind: str, status: str | None) -> bool:
    """True if a ``kind`` (``"message"``/``"call"``) in ``status`` can change no more."""
    return status in (MESSAGE_FINAL if kind == "message" else CALL_FINAL)


def reached(kind: str, current: str | None, wanted: Collection[str]) -> bool:
    """True if ``current`` is one of ``wanted`` or past one of them on the successful path."""
    if current is None:
        return False
    if current in wanted:
        return True
    path = _path(kind)
    if current not in path:
        return False
    at = path.index(current)
    return any(w in path and path.index(w) < at for w in wanted)
