"""Accounts, subaccounts and HTTP Basic authentication (no HTTP, no SQL in here).

Credentials are ``AC…`` + auth token, or ``SK…`` + secret of a key created through the
Keys API (:mod:`..keys`). A principal may act on its own account and on its subaccounts;
anything else is 401/20003. Rows are read and written through :mod:`.repository`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ...specs import ACCOUNTS
from ..errors import EmulatorError, auth_failed, bad_request, invalid_param
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import AccountRecord
from .repository import AccountRepository

if TYPE_CHECKING:
    from ..keys.state import Keys

__all__ = ["ACCOUNT_STATUSES", "DEFAULT_ACCOUNT_SID", "Accounts", "check_friendly_name"]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


DEFAULT_ACCOUNT_SID = "AC" + _digest("twilio-connector-emulator:account")[:32]
ACCOUNT_STATUSES = ("active", "suspended", "closed")


class Accounts:
    """All accounts, cached in memory (checked per request) and persisted."""

    def __init__(self, store: Store, clock: Clock, keys: Keys) -> None:
        self._repo = AccountRepository(store)
        self._clock = clock
        self._keys = keys
        self._accounts: dict[str, AccountRecord] = {}
        # Authorization header -> (account SID, key SID or None)
        self._auth_cache: dict[str, tuple[str, str | None]] = {}
        self.load()

    def load(self) -> None:
        self._accounts = {a.sid: a for a in self._repo.all()}
        self._auth_cache.clear()

    # -- accounts ---------------------------------------------------------------------------

    def ensure_main(self, sid: str, token: str | None, friendly_name: str) -> AccountRecord:
        """Create the top-level account ``sid`` if missing (with a new random token unless one
        is given: no two installs share a default); an explicit token replaces the old."""
        if not ACCOUNTS.is_sid(sid):
            raise ValueError("account_sid must be 'AC' followed by 32 hex digits")
        if token is not None and not token:
            raise ValueError("auth_token must not be empty")
        existing = self._accounts.get(sid)
        now = self._clock.now()
        if existing is None:
            existing = AccountRecord(
                sid, sid, token or secrets.token_hex(16), friendly_name, date_created=now,
                date_updated=now,
            )  # fmt: skip
        elif token is not None and token != existing.auth_token:
            existing.auth_token = token
            existing.date_updated = now
        else:
            return existing
        self._save(existing)
        return existing

    def _save(self, account: AccountRecord) -> None:
        self._accounts[account.sid] = account
        self._repo.save(account)
        self._auth_cache.clear()

    def get(self, sid: str) -> AccountRecord | None:
        return self._accounts.get(sid)

    def all(self) -> list[AccountRecord]:
        return list(self._accounts.values())

    def visible_to(self, principal: AccountRecord) -> list[AccountRecord]:
        """The principal's own account and its subaccounts, oldest first."""
        return [a for a in self._accounts.values() if principal.sid in (a.sid, a.owner_sid)]

    def create_subaccount(self, parent: AccountRecord, friendly_name: str | None) -> AccountRecord:
        if not parent.is_main:
            raise EmulatorError(403, 20006, "Subaccounts cannot create subaccounts")
        now = self._clock.now()
        if not friendly_name:
            stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d %I:%M %p")
            friendly_name = f"SubAccount Created at {stamp.lower()}"
        check_friendly_name(friendly_name)
        sub = AccountRecord(
            new_sid("AC"), parent.sid, secrets.token_hex(16), friendly_name, date_created=now,
            date_updated=now,
        )  # fmt: skip
        self._save(sub)
        return sub

    def update(
        self, account: AccountRecord, friendly_name: str | None, status: str | None
    ) -> AccountRecord:
        """Rename and/or change the status (``active``, ``suspended``, ``closed``)."""
        if friendly_name is not None:
            check_friendly_name(friendly_name)
        if status is not None:
            if status not in ACCOUNT_STATUSES:
                why = f"must be one of {', '.join(ACCOUNT_STATUSES)}"
                raise invalid_param("Status", status, why)
            if account.status == "closed" and status != "closed":
                raise bad_request(20001, "A closed account cannot be reopened")
            if account.is_main and status != account.status:
                raise EmulatorError(403, 20006, "The main account's status cannot be changed")
        if friendly_name is not None:
            account.friendly_name = friendly_name
        if status is not None:
            account.status = status
        account.date_updated = self._clock.now()
        self._save(account)
        return account

    # -- authentication ---------------------------------------------------------------------

    def authenticate(self, header: str | None) -> tuple[AccountRecord, bool]:
        """The account behind an ``Authorization: Basic`` header, and whether a key was used."""
        if not header:
            raise auth_failed("Authentication Error - No credentials provided")
        cached = self._auth_cache.get(header)
        if cached is None:
            cached = self._check_credentials(header)
            if len(self._auth_cache) > 1000:
                self._auth_cache.clear()
            self._auth_cache[header] = cached
        account_sid, key_sid = cached
        account = self._accounts.get(account_sid)
        if account is None or (key_sid is not None and not self._keys.exists(key_sid)):
            self._auth_cache.pop(header, None)
            raise auth_failed()
        if account.status != "active":
            raise EmulatorError(401, 20005, "Account is not active")
        return account, key_sid is not None

    def _check_credentials(self, header: str) -> tuple[str, str | None]:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            raise auth_failed()
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise auth_failed() from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise auth_failed()
        if username.startswith("SK"):
            account_sid = self._keys.verify(username, password)
            if account_sid is None:
                raise auth_failed()
            return account_sid, username
        account = self._accounts.get(username)
        if account is None:
            raise auth_failed("Authentication Error - invalid username")
        if not hmac.compare_digest(account.auth_token.encode(), password.encode()):
            raise auth_failed()
        return account.sid, None

    def authorize(self, principal: AccountRecord, account_sid: str) -> AccountRecord:
        """The account named in the path, if ``principal`` may act on it (else 20003)."""
        if account_sid == principal.sid:
            return principal
        target = self._accounts.get(account_sid)
        if target is None or target.owner_sid != principal.sid:
            raise auth_failed()
        return target


def check_friendly_name(name: str) -> None:
    """Twilio's FriendlyName limit for accounts and keys (64 characters)."""
    if len(name) > 64:
        raise bad_request(20001, "FriendlyName must be at most 64 characters")
