"""Verify Services and the Verification lifecycle (no HTTP). TWILIO.md §20.

A Verification (``VE...``) is the code sent to one ``To`` in one service::

    pending --(right code / Status=approved)--> approved      } then gone: fetch and
            --(Status=canceled)---------------> canceled      } check are 404/20404
            --(10 minutes of simulated time)--> expired       }
            --(5th wrong code)----------------> max_attempts_reached (checks: 429/60202)

* Starting one for a ``To`` that has a live pending one re-sends the same code under the same
  ``VE`` sid with one more ``send_code_attempts`` entry (``VL...``; the channel may change).
  Five sends per verification; the sixth is 429/60203. The validity (10 min, the default;
  Twilio has no field for it) runs from the first send: re-sends do not extend it
  (**unconfirmed**).
* A check with the wrong code answers 200 ``pending``; the fifth wrong one ends the
  verification as ``max_attempts_reached`` (its answer shows it: the timing is
  **unconfirmed**); later checks are 429/60202, a new start makes a new verification.
* Expiry is seen lazily: whatever reads a verification past its validity stores it
  ``expired`` (the control plane shows that status; the REST API answers 404 as Twilio).
* ``CustomCode`` needs ``custom_code_enabled`` (else 400/60204); ``Amount``/``Payee`` need
  ``psd2_enabled`` (60204) and are then required (60206); PSD2 refuses ``call`` (60214).
* Rules (``kind="verify"``, ``to`` = the ``To``, ``from`` = the service SID) decide a start:
  ``failed`` -> 400 (``error_code``, default 60200; e.g. 60205 landline), ``rate-limited``
  -> 429 (default 60203; 60212 too many concurrent requests), ``blocked`` -> 403 (default
  60410, fraud prevention). Nothing is sent then. Delivery problems of a sent code are the
  message or call rules' (kind ``message`` / ``call``): the verification stays pending.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..._wire import is_e164
from ..accounts.records import AccountRecord
from ..errors import EmulatorError
from ..records import new_sid
from ..rules.records import Rule
from .delivery import VERIFY_WHATSAPP_TEMPLATE, send_code
from .records import SendAttempt, VerificationRecord, VerifyServiceRecord
from .repository import VerifyRepository
from .settings import DEFAULT_SETTINGS, check_friendly_name, merge_settings, verify_error

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = [
    "CHANNELS",
    "MAX_CHECKS",
    "MAX_SENDS",
    "VALIDITY",
    "VERIFY_OUTCOMES",
    "VerificationRequest",
    "Verify",
    "check_verify_rule",
]

VALIDITY = 600.0
"""Seconds a code is valid (Twilio's default; 2 min to 24 h only through its Support)."""
MAX_SENDS = 5
MAX_CHECKS = 5
CHANNELS = ("sms", "whatsapp", "call")
"""The channels the emulator delivers."""
REFUSED_CHANNELS = ("email", "sna", "auto", "rcs")
"""Channels Twilio has that the emulator does not deliver: 400/60200 saying so."""
VERIFY_OUTCOMES: dict[str, tuple[int, int]] = {
    "failed": (400, 60200),
    "rate-limited": (429, 60203),
    "blocked": (403, 60410),
}
"""A verify rule's outcome -> (HTTP status, default error code)."""
_CODE = re.compile(r"[0-9A-Za-z]{4,10}\Z")
_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,4})?\Z")
_AMOUNT = 64
_LIVE = ("pending", "max_attempts_reached")
_RULE_MESSAGES = {
    60200: "Invalid parameter",
    60203: "Max send attempts reached",
    60205: "SMS is not supported by landline phone number",
    60212: "Too many concurrent requests for phone number",
    60410: "Verification delivery attempt blocked",
}


def check_verify_rule(rule: Rule) -> None:
    """A ``kind="verify"`` rule's outcome is one Verify knows; ValueError otherwise."""
    if rule.outcome not in VERIFY_OUTCOMES:
        raise ValueError(f"a verify rule's outcome is one of {', '.join(VERIFY_OUTCOMES)}")


@dataclass(frozen=True, slots=True)
class VerificationRequest:
    """Start parameters (``Verifications`` create), typed by the HTTP layer."""

    to: str | None
    channel: str | None
    custom_friendly_name: str | None = None
    custom_code: str | None = None
    locale: str | None = None
    amount: str | None = None
    payee: str | None = None


