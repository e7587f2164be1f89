"""Phone numbers: owned IncomingPhoneNumbers and the AvailablePhoneNumbers search.

Magic purchase numbers behave as with Twilio's test credentials: ``+15005550000`` is
unavailable (21422), ``+15005550001`` invalid (21421), ``+15005550006`` always buyable;
``AreaCode=533`` has no numbers (21452), ``AreaCode=500`` gives ``+15005550006``.
Numbers are kept in memory (they are few and looked up on every send) and persisted.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from ..errors import EmulatorError, bad_request, invalid_param
from ..records import AccountRecord, NumberRecord, new_sid
from ..scheduler import Clock
from ..store import Store

__all__ = [
    "COUNTRIES",
    "E164_RE",
    "NUMBER_CONFIG_PARAMS",
    "SANDBOX_WHATSAPP_NUMBER",
    "AvailableNumber",
    "Numbers",
    "format_friendly",
]

E164_RE = re.compile(r"\+[1-9][0-9]{6,14}\Z")
SANDBOX_WHATSAPP_NUMBER = "+14155238886"
MAGIC_BUYABLE = "+15005550006"
COUNTRIES = {
    "US": ("United States", ("Local", "TollFree")),
    "CA": ("Canada", ("Local", "TollFree")),
    "GB": ("United Kingdom", ("Local", "Mobile", "TollFree")),
}
_COUNTRY_PREFIX = {"US": "+1", "CA": "+1", "GB": "+44"}
_TYPE_NAMES = {"Local": "local", "Mobile": "mobile", "TollFree": "tollfree"}
_KEYPAD = {c: d for d, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV",
    "9": "WXYZ"}.items() for c in letters}  # fmt: skip

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
        if raw and not re.match(r"https?://[^\s/]+", raw):
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


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    country: str
    number_type: str
    region: str
    locality: str
    postal_code: str


class Numbers:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._by_number: dict[str, NumberRecord] = {}
        self._by_sid: dict[str, NumberRecord] = {}
        self.load()

    def load(self) -> None:
        self._by_number.clear()
        self._by_sid.clear()
        for n in self._store.load_numbers():
            self._by_number[n.phone_number] = n
            self._by_sid[n.sid] = n

    def owner_of(self, phone_number: str) -> NumberRecord | None:
        """The owned number record for an E.164 number (channel prefix ignored)."""
        bare = phone_number.split(":", 1)[1] if ":" in phone_number else phone_number
        return self._by_number.get(bare)

    def get(self, account: AccountRecord, sid: str) -> NumberRecord | None:
        n = self._by_sid.get(sid)
        return n if n is not None and n.account_sid == account.sid else None

    def of_account(self, account_sid: str) -> list[NumberRecord]:
        return [n for n in self._by_sid.values() if n.account_sid == account_sid]

    def _save(self, n: NumberRecord) -> NumberRecord:
        self._by_number[n.phone_number] = n
        self._by_sid[n.sid] = n
        self._store.save_number(n)
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
        if not E164_RE.match(phone_number):
            raise ValueError(f"phone number must be E.164 (+15551234567), got {phone_number!r}")
        existing = self._by_number.get(phone_number)
        if existing is not None:
            if whatsapp and not existing.whatsapp:
                existing.whatsapp = True
                self._save(existing)
            return existing
        now = self._clock.now()
        record = NumberRecord(
            new_sid("PN"), account_sid, phone_number, name or format_friendly(phone_number),
            whatsapp=whatsapp, date_created=now, date_updated=now,
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
            if phone_number == "+15005550001" or not E164_RE.match(phone_number):
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
                found = self.search("US", "Local", area_code=area_code, contains=None, limit=1)
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
        self._by_number.pop(number.phone_number, None)
        self._by_sid.pop(number.sid, None)
        self._store.delete_number(number.sid)

    # -- AvailablePhoneNumbers --------------------------------------------------------------

    def search(
        self,
        country: str,
        type_name: str,
        *,
        area_code: str | None,
        contains: str | None,
        limit: int,
    ) -> list[AvailableNumber]:
        """Deterministic fake inventory: the same query returns the same numbers."""
        if country not in COUNTRIES:
            raise EmulatorError(404, 20404, f"Country {country} is not supported")
        if type_name not in COUNTRIES[country][1]:
            return []
        pattern = _contains_regex(contains) if contains else None
        prefix = _COUNTRY_PREFIX[country]
        out: list[AvailableNumber] = []
        seed = f"{country}:{type_name}:{area_code}:{contains}"
        for i in range(limit * 50 + 200):
            digest = hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
            digits = "".join(str(int(c, 16) % 10) for c in digest[:10])
            if prefix == "+1":
                npa = area_code or (
                    "833" if type_name == "TollFree" else f"{2 + int(digits[0]) % 8}{digits[1:3]}"
                )
                number = f"+1{npa}{2 + int(digits[3]) % 8}{digits[4:6]}{digits[6:10]}"
            else:
                lead = (
                    "7" if type_name == "Mobile" else ("800" if type_name == "TollFree" else "20")
                )
                number = f"{prefix}{lead}{digits}"[:13]
            if number in self._by_number or (pattern and not pattern.search(number)):
                continue
            if any(n.phone_number == number for n in out):
                continue
            out.append(AvailableNumber(number, country, _TYPE_NAMES.get(type_name, "local"),
                                       "CA" if country == "US" else "", "", ""))  # fmt: skip
            if len(out) >= limit:
                break
        return out


def _contains_regex(contains: str) -> re.Pattern[str]:
    if not re.fullmatch(r"[0-9A-Za-z*+]{2,16}", contains):
        raise invalid_param("Contains", contains, "2-16 digits, letters or '*'")
    parts = []
    for ch in contains.upper():
        if ch == "*":
            parts.append("[0-9]")
        elif ch == "+":
            parts.append(r"\+")
        else:
            parts.append(_KEYPAD.get(ch, ch))
    return re.compile("".join(parts))
