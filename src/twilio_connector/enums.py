"""Twilio's enumerations as ``Literal`` types, open to values Twilio adds later.

Each enumeration has two names: the closed ``Literal`` of the values this release knows
(``MessageStatus``), and the field type the models use, ``MessageStatusValue`` =
``MessageStatus | Unrecognized``. :data:`Unrecognized` is a ``NewType`` of ``str`` for a
value Twilio sends that is not in the ``Literal`` (a status added after this release):
decoding never fails on one, and the type checker makes you say what to do with it.

Exhaustive handling, checked by mypy/pyright: after every known value, what is left is
``Unrecognized``, so a function taking only ``Unrecognized`` accepts it, and stops type
checking the day a known value is left unhandled::

    def on_new_status(status: Unrecognized) -> None:
        log.warning("status Twilio added after this release: %s", status)

    match message.status:
        case "queued" | "accepted" | "scheduled" | "sending" | "sent": ...
        case "delivered" | "read" | "received" | "receiving" | "partially_delivered": ...
        case "failed" | "undelivered" | "canceled": ...
        case None: ...
        case other:
            on_new_status(other)  # mypy error here if a known status was forgotten

At run time every value is a plain ``str`` (the models decode these fields as ``str``, as
fast as before); :func:`is_known` tells a known value from a new one. The value sets match
the enums of Twilio's OpenAPI description (checked by ``tests/client/test_client_enums.py``)
or, where it has none, the values its field descriptions list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NewType, TypeAlias, get_args

__all__ = [
    "CALL_FAILURES",
    "CALL_FINAL",
    "CALL_PATH",
    "MESSAGE_FAILURES",
    "MESSAGE_FINAL",
    "MESSAGE_PATH",
    "MESSAGE_SETTLED",
    "AccountStatus",
    "AccountStatusValue",
    "AccountType",
    "AccountTypeValue",
    "AddressRequirement",
    "AddressRequirementValue",
    "AnsweredBy",
    "AnsweredByValue",
    "CallDirection",
    "CallDirectionValue",
    "CallStatus",
    "CallStatusValue",
    "ContentApprovalCategory",
    "ContentApprovalCategoryValue",
    "ContentApprovalStatus",
    "ContentApprovalStatusValue",
    "EmergencyAddressStatus",
    "EmergencyAddressStatusValue",
    "EmergencyStatus",
    "EmergencyStatusValue",
    "HttpMethod",
    "HttpMethodValue",
    "MessageDirection",
    "MessageDirectionValue",
    "MessageStatus",
    "MessageStatusValue",
    "RecordingSource",
    "RecordingSourceValue",
    "RecordingStatus",
    "RecordingStatusValue",
    "StreamStatus",
    "StreamStatusValue",
    "StreamTrack",
    "Unrecognized",
    "VoiceReceiveMode",
    "VoiceReceiveModeValue",
    "is_known",
]

__all__ += [  # verify/v2
    "VerificationChannel",
    "VerificationChannelValue",
    "VerificationStatus",
    "VerificationStatusValue",
]

Unrecognized = NewType("Unrecognized", str)
"""A value this release does not know (Twilio added it later); a ``str`` at run time."""

MessageStatus: TypeAlias = Literal[
    "queued",
    "sending",
    "sent",
    "failed",
    "delivered",
    "undelivered",
    "receiving",
    "received",
    "accepted",
    "scheduled",
    "read",
    "partially_delivered",
    "canceled",
]
MessageDirection: TypeAlias = Literal["inbound", "outbound-api", "outbound-call", "outbound-reply"]
CallStatus: TypeAlias = Literal[
    "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"
]
CallDirection: TypeAlias = Literal[
    "inbound", "outbound-api", "outbound-dial", "trunking-terminating", "trunking-originating"
]
AnsweredBy: TypeAlias = Literal[
    "human",
    "machine",
    "machine_start",
    "machine_end_beep",
    "machine_end_silence",
    "machine_end_other",
    "fax",
    "unknown",
]
"""Answering machine detection's verdict (``machine``: the spec's short form)."""
AccountStatus: TypeAlias = Literal["active", "suspended", "closed"]
AccountType: TypeAlias = Literal["Trial", "Full"]
RecordingStatus: TypeAlias = Literal[
    "in-progress", "paused", "stopped", "processing", "completed", "absent", "deleted"
]
RecordingSource: TypeAlias = Literal[
    "DialVerb",
    "Conference",
    "OutboundAPI",
    "Trunking",
    "RecordVerb",
    "StartCallRecordingAPI",
    "StartConferenceRecordingAPI",
]
AddressRequirement: TypeAlias = Literal["none", "any", "local", "foreign"]
VoiceReceiveMode: TypeAlias = Literal["voice", "fax"]
EmergencyStatus: TypeAlias = Literal["Active", "Inactive"]
EmergencyAddressStatus: TypeAlias = Literal[
    "registered",
    "unregistered",
    "pending-registration",
    "registration-failure",
    "pending-unregistration",
    "unregistration-failure",
]
HttpMethod: TypeAlias = Literal["GET", "POST"]
StreamStatus: TypeAlias = Literal["in-progress", "stopped"]
"""A Media Stream's status (``Calls/{CallSid}/Streams``)."""
StreamTrack: TypeAlias = Literal["inbound_track", "outbound_track", "both_tracks"]
"""Which audio a one-way stream carries: the caller's (default), the call's other side, both."""
# -- content/v1: WhatsApp template approval (TWILIO.md 19.4; the spec has no enum) ----------
ContentApprovalStatus: TypeAlias = Literal[
    "unsubmitted", "received", "pending", "approved", "rejected", "paused", "disabled"
]
ContentApprovalCategory: TypeAlias = Literal["UTILITY", "MARKETING", "AUTHENTICATION"]

