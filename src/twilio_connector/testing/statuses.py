"""Message and call lifecycles as the waiting helpers read them.

A status is *reached* when the resource has it, or has gone past it on the successful path
(waiting for ``sent`` is satisfied by ``delivered``: in fast timing a step may pass between
two looks). A resource in a final status it cannot leave, other than the one awaited, ends
the wait at once.
"""

from __future__ import annotations

from collections.abc import Collection

from ..enums import CALL_FINAL, CALL_PATH, MESSAGE_FINAL, MESSAGE_PATH

__all__ = [
    "CALL_FINAL",
    "CALL_PATH",
    "MESSAGE_FINAL",
    "MESSAGE_PATH",
    "is_final",
    "reached",
]


def _path(kind: str) -> tuple[str, ...]:  # (the lifecycles are in twilio_connector.enums)
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
