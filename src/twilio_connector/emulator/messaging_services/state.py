"""Messaging Services and their sender pools: settings, validation and pool rules (no HTTP).

Services, pool entries and sticky-sender mappings are few and read on every send through a
service, so they are kept in memory and persisted through :mod:`.repository`. Errors
(TWILIO.md §17.7): an unknown service is 404/20404; a ``PhoneNumberSid``/``ShortCodeSid``
that is not the account's 400/21421; a number that can send neither SMS nor MMS 400/21715;
a pool of :data:`MAX_POOL` numbers takes no more (400/21714); a sender already in this
service 409/21710, in another one 400/21712; an invalid alpha sender text 400/21709, a
second alpha sender 400/21714 (Twilio allows one per service; the code it answers is
**unconfirmed**).

Sending (:meth:`MessagingServices.for_send`): an unknown service or another account's is
400/21701, a service with nothing in its pool 400/21704, a ``From`` given with the service
that is not in its pool 400/21711 (the dictionary lists 21711 as a warning; refusing the
send is the emulator's choice, **unconfirmed**). :meth:`~MessagingServices.senders` gives the
pool as :class:`.selection.Sender` entries for :func:`.selection.choose_sender`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..._wire import parse_address
from ..accounts.records import AccountRecord
from ..errors import EmulatorError, bad_request, invalid_param
from ..messages.requests import is_alpha_sender
from ..numbers.inventory import capabilities_of
from ..numbers.records import NumberRecord
from ..numbers.short_codes import ShortCodeRecord
from ..numbers.state import check_config_value
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import AlphaSenderRecord, PoolNumberRecord, PoolShortCodeRecord, ServiceRecord
from .repository import ServiceRepository
from .selection import Sender, number_country

__all__ = [
    "DEFAULT_SETTINGS",
    "MAX_POOL",
    "SERVICE_PARAMS",
    "STICKY_CACHE",
    "USECASES",
    "MessagingServices",
    "PoolNumber",
    "PoolShortCode",
    "check_alpha_sender",
]

USECASES = ("notifications", "marketing", "verification", "discussion", "poll", "undeclared")
MAX_VALIDITY_PERIOD = 36000
MAX_POOL = 400
"""Phone numbers a service's pool holds at most (TWILIO.md §17.7: 400/21714 beyond)."""
STICKY_CACHE = 10_000
"""How many sticky-sender mappings stay in memory (the most recently used; the rest are read
from the store when their recipient is sent to again)."""

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


@dataclass(frozen=True, slots=True)
class PoolShortCode:
    """A pool entry with the short code it names."""

    entry: PoolShortCodeRecord
    short_code: ShortCodeRecord


def check_alpha_sender(text: str | None) -> str:
    """An Alphanumeric Sender ID (:func:`..messages.requests.is_alpha_sender`: 1-11 of
    ``A-Z a-z 0-9 space - + _ &`` with a letter, as a ``From`` must be); 21709 otherwise."""
    if not text:
        raise bad_request(20001, "Missing required parameter AlphaSender in the post body")
    if not is_alpha_sender(text):
        raise bad_request(
            21709,
            f"Alpha Sender ID {text[:16]!r} is invalid: 1 to 11 characters of A-Z, a-z, 0-9, "
            "space, '-', '+', '_', '&', with a letter",
        )
    return text


@lru_cache(maxsize=4096)
def _number_sender(phone_number: str, number_type: str, whatsapp: bool) -> Sender:
    """A pool number as a selection entry (its country and capabilities are fixed)."""
    caps = capabilities_of(phone_number, number_type)
    return Sender(
        phone_number, "long_code", number_country(phone_number), sms=caps.sms, mms=caps.mms,
        whatsapp=whatsapp,
    )  # fmt: skip


def _no_short_codes(_sid: str) -> ShortCodeRecord | None:
    return None


