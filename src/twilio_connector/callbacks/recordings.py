"""The recording status callback (``RecordingStatusCallback``; TWILIO.md 6.7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from twilio_connector.callbacks.base import RawParams, Rule, TwilioEvent, param

__all__ = ["RecordingStatusEvent"]


class RecordingStatusEvent(TwilioEvent, frozen=True, kw_only=True):
    """A recording status callback (``recording.<status>``; ``status`` as Twilio sent it)."""

    status: str = ""
    account_sid: str | None = None
    call_sid: str | None = None
    conference_sid: str | None = None
    recording_sid: str | None = None
    recording_url: str | None = None
    recording_status: str | None = None
    recording_duration: int | None = None
    recording_channels: int | None = None
    recording_start_time: datetime | None = None
    recording_source: str | None = None
    recording_track: str | None = None
    error_code: int | None = None

    rule = Rule(
        "recording.",
        ("RecordingSid",),
        when=(("RecordingStatus",),),
        status=param("RecordingStatus"),
        ranks={"in_progress": 0, "completed": 1, "absent": 1, "failed": 1},
        rank=1,
        dedup=True,
    )
    _derived = TwilioEvent._derived | {"status"}

    @classmethod
    def _derive(cls, fields: dict[str, Any], raw: RawParams) -> None:
        fields["status"] = (fields.get("recording_status") or "").strip().lower()
