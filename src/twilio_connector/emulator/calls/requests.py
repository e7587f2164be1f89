"""Calls create/update parameters: parsed from HTTP, validated with Twilio's error codes.

Create (TWILIO.md 4.2, 9.2, 10.2):

* ``To`` (21201 if missing): E.164, ``client:name``, ``sip:user@host`` or ``sim:DE...``;
  magic ``+15005550001`` -> 21217, ``...02`` -> 21214 (unreachable), ``...03`` -> 21215
  (geo permission), ``...04`` -> 21216 (blocklisted); anything else malformed -> 21211.
* ``From`` (21213 if missing): ``+15005550001`` -> 21212; otherwise it must be a number the
  account owns (an IncomingPhoneNumber; the emulator has no OutgoingCallerIds, so owning is
  what "verified" means here) or the magic ``+15005550006`` -> else 21210; non-E.164 -> 21212.
  A ``client:`` caller is accepted only when ``To`` is a client/SIP address.
* One of ``Url`` / ``Twiml`` / ``ApplicationSid`` (21205 if none; ``Twiml`` is ignored when
  ``Url`` is given; Applications are not emulated, so any ``ApplicationSid`` is 21218).
* ``StatusCallbackEvent`` repeated and/or space-separated (21626 on an unknown value),
  ``Timeout`` 1-600 s (larger is capped), ``SendDigits`` ``0-9 A-D # * w W`` (<= 32),
  ``MachineDetection`` ``Enable``/``DetectMessageEnd``, ``Record``, ``RecordingChannels``,
  ``RecordingStatusCallback(+Method, Event)``, ``FallbackUrl``/``FallbackMethod``, ``TimeLimit``.

Call rules (``kind="call"``, :func:`check_call_rule`): the outcome is ``completed``
(answered; the default), ``busy``, ``no-answer``, ``failed`` or ``canceled``, with optional
params ``digits`` / ``speech`` (what the callee presses and says to ``<Gather>``),
``answered_by`` (the AMD result when ``MachineDetection`` is on; default ``human``),
``ring`` / ``talk`` (seconds; ``talk`` is for ``<Dial>`` legs), ``sip_response_code``,
``interactive`` (wait for ``Calls.press_digits`` instead of timing out),
``recording_seconds`` and ``confidence``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..._wire import parse_address
from ..accounts.records import AccountRecord
from ..errors import bad_request, invalid_param
from ..http import Request
from ..messages.state import MAGIC_VALID_FROM, check_callback_url
from ..numbers.state import Numbers
from ..rules.state import Rule
from ..voice import (
    CANCELED,
    IN_PROGRESS,
    INITIATED,
    QUEUED,
    RINGING,
    DocumentRequest,
    InlineTwiml,
    InvalidStatusCallbackEvent,
    TwimlSource,
    parse_status_callback_events,
)
from ..voice.caller_script import parse_caller_script

__all__ = [
    "ANSWERED_BY",
    "CALL_OUTCOMES",
    "MAX_TWIML",
    "CallRequest",
    "CallUpdate",
    "check_call_rule",
    "check_can_end",
    "check_dtmf",
    "check_twiml_url",
    "is_phone_address",
    "parse_call_request",
    "parse_call_update",
    "redirect_source",
    "validate_call_request",
]

CALL_OUTCOMES = ("completed", "busy", "no-answer", "failed", "canceled")
ANSWERED_BY = (
    "human", "machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other",
    "fax", "unknown",
)  # fmt: skip
RULE_PARAMS = frozenset(
    {"digits", "speech", "answered_by", "ring", "talk", "sip_response_code", "interactive",
     "recording_seconds", "confidence", "script"}
)  # fmt: skip
MAX_TWIML = 4000
_METHODS = ("GET", "POST")
_ENDPOINTS = frozenset({"client", "sip", "sips", "sim"})
"""The channels a call can reach besides a phone number (WhatsApp and the other messaging
channels are refused as phone numbers, as Twilio does)."""
_AP_RE = re.compile(r"AP[0-9a-fA-F]{32}\Z")
_SEND_DIGITS_RE = re.compile(r"[0-9A-D#*wW]{1,32}\Z")
_DTMF_RE = re.compile(r"[0-9#*wW]*\Z")
_MAGIC_TO = {
    "+15005550001": (21217, "The phone number you are attempting to call, {to}, is not valid."),
    "+15005550002": (21214, "'To' phone number cannot be reached"),
    "+15005550003": (21215, "Account not authorized to call {to}. Perhaps you need to enable "
                            "some international permissions"),
    "+15005550004": (21216, "Account not allowed to call {to}"),
}  # fmt: skip
RECORDING_EVENTS = ("in-progress", "completed", "absent")


@dataclass
class CallRequest:
    """Create parameters, typed (built by :func:`parse_call_request` or in Python)."""

    to: str | None
    from_: str | None
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    application_sid: str | None = None
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: list[str] = field(default_factory=list)
    timeout: int = 60
    time_limit: int = 14400
    send_digits: str | None = None
    record: bool = False
    recording_channels: int = 1
    recording_track: str = "both"
    recording_status_callback: str | None = None
    recording_status_callback_method: str = "POST"
    recording_status_callback_events: list[str] = field(default_factory=list)
    machine_detection: str | None = None
    async_amd: bool = False
    async_amd_status_callback: str | None = None
    async_amd_status_callback_method: str = "POST"
    caller_id: str | None = None


@dataclass
class CallUpdate:
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    status: str | None = None
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str | None = None


def _method(req: Request, name: str) -> str:
    return str(req.get_choice(name, _METHODS, "POST"))


def _events(values: list[str], allowed: tuple[str, ...], name: str) -> list[str]:
    out: list[str] = []
    for value in values:
        for word in value.replace(",", " ").split():
            if word not in allowed:
                raise invalid_param(name, word, f"one of {', '.join(allowed)}")
            out.append(word)
    return out


def parse_call_request(req: Request) -> CallRequest:
    """Read the form of ``POST /Calls.json`` (type errors are 400/20001)."""
    timeout = req.get_int("Timeout", 60)
    if timeout < 1:
        raise invalid_param("Timeout", timeout, "must be at least 1 second")
    channels = req.get_choice("RecordingChannels", ("mono", "dual"), "mono")
    return CallRequest(
        to=req.get("To"),
        from_=req.get("From"),
        url=req.get("Url") or None,
        method=_method(req, "Method"),
        twiml=req.get("Twiml") or None,
        application_sid=req.get("ApplicationSid") or None,
        fallback_url=req.get("FallbackUrl") or None,
        fallback_method=_method(req, "FallbackMethod"),
        status_callback=req.get("StatusCallback") or None,
        status_callback_method=_method(req, "StatusCallbackMethod"),
        status_callback_events=req.get_all("StatusCallbackEvent"),
        timeout=min(timeout, 600),
        time_limit=req.get_int("TimeLimit", 14400, 1, 86400),
        send_digits=req.get("SendDigits") or None,
        record=bool(req.get_bool("Record", False)),
        recording_channels=2 if channels == "dual" else 1,
        recording_track=req.get_choice("RecordingTrack", ("inbound", "outbound", "both"), "both"),
        recording_status_callback=req.get("RecordingStatusCallback") or None,
        recording_status_callback_method=_method(req, "RecordingStatusCallbackMethod"),
        recording_status_callback_events=_events(
            req.get_all("RecordingStatusCallbackEvent"),
            RECORDING_EVENTS,
            "RecordingStatusCallbackEvent",
        ),
        machine_detection=req.get_choice("MachineDetection", ("Enable", "DetectMessageEnd")),
        async_amd=bool(req.get_bool("AsyncAmd", False)),
        async_amd_status_callback=req.get("AsyncAmdStatusCallback") or None,
        async_amd_status_callback_method=_method(req, "AsyncAmdStatusCallbackMethod"),
        caller_id=req.get("CallerId") or None,
    )


def parse_call_update(req: Request) -> CallUpdate:
    status = req.get_choice("Status", ("canceled", "completed"))
    return CallUpdate(
        url=req.get("Url") or None,
        method=_method(req, "Method"),
        twiml=req.get("Twiml") or None,
        status=status,
        fallback_url=req.get("FallbackUrl") or None,
        fallback_method=_method(req, "FallbackMethod"),
        status_callback=req.get("StatusCallback") or None,
        status_callback_method=req.get_choice("StatusCallbackMethod", _METHODS),
    )


def redirect_source(upd: CallUpdate) -> TwimlSource | None:
    """The TwiML an update redirects the call to (``Url`` wins over ``Twiml``), checked."""
    if upd.url:
        check_twiml_url(upd.url)
        return DocumentRequest(
            upd.url, upd.method, purpose="redirect", fallback_url=upd.fallback_url,
            fallback_method=upd.fallback_method,
        )  # fmt: skip
    if not upd.twiml:
        return None
    if len(upd.twiml) > MAX_TWIML:
        raise bad_request(20001, f"Twiml is longer than {MAX_TWIML} characters")
    return InlineTwiml(
        upd.twiml, fallback_url=upd.fallback_url, fallback_method=upd.fallback_method
    )


def check_can_end(current: str, status: str) -> None:
    """``Status=completed`` ends any live call (queued, ringing or answered), ``canceled``
    only one not answered yet (TWILIO.md 4.5); else 21220. ``current`` is the call's status."""
    if current == IN_PROGRESS:
        if status == CANCELED:
            raise bad_request(21220, "Call is in-progress: use Status=completed to hang up")
    elif current not in (QUEUED, INITIATED, RINGING):
        raise bad_request(21220, f"Call is {current}: it cannot be modified")


