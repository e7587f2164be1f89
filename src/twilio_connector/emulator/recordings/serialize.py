"""Recording records to :class:`twilio_connector.models.Recording` (both shapes Twilio has)."""

from __future__ import annotations

from ... import models
from ..router import API_PREFIX
from ..serialize import API_VERSION, dt
from .records import RecordingRecord

__all__ = ["recording_model"]


def recording_model(
    r: RecordingRecord, *, media_url: str | None = None, call_level: bool = False
) -> models.Recording:
    """A Recording; ``call_level`` is the ``/Calls/{CA}/Recordings`` shape (with ``track``,
    without ``media_url``/``subresource_uris``), else the account-level one (``media_url``:
    :meth:`~.state.Recordings.media_url`)."""
    account_path = f"{API_PREFIX}/Accounts/{r.account_sid}"
    if call_level:
        uri = f"{account_path}/Calls/{r.call_sid}/Recordings/{r.sid}.json"
    else:
        uri = f"{account_path}/Recordings/{r.sid}.json"
    subresources = None
    if not call_level:
        subresources = {
            "add_on_results": f"{account_path}/Recordings/{r.sid}/AddOnResults.json",
            "transcriptions": f"{account_path}/Recordings/{r.sid}/Transcriptions.json",
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
        status=r.status,
        channels=r.channels,
        source=r.source,
        error_code=None,
        track=r.track if call_level else None,
        uri=uri,
        media_url=None if call_level else media_url,
        encryption_details=None,
        subresource_uris=subresources,
    )
