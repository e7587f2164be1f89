"""Recognising duplicate deliveries without an index write per event.

Every stored event has a dedup key: ``<event name>:<resource SID>`` for status callbacks and
inbound messages (``sms.delivered:SM...``), ``stream:<CloudEvent id>`` for Event Streams, and
``token:<I-Twilio-Idempotency-Token>`` for the rest (a retried webhook carries the same
token and the same payload, so the SID key already covers tokens where it exists).

:class:`RecentKeys` remembers the keys of the most recent ``capacity`` events (rebuilt from
the inbox at start-up) in two compact open-addressing tables of 8-byte slots (about 16
bytes per remembered event): each slot packs a 22-bit tag of the key's hash with the
event's inbox id. A hit is only a candidate: the caller confirms it against the stored row,
so a collision never drops an event. A duplicate arriving after ``capacity`` newer events
is not recognised and runs again (at-least-once). This keeps a random-key B-tree insert
(several KiB of WAL per event) off the hot path.
"""

from __future__ import annotations

from array import array

__all__ = ["RecentKeys"]

_ID_BITS = 40
_ID_MASK = (1 << _ID_BITS) - 1
_TAG_MASK = (1 << 22) - 1
_REMOVED = -1


class RecentKeys:
    """Key -> inbox id for the newest ``capacity`` events (two rotating generations)."""

    def __init__(self, capacity: int) -> None:
        if capacity < 2:
            raise ValueError("capacity must be at least 2")
        self._half = capacity // 2
        size = 1 << (2 * self._half - 1).bit_length()  # load factor <= 1/2
        self._mask = size - 1
        self._current = array("q", bytes(8 * size))
        self._previous = array("q", bytes(8 * size))
        self._count = 0

    def get(self, key: str) -> int | None:
        """The inbox id remembered for ``key`` (a candidate to confirm), if any."""
        h = hash(key)
        tag = ((h >> _ID_BITS) & _TAG_MASK) + 1
        mask = self._mask
        for table in (self._current, self._previous):
            i = h & mask
            while True:
                slot = table[i]
                if slot == 0:
                    break
                if slot >> _ID_BITS == tag:
                    return slot & _ID_MASK
                i = (i + 1) & mask
        return None

    def claim(self, key: str, record_id: int) -> int | None:
        """Remember ``key`` for ``record_id`` unless it is already remembered.

        Returns the id already remembered for ``key`` (a candidate to confirm; nothing was
        stored), or None after storing the new entry. One probe sequence: the hot path.
        """
        if not 0 < record_id <= _ID_MASK:
            raise ValueError("record id out of range")
        if self._count >= self._half:
            self._rotate()
        h = hash(key)
        tag = ((h >> _ID_BITS) & _TAG_MASK) + 1
        mask = self._mask
        table = self._current
        i = h & mask
        while True:
            slot = table[i]
            if slot == 0:
                break
            if slot >> _ID_BITS == tag:
                return slot & _ID_MASK
            i = (i + 1) & mask
        previous = self._previous
        j = h & mask
        while True:
            slot = previous[j]
            if slot == 0:
                break
            if slot >> _ID_BITS == tag:
                return slot & _ID_MASK
            j = (j + 1) & mask
        table[i] = (tag << _ID_BITS) | record_id
        self._count += 1
        return None

    def add(self, key: str, record_id: int) -> None:
        """Remember ``key`` for ``record_id`` (even if a colliding entry exists)."""
        if not 0 < record_id <= _ID_MASK:
            raise ValueError("record id out of range")
        if self._count >= self._half:
            self._rotate()
        h = hash(key)
        slot_value = ((((h >> _ID_BITS) & _TAG_MASK) + 1) << _ID_BITS) | record_id
        table, mask = self._current, self._mask
        i = h & mask
        while table[i] > 0:
            i = (i + 1) & mask
        table[i] = slot_value
        self._count += 1

    def _rotate(self) -> None:
        self._previous = self._current
        self._current = array("q", bytes(8 * (self._mask + 1)))
        self._count = 0

    def discard(self, key: str, record_id: int) -> None:
        """Forget ``key`` if it still points at ``record_id`` (its insert failed)."""
        h = hash(key)
        mask = self._mask
        for table in (self._current, self._previous):
            i = h & mask
            while table[i] != 0:
                if table[i] > 0 and table[i] & _ID_MASK == record_id:
                    table[i] = _REMOVED
                    return
                i = (i + 1) & mask

    def __len__(self) -> int:
        return sum(1 for t in (self._current, self._previous) for s in t if s > 0)
