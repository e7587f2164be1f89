"""Messaging Services and their sender pools: settings, validation and pool rules (no HTTP).

Services and pool entries are few and read on every send through a service, so they are
kept in memory and persisted through :mod:`.repository`. Errors (TWILIO.md §17.7): an
unknown service is 404/20404; a ``PhoneNumberSid`` that is not an owned number of the
account 400/21421; a number already in this service 409/21710, in another one 400/21712.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..accounts.records import AccountRecord
from ..errors import EmulatorError, bad_request, invalid_param
from ..numbers.records import NumberRecord
from ..numbers.state import check_config_value
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import PoolNumberRecord, ServiceRecord
from .repository import ServiceRepository

__all__ = ["DEFAULT_SETTINGS", "SERVICE_PARAMS", "USECASES", "MessagingServices"]

USECASES = ("notifications", "marketing", "verification", "discussion", "poll", "undeclared")
MAX_VALIDITY_PERIOD = 36000

SERVICE_PARAMS: dict[str, tuple[str, str]] = {
    "InboundRequestUrl": ("inbound_request_url", "url"),
    "InboundMethod": ("inbound_method", "method"),
    "FallbackUrl": ("fallback_url", "url"),
    "FallbackMethod": ("fallback_method", "method"),
    "StatusCallback": ("status_callback", "url"),
    "StickySender": ("sticky_sender", "bool"),
    "MmsConverter": ("mms_converter", "bool"),
    "SmartEncoding": ("smart_encoding", "bool"),
    "ScanMessageContent": ("scan_message_content", "choice:inherit,enable,disable"),
    "FallbackToLongCode": ("fallback_to_long_code", "bool"),
    "AreaCodeGeomatch": ("area_code_geomatch", "bool"),
    "ValidityPeriod": ("validity_period", "validity"),
    "SynchronousValidation": ("synchronous_validation", "bool"),
    "Usecase": ("usecase", "usecase"),
    "UseInboundWebhookOnNumber": ("use_inbound_webhook_on_number", "bool"),
}
"""Create/update parameter -> (JSON field, kind)."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "inbound_request_url": None,
    "inbound_method": "POST",
    "fallback_url": None,
    "fallback_method": "POST",
    "status_callback": None,
    "sticky_sender": True,
    "mms_converter": True,
    "smart_encoding": True,
    "scan_message_content": "inherit",
    "fallback_to_long_code": False,
    "area_code_geomatch": True,
    "validity_period": MAX_VALIDITY_PERIOD,
    "synchronous_validation": True,
    "usecase": "undeclared",
    "use_inbound_webhook_on_number": False,
}
"""A new service's settings (the Console's defaults: sticky sender, geomatch, smart
encoding and the MMS converter on; inbound disabled until a URL is set)."""


def _check_name(name: str) -> str:
    if not name.strip():
        raise bad_request(20001, "Missing required parameter FriendlyName in the post body")
    if len(name) > 64:
        raise bad_request(20001, "FriendlyName must be at most 64 characters")
    return name


def _value(name: str, kind: str, raw: str) -> Any:
    if kind == "validity":
        try:
            seconds = int(raw.strip())
        except ValueError:
            raise invalid_param(name, raw, "expected an integer") from None
        if not 1 <= seconds <= MAX_VALIDITY_PERIOD:
            raise invalid_param(name, raw, f"must be between 1 and {MAX_VALIDITY_PERIOD}")
        return seconds
    if kind == "usecase":
        if raw not in USECASES:
            raise bad_request(21713, f"Invalid Usecase {raw[:32]!r}: one of {', '.join(USECASES)}")
        return raw
    value = check_config_value(name, kind, raw)
    return None if kind == "url" and not value else value


def parse_settings(params: Callable[[str], str | None]) -> dict[str, Any]:
    """The settings among the request's parameters (``params(name)``), validated."""
    out: dict[str, Any] = {}
    for name, (key, kind) in SERVICE_PARAMS.items():
        raw = params(name)
        if raw is not None:
            out[key] = _value(name, kind, raw)
    return out


@dataclass(frozen=True, slots=True)
class PoolNumber:
    """A pool entry with the number it names."""

    entry: PoolNumberRecord
    number: NumberRecord


