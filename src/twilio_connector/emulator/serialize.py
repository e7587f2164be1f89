"""Records to :mod:`twilio_connector.models` (the one definition of Twilio's JSON shapes).

``dt`` and ``API_VERSION`` are shared; other resources serialize next to their handlers
(``accounts/serialize.py``, ``keys/rest.py``, ``numbers/serialize.py``, ``messages/serialize.py``).
"""

from __future__ import annotations

from datetime import timezone

from .. import models
from .calls.records import CallRecord, RecordingRecord
from .numbers.state import format_friendly
from .router import API_PREFIX

__all__ = ["API_VERSION", "call_model", "dt", "recording_model"]

API_VERSION = "2010-04-01"
_CALL_SUBRESOURCES = (
    ("notifications", "Notifications"),
    ("recordings", "Recordings"),
    ("payments", "Payments"),
    ("events", "Events"),
    ("siprec", "Siprec"),
    ("streams", "Streams"),
    ("transcriptions", "Transcriptions"),
    ("user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"),
    ("user_defined_messages", "UserDefinedMessages"),
)


def dt(ts: float | None) -> models.Rfc2822Datetime | None:
    """Epoch seconds to the models' datetime (whole seconds, as Twilio shows them)."""
    if ts is None:
        return None
    return models.Rfc2822Datetime.fromtimestamp(int(ts), tz=timezone.utc)


def call_model(c: CallRecord) -> models.Call:
    uri = f"{API_PREFIX}/Accounts/{c.account_sid}/Calls/{c.sid}"
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
        status=c.status,
        start_time=dt(c.start_time),
        end_time=dt(c.end_time),
        duration=None if c.duration is None else str(c.duration),
        price=c.price,
        price_unit="USD",
        direction=c.direction,
        answered_by=c.answered_by,
        api_version=API_VERSION,
        forwarded_from=c.forwarded_from,
        group_sid=None,
        caller_name=c.caller_name,
        queue_time="0",
        trunk_sid=None,
        uri=f"{uri}.json",
        subresource_uris={name: f"{uri}/{path}.json" for name, path in _CALL_SUBRESOURCES},
    )


def recording_model(
    r: RecordingRecord, *, base_url: str | None = None, call_level: bool = False
) -> models.Recording:
    """A Recording; ``call_level`` is the ``/Calls/{CA}/Recordings`` shape (with ``track``,
    without ``media_url``/``subresource_uris``), else the account-level one."""
    account_path = f"{API_PREFIX}/Accounts/{r.account_sid}"
    if call_level:
        uri = f"{account_path}/Calls/{r.call_sid}/Recordings/{r.sid}.json"
    else:
        uri = f"{account_path}/Recordings/{r.sid}.json"
    media = (
        None if call_level or base_url is None else f"{base_url}{account_path}/Recordings/{r.sid}"
    )
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
        media_url=media,
        encryption_details=None,
        subresource_uris=subresources,
    )
