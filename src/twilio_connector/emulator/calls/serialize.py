"""Call records to :class:`twilio_connector.models.Call`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ... import models
from ..._wire import API_VERSION
from ...specs import CALLS
from ..numbers.state import format_friendly
from ..serialize import dt
from .records import CallRecord

if TYPE_CHECKING:  # the stored values are the emulator's own: Twilio's values
    from ...enums import AnsweredByValue, CallDirectionValue, CallStatusValue

__all__ = ["call_model"]

assert CALLS.instance_path
_CALL = CALLS.instance_path
_CALL_SUBRESOURCES = (("recordings", "Recordings"),)
"""The subresources the emulator serves (Twilio lists more: notifications, payments, events,
siprec, streams, transcriptions, user-defined messages; links a GET of which fails are left
out: Streams are created and stopped, never listed)."""


def call_model(c: CallRecord) -> models.Call:
    uri = _CALL.fill(c.account_sid, c.sid)
    base = uri.removesuffix(".json")
    return models.Call(
        sid=c.sid,
        account_sid=c.account_sid,
        parent_call_sid=c.parent_call_sid,
        date_created=dt(c.date_created),
        date_updated=dt(c.date_updated),
        to=c.to,
        to_formatted=format_friendly(c.to),
        from_=c.from_,
        from_formatted=format_friendly(c.from_),
        phone_number_sid=c.phone_number_sid,
        status=cast("CallStatusValue", c.status),
        start_time=dt(c.start_time),
        end_time=dt(c.end_time),
        duration=None if c.duration is None else str(c.duration),
        price=c.price,
        price_unit="USD",
        direction=cast("CallDirectionValue", c.direction),
        answered_by=cast("AnsweredByValue | None", c.answered_by),
        api_version=API_VERSION,
        forwarded_from=c.forwarded_from,
        group_sid=None,
        caller_name=c.caller_name,
        queue_time="0",
        trunk_sid=None,
        uri=uri,
        subresource_uris={name: f"{base}/{path}.json" for name, path in _CALL_SUBRESOURCES},
    )