def is_phone_address(address: str) -> bool:
    """Whether ``address`` has no channel prefix (a number, valid or not)."""
    return parse_address(address).channel == "phone"


def check_twiml_url(url: str, name: str = "Url") -> None:
    check_callback_url(url, 21205, name)


def check_dtmf(digits: str, name: str = "digits") -> None:
    if not _DTMF_RE.match(digits):
        raise invalid_param(name, digits, "DTMF keys 0-9 * # (w/W pauses)")


def _check_to(to: str) -> None:
    if to in _MAGIC_TO:
        code, text = _MAGIC_TO[to]
        raise bad_request(code, text.format(to=to))
    callee = parse_address(to)
    if callee.channel in _ENDPOINTS:
        if not callee.well_formed:
            raise bad_request(21211, f"Invalid 'To' address: {to[:40]}")
    elif callee.channel != "phone" or not callee.is_e164:
        raise bad_request(21211, f"Invalid 'To' Phone Number: {to[:40]}")


def _check_from(account: AccountRecord, numbers: Numbers, from_: str, to: str) -> None:
    if from_ == "+15005550001":
        raise bad_request(21212, f"The caller ID {from_} is not a valid phone number")
    caller = parse_address(from_)
    if caller.channel in _ENDPOINTS:  # a Voice SDK client may call a client or SIP address
        if is_phone_address(to) or caller.channel != "client" or not caller.well_formed:
            raise bad_request(21212, f"Invalid 'From' phone number: {from_[:40]}")
        return
    if caller.channel != "phone" or not caller.is_e164:
        raise bad_request(21212, f"Invalid 'From' phone number: {from_[:40]}")
    if from_ == MAGIC_VALID_FROM:
        return
    owned = numbers.owner_of(from_)
    if owned is None or owned.account_sid != account.sid:
        raise bad_request(
            21210,
            f"The source phone number provided, {from_}, is not yet verified for your account. "
            "You may only make calls from phone numbers that you've verified or purchased "
            "from Twilio.",
        )


