"""Short codes (``SC...``) an account owns: the record, its table and the registry.

Twilio provisions short codes through a months-long application, not the API, so the
2010 API only lists, fetches and updates them (``/SMS/ShortCodes``). The emulator provisions
them through its control plane (``POST /_emulator/short-codes``) or in Python
(``emu.add_short_code("12345")``). A short code is SMS-only and sends within its country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..errors import bad_request
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store

__all__ = ["SHORT_CODE_COUNTRIES", "SHORT_CODE_PARAMS", "ShortCodeRecord", "ShortCodes"]

SHORT_CODE_COUNTRIES = ("US", "CA", "GB", "DE", "FR", "AU")
_SHORT_CODE = re.compile(r"[0-9]{3,8}\Z")
SHORT_CODE_PARAMS: dict[str, tuple[str, str]] = {
    "ApiVersion": ("api_version", "choice:2010-04-01,2008-08-01"),
    "SmsUrl": ("sms_url", "url"),
    "SmsMethod": ("sms_method", "method"),
    "SmsFallbackUrl": ("sms_fallback_url", "url"),
    "SmsFallbackMethod": ("sms_fallback_method", "method"),
}
"""Update parameter -> (config key, kind), as for IncomingPhoneNumbers."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS short_codes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  short_code TEXT NOT NULL, country_code TEXT NOT NULL, friendly_name TEXT NOT NULL,
  config TEXT NOT NULL, date_created REAL NOT NULL, date_updated REAL NOT NULL,
  UNIQUE (short_code, country_code));
"""
_COLUMNS = (
    "sid, account_sid, short_code, country_code, friendly_name, config, date_created, date_updated"
)
_SAVE = (
    f"INSERT INTO short_codes ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(sid) DO UPDATE "
    "SET friendly_name=excluded.friendly_name, config=excluded.config, "
    "date_updated=excluded.date_updated"
)
_ALL = f"SELECT {_COLUMNS} FROM short_codes ORDER BY seq"


@dataclass(slots=True)
class ShortCodeRecord:
    sid: str
    account_sid: str
    short_code: str
    country_code: str
    friendly_name: str
    config: dict[str, Any] = field(default_factory=dict)
    date_created: float = 0.0
    date_updated: float = 0.0

    def get(self, key: str, default: Any = None) -> Any:
        value = self.config.get(key)
        return default if value in (None, "") else value


class ShortCodes:
    """Every account's short codes, in memory (few, read on sends) and persisted."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        store.add_schema(_SCHEMA)
        self._by_sid: dict[str, ShortCodeRecord] = {}
        self.load()

    def load(self) -> None:
        self._by_sid = {}
        for r in self._store.query(_ALL):
            config = msgspec.json.decode(r[5])
            self._by_sid[r[0]] = ShortCodeRecord(r[0], r[1], r[2], r[3], r[4], config, r[6], r[7])

    def _save(self, sc: ShortCodeRecord) -> ShortCodeRecord:
        self._by_sid[sc.sid] = sc
        config = msgspec.json.encode(sc.config).decode()
        self._store.execute(
            _SAVE,
            (sc.sid, sc.account_sid, sc.short_code, sc.country_code, sc.friendly_name, config,
             sc.date_created, sc.date_updated),
        )  # fmt: skip
        return sc

    def provision(
        self,
        account_sid: str,
        short_code: str,
        country_code: str = "US",
        friendly_name: str | None = None,
    ) -> ShortCodeRecord:
        """Give ``account_sid`` the short code (3-8 digits) of ``country_code``; an existing
        one of the same account is returned as it is."""
        if not _SHORT_CODE.match(short_code):
            raise bad_request(21421, f"ShortCode {short_code[:16]!r} must be 3 to 8 digits")
        if country_code not in SHORT_CODE_COUNTRIES:
            raise bad_request(
                20001, f"CountryCode must be one of {', '.join(SHORT_CODE_COUNTRIES)}"
            )
        if friendly_name is not None and len(friendly_name) > 64:
            raise bad_request(20001, "FriendlyName must be at most 64 characters")
        existing = self.find(short_code, country_code)
        if existing is not None:
            if existing.account_sid != account_sid:
                raise bad_request(21422, f"Short code {short_code} belongs to another account")
            return existing
        now = self._clock.now()
        record = ShortCodeRecord(
            new_sid("SC"), account_sid, short_code, country_code, friendly_name or short_code,
            {"api_version": "2010-04-01", "sms_method": "POST", "sms_fallback_method": "POST"},
            now, now,
        )  # fmt: skip
        return self._save(record)

    def update(
        self, sc: ShortCodeRecord, friendly_name: str | None, config: dict[str, Any]
    ) -> ShortCodeRecord:
        if friendly_name is not None:
            if len(friendly_name) > 64:
                raise bad_request(20001, "FriendlyName must be at most 64 characters")
            sc.friendly_name = friendly_name
        sc.config.update(config)
        sc.date_updated = self._clock.now()
        return self._save(sc)

    def by_sid(self, sid: str) -> ShortCodeRecord | None:
        return self._by_sid.get(sid)

    def find(
        self, short_code: str, country_code: str | None = None, account_sid: str | None = None
    ) -> ShortCodeRecord | None:
        """The short code (of ``country_code`` and of ``account_sid`` when given, else the
        first provisioned): the same digits may be another account's in another country."""
        for sc in self._by_sid.values():
            if (
                sc.short_code == short_code
                and country_code in (None, sc.country_code)
                and account_sid in (None, sc.account_sid)
            ):
                return sc
        return None

    def of_account(self, account_sid: str) -> list[ShortCodeRecord]:
        return [sc for sc in self._by_sid.values() if sc.account_sid == account_sid]