class MessagingServices:
    """Every account's services and pools, cached in memory and persisted."""

    def __init__(
        self, store: Store, clock: Clock, numbers_by_sid: Callable[[str], NumberRecord | None]
    ) -> None:
        self._repo = ServiceRepository(store)
        self._clock = clock
        self._number = numbers_by_sid
        """An owned number by SID (``None`` once released)."""
        self._services: dict[str, ServiceRecord] = {}
        self._pool: dict[str, PoolNumberRecord] = {}  # by number SID, in insertion order
        self.load()

    def load(self) -> None:
        self._services = {s.sid: s for s in self._repo.all()}
        self._pool = {p.number_sid: p for p in self._repo.numbers()}

    # -- services ---------------------------------------------------------------------------

    def create(
        self, account: AccountRecord, friendly_name: str | None, settings: Mapping[str, Any]
    ) -> ServiceRecord:
        name = _check_name(friendly_name or "")
        now = self._clock.now()
        record = ServiceRecord(
            new_sid("MG"), account.sid, name, {**DEFAULT_SETTINGS, **settings}, now, now
        )
        self._services[record.sid] = record
        self._repo.save(record)
        return record

    def get(self, account: AccountRecord, sid: str) -> ServiceRecord | None:
        service = self._services.get(sid)
        return service if service is not None and service.account_sid == account.sid else None

    def of_account(self, account: AccountRecord) -> list[ServiceRecord]:
        return [s for s in self._services.values() if s.account_sid == account.sid]

    def update(
        self, service: ServiceRecord, friendly_name: str | None, settings: Mapping[str, Any]
    ) -> ServiceRecord:
        if friendly_name is not None:
            service.friendly_name = _check_name(friendly_name)
        service.settings.update(settings)
        service.date_updated = self._clock.now()
        self._repo.save(service)
        return service

    def delete(self, service: ServiceRecord) -> None:
        """The service and its pool (the numbers stay on the account)."""
        self._services.pop(service.sid, None)
        for sid in [p.number_sid for p in self._pool.values() if p.service_sid == service.sid]:
            del self._pool[sid]
        self._repo.delete(service.sid)

    # -- the pool ---------------------------------------------------------------------------

    def _live(self, entry: PoolNumberRecord) -> PoolNumber | None:
        """The entry with its number, or ``None`` (and the entry dropped) once released."""
        number = self._number(entry.number_sid)
        if number is None or number.account_sid != entry.account_sid:
            self._pool.pop(entry.number_sid, None)
            self._repo.remove_number(entry.number_sid)
            return None
        return PoolNumber(entry, number)

    def add_number(self, service: ServiceRecord, number_sid: str | None) -> PoolNumber:
        if not number_sid:
            raise bad_request(20001, "Missing required parameter PhoneNumberSid in the post body")
        number = self._number(number_sid)
        if number is None or number.account_sid != service.account_sid:
            raise bad_request(21421, f"PhoneNumberSid {number_sid[:40]} is not a valid number")
        existing = self._pool.get(number_sid)
        if existing is not None and self._live(existing) is not None:
            if existing.service_sid == service.sid:
                raise EmulatorError(
                    409, 21710, "Phone Number or Short Code is already in the Messaging Service."
                )
            raise bad_request(
                21712, "Phone Number or Short Code is associated with another Messaging Service."
            )
        now = self._clock.now()
        entry = PoolNumberRecord(service.sid, number_sid, service.account_sid, now, now)
        self._pool[number_sid] = entry
        self._repo.add_number(entry)
        return PoolNumber(entry, number)

    def numbers(self, service: ServiceRecord) -> list[PoolNumber]:
        """The pool's numbers, oldest first."""
        entries = [p for p in self._pool.values() if p.service_sid == service.sid]
        return [n for n in map(self._live, entries) if n is not None]

    def number(self, service: ServiceRecord, number_sid: str) -> PoolNumber | None:
        entry = self._pool.get(number_sid)
        if entry is None or entry.service_sid != service.sid:
            return None
        return self._live(entry)

    def remove_number(self, pooled: PoolNumber) -> None:
        self._pool.pop(pooled.entry.number_sid, None)
        self._repo.remove_number(pooled.entry.number_sid)

    def service_of_number(self, number_sid: str) -> ServiceRecord | None:
        """The service whose pool holds ``number_sid`` (for sending and inbound, to come)."""
        entry = self._pool.get(number_sid)
        return None if entry is None else self._services.get(entry.service_sid)