def validate_call_request(account: AccountRecord, numbers: Numbers, req: CallRequest) -> None:
    """Raise :class:`EmulatorError` the way Twilio answers a bad create."""
    if not req.to:
        raise bad_request(21201, "No 'To' number is specified")
    if not req.from_:
        raise bad_request(21213, "No 'From' number is specified")
    _check_to(req.to)
    _check_from(account, numbers, req.from_, req.to)
    if req.url:
        check_twiml_url(req.url)
    elif req.twiml:
        if len(req.twiml) > MAX_TWIML:
            raise invalid_param("Twiml", None, f"at most {MAX_TWIML} characters")
    elif req.application_sid:
        if not _AP_RE.match(req.application_sid):
            raise bad_request(21218, f"Invalid ApplicationSid {req.application_sid[:40]}")
        raise bad_request(
            21218, f"ApplicationSid {req.application_sid} not found (the emulator has no "
            "Applications; use Url or Twiml)",
        )  # fmt: skip
    else:
        raise bad_request(21205, "A 'Url', 'Twiml' or 'ApplicationSid' parameter is required")
    if req.fallback_url:
        check_twiml_url(req.fallback_url, "FallbackUrl")
    for name, url in (
        ("StatusCallback", req.status_callback),
        ("RecordingStatusCallback", req.recording_status_callback),
        ("AsyncAmdStatusCallback", req.async_amd_status_callback),
    ):
        if url:
            check_callback_url(url, 21609, name)
    try:
        parse_status_callback_events(req.status_callback_events)
    except InvalidStatusCallbackEvent as exc:
        raise bad_request(21626, str(exc)) from None
    if req.send_digits is not None and not _SEND_DIGITS_RE.match(req.send_digits):
        raise invalid_param("SendDigits", req.send_digits, "up to 32 of 0-9 A-D # * w W")


