"""Phone numbers: owned IncomingPhoneNumbers, their webhook settings, and purchases.

Magic purchase numbers behave as with Twilio's test credentials: ``+15005550000`` is
unavailable (21422), ``+15005550001`` invalid (21421), ``+15005550006`` always buyable;
``AreaCode=533`` has no numbers (21452), ``AreaCode=500`` gives ``+15005550006``.
Numbers are kept in memory (they are few and looked up on every send) and persisted
through :mod:`.repository`; the numbers for sale come from :mod:`.inventory`.
"""

from __future__ import annotations

import re
from typing import Any

from ..._wire import is_e164
from ..accounts.records import AccountRecord
from ..errors import bad_request, invalid_param
from ..http import is_http_url
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .inventory import AvailableNumber, Inventory, SearchQuery
from .records import NumberRecord
from .repository import NumberRepository

__all__ = [
    "NUMBER_CONFIG_PARAMS",
    "SANDBOX_WHATSAPP_NUMBER",
    "Numbers",
    "check_config_value",
    "format_friendly",
]

SANDBOX_WHATSAPP_NUMBER = "+14155238886"
MAGIC_BUYABLE = "+15005550006"

# Update/purchase parameter -> (config key, kind)
NUMBER_CONFIG_PARAMS: dict[str, tuple[str, str]] = {
    "ApiVersion": ("api_version", "str"),
    "SmsUrl": ("sms_url", "url"),
    "SmsMethod": ("sms_method", "method"),
    "SmsFallbackUrl": ("sms_fallback_url", "url"),
    "SmsFallbackMethod": ("sms_fallback_method", "method"),
    "SmsApplicationSid": ("sms_application_sid", "sid:AP"),
    "VoiceUrl": ("voice_url", "url"),
    "VoiceMethod": ("voice_method", "method"),
    "VoiceFallbackUrl": ("voice_fallback_url", "url"),
    "VoiceFallbackMethod": ("voice_fallback_method", "method"),
    "VoiceApplicationSid": ("voice_application_sid", "sid:AP"),
    "VoiceCallerIdLookup": ("voice_caller_id_lookup", "bool"),
    "VoiceReceiveMode": ("voice_receive_mode", "choice:voice,fax"),
    "StatusCallback": ("status_callback", "url"),
    "StatusCallbackMethod": ("status_callback_method", "method"),
    "TrunkSid": ("trunk_sid", "sid:TK"),
    "EmergencyStatus": ("emergency_status", "choice:Active,Inactive"),
    "EmergencyAddressSid": ("emergency_address_sid", "sid:AD"),
    "IdentitySid": ("identity_sid", "sid:RI"),
    "AddressSid": ("address_sid", "sid:AD"),
    "BundleSid": ("bundle_sid", "sid:BU"),
}


def format_friendly(number: str) -> str:
    """``+15005550006`` -> ``(500) 555-0006`` for NANP numbers; others unchanged."""
    if number.startswith("+1") and len(number) == 12:
        d = number[2:]
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"
    return number


def check_config_value(name: str, kind: str, raw: str) -> Any:
    """Validate one IncomingPhoneNumber setting; returns the stored value."""
    if kind == "url":
        if raw and not is_http_url(raw):
            raise bad_request(21502, f"{name} must be an http or https URL")
        return raw
    if kind == "method":
        if raw.upper() not in ("GET", "POST"):
            raise invalid_param(name, raw, "must be GET or POST")
        return raw.upper()
    if kind == "bool":
        if raw.lower() not in ("true", "false"):
            raise invalid_param(name, raw, "expected true or false")
        return raw.lower() == "true"
    if kind.startswith("choice:"):
        choices = kind[7:].split(",")
        if raw not in choices:
            raise invalid_param(name, raw, f"must be one of {', '.join(choices)}")
        return raw
    if kind.startswith("sid:"):
        if raw and not re.match(kind[4:] + r"[0-9a-fA-F]{32}\Z", raw):
            raise invalid_param(name, raw, f"expected a {kind[4:]} SID")
        return raw or None
    return raw


