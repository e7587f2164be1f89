"""Recording records to :class:`twilio_connector.models.Recording` (both shapes Twilio has)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ... import models
from ..._wire import API_VERSION
from ...specs import CALL_RECORDINGS, RECORDINGS
from ..serialize import dt
from .records import RecordingRecord

if TYPE_CHECKING:  # the stored values are the emulator's own: Twilio's values
    from ...enums import RecordingSourceValue, RecordingStatusValue

__all__ = ["recording_model"]

assert RECORDINGS.instance_path and CALL_RECORDINGS.instance_path
_RECORDING, _OF_CALL = RECORDINGS.instance_path, CALL_RECORDINGS.instance_path


def recording_model(
    r: RecordingRecord, *, media_url: str | None = None, call_level: bool = False
) -> models.Recording:
    """A Recording; ``call_level`` is the ``/Calls/{CA}/Recordings`` shape (with ``track``,
    without ``media_url``/``subresource_uris``), else the account-level one (``media_url``:
    :meth:`~.state.Recordings.media_url`)."""
    subresources = None
    if call_level:
        uri = _OF_CALL.fill(r.account_sid, r.call_sid, r.sid)
    else:
        uri = _RECORDING.fill(r.account_sid, r.sid)
        base = uri.removesuffix(".json")
        subresources = {
            "add_on_results": f"{base}/AddOnResults.json",
            "transcriptions": f"{base}/Transcriptions.json",
        }
    return models.Recording(
        sid=r.sid,
        account_sid=r.account_sid,
        api_version=API_VERSION,
        call_sid=r.call_sid,
        conference_sid=None,
        date_created=dt(r.date_created),
        date_updated=dt(r.date_updated),
        start_time=dt(r.start_time),
        duration=str(r.duration),
        price=None,
        price_unit="USD",
        status=cast("RecordingStatusValue", r.status),
        channels=r.channels,
        source=cast("RecordingSourceValue", r.source),
        error_code=None,
        track=r.track if call_level else None,
        uri=uri,
        media_url=None if call_level else media_url,
        encryption_details=None,
        subresource_uris=subresources,
    )
