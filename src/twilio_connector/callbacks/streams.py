"""The Media Stream status callback (``<Stream statusCallback>``; TWILIO.md §22.5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from twilio_connector.callbacks.base import RawParams, Rule, TwilioEvent

__all__ = ["StreamStatusEvent"]


class StreamStatusEvent(TwilioEvent, frozen=True, kw_only=True):
    """``call.stream.started``, ``call.stream.stopped`` or ``call.stream.error``
    (``StreamEvent`` without its ``stream-`` prefix in ``status``)."""

    status: str = ""
    account_sid: str | None = None
    call_sid: str | None = None
    stream_sid: str | None = None
    stream_name: str | None = None
    stream_event: str | None = None
    stream_error: str | None = None
    timestamp: datetime | None = None

    rule = Rule(
        "call.stream.",
        ("StreamSid",),
        when=(("StreamEvent",),),
        status=lambda p: (
            (p.get("StreamEvent") or "").strip().lower().removeprefix("stream-") or None
        ),
        ranks={"started": 0, "error": 1, "stopped": 1},
        rank=1,
        dedup=True,
    )
    _derived = TwilioEvent._derived | {"status"}

    @classmethod
    def _derive(cls, fields: dict[str, Any], raw: RawParams) -> None:
        event = (fields.get("stream_event") or "").strip().lower()
        fields["status"] = event.removeprefix("stream-")