def check_call_rule(rule: Rule) -> None:
    """A ``kind="call"`` rule's outcome and params; raise ``ValueError`` if invalid."""
    if rule.outcome not in CALL_OUTCOMES:
        raise ValueError(f"call outcome must be one of {', '.join(CALL_OUTCOMES)}")
    unknown = sorted(set(rule.params) - RULE_PARAMS)
    if unknown:
        raise ValueError(f"unknown call rule params {unknown}; known: {sorted(RULE_PARAMS)}")
    p: dict[str, Any] = rule.params
    digits = p.get("digits")
    if digits is not None and (not isinstance(digits, str) or not _DTMF_RE.match(digits)):
        raise ValueError("digits must be a string of DTMF keys 0-9 * # (w/W pauses)")
    speech = p.get("speech")
    if speech is not None and not (
        isinstance(speech, str)
        or (isinstance(speech, list) and all(isinstance(s, str) for s in speech))
    ):
        raise ValueError("speech must be a string or a list of strings")
    if p.get("answered_by") is not None and p["answered_by"] not in ANSWERED_BY:
        raise ValueError(f"answered_by must be one of {', '.join(ANSWERED_BY)}")
    for key in ("ring", "talk", "recording_seconds"):
        value = p.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            raise ValueError(f"{key} must be a number of seconds >= 0")
    code = p.get("sip_response_code")
    if code is not None and (not isinstance(code, int) or not 100 <= code <= 699):
        raise ValueError("sip_response_code must be an integer 100-699")
    confidence = p.get("confidence")
    if confidence is not None and (
        not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1
    ):
        raise ValueError("confidence must be between 0 and 1")
    if p.get("interactive") is not None and not isinstance(p["interactive"], bool):
        raise ValueError("interactive must be true or false")
    script = p.get("script")
    if script is not None:
        if not isinstance(script, list):
            raise ValueError("script must be a list of caller steps")
        parse_caller_script(script)