class MessagingServices:
    """Every account's services and pools, cached in memory and persisted."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        numbers_by_sid: Callable[[str], NumberRecord | None],
        short_codes_by_sid: Callable[[str], ShortCodeRecord | None] = _no_short_codes,
        numbers_version: Callable[[], int] | None = None,
        sticky_cache: int = STICKY_CACHE,
    ) -> None:
        self._repo = ServiceRepository(store)
        self._clock = clock
        self._number = numbers_by_sid
        """An owned number by SID (``None`` once released)."""
        self._short_code = short_codes_by_sid
        self._numbers_version = numbers_version
        """Moves whenever a number changes (``None``: unknown, cached senders are re-checked)."""
        self._services: dict[str, ServiceRecord] = {}
        self._pool: dict[str, PoolNumberRecord] = {}  # by number SID, in insertion order
        self._short_codes: dict[str, PoolShortCodeRecord] = {}  # by short code SID
        self._alpha: dict[str, AlphaSenderRecord] = {}  # by service SID (one each)
        self._sticky: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        """(service, recipient) -> From (``None``: none), the most recently used
        :data:`STICKY_CACHE` of the ``messaging_sticky_senders`` table (one row per
        recipient ever sent to: kept in SQL, not all in memory)."""
        self.sticky_cache_size = sticky_cache
        """How many mappings :attr:`_sticky` holds at most."""
        self._generation = 0
        self._sender_cache: dict[
            str, tuple[tuple[int, int | None], list[tuple[str, NumberRecord, bool]], list[Sender]]
        ] = {}
        """Per service: ((generation, numbers version), the numbers used, the senders)."""
        self.load()

    def load(self) -> None:
        self._services = {s.sid: s for s in self._repo.all()}
        self._pool = {p.number_sid: p for p in self._repo.numbers()}
        self._short_codes = {p.short_code_sid: p for p in self._repo.short_codes()}
        self._alpha = {a.service_sid: a for a in self._repo.alpha_senders()}
        self._sticky.clear()
        self._generation += 1  # the pools changed: cached senders are stale
        self._sender_cache.clear()

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

    def by_sid(self, sid: str) -> ServiceRecord | None:
        """A service of any account (the message lifecycle; REST goes through :meth:`get`)."""
        return self._services.get(sid)

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
        self._sender_cache.pop(service.sid, None)
        for sid in [p.number_sid for p in self._pool.values() if p.service_sid == service.sid]:
            del self._pool[sid]
        for sid in [
            p.short_code_sid for p in self._short_codes.values() if p.service_sid == service.sid
        ]:
            del self._short_codes[sid]
        self._alpha.pop(service.sid, None)
        for key in [k for k in self._sticky if k[0] == service.sid]:
            del self._sticky[key]
        self._repo.delete(service.sid)
        self._generation += 1  # the pools changed: cached senders are stale

    # -- the pool ---------------------------------------------------------------------------

    def _live(self, entry: PoolNumberRecord) -> PoolNumber | None:
        """The entry with its number, or ``None`` (and the entry dropped) once released."""
        number = self._number(entry.number_sid)
        if number is None or number.account_sid != entry.account_sid:
            self._pool.pop(entry.number_sid, None)
            self._repo.remove_number(entry.number_sid)
            self._generation += 1  # the pools changed: cached senders are stale
            if number is not None:
                self._forget_sender(entry.service_sid, number.phone_number)
            return None
        return PoolNumber(entry, number)

    def add_number(self, service: ServiceRecord, number_sid: str | None) -> PoolNumber:
        if not number_sid:
            raise bad_request(20001, "Missing required parameter PhoneNumberSid in the post body")
        number = self._number(number_sid)
        if number is None or number.account_sid != service.account_sid:
            raise bad_request(21421, f"PhoneNumberSid {number_sid[:40]} is not a valid number")
        caps = capabilities_of(number.phone_number, number.number_type)
        if not (caps.sms or caps.mms):
            raise bad_request(
                21715, f"Phone Number {number.phone_number} does not have SMS or MMS capability"
            )
        existing = self._pool.get(number_sid)
        if existing is not None and self._live(existing) is not None:
            if existing.service_sid == service.sid:
                raise EmulatorError(
                    409, 21710, "Phone Number or Short Code is already in the Messaging Service."
                )
            raise bad_request(
                21712, "Phone Number or Short Code is associated with another Messaging Service."
            )
        if sum(1 for p in self._pool.values() if p.service_sid == service.sid) >= MAX_POOL:
            raise bad_request(
                21714, f"The Messaging Service's pool is full: at most {MAX_POOL} phone numbers"
            )
        now = self._clock.now()
        entry = PoolNumberRecord(service.sid, number_sid, service.account_sid, now, now)
        self._pool[number_sid] = entry
        self._repo.add_number(entry)
        self._generation += 1  # the pools changed: cached senders are stale
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
        """Take the number out of the pool; the sticky mappings to it go too."""
        self._pool.pop(pooled.entry.number_sid, None)
        self._repo.remove_number(pooled.entry.number_sid)
        self._generation += 1  # the pools changed: cached senders are stale
        self._forget_sender(pooled.entry.service_sid, pooled.number.phone_number)

    def forget_number(self, number: NumberRecord) -> None:
        """A released number: out of its pool, and its sticky mappings dropped."""
        entry = self._pool.get(number.sid)
        if entry is not None:
            self.remove_number(PoolNumber(entry, number))

    def service_of_number(self, number_sid: str) -> ServiceRecord | None:
        """The service whose pool holds ``number_sid`` (inbound messages); none once the
        number left the service's account (:meth:`_live` drops the entry then)."""
        entry = self._pool.get(number_sid)
        if entry is None or self._live(entry) is None:
            return None
        return self._services.get(entry.service_sid)

    # -- short codes ------------------------------------------------------------------------

    def _taken(self, service_sid: str, existing_service_sid: str) -> EmulatorError:
        if existing_service_sid == service_sid:
            return EmulatorError(
                409, 21710, "Phone Number or Short Code is already in the Messaging Service."
            )
        return bad_request(
            21712, "Phone Number or Short Code is associated with another Messaging Service."
        )

    def add_short_code(self, service: ServiceRecord, short_code_sid: str | None) -> PoolShortCode:
        if not short_code_sid:
            raise bad_request(20001, "Missing required parameter ShortCodeSid in the post body")
        short_code = self._short_code(short_code_sid)
        if short_code is None or short_code.account_sid != service.account_sid:
            raise bad_request(
                21421, f"ShortCodeSid {short_code_sid[:40]} is not a valid short code"
            )
        existing = self._short_codes.get(short_code_sid)
        if existing is not None:
            raise self._taken(service.sid, existing.service_sid)
        now = self._clock.now()
        entry = PoolShortCodeRecord(service.sid, short_code_sid, service.account_sid, now, now)
        self._short_codes[short_code_sid] = entry
        self._repo.add_short_code(entry)
        self._generation += 1  # the pools changed: cached senders are stale
        return PoolShortCode(entry, short_code)

    def short_codes(self, service: ServiceRecord) -> list[PoolShortCode]:
        """The pool's short codes, oldest first."""
        out = []
        for entry in self._short_codes.values():
            if entry.service_sid == service.sid:
                short_code = self._short_code(entry.short_code_sid)
                if short_code is not None:
                    out.append(PoolShortCode(entry, short_code))
        return out

    def short_code(self, service: ServiceRecord, sid: str) -> PoolShortCode | None:
        entry = self._short_codes.get(sid)
        if entry is None or entry.service_sid != service.sid:
            return None
        short_code = self._short_code(sid)
        return None if short_code is None else PoolShortCode(entry, short_code)

    def remove_short_code(self, pooled: PoolShortCode) -> None:
        self._short_codes.pop(pooled.entry.short_code_sid, None)
        self._repo.remove_short_code(pooled.entry.short_code_sid)
        self._generation += 1  # the pools changed: cached senders are stale
        self._forget_sender(pooled.entry.service_sid, pooled.short_code.short_code)

    # -- the alpha sender -------------------------------------------------------------------

    def add_alpha_sender(self, service: ServiceRecord, text: str | None) -> AlphaSenderRecord:
        alpha = check_alpha_sender(text)
        if service.sid in self._alpha:
            raise bad_request(
                21714,
                "The Messaging Service already has an Alpha Sender ID (one per service): "
                "delete it before adding another",
            )
        now = self._clock.now()
        record = AlphaSenderRecord(new_sid("AI"), service.sid, service.account_sid, alpha, now, now)
        self._alpha[service.sid] = record
        self._repo.add_alpha_sender(record)
        self._generation += 1  # the pools changed: cached senders are stale
        return record

    def alpha_senders(self, service: ServiceRecord) -> list[AlphaSenderRecord]:
        record = self._alpha.get(service.sid)
        return [] if record is None else [record]

    def alpha_sender(self, service: ServiceRecord, sid: str) -> AlphaSenderRecord | None:
        record = self._alpha.get(service.sid)
        return record if record is not None and record.sid == sid else None

    def remove_alpha_sender(self, record: AlphaSenderRecord) -> None:
        self._alpha.pop(record.service_sid, None)
        self._repo.remove_alpha_sender(record.sid)
        self._generation += 1  # the pools changed: cached senders are stale
        self._forget_sender(record.service_sid, record.alpha_sender)

    # -- sending ----------------------------------------------------------------------------

    def for_send(self, account: AccountRecord, sid: str, from_: str | None = None) -> ServiceRecord:
        """The service a message names (``MessagingServiceSid``), checked for sending."""
        service = self.get(account, sid)
        if service is None:
            raise bad_request(
                21701, f"The Messaging Service Sid {sid[:40]} is invalid or not on this account."
            )
        if not self._has_senders(service):
            raise bad_request(21704, "The Messaging Service contains no phone numbers")
        if from_:
            senders = self.senders(service)
            address = parse_address(from_)
            whatsapp = address.channel == "whatsapp"
            if not any(s.address == address.bare and (s.whatsapp or not whatsapp) for s in senders):
                raise bad_request(
                    21711,
                    f"The 'From' {from_[:40]} is not a sender of the Messaging Service {sid}.",
                )
        return service

    def senders(self, service: ServiceRecord) -> list[Sender]:
        """The pool as selection entries: the alpha sender, short codes, then numbers
        (cached until a pool or a number changes)."""
        version = self._numbers_version() if self._numbers_version is not None else None
        cached = self._sender_cache.get(service.sid)
        if (
            cached is not None
            and cached[0] == (self._generation, version)
            and (version is not None or self._same_numbers(service, cached[1]))
        ):
            return cached[2]
        senders = self._build_senders(service)
        used = [(p.entry.number_sid, p.number, p.number.whatsapp) for p in self.numbers(service)]
        self._sender_cache[service.sid] = ((self._generation, version), used, senders)
        return senders

    def _same_numbers(
        self, service: ServiceRecord, used: list[tuple[str, NumberRecord, bool]]
    ) -> bool:
        return all(
            self._number(sid) is n and n.whatsapp == wa and n.account_sid == service.account_sid
            for sid, n, wa in used
        )

    def _build_senders(self, service: ServiceRecord) -> list[Sender]:
        out: list[Sender] = []
        alpha = self._alpha.get(service.sid)
        if alpha is not None:
            out.append(Sender(alpha.alpha_sender, "alpha", sms=True))
        for p in self.short_codes(service):
            sc = p.short_code
            out.append(Sender(sc.short_code, "short_code", sc.country_code, sms=True))
        for pooled in self.numbers(service):
            n = pooled.number
            out.append(_number_sender(n.phone_number, n.number_type, n.whatsapp))
        return out

    def _has_senders(self, service: ServiceRecord) -> bool:
        return bool(self.senders(service))

    def sticky_page(self, service_sid: str, limit: int) -> tuple[list[tuple[str, str]], int]:
        """(recipient, From) mappings of a service, the first ``limit`` by recipient, and how
        many there are (the web inbox)."""
        return self._repo.sticky_page(service_sid, limit)

    def sticky_of(self, service_sid: str, recipient: str) -> str | None:
        """The ``From`` the service used for ``recipient`` before (kept while sticky is off)."""
        key = (service_sid, recipient)
        if key in self._sticky:
            self._sticky.move_to_end(key)
            return self._sticky[key]
        sender = self._repo.sticky_of(service_sid, recipient)
        self._cache_sticky(key, sender)
        return sender

    def _cache_sticky(self, key: tuple[str, str], sender: str | None) -> None:
        self._sticky[key] = sender
        self._sticky.move_to_end(key)
        while len(self._sticky) > self.sticky_cache_size:
            self._sticky.popitem(last=False)

    def remember(self, service_sid: str, recipient: str, from_: str) -> None:
        key = (service_sid, recipient)
        if self._sticky.get(key) != from_:
            self._repo.set_sticky(service_sid, recipient, from_)
        self._cache_sticky(key, from_)

    def _forget_sender(self, service_sid: str, sender: str) -> None:
        for key in [
            k for k, v in self._sticky.items()
            if k[0] == service_sid and v is not None and parse_address(v).bare == sender
        ]:  # fmt: skip
            del self._sticky[key]
        self._repo.drop_sticky(service_sid, sender)
        self._repo.drop_sticky(service_sid, f"whatsapp:{sender}")