def _new_code(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


class Verify:
    """Every account's Verify Services (in memory, persisted) and their verifications
    (in the store)."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self._repo = VerifyRepository(core.store)
        self._services: dict[str, VerifyServiceRecord] = {}
        core.content.add_twilio_template(VERIFY_WHATSAPP_TEMPLATE)
        self.load()

    def load(self) -> None:
        self._services = {s.sid: s for s in self._repo.services()}

    # -- services ---------------------------------------------------------------------------

    def create_service(
        self, account: AccountRecord, friendly_name: str | None, changes: Mapping[Any, Any]
    ) -> VerifyServiceRecord:
        name = check_friendly_name(friendly_name)
        settings = merge_settings(DEFAULT_SETTINGS, dict(changes))
        now = self.core.clock.now()
        record = VerifyServiceRecord(new_sid("VA"), account.sid, name, settings, now, now)
        self._services[record.sid] = record
        self._repo.save_service(record)
        return record

    def service(self, account: AccountRecord, sid: str) -> VerifyServiceRecord | None:
        service = self._services.get(sid)
        return service if service is not None and service.account_sid == account.sid else None

    def services(self, account: AccountRecord) -> list[VerifyServiceRecord]:
        return [s for s in self._services.values() if s.account_sid == account.sid]

    def update_service(
        self,
        service: VerifyServiceRecord,
        friendly_name: str | None,
        changes: Mapping[Any, Any],
    ) -> VerifyServiceRecord:
        name = (
            service.friendly_name if friendly_name is None else check_friendly_name(friendly_name)
        )
        service.settings = merge_settings(service.settings, dict(changes))
        service.friendly_name = name
        service.date_updated = self.core.clock.now()
        self._repo.save_service(service)
        return service

    def delete_service(self, service: VerifyServiceRecord) -> None:
        """The service and its verifications."""
        self._services.pop(service.sid, None)
        self._repo.delete_service(service.sid)

    # -- reading verifications --------------------------------------------------------------

    def _seen(self, v: VerificationRecord) -> VerificationRecord:
        """``v`` with its validity applied: a live one past it is stored ``expired``."""
        if v.status in _LIVE and self.core.clock.now() >= v.expires_at:
            v.status = "expired"
            v.date_updated = v.expires_at
            self._repo.save(v)
        return v

    def _live(self, service: VerifyServiceRecord, sid: str) -> VerificationRecord:
        """A live verification of the service by SID (404/20404 if none: never existed,
        approved, canceled or expired)."""
        v = self._repo.get(sid)
        if v is None or v.service_sid != service.sid or self._seen(v).status not in _LIVE:
            raise EmulatorError(
                404, 20404, f"The requested resource Verification {sid[:40]} was not found"
            )
        return v

    def fetch(self, service: VerifyServiceRecord, sid: str) -> VerificationRecord:
        return self._live(service, sid)

    def recent(
        self, to: str | None = None, service_sid: str | None = None, limit: int = 50
    ) -> list[VerificationRecord]:
        """Verifications newest first (statuses up to date), for the control plane."""
        return [self._seen(v) for v in self._repo.newest(to, service_sid, limit)]

    def page_of_accounts(
        self, account_sids: Sequence[str], to: str | None, before_seq: int | None, limit: int
    ) -> list[tuple[int, VerificationRecord]]:
        """Read-only, for the web inbox: :meth:`.VerifyRepository.page_of_accounts` (stored
        statuses; nothing is written, so a reader applies ``expires_at`` itself)."""
        return self._repo.page_of_accounts(account_sids, to, before_seq, limit)

    def pending_code(self, to: str, service_sid: str | None = None) -> str:
        """The code of the newest pending verification of ``to``; LookupError if none."""
        for v in self.recent(to, service_sid, limit=20):
            if v.status == "pending":
                return v.code
        where = f" in service {service_sid}" if service_sid else ""
        raise LookupError(f"no pending verification for {to}{where}")

    # -- starting ---------------------------------------------------------------------------

    def _check_request(self, service: VerifyServiceRecord, req: VerificationRequest) -> str:
        """The checks that need no verification; returns the channel."""
        if not req.to:
            raise verify_error("Missing required parameter To")
        if not req.channel:
            raise verify_error("Missing required parameter Channel")
        channel = req.channel.lower()
        if channel in REFUSED_CHANNELS:
            raise verify_error(f"Channel {channel!r} is not emulated: use {', '.join(CHANNELS)}")
        if channel not in CHANNELS:
            raise verify_error(f"Invalid parameter `Channel`: {req.channel[:32]!r}")
        if not is_e164(req.to):
            raise verify_error(f"Invalid parameter `To`: {req.to[:40]!r} (expected +E.164)")
        settings = service.settings
        if req.custom_code is not None:
            if not settings.get("custom_code_enabled"):
                raise verify_error("Custom codes are not enabled for this service", 60204)
            if not _CODE.match(req.custom_code):
                raise verify_error("Invalid parameter `CustomCode`: 4 to 10 letters or digits")
        if req.custom_friendly_name is not None:
            check_friendly_name(req.custom_friendly_name, "CustomFriendlyName")
        if req.locale is not None and not _LOCALE.match(req.locale):
            raise verify_error(f"Invalid parameter `Locale`: {req.locale[:16]!r}")
        psd2 = bool(settings.get("psd2_enabled"))
        if (req.amount is not None or req.payee is not None) and not psd2:
            raise verify_error("PSD2 is not enabled for this service (Amount, Payee)", 60204)
        if psd2:
            if not req.amount or not req.payee:
                raise verify_error("Amount and Payee are required by a PSD2 service", 60206)
            if len(req.amount) > _AMOUNT or len(req.payee) > _AMOUNT:
                raise verify_error(f"Amount and Payee are at most {_AMOUNT} characters")
            if channel == "call":
                raise verify_error("The call channel cannot carry a PSD2 verification", 60214)
        return channel

    def _apply_rule(self, service: VerifyServiceRecord, to: str) -> None:
        rule = self.core.rules.match("verify", to, service.sid)
        if rule is None or rule.outcome not in VERIFY_OUTCOMES:
            return
        status, default = VERIFY_OUTCOMES[rule.outcome]
        code = rule.error_code or default
        raise EmulatorError(status, code, _RULE_MESSAGES.get(code, "Verification refused"))

    def start(
        self, account: AccountRecord, service: VerifyServiceRecord, req: VerificationRequest
    ) -> VerificationRecord:
        """Send a code (a new verification, or the pending one's again). Raises
        :class:`EmulatorError` as Twilio answers."""
        channel = self._check_request(service, req)
        assert req.to is not None
        to = req.to
        self._apply_rule(service, to)
        now = self.core.clock.now()
        latest = self._repo.latest_for(service.sid, to)
        v = latest if latest is not None and self._seen(latest).status == "pending" else None
        if v is not None and len(v.attempts) >= MAX_SENDS:
            raise verify_error("Max send attempts reached", 60203, 429)
        if v is None:
            code = req.custom_code or _new_code(int(service.settings.get("code_length") or 6))
            v = VerificationRecord(
                new_sid("VE"), service.sid, account.sid, to, channel, code, "pending",
                now, now, now + VALIDITY, amount=req.amount, payee=req.payee,
            )  # fmt: skip
        elif req.custom_code is not None:
            v.code = req.custom_code
        name = req.custom_friendly_name or v.custom_friendly_name or service.friendly_name
        sent = send_code(
            self.core, account, service, to=to, channel=channel, code=v.code, name=name
        )
        v.channel = channel
        v.locale = req.locale or v.locale
        v.custom_friendly_name = req.custom_friendly_name or v.custom_friendly_name
        v.attempts.append(SendAttempt(new_sid("VL"), channel, now, sent))
        v.date_updated = now
        self._repo.save(v)
        return v

    # -- ending -----------------------------------------------------------------------------

    def update(
        self, service: VerifyServiceRecord, sid: str, status: str | None
    ) -> VerificationRecord:
        """``Status=canceled`` or ``approved`` (custom-code flows)."""
        if status not in ("canceled", "approved"):
            raise verify_error("Invalid parameter `Status`: canceled or approved")
        v = self._live(service, sid)
        v.status = status
        v.date_updated = self.core.clock.now()
        self._repo.save(v)
        return v

    def check(
        self,
        service: VerifyServiceRecord,
        code: str | None,
        to: str | None,
        verification_sid: str | None,
    ) -> VerificationRecord:
        """Check ``code`` against the verification named by SID or by ``To``."""
        if not code:
            raise verify_error("Missing required parameter Code")
        if not 4 <= len(code) <= 10:
            raise verify_error("Invalid parameter `Code`: 4 to 10 characters")
        if verification_sid:
            v = self._live(service, verification_sid)
        elif to:
            latest = self._repo.latest_for(service.sid, to)
            if latest is None or self._seen(latest).status not in _LIVE:
                raise EmulatorError(404, 20404, f"No pending verification for {to[:40]} was found")
            v = latest
        else:
            raise verify_error("No target verification specified: To or VerificationSid", 60221)
        if v.status == "max_attempts_reached":
            raise verify_error("Max check attempts reached", 60202, 429)
        now = self.core.clock.now()
        v.checks += 1
        v.date_updated = now
        if hmac.compare_digest(code.encode(), v.code.encode()):
            v.status = "approved"
        elif v.checks >= MAX_CHECKS:
            v.status = "max_attempts_reached"
        self._repo.save(v)
        return v