# -- verify/v2 ---------------------------------------------------------------------------------
VerificationChannel: TypeAlias = Literal["sms", "call", "email", "whatsapp", "sna"]
"""A Verification's channel (the spec's ``verification_enum_channel``; ``auto`` is only a
request value: the answer names the channel used)."""
VerificationStatus: TypeAlias = Literal[
    "pending", "approved", "canceled", "max_attempts_reached", "deleted", "failed", "expired"
]
"""A Verification's status, as its field description lists them (the spec's
``verification_enum_status`` holds only the update values ``canceled``/``approved``)."""

if TYPE_CHECKING:
    MessageStatusValue: TypeAlias = MessageStatus | Unrecognized
    MessageDirectionValue: TypeAlias = MessageDirection | Unrecognized
    CallStatusValue: TypeAlias = CallStatus | Unrecognized
    CallDirectionValue: TypeAlias = CallDirection | Unrecognized
    AnsweredByValue: TypeAlias = AnsweredBy | Unrecognized
    AccountStatusValue: TypeAlias = AccountStatus | Unrecognized
    AccountTypeValue: TypeAlias = AccountType | Unrecognized
    RecordingStatusValue: TypeAlias = RecordingStatus | Unrecognized
    RecordingSourceValue: TypeAlias = RecordingSource | Unrecognized
    AddressRequirementValue: TypeAlias = AddressRequirement | Unrecognized
    VoiceReceiveModeValue: TypeAlias = VoiceReceiveMode | Unrecognized
    EmergencyStatusValue: TypeAlias = EmergencyStatus | Unrecognized
    EmergencyAddressStatusValue: TypeAlias = EmergencyAddressStatus | Unrecognized
    HttpMethodValue: TypeAlias = HttpMethod | Unrecognized
    StreamStatusValue: TypeAlias = StreamStatus | Unrecognized
    VerificationChannelValue: TypeAlias = VerificationChannel | Unrecognized
    VerificationStatusValue: TypeAlias = VerificationStatus | Unrecognized
    ContentApprovalStatusValue: TypeAlias = ContentApprovalStatus | Unrecognized
    ContentApprovalCategoryValue: TypeAlias = ContentApprovalCategory | Unrecognized
else:
    # What msgspec decodes the fields as: any string. (A Literal would refuse a value Twilio
    # adds tomorrow, and msgspec allows one str-like type per union.)
    MessageStatusValue = MessageDirectionValue = CallStatusValue = CallDirectionValue = str
    AnsweredByValue = AccountStatusValue = AccountTypeValue = RecordingStatusValue = str
    RecordingSourceValue = AddressRequirementValue = VoiceReceiveModeValue = str
    EmergencyStatusValue = EmergencyAddressStatusValue = HttpMethodValue = StreamStatusValue = str
    VerificationChannelValue = VerificationStatusValue = str  # verify/v2
    ContentApprovalStatusValue = ContentApprovalCategoryValue = str

_KNOWN: dict[object, frozenset[str]] = {}


def is_known(enumeration: object, value: str | None) -> bool:
    """Whether ``value`` is one of ``enumeration``'s known values:
    ``is_known(MessageStatus, message.status)``."""
    known = _KNOWN.get(enumeration)
    if known is None:
        known = _KNOWN[enumeration] = frozenset(get_args(enumeration))
        if not known:
            raise TypeError(f"not a Literal enumeration: {enumeration!r}")
    return value in known


# -- lifecycles: the one definition the CLI's --wait and the pytest helpers read --------------

MESSAGE_PATH: tuple[MessageStatus, ...] = (
    "accepted", "scheduled", "queued", "sending", "sent", "delivered", "read"
)  # fmt: skip
"""An outbound message's successful path, in order (``accepted``/``scheduled`` come first
for a Messaging Service)."""
MESSAGE_FINAL: frozenset[MessageStatus] = frozenset(
    {"undelivered", "failed", "canceled", "read", "received"}
)
"""Message statuses nothing follows."""
MESSAGE_SETTLED: frozenset[MessageStatus] = MESSAGE_FINAL | {"delivered"}
"""What a sender waits for: the final statuses and ``delivered`` (which may only become
``read``, on WhatsApp). ``sent`` is not settled: without a delivery receipt it stays."""
MESSAGE_FAILURES: frozenset[MessageStatus] = frozenset({"undelivered", "failed", "canceled"})
CALL_PATH: tuple[str, ...] = ("queued", "initiated", "ringing", "in-progress", "completed")
"""A call's successful path, in order (``initiated`` is a status callback's, not a REST
status)."""
CALL_FINAL: frozenset[CallStatus] = frozenset(
    {"completed", "busy", "no-answer", "failed", "canceled"}
)
"""Call statuses nothing follows."""
CALL_FAILURES: frozenset[CallStatus] = CALL_FINAL - {"completed"}
