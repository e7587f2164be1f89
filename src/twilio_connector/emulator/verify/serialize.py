"""Verify records -> :mod:`twilio_connector.models` (ISO 8601 dates, absolute URLs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import msgspec

from ... import models
from ..._wire import domain_base_url
from ...specs import VERIFICATIONS, VERIFY_SERVICES
from ..messaging_services.serialize import iso
from .records import VerificationRecord, VerifyServiceRecord

if TYPE_CHECKING:
    from ...enums import VerificationChannelValue, VerificationStatusValue

__all__ = ["check_model", "control_entry", "service_model", "verification_model"]

_LINKS = {
    "verification_checks": "/VerificationCheck",
    "verifications": "/Verifications",
    "rate_limits": "/RateLimits",
    "messaging_configurations": "/MessagingConfigurations",
    "entities": "/Entities",
    "webhooks": "/Webhooks",
    "access_tokens": "/AccessTokens",
}
_ATTEMPT_CHANNELS = {"sms": "SMS", "call": "CALL"}
"""``send_code_attempts[].channel``: upper case for SMS and calls as in Twilio's examples,
``whatsapp`` as is."""


def _verify_url(base_url: str) -> str:
    return domain_base_url(base_url, "verify")


def service_model(s: VerifyServiceRecord, base_url: str) -> models.VerifyService:
    assert VERIFY_SERVICES.instance_path is not None
    url = _verify_url(base_url) + VERIFY_SERVICES.instance_path.fill(s.sid)
    settings = s.settings
    nested: dict[str, Any] = {
        key: settings.get(key) for key in ("push", "totp", "whatsapp", "passkeys")
    }
    return models.VerifyService(
        sid=s.sid, account_sid=s.account_sid, friendly_name=s.friendly_name,
        code_length=settings.get("code_length"), lookup_enabled=settings.get("lookup_enabled"),
        psd2_enabled=settings.get("psd2_enabled"),
        skip_sms_to_landlines=settings.get("skip_sms_to_landlines"),
        dtmf_input_required=settings.get("dtmf_input_required"),
        tts_name=settings.get("tts_name"),
        do_not_share_warning_enabled=settings.get("do_not_share_warning_enabled"),
        custom_code_enabled=settings.get("custom_code_enabled"),
        push=msgspec.convert(nested["push"], models.VerifyPush),
        totp=msgspec.convert(nested["totp"], models.VerifyTotp),
        whatsapp=msgspec.convert(nested["whatsapp"], models.VerifyWhatsapp),
        passkeys=msgspec.convert(nested["passkeys"], models.VerifyPasskeys),
        default_template_sid=settings.get("default_template_sid"),
        verify_event_subscription_enabled=settings.get("verify_event_subscription_enabled"),
        date_created=iso(s.date_created), date_updated=iso(s.date_updated),
        url=url, links={name: url + suffix for name, suffix in _LINKS.items()},
    )  # fmt: skip


def verification_model(v: VerificationRecord, base_url: str) -> models.Verification:
    assert VERIFICATIONS.instance_path is not None
    path = VERIFICATIONS.instance_path.fill(v.service_sid, v.sid)
    attempts = [
        models.VerificationSendAttempt(
            attempt_sid=a.attempt_sid,
            channel=_ATTEMPT_CHANNELS.get(a.channel, a.channel),
            time=iso(a.time),
        )
        for a in v.attempts
    ]
    return models.Verification(
        sid=v.sid, service_sid=v.service_sid, account_sid=v.account_sid, to=v.to,
        channel=cast("VerificationChannelValue", v.channel),
        status=cast("VerificationStatusValue", v.status), valid=v.status == "approved", lookup={},
        amount=v.amount, payee=v.payee, send_code_attempts=attempts,
        date_created=iso(v.date_created), date_updated=iso(v.date_updated), sna=None,
        url=_verify_url(base_url) + path,
    )  # fmt: skip


def check_model(v: VerificationRecord) -> models.VerificationCheck:
    return models.VerificationCheck(
        sid=v.sid, service_sid=v.service_sid, account_sid=v.account_sid, to=v.to,
        channel=cast("VerificationChannelValue", v.channel),
        status=cast("VerificationStatusValue", v.status), valid=v.status == "approved",
        amount=v.amount, payee=v.payee, sna_attempts_error_codes=[],
        date_created=iso(v.date_created), date_updated=iso(v.date_updated),
    )  # fmt: skip


def control_entry(v: VerificationRecord) -> dict[str, Any]:
    """One verification as ``GET /_emulator/verifications`` lists it (the code included)."""
    return {
        "sid": v.sid,
        "service_sid": v.service_sid,
        "account_sid": v.account_sid,
        "to": v.to,
        "channel": v.channel,
        "code": v.code,
        "status": v.status,
        "send_attempts": len(v.attempts),
        "checks": v.checks,
        "date_created": iso(v.date_created).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "delivery_sids": [a.resource_sid for a in v.attempts if a.resource_sid],
    }
