"""Services and pool entries -> :mod:`twilio_connector.models` (ISO 8601 dates, absolute URLs)."""

from __future__ import annotations

from datetime import datetime, timezone

from ... import models
from ..._wire import country_of, domain_base_url
from ...specs import (
    MESSAGING_SERVICE_ALPHA_SENDERS,
    MESSAGING_SERVICE_PHONE_NUMBERS,
    MESSAGING_SERVICE_SHORT_CODES,
    MESSAGING_SERVICES,
)
from ..numbers.inventory import capabilities_of
from .records import AlphaSenderRecord, ServiceRecord
from .state import PoolNumber, PoolShortCode

__all__ = [
    "alpha_sender_model",
    "iso",
    "pool_number_model",
    "pool_short_code_model",
    "service_model",
    "service_url",
]

_LINKS = {
    "phone_numbers": "/PhoneNumbers",
    "short_codes": "/ShortCodes",
    "alpha_senders": "/AlphaSenders",
    "messages": "/Messages",
    "us_app_to_person": "/Compliance/Usa2p",
    "us_app_to_person_usecases": "/Compliance/Usa2p/Usecases",
    "channel_senders": "/ChannelSenders",
    "destination_alpha_senders": "/DestinationAlphaSenders",
}


def iso(ts: float) -> datetime:
    """Epoch seconds -> a UTC datetime in whole seconds (encoded ``2015-07-30T20:12:31Z``)."""
    return datetime.fromtimestamp(int(ts), tz=timezone.utc)


def service_url(base_url: str, sid: str) -> str:
    """The service's absolute URL on the emulator (``{base_url}/messaging/v1/Services/MG...``)."""
    assert MESSAGING_SERVICES.instance_path is not None
    return domain_base_url(base_url, "messaging") + MESSAGING_SERVICES.instance_path.fill(sid)


def service_model(s: ServiceRecord, base_url: str) -> models.MessagingService:
    url = service_url(base_url, s.sid)
    settings = s.settings
    return models.MessagingService(
        sid=s.sid, account_sid=s.account_sid, friendly_name=s.friendly_name,
        date_created=iso(s.date_created), date_updated=iso(s.date_updated),
        inbound_request_url=settings.get("inbound_request_url"),
        inbound_method=settings.get("inbound_method"),
        fallback_url=settings.get("fallback_url"),
        fallback_method=settings.get("fallback_method"),
        status_callback=settings.get("status_callback"),
        sticky_sender=settings.get("sticky_sender"),
        mms_converter=settings.get("mms_converter"),
        smart_encoding=settings.get("smart_encoding"),
        scan_message_content=settings.get("scan_message_content"),
        fallback_to_long_code=settings.get("fallback_to_long_code"),
        area_code_geomatch=settings.get("area_code_geomatch"),
        synchronous_validation=settings.get("synchronous_validation"),
        validity_period=settings.get("validity_period", 36000),
        url=url, links={name: url + suffix for name, suffix in _LINKS.items()},
        usecase=settings.get("usecase"), us_app_to_person_registered=False,
        use_inbound_webhook_on_number=settings.get("use_inbound_webhook_on_number"),
    )  # fmt: skip


def pool_number_model(p: PoolNumber, base_url: str) -> models.MessagingServicePhoneNumber:
    entry, number = p.entry, p.number
    assert MESSAGING_SERVICE_PHONE_NUMBERS.instance_path is not None
    path = MESSAGING_SERVICE_PHONE_NUMBERS.instance_path.fill(entry.service_sid, entry.number_sid)
    c = capabilities_of(number.phone_number, number.number_type)
    capabilities = [name for name, on in (("MMS", c.mms), ("SMS", c.sms), ("Voice", c.voice)) if on]
    return models.MessagingServicePhoneNumber(
        sid=entry.number_sid, account_sid=entry.account_sid, service_sid=entry.service_sid,
        date_created=iso(entry.date_created), date_updated=iso(entry.date_updated),
        phone_number=number.phone_number, country_code=country_of(number.phone_number) or None,
        capabilities=capabilities, url=domain_base_url(base_url, "messaging") + path,
    )  # fmt: skip


def pool_short_code_model(p: PoolShortCode, base_url: str) -> models.MessagingServiceShortCode:
    entry, sc = p.entry, p.short_code
    assert MESSAGING_SERVICE_SHORT_CODES.instance_path is not None
    path = MESSAGING_SERVICE_SHORT_CODES.instance_path.fill(entry.service_sid, entry.short_code_sid)
    return models.MessagingServiceShortCode(
        sid=entry.short_code_sid, account_sid=entry.account_sid, service_sid=entry.service_sid,
        date_created=iso(entry.date_created), date_updated=iso(entry.date_updated),
        short_code=sc.short_code, country_code=sc.country_code, capabilities=["SMS"],
        url=domain_base_url(base_url, "messaging") + path,
    )  # fmt: skip


def alpha_sender_model(a: AlphaSenderRecord, base_url: str) -> models.MessagingServiceAlphaSender:
    assert MESSAGING_SERVICE_ALPHA_SENDERS.instance_path is not None
    path = MESSAGING_SERVICE_ALPHA_SENDERS.instance_path.fill(a.service_sid, a.sid)
    return models.MessagingServiceAlphaSender(
        sid=a.sid, account_sid=a.account_sid, service_sid=a.service_sid,
        date_created=iso(a.date_created), date_updated=iso(a.date_updated),
        alpha_sender=a.alpha_sender, capabilities=["SMS"],
        url=domain_base_url(base_url, "messaging") + path,
    )  # fmt: skip
