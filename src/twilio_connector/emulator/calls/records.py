"""The Call as the emulator stores it (an internal shape: epoch-second times, no behaviour).

:mod:`.serialize` turns it into the :class:`twilio_connector.models.Call` wire shape;
:mod:`.repository` stores it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CallRecord"]


@dataclass(slots=True, eq=False)
class CallRecord:
    sid: str
    account_sid: str
    direction: str
    from_: str
    to: str
    status: str
    date_created: float
    date_updated: float
    parent_call_sid: str | None = None
    phone_number_sid: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    duration: int | None = None
    price: str | None = None
    answered_by: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    transcript: str | None = None
    """The finished call's transcript as JSON (live calls keep theirs in memory)."""
