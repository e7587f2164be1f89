"""Create parameters of a Message and the checks Twilio makes on them, with its error codes.

:func:`check_request` runs the checks that need no state (required fields, SIDs, content,
body and media limits, URLs, scheduling); :func:`check_addresses` those on ``From``/``To``
(owned senders, magic test numbers, channels). A ``MessagingServiceSid`` that is not an
``MG`` SID is 21705 (one that names no service of the account is 21701, checked with the
services). Scheduling (TWILIO.md 18) needs a Messaging Service (35118), ``ScheduleType=fixed``
(35126 for any other value) with ``SendAt`` (35111); :func:`scheduled_time` checks the window
(35114: more than 300 s and at most 35 days ahead, :class:`~..timing.Timing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import msgspec

from ..._wire import Address, is_e164, parse_address
from ..accounts.records import AccountRecord
from ..errors import bad_request
from ..http import is_http_url
from ..numbers.inventory import capabilities_of
from ..numbers.records import NumberRecord
from ..numbers.short_codes import ShortCodeRecord
from ..numbers.state import SANDBOX_WHATSAPP_NUMBER

__all__ = [
    "MAGIC_VALID_FROM",
    "MAX_BODY",
    "MessageRequest",
    "check_addresses",
    "check_callback_url",
    "check_request",
    "is_alpha_sender",
    "message_channel",
    "scheduled_time",
]

MAX_BODY = 1600
MAGIC_VALID_FROM = "+15005550006"
_MAGIC_FROM = {"+15005550001": 21212, "+15005550007": 21606, "+15005550008": 21611}
_MAGIC_TO = {
    "+15005550001": (21211, "The 'To' number {to} is not a valid phone number."),
    "+15005550002": (21612, "The 'To' phone number: {to}, is not currently reachable using the "
                            "'From' phone number via SMS."),
    "+15005550003": (21408, "Permission to send an SMS has not been enabled for the region "
                            "indicated by the 'To' number: {to}."),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
}  # fmt: skip
_ALPHA_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 +_&-]{1,11}\Z")  # TWILIO.md §17.3


def is_alpha_sender(text: str) -> bool:
    """An Alphanumeric Sender ID: 1-11 of ``A-Z a-z 0-9 space - + _ &`` with a letter (the one
    rule for a ``From`` and for a Messaging Service's alpha sender)."""
    return _ALPHA_SENDER.match(text) is not None


SCHEDULE_MIN_AHEAD = 300.0
SCHEDULE_MAX_AHEAD = 35 * 86400.0


class NumberOwners(Protocol):
    def owner_of(self, phone_number: str) -> NumberRecord | None: ...


class ShortCodeOwners(Protocol):
    def find(
        self, short_code: str, country_code: str | None = None, account_sid: str | None = None
    ) -> ShortCodeRecord | None: ...


_SHORT_CODE = re.compile(r"[0-9]{3,8}\Z")


@dataclass
class MessageRequest:
    """Create parameters, already typed by the HTTP layer (or built in Python)."""

    to: str | None
    from_: str | None = None
    body: str | None = None
    media_urls: list[str] = field(default_factory=list)
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None
    validity_period: int | None = None
    send_at: datetime | None = None
    schedule_type: str | None = None
    direction: str = "outbound-api"
    by_twilio: bool = False
    """Sent by a Twilio product on the account's behalf (Verify's codes): it may use the
    templates Twilio owns (:meth:`..content.state.Contents.add_twilio_template`), which the
    account's own sends cannot name."""
    rest_body: str | None = None
    """What the REST API shows as the body, when not the body itself: a Verify code's message
    carries the code, which the account's Messages API must never show (the control plane,
    the Python helpers and the web inbox show the real body)."""


def message_channel(address: Address) -> str:
    """``"whatsapp"`` for a WhatsApp address, else ``"sms"`` (other prefixes are refused
    as numbers)."""
    return "whatsapp" if address.channel == "whatsapp" else "sms"


def check_callback_url(url: str, code: int = 21609, name: str = "StatusCallback") -> None:
    if not is_http_url(url):
        raise bad_request(code, f"The {name} URL {url[:200]} is not a valid URL.")


def check_request(req: MessageRequest) -> None:
    """The checks that need no state; raises :class:`EmulatorError` (400) like Twilio."""
    to, from_, body = req.to, req.from_, req.body
    if not to:
        raise bad_request(21604, "A 'To' phone number is required.")
    mg = req.messaging_service_sid
    if not from_ and not mg:
        raise bad_request(21603, "A 'From' phone number is required.")
    if mg and not re.fullmatch(r"MG[0-9a-fA-F]{32}", mg):
        raise bad_request(21705, f"The Messaging Service Sid {mg[:40]} is invalid.")
    if (req.send_at is not None or req.schedule_type is not None) and not mg:
        raise bad_request(35118, "MessagingServiceSid is required to schedule a message")
    if req.schedule_type is not None and req.schedule_type != "fixed":
        raise bad_request(35126, f"ScheduleType {req.schedule_type[:20]!r} is not supported")
    if req.schedule_type == "fixed" and req.send_at is None:
        raise bad_request(35111, "SendAt timestamp is missing")
    if req.content_variables is not None and not req.content_sid:
        raise bad_request(21654, "ContentVariables requires a ContentSid.")
    if req.content_sid and not re.fullmatch(r"HX[0-9a-fA-F]{32}", req.content_sid):
        raise bad_request(21655, "The ContentSid is invalid.")
    if req.content_variables is not None:
        try:
            variables = msgspec.json.decode(req.content_variables or "null")
        except msgspec.DecodeError:
            variables = None
        if not isinstance(variables, dict):
            raise bad_request(21656, "The ContentVariables parameter is invalid.")
    if not body and not req.media_urls and not req.content_sid:
        raise bad_request(21602, "Message body is required.")
    if len(body or "") > MAX_BODY:
        raise bad_request(21617, "The concatenated message body exceeds the 1600 character limit.")
    if len(req.media_urls) > 10:
        raise bad_request(21623, "The number of media URLs exceeds the maximum of 10.")
    for url in req.media_urls:
        if not is_http_url(url):
            raise bad_request(21620, f"Media URL {url[:200]} is invalid.")
    if req.status_callback:
        check_callback_url(req.status_callback)
    if req.validity_period is not None and not 1 <= req.validity_period <= 36000:
        raise bad_request(21624, "The ValidityPeriod must be between 1 and 36000.")


def scheduled_time(
    req: MessageRequest,
    now: float,
    min_ahead: float = SCHEDULE_MIN_AHEAD,
    max_ahead: float = SCHEDULE_MAX_AHEAD,
) -> float | None:
    """When a scheduled message is due (epoch s), or ``None`` if it is sent at once (35114 if
    ``SendAt`` is not more than ``min_ahead`` and at most ``max_ahead`` seconds after
    ``now``). Call after :func:`check_request`."""
    if req.send_at is None or req.schedule_type != "fixed" or not req.messaging_service_sid:
        return None
    send_at = req.send_at.timestamp()
    if not now + min_ahead < send_at <= now + max_ahead:
        raise bad_request(35114, "Scheduling does not support this timestamp")
    return send_at


def check_addresses(
    numbers: NumberOwners,
    account: AccountRecord,
    to: str,
    from_: str | None,
    short_codes: ShortCodeOwners | None = None,
) -> str:
    """Check ``From`` (when given) and ``To``; returns the channel (``"sms"``/``"whatsapp"``).
    A ``From`` of 3-8 digits is a short code, valid when the account owns it (SMS only)."""
    to_address = parse_address(to)
    to_channel = message_channel(to_address)
    if from_ and short_codes is not None and _SHORT_CODE.match(from_):
        owned = short_codes.find(from_, account_sid=account.sid)
        if owned is None:
            raise bad_request(21606, _invalid_sender(21606, from_))
        if to_channel != "sms":
            raise bad_request(21910, "Invalid 'From' and 'To' pair. A short code sends SMS only")
        _check_to(to, to_address)
        return to_channel
    sender = parse_address(from_) if from_ else None
    if from_ and sender and _check_sender(numbers, account, from_, sender) != to_channel:
        raise bad_request(
            21910, "Invalid 'From' and 'To' pair. 'From' and 'To' should be of the same channel"
        )
    _check_to(to, to_address)
    if sender is not None and sender.bare == to_address.bare:
        code = 63031 if to_channel == "whatsapp" else 21266
        raise bad_request(code, "'To' and 'From' number cannot be the same")
    return to_channel


def _invalid_sender(code: int, shown: str) -> str:
    if code == 21606:
        return (
            f"The 'From' phone number provided ({shown}) is not a valid message-capable Twilio "
            "phone number for this destination."
        )
    if code == 21611:
        return f"This 'From' number {shown} has exceeded the maximum number of queued messages"
    return f"The 'From' number {shown} is not a valid phone number."


def _check_sender(
    numbers: NumberOwners, account: AccountRecord, sender: str, address: Address
) -> str:
    shown = sender[:40]  # as shown in error messages
    channel, bare = message_channel(address), address.bare
    if channel == "whatsapp":
        if not address.is_e164:
            raise bad_request(21212, _invalid_sender(21212, shown))
        owned = numbers.owner_of(bare)
        if bare == SANDBOX_WHATSAPP_NUMBER or (
            owned is not None and owned.whatsapp and owned.account_sid == account.sid
        ):
            return channel
        raise bad_request(63007, "Twilio could not find a Channel with the specified From address")
    if sender in _MAGIC_FROM:
        code = _MAGIC_FROM[sender]
        raise bad_request(code, _invalid_sender(code, shown))
    if sender == MAGIC_VALID_FROM or is_alpha_sender(sender):
        return channel
    if not is_e164(sender):
        raise bad_request(21212, _invalid_sender(21212, shown))
    owned = numbers.owner_of(sender)
    if owned is None or owned.account_sid != account.sid:
        raise bad_request(21606, _invalid_sender(21606, shown))
    if not capabilities_of(owned.phone_number, owned.number_type).sms:  # a UK landline
        raise bad_request(21606, _invalid_sender(21606, shown))
    return channel


def _check_to(to: str, address: Address) -> None:
    if address.bare in _MAGIC_TO:
        code, text = _MAGIC_TO[address.bare]
        raise bad_request(code, text.format(to=to))
    if address.channel in ("phone", "whatsapp") and address.is_e164:
        return
    raise bad_request(21211, f"The 'To' number {to[:40]} is not a valid phone number.")