class Numbers:
    """Owned numbers of every account, by number and by SID."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._repo = NumberRepository(store)
        self._clock = clock
        self._by_number: dict[str, NumberRecord] = {}
        self._by_sid: dict[str, NumberRecord] = {}
        self.version = 0
        """Moves on every change to a number (Messaging Service pools cache their senders)."""
        self.inventory = Inventory(lambda number: number in self._by_number)
        self.load()

    def load(self) -> None:
        self.version += 1
        self._by_number.clear()
        self._by_sid.clear()
        for n in self._repo.all():
            self._by_number[n.phone_number] = n
            self._by_sid[n.sid] = n

    def owner_of(self, phone_number: str) -> NumberRecord | None:
        """The owned number record for an E.164 number (channel prefix ignored)."""
        bare = phone_number.split(":", 1)[1] if ":" in phone_number else phone_number
        return self._by_number.get(bare)

    def get(self, account: AccountRecord, sid: str) -> NumberRecord | None:
        n = self._by_sid.get(sid)
        return n if n is not None and n.account_sid == account.sid else None

    def by_sid(self, sid: str) -> NumberRecord | None:
        """An owned number of any account by its SID."""
        return self._by_sid.get(sid)

    def of_account(self, account_sid: str) -> list[NumberRecord]:
        return [n for n in self._by_sid.values() if n.account_sid == account_sid]

    def _save(self, n: NumberRecord) -> NumberRecord:
        self.version += 1
        self._by_number[n.phone_number] = n
        self._by_sid[n.sid] = n
        self._repo.save(n)
        return n

    def ensure(
        self,
        account_sid: str,
        phone_number: str,
        *,
        whatsapp: bool = False,
        name: str | None = None,
    ) -> NumberRecord:
        """Own ``phone_number`` (seeding); an existing record keeps its configuration."""
        if not is_e164(phone_number):
            raise ValueError(f"phone number must be E.164 (+15551234567), got {phone_number!r}")
        existing = self._by_number.get(phone_number)
        if existing is not None:
            if whatsapp and not existing.whatsapp:
                existing.whatsapp = True
                self._save(existing)
            return existing
        now = self._clock.now()
        # A UK +447 number is a mobile (voice and SMS), as one bought from GB/Mobile is;
        # seeded as local it would be voice only, and no Messaging Service would pick it.
        number_type = "mobile" if phone_number.startswith("+447") else "local"
        record = NumberRecord(
            new_sid("PN"), account_sid, phone_number, name or format_friendly(phone_number),
            number_type=number_type, whatsapp=whatsapp, date_created=now, date_updated=now,
        )  # fmt: skip
        return self._save(record)

    def set_whatsapp(self, phone_number: str, enabled: bool) -> NumberRecord:
        n = self.owner_of(phone_number)
        if n is None:
            raise KeyError(phone_number)
        n.whatsapp = enabled
        n.date_updated = self._clock.now()
        return self._save(n)

    def purchase(
        self,
        account: AccountRecord,
        phone_number: str | None,
        area_code: str | None,
        number_type: str,
        friendly_name: str | None,
        config: dict[str, Any],
    ) -> NumberRecord:
        if phone_number:
            if phone_number == "+15005550000":
                raise bad_request(21422, f"PhoneNumber {phone_number} is not available")
            if phone_number == "+15005550001" or not is_e164(phone_number):
                raise bad_request(21421, f"PhoneNumber {phone_number} is invalid")
            if phone_number in self._by_number and phone_number != MAGIC_BUYABLE:
                raise bad_request(21422, f"PhoneNumber {phone_number} is not available")
        elif area_code:
            if not re.fullmatch(r"[2-9][0-9]{2}", area_code):
                raise invalid_param("AreaCode", area_code, "expected a 3-digit US/CA area code")
            if area_code == "533":
                raise bad_request(21452, "No phone numbers found in area code 533")
            if area_code == "500":
                phone_number = MAGIC_BUYABLE
            else:
                found = self.search(SearchQuery("US", "Local", area_code=area_code), 0, 1)
                if not found:
                    raise bad_request(21452, f"No phone numbers found in area code {area_code}")
                phone_number = found[0].phone_number
        else:
            raise bad_request(21421, "A 'PhoneNumber' or 'AreaCode' is required")
        if friendly_name is not None and len(friendly_name) > 64:
            raise invalid_param("FriendlyName", None, "at most 64 characters")
        existing = self._by_number.get(phone_number)
        if existing is not None:  # the magic number can be "bought" again by its owner
            if existing.account_sid != account.sid:
                raise bad_request(21422, f"PhoneNumber {phone_number} is not available")
            return existing
        now = self._clock.now()
        name = friendly_name or format_friendly(phone_number)
        record = NumberRecord(
            new_sid("PN"), account.sid, phone_number, name, number_type=number_type,
            config=dict(config), date_created=now, date_updated=now,
        )  # fmt: skip
        return self._save(record)

    def update(
        self,
        number: NumberRecord,
        friendly_name: str | None,
        config: dict[str, Any],
        new_owner: AccountRecord | None = None,
    ) -> NumberRecord:
        if friendly_name is not None:
            if len(friendly_name) > 64:
                raise invalid_param("FriendlyName", None, "at most 64 characters")
            number.friendly_name = friendly_name
        number.config.update(config)
        if new_owner is not None:
            number.account_sid = new_owner.sid
        number.date_updated = self._clock.now()
        return self._save(number)

    def release(self, number: NumberRecord) -> None:
        self.version += 1
        self._by_number.pop(number.phone_number, None)
        self._by_sid.pop(number.sid, None)
        self._repo.delete(number.sid)

    # -- AvailablePhoneNumbers --------------------------------------------------------------

    def search(self, query: SearchQuery, offset: int, limit: int) -> list[AvailableNumber]:
        """Numbers for sale (none that is owned already): see :mod:`.inventory`."""
        return self.inventory.search(query, offset, limit)
