"""Number records, search results and countries to :mod:`twilio_connector.models`."""

from __future__ import annotations

from ... import models
from ..._wire import API_PREFIX, API_VERSION
from ..serialize import dt
from .inventory import COUNTRIES, AvailableNumber, Capabilities, capabilities_of
from .records import NumberRecord
from .short_codes import ShortCodeRecord
from .state import format_friendly

__all__ = ["SEARCH_TYPES", "available_model", "country_model", "number_model", "short_code_model"]

# search path segment -> subresource_uris key (Twilio has more types than the emulator sells)
SEARCH_TYPES = {
    "Local": "local", "TollFree": "toll_free", "Mobile": "mobile", "National": "national",
    "Voip": "voip", "SharedCost": "shared_cost", "MachineToMachine": "machine_to_machine",
}  # fmt: skip


def _capabilities(c: Capabilities) -> models.PhoneNumberCapabilities:
    return models.PhoneNumberCapabilities(voice=c.voice, sms=c.sms, mms=c.mms, fax=c.fax)


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
        capabilities=_capabilities(capabilities_of(n.phone_number, n.number_type)),
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
        # Twilio links assigned_add_ons; the emulator has no add-ons, so no link to a 404
        subresource_uris={},
    )


def available_model(item: AvailableNumber) -> models.AvailablePhoneNumber:
    place = item.place
    return models.AvailablePhoneNumber(
        phone_number=item.phone_number,
        friendly_name=format_friendly(item.phone_number),
        lata=None,
        locality=None if place is None else place.locality,
        rate_center=None if place is None else place.rate_center,
        latitude=None if place is None else place.latitude,
        longitude=None if place is None else place.longitude,
        region=None if place is None else place.region,
        postal_code=None if place is None else place.postal_code,
        iso_country=item.country,
        address_requirements="none",
        beta=False,
        capabilities=_capabilities(item.capabilities),
    )


def country_model(account_sid: str, code: str) -> models.AvailablePhoneNumberCountry:
    """One country of ``/AvailablePhoneNumbers``, linking only the types it sells."""
    name, types = COUNTRIES[code]
    base = f"{API_PREFIX}/Accounts/{account_sid}/AvailablePhoneNumbers/{code}"
    return models.AvailablePhoneNumberCountry(
        country_code=code,
        country=name,
        uri=f"{base}.json",
        beta=False,
        subresource_uris={SEARCH_TYPES[t]: f"{base}/{t}.json" for t in types},
    )


def short_code_model(sc: ShortCodeRecord) -> models.ShortCode:
    """The 2010 API's ShortCode (``/SMS/ShortCodes/{SC}.json``)."""
    return models.ShortCode(
        sid=sc.sid, account_sid=sc.account_sid, api_version=sc.get("api_version", API_VERSION),
        date_created=dt(sc.date_created), date_updated=dt(sc.date_updated),
        friendly_name=sc.friendly_name, short_code=sc.short_code,
        sms_fallback_method=sc.get("sms_fallback_method", "POST"),
        sms_fallback_url=sc.get("sms_fallback_url"), sms_method=sc.get("sms_method", "POST"),
        sms_url=sc.get("sms_url"),
        uri=f"{API_PREFIX}/Accounts/{sc.account_sid}/SMS/ShortCodes/{sc.sid}.json",
    )  # fmt: skip
