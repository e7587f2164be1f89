"""Verify Service parameters: their checks, their JSON fields and a new service's defaults.

Parameters are the PascalCase of the fields, nested objects dotted (``Totp.TimeStep`` ->
``totp.time_step``, ``Passkeys.RelyingParty.Id`` -> ``passkeys.relying_party.id``). A bad
value is 400/60200 (Verify's "invalid parameter"; TWILIO.md §20.5).

``FriendlyName`` is shown in the SMS, so Twilio restricts it (§20.2): 1-32 characters
(the create parameter's documented limit; the field's own doc says 30), letters, digits,
spaces, ``-`` and ``_`` only (no links, phone numbers or other punctuation), at most 4
digits in all. The exact character rule and digit limit are **unconfirmed**: the docs list
them loosely. The same rule applies to a Verification's ``CustomFriendlyName``.

Defaults (§20.2): ``code_length`` 6 (the docs; the spec's default reads 0, **unconfirmed**),
every flag off except ``dtmf_input_required`` (on, as the Console creates services,
**unconfirmed**); the ``totp``/``whatsapp``/``passkeys`` fields are ``null`` until set, as the
spec's examples show them (TOTP then behaves as issuer = friendly name, 30 s, 6 digits,
skew 1); ``push.include_date`` false.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from ..errors import EmulatorError

__all__ = [
    "DEFAULT_SETTINGS",
    "MAX_TEXT",
    "SERVICE_PARAMS",
    "check_friendly_name",
    "merge_settings",
    "parse_settings",
    "verify_error",
]

MAX_TEXT = 256
"""The longest free-text setting (issuer, relying party, TTS name)."""
_NAME_CHARS = re.compile(r"[^\W_]|[ _-]")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}\Z")

SERVICE_PARAMS: dict[str, tuple[tuple[str, ...], str]] = {
    "CodeLength": (("code_length",), "int:4:10"),
    "LookupEnabled": (("lookup_enabled",), "bool"),
    "SkipSmsToLandlines": (("skip_sms_to_landlines",), "bool"),
    "DtmfInputRequired": (("dtmf_input_required",), "bool"),
    "TtsName": (("tts_name",), "text"),
    "Psd2Enabled": (("psd2_enabled",), "bool"),
    "DoNotShareWarningEnabled": (("do_not_share_warning_enabled",), "bool"),
    "CustomCodeEnabled": (("custom_code_enabled",), "bool"),
    "Push.IncludeDate": (("push", "include_date"), "bool"),
    "Push.ApnCredentialSid": (("push", "apn_credential_sid"), "sid:CR"),
    "Push.FcmCredentialSid": (("push", "fcm_credential_sid"), "sid:CR"),
    "Totp.Issuer": (("totp", "issuer"), "text"),
    "Totp.TimeStep": (("totp", "time_step"), "int:20:60"),
    "Totp.CodeLength": (("totp", "code_length"), "int:3:8"),
    "Totp.Skew": (("totp", "skew"), "int:0:2"),
    "DefaultTemplateSid": (("default_template_sid",), "sid:HJ"),
    "Whatsapp.MsgServiceSid": (("whatsapp", "msg_service_sid"), "sid:MG"),
    "Whatsapp.From": (("whatsapp", "from"), "whatsapp"),
    "Passkeys.RelyingParty.Id": (("passkeys", "relying_party", "id"), "text"),
    "Passkeys.RelyingParty.Name": (("passkeys", "relying_party", "name"), "text"),
    "Passkeys.RelyingParty.Origins": (("passkeys", "relying_party", "origins"), "list"),
    "Passkeys.AuthenticatorAttachment": (
        ("passkeys", "authenticator_attachment"), "choice:,platform,cross-platform,any",
    ),
    "Passkeys.DiscoverableCredentials": (
        ("passkeys", "discoverable_credentials"), "choice:,required,preferred,discouraged",
    ),
    "Passkeys.UserVerification": (
        ("passkeys", "user_verification"), "choice:,required,preferred,discouraged",
    ),
    "VerifyEventSubscriptionEnabled": (("verify_event_subscription_enabled",), "bool"),
}  # fmt: skip
"""Create/update parameter -> (path of its JSON field, kind)."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "code_length": 6,
    "lookup_enabled": False,
    "psd2_enabled": False,
    "skip_sms_to_landlines": False,
    "dtmf_input_required": True,
    "tts_name": None,
    "do_not_share_warning_enabled": False,
    "custom_code_enabled": False,
    "push": {"include_date": False, "apn_credential_sid": None, "fcm_credential_sid": None},
    "totp": {"issuer": None, "time_step": None, "code_length": None, "skew": None},
    "whatsapp": {"msg_service_sid": None, "from": None},
    "passkeys": {
        "relying_party": {"id": None, "name": None, "origins": None},
        "authenticator_attachment": None,
        "discoverable_credentials": None,
        "user_verification": None,
    },
    "default_template_sid": None,
    "verify_event_subscription_enabled": False,
}


