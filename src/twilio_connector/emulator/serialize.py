"""Records to :mod:`twilio_connector.models` (the one definition of Twilio's JSON shapes).

Shared: :func:`dt` and :data:`API_VERSION`. Messages, calls and recordings serialize in their
own subpackages (:mod:`.messages.serialize`, :mod:`.calls.serialize`, ...).
"""

from __future__ import annotations

from datetime import timezone

from .. import models
from .._wire import API_VERSION
from .records import AccountRecord, KeyRecord, NumberRecord
from .router import API_PREFIX

__all__ = [
    "account_model",
    "dt",
    "key_model",
    "number_model",
]

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
