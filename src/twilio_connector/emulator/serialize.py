"""Records to :mod:`twilio_connector.models` (the one definition of Twilio's JSON shapes)."""

from __future__ import annotations

from datetime import timezone

from .. import models
from .calls.records import CallRecord, RecordingRecord
from .numbers.state import format_friendly
from .records import AccountRecord, KeyRecord, NumberRecord
from .router import API_PREFIX

__all__ = [
    "account_model",
    "call_model",
    "dt",
    "key_model",
    "number_model",
    "recording_model",
]

API_VERSION = "2010-04-01"
_ACCOUNT_SUBRESOURCES = (
    ("available_phone_numbers", "AvailablePhoneNumbers"),
    ("calls", "Calls"),
    ("conferences", "Conferences"),
    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
    ("notifications", "Notifications"),
    ("outgoing_caller_ids", "OutgoingCallerIds"),
    ("recordings", "Recordings"),
    ("transcriptions", "Transcriptions"),
    ("addresses", "Addresses"),
    ("signing_keys", "SigningKeys"),
    ("connect_apps", "ConnectApps"),
    ("sip", "SIP"),
    ("authorized_connect_apps", "AuthorizedConnectApps"),
    ("usage", "Usage"),
    ("keys", "Keys"),
    ("applications", "Applications"),
    ("short_codes", "SMS/ShortCodes"),
    ("queues", "Queues"),
    ("messages", "Messages"),
    ("balance", "Balance"),
)


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


def account_model(a: AccountRecord) -> models.Account:
    base = f"{API_PREFIX}/Accounts/{a.sid}"
    return models.Account(
        sid=a.sid,
        friendly_name=a.friendly_name,
        status=a.status,
        type=a.type,
        owner_account_sid=a.owner_sid,
        auth_token=a.auth_token,
        date_created=dt(a.date_created),
        date_updated=dt(a.date_updated),
        uri=f"{base}.json",
        subresource_uris={name: f"{base}/{path}.json" for name, path in _ACCOUNT_SUBRESOURCES},
    )


def key_model(k: KeyRecord, secret: str | None = None) -> models.ApiKey:
    created, updated = dt(k.date_created), dt(k.date_updated)
    if secret is not None:
        return models.NewApiKey(
            sid=k.sid, friendly_name=k.friendly_name, date_created=created,
            date_updated=updated, secret=secret,
        )  # fmt: skip
    return models.ApiKey(
        sid=k.sid, friendly_name=k.friendly_name, date_created=created, date_updated=updated
    )


def number_model(n: NumberRecord) -> models.IncomingPhoneNumber:
    c = n.config
    uri = f"{API_PREFIX}/Accounts/{n.account_sid}/IncomingPhoneNumbers/{n.sid}"
    return models.IncomingPhoneNumber(
        sid=n.sid,
        account_sid=n.account_sid,
        phone_number=n.phone_number,
        friendly_name=n.friendly_name,
        address_sid=c.get("address_sid"),
        address_requirements="none",
        api_version=c.get("api_version") or API_VERSION,
        beta=False,
        capabilities=models.PhoneNumberCapabilities(voice=True, sms=True, mms=True, fax=False),
        date_created=dt(n.date_created),
        date_updated=dt(n.date_updated),
        identity_sid=c.get("identity_sid"),
        origin="twilio",
        sms_application_sid=c.get("sms_application_sid") or None,
        sms_fallback_method=c.get("sms_fallback_method") or "POST",
        sms_fallback_url=c.get("sms_fallback_url") or "",
        sms_method=c.get("sms_method") or "POST",
        sms_url=c.get("sms_url") or "",
        status_callback=c.get("status_callback") or "",
        status_callback_method=c.get("status_callback_method") or "POST",
        trunk_sid=c.get("trunk_sid"),
        voice_receive_mode=c.get("voice_receive_mode") or "voice",
        voice_application_sid=c.get("voice_application_sid") or None,
        voice_caller_id_lookup=bool(c.get("voice_caller_id_lookup", False)),
        voice_fallback_method=c.get("voice_fallback_method") or "POST",
        voice_fallback_url=c.get("voice_fallback_url") or "",
        voice_method=c.get("voice_method") or "POST",
        voice_url=c.get("voice_url") or "",
        emergency_status=c.get("emergency_status") or "Inactive",
        emergency_address_sid=c.get("emergency_address_sid"),
        emergency_address_status="unregistered",
        bundle_sid=c.get("bundle_sid"),
        status="in-use",
        type=n.number_type,
        uri=f"{uri}.json",
        subresource_uris={"assigned_add_ons": f"{uri}/AssignedAddOns.json"},
    )


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