def verify_error(message: str, code: int = 60200, status: int = 400) -> EmulatorError:
    """A Verify error (400/60200 "invalid parameter" unless told)."""
    return EmulatorError(status, code, message)


def _invalid(name: str, why: str) -> EmulatorError:
    return verify_error(f"Invalid parameter `{name}`: {why}")


def check_friendly_name(name: str | None, param: str = "FriendlyName") -> str:
    """The name if Twilio would show it in an SMS (see the module docstring), else 60200."""
    if name is None or not name.strip():
        raise verify_error(f"Missing required parameter {param}")
    if len(name) > 32:
        raise _invalid(param, "at most 32 characters")
    if not all(_NAME_CHARS.match(c) for c in name):
        raise _invalid(param, "only letters, digits, spaces, '-' and '_'")
    if sum(c.isdigit() for c in name) > 4:
        raise _invalid(param, "at most 4 digits (no phone numbers)")
    return name


def _value(name: str, kind: str, raw: str) -> Any:
    if kind == "bool":
        if raw.lower() not in ("true", "false"):
            raise _invalid(name, "expected true or false")
        return raw.lower() == "true"
    if kind.startswith("int:"):
        lo, hi = (int(x) for x in kind[4:].split(":"))
        try:
            value = int(raw.strip())
        except ValueError:
            raise _invalid(name, "expected an integer") from None
        if not lo <= value <= hi:
            raise _invalid(name, f"must be between {lo} and {hi}")
        return value
    if len(raw) > MAX_TEXT:
        raise _invalid(name, f"at most {MAX_TEXT} characters")
    if kind.startswith("sid:"):
        if raw and not re.fullmatch(kind[4:] + "[0-9a-fA-F]{32}", raw):
            raise _invalid(name, f"expected a {kind[4:]} SID")
        return raw or None
    if kind.startswith("choice:"):
        if raw not in kind[7:].split(","):
            raise _invalid(name, f"one of {kind[8:].replace(',', ', ')} or empty")
        return raw or None
    if kind == "whatsapp":
        bare = raw.removeprefix("whatsapp:")
        if raw and not _E164.match(bare):
            raise _invalid(name, "expected a WhatsApp sender (+E.164)")
        return f"whatsapp:{bare}" if raw else None
    if kind == "list":
        return [x.strip() for x in raw.split(",") if x.strip()] or None
    return raw or None


def parse_settings(params: Callable[[str], str | None]) -> dict[tuple[str, ...], Any]:
    """The settings among the request's parameters (``params(name)``), validated: JSON
    field path -> value."""
    out: dict[tuple[str, ...], Any] = {}
    for name, (path, kind) in SERVICE_PARAMS.items():
        raw = params(name)
        if raw is not None:
            out[path] = _value(name, kind, raw)
    return out


def merge_settings(base: dict[str, Any], changes: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """``base`` (a service's settings) with ``changes`` applied, checked as a whole
    (``SkipSmsToLandlines`` needs ``LookupEnabled``); ``base`` is left alone."""
    merged = copy.deepcopy(base)
    for path, value in changes.items():
        node = merged
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    if merged.get("skip_sms_to_landlines") and not merged.get("lookup_enabled"):
        raise _invalid("SkipSmsToLandlines", "requires LookupEnabled")
    return merged
