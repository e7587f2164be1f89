"""Typed Twilio resources, one definition for the client (decoding) and the emulator (encoding).

Attribute names are Twilio's JSON keys (``from`` is ``from_``). Dates in the 2010-04-01
API are RFC 2822 strings on the wire (``"Thu, 30 Jul 2015 20:12:31 +0000"``) and
:class:`Rfc2822Datetime` (a ``datetime``) in Python. Numeric-looking fields that Twilio
sends as strings (``num_segments``, ``price``, ``duration``) stay strings, as on the wire.
Unknown keys are ignored, so new Twilio fields never break decoding. Enumerated fields
(statuses, directions...) are typed with :mod:`twilio_connector.enums` (a ``Literal`` of the
known values or :data:`~twilio_connector.enums.Unrecognized`) and decoded as any string, so
a status Twilio adds later never breaks decoding either.
"""

from __future__ import annotations

import email.utils
import functools
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import msgspec

from ._wire import encode_form
from .enums import (
    AccountStatusValue,
    AccountTypeValue,
    AddressRequirementValue,
    AnsweredByValue,
    CallDirectionValue,
    CallStatusValue,
    ContentApprovalCategoryValue,
    ContentApprovalStatusValue,
    EmergencyAddressStatusValue,
    EmergencyStatusValue,
    HttpMethodValue,
    MessageDirectionValue,
    MessageStatusValue,
    RecordingSourceValue,
    RecordingStatusValue,
    StreamStatusValue,
    VerificationChannelValue,
    VerificationStatusValue,
    VoiceReceiveModeValue,
)

__all__ = [
    "Account",
    "ApiKey",
    "AvailablePhoneNumber",
    "AvailablePhoneNumberCountry",
    "Balance",
    "Call",
    "CallStream",
    "Content",
    "ContentAndApprovals",
    "ContentApprovalRequest",
    "ContentApprovalStatus",
    "ContentWhatsAppApproval",
    "IncomingPhoneNumber",
    "Media",
    "Message",
    "MessagingService",
    "MessagingServiceAlphaSender",
    "MessagingServicePhoneNumber",
    "MessagingServiceShortCode",
    "NewApiKey",
    "PageMeta",
    "PhoneNumberCapabilities",
    "Recording",
    "Rfc2822Datetime",
    "ShortCode",
    "TwilioModel",
    "V1PageMeta",
    "decode",
    "decode_page",
    "decode_v1_page",
    "encode",
    "encode_page",
    "format_rfc2822",
    "page_envelope",
    "page_uri",
    "parse_rfc2822",
    "to_builtins",
    "v1_page_envelope",
]

__all__ += [  # verify/v2
    "Verification",
    "VerificationCheck",
    "VerificationSendAttempt",
    "VerifyPasskeys",
    "VerifyPush",
    "VerifyRelyingParty",
    "VerifyService",
    "VerifyTotp",
    "VerifyWhatsapp",
]

T = TypeVar("T", bound="TwilioModel")

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_MONTH_NAMES = {i: m for m, i in _MONTHS.items()}
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Rfc2822Datetime(datetime):
    """A ``datetime`` that Twilio's 2010 API carries as an RFC 2822 string."""


@functools.lru_cache(maxsize=4096)
def parse_rfc2822(value: str) -> Rfc2822Datetime:
    """Parse Twilio's ``"Thu, 30 Jul 2015 20:12:31 +0000"`` (fast path) or any RFC 2822 date."""
    if len(value) == 31 and value.endswith("+0000"):
        try:
            return Rfc2822Datetime(
                int(value[12:16]),
                _MONTHS[value[8:11]],
                int(value[5:7]),
                int(value[17:19]),
                int(value[20:22]),
                int(value[23:25]),
                tzinfo=timezone.utc,
            )
        except (KeyError, ValueError):
            pass
    dt = email.utils.parsedate_to_datetime(value)
    return Rfc2822Datetime(
        dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, tzinfo=dt.tzinfo or timezone.utc
    )


def format_rfc2822(dt: datetime) -> str:
    """Format as Twilio does: always GMT with a ``+0000`` offset."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
    return (
        f"{_DAY_NAMES[dt.weekday()]}, {dt.day:02d} {_MONTH_NAMES[dt.month]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} +0000"
    )


def _dec_hook(tp: type, obj: Any) -> Any:
    if tp is Rfc2822Datetime and isinstance(obj, str):
        try:
            return parse_rfc2822(obj)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"invalid RFC 2822 date {obj!r}") from exc
    raise NotImplementedError


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, datetime):
        return format_rfc2822(obj)
    raise NotImplementedError(f"cannot encode {type(obj).__name__}")


class TwilioModel(msgspec.Struct, kw_only=True, rename={"from_": "from"}):
    """Base of every resource model."""

    def to_dict(self) -> dict[str, Any]:
        """The resource as Twilio's JSON object (dates as RFC 2822 strings)."""
        return to_builtins(self)  # type: ignore[no-any-return]


Date = Rfc2822Datetime | None
UriMap = dict[str, str] | None


class Account(TwilioModel):
    sid: str
    friendly_name: str | None = None
    status: AccountStatusValue | None = None
    type: AccountTypeValue | None = None
    owner_account_sid: str | None = None
    auth_token: str | None = None
    date_created: Date = None
    date_updated: Date = None
    uri: str | None = None
    subresource_uris: UriMap = None

    def __repr__(self) -> str:  # never show the auth token
        token = "'***'" if self.auth_token else "None"
        return (
            f"Account(sid={self.sid!r}, friendly_name={self.friendly_name!r}, "
            f"status={self.status!r}, type={self.type!r}, auth_token={token})"
        )


class Balance(TwilioModel):
    account_sid: str
    balance: str | None = None
    currency: str | None = None


class Message(TwilioModel):
    sid: str
    account_sid: str | None = None
    api_version: str | None = None
    body: str | None = None
    date_created: Date = None
    date_sent: Date = None
    date_updated: Date = None
    direction: MessageDirectionValue | None = None
    error_code: int | None = None
    error_message: str | None = None
    from_: str | None = None
    to: str | None = None
    messaging_service_sid: str | None = None
    num_media: str | None = None
    num_segments: str | None = None
    price: str | None = None
    price_unit: str | None = None
    status: MessageStatusValue | None = None
    uri: str | None = None
    subresource_uris: UriMap = None


class Media(TwilioModel):
    sid: str
    account_sid: str | None = None
    parent_sid: str | None = None
    content_type: str | None = None
    date_created: Date = None
    date_updated: Date = None
    uri: str | None = None


class Call(TwilioModel):
    sid: str
    account_sid: str | None = None
    parent_call_sid: str | None = None
    date_created: Date = None
    date_updated: Date = None
    to: str | None = None
    to_formatted: str | None = None
    from_: str | None = None
    from_formatted: str | None = None
    phone_number_sid: str | None = None
    status: CallStatusValue | None = None
    start_time: Date = None
    end_time: Date = None
    duration: str | None = None
    price: str | None = None
    price_unit: str | None = None
    direction: CallDirectionValue | None = None
    answered_by: AnsweredByValue | None = None
    api_version: str | None = None
    forwarded_from: str | None = None
    group_sid: str | None = None
    caller_name: str | None = None
    queue_time: str | None = None
    trunk_sid: str | None = None
    uri: str | None = None
    subresource_uris: UriMap = None


class CallStream(TwilioModel):
    """A one-way Media Stream of a live call (``Calls/{CallSid}/Streams``)."""

    sid: str
    account_sid: str | None = None
    call_sid: str | None = None
    name: str | None = None
    status: StreamStatusValue | None = None
    date_updated: Date = None
    uri: str | None = None


class Recording(TwilioModel):
    sid: str
    account_sid: str | None = None
    api_version: str | None = None
    call_sid: str | None = None
    conference_sid: str | None = None
    date_created: Date = None
    date_updated: Date = None
    start_time: Date = None
    duration: str | None = None
    price: str | float | None = None
    price_unit: str | None = None
    status: RecordingStatusValue | None = None
    channels: int | None = None
    source: RecordingSourceValue | None = None
    error_code: int | None = None
    track: str | None = None
    uri: str | None = None
    media_url: str | None = None
    encryption_details: Any = None
    subresource_uris: UriMap = None


class PhoneNumberCapabilities(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Twilio sends ``voice``/``sms``/``mms``/``fax`` on owned numbers and ``SMS``/``MMS``
    on available ones; both spellings are accepted. Unset keys are not encoded (the spec's
    shape is the four lowercase keys)."""

    voice: bool | None = None
    sms: bool | None = None
    mms: bool | None = None
    fax: bool | None = None
    SMS: bool | None = None
    MMS: bool | None = None

    @property
    def can_sms(self) -> bool:
        return bool(self.sms or self.SMS)

    @property
    def can_mms(self) -> bool:
        return bool(self.mms or self.MMS)


class IncomingPhoneNumber(TwilioModel):
    sid: str
    account_sid: str | None = None
    phone_number: str | None = None
    friendly_name: str | None = None
    address_sid: str | None = None
    address_requirements: AddressRequirementValue | None = None
    api_version: str | None = None
    beta: bool | None = None
    capabilities: PhoneNumberCapabilities | None = None
    date_created: Date = None
    date_updated: Date = None
    identity_sid: str | None = None
    origin: str | None = None
    sms_application_sid: str | None = None
    sms_fallback_method: HttpMethodValue | None = None
    sms_fallback_url: str | None = None
    sms_method: HttpMethodValue | None = None
    sms_url: str | None = None
    status_callback: str | None = None
    status_callback_method: HttpMethodValue | None = None
    trunk_sid: str | None = None
    voice_receive_mode: VoiceReceiveModeValue | None = None
    voice_application_sid: str | None = None
    voice_caller_id_lookup: bool | None = None
    voice_fallback_method: HttpMethodValue | None = None
    voice_fallback_url: str | None = None
    voice_method: HttpMethodValue | None = None
    voice_url: str | None = None
    emergency_status: EmergencyStatusValue | None = None
    emergency_address_sid: str | None = None
    emergency_address_status: EmergencyAddressStatusValue | None = None
    bundle_sid: str | None = None
    status: str | None = None
    type: str | None = None
    uri: str | None = None
    subresource_uris: UriMap = None


class AvailablePhoneNumber(TwilioModel):
    phone_number: str
    friendly_name: str | None = None
    lata: str | None = None
    locality: str | None = None
    rate_center: str | None = None
    latitude: float | str | None = None
    longitude: float | str | None = None
    region: str | None = None
    postal_code: str | None = None
    iso_country: str | None = None
    address_requirements: AddressRequirementValue | None = None
    beta: bool | None = None
    capabilities: PhoneNumberCapabilities | None = None


class AvailablePhoneNumberCountry(TwilioModel):
    """A country numbers can be searched in (``AvailablePhoneNumbers.json``)."""

    country_code: str
    country: str | None = None
    uri: str | None = None
    beta: bool | None = None
    subresource_uris: UriMap = None


class ApiKey(TwilioModel):
    sid: str
    friendly_name: str | None = None
    date_created: Date = None
    date_updated: Date = None


class NewApiKey(ApiKey):
    secret: str | None = None

    def __repr__(self) -> str:  # never show the secret
        return f"NewApiKey(sid={self.sid!r}, friendly_name={self.friendly_name!r}, secret='***')"


# -- messaging/v1 (ISO 8601 dates, the v1 page envelope) -----------------------------------


class MessagingService(TwilioModel):
    """A Messaging Service (``MG...``, ``messaging/v1/Services``); dates are ISO 8601."""

    sid: str
    account_sid: str | None = None
    friendly_name: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    inbound_request_url: str | None = None
    inbound_method: HttpMethodValue | None = None
    fallback_url: str | None = None
    fallback_method: HttpMethodValue | None = None
    status_callback: str | None = None
    sticky_sender: bool | None = None
    mms_converter: bool | None = None
    smart_encoding: bool | None = None
    scan_message_content: str | None = None
    fallback_to_long_code: bool | None = None
    area_code_geomatch: bool | None = None
    synchronous_validation: bool | None = None
    validity_period: int = 36000
    url: str | None = None
    links: dict[str, str] | None = None
    usecase: str | None = None
    us_app_to_person_registered: bool | None = None
    use_inbound_webhook_on_number: bool | None = None


class MessagingServicePhoneNumber(TwilioModel):
    """A number in a Messaging Service's sender pool (``PN...``, ``Services/{MG}/PhoneNumbers``)."""

    sid: str
    account_sid: str | None = None
    service_sid: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    phone_number: str | None = None
    country_code: str | None = None
    capabilities: list[str] | None = None
    url: str | None = None


# -- Messaging Services: short-code and alpha-sender pools, the account's short codes -------


class MessagingServiceShortCode(TwilioModel):
    """A short code in a service's pool (``SC...``, ``Services/{MG}/ShortCodes``)."""

    sid: str
    account_sid: str | None = None
    service_sid: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    short_code: str | None = None
    country_code: str | None = None
    capabilities: list[str] | None = None
    url: str | None = None


class MessagingServiceAlphaSender(TwilioModel):
    """A service's Alphanumeric Sender ID (``AI...``, ``Services/{MG}/AlphaSenders``)."""

    sid: str
    account_sid: str | None = None
    service_sid: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    alpha_sender: str | None = None
    capabilities: list[str] | None = None
    url: str | None = None


class ShortCode(TwilioModel):
    """A short code of the account (``SC...``, 2010 API ``/SMS/ShortCodes``; RFC 2822 dates)."""

    sid: str
    account_sid: str | None = None
    api_version: str | None = None
    date_created: Date = None
    date_updated: Date = None
    friendly_name: str | None = None
    short_code: str | None = None
    sms_fallback_method: HttpMethodValue | None = None
    sms_fallback_url: str | None = None
    sms_method: HttpMethodValue | None = None
    sms_url: str | None = None
    uri: str | None = None


# -- end of the Messaging Services pool section -------------------------------------------


# -- verify/v2 (ISO 8601 dates, the v1 page envelope) ----------------------------------------


class VerifyPush(TwilioModel):
    """A Verify Service's ``push`` settings (Verify Push factors)."""

    include_date: bool | None = None
    apn_credential_sid: str | None = None
    fcm_credential_sid: str | None = None


class VerifyTotp(TwilioModel):
    """A Verify Service's ``totp`` settings (TOTP factors)."""

    issuer: str | None = None
    time_step: int | None = None
    code_length: int | None = None
    skew: int | None = None


class VerifyWhatsapp(TwilioModel):
    """A Verify Service's ``whatsapp`` sender (``from`` is ``from_``)."""

    msg_service_sid: str | None = None
    from_: str | None = None


class VerifyRelyingParty(TwilioModel):
    id: str | None = None
    name: str | None = None
    origins: list[str] | None = None


class VerifyPasskeys(TwilioModel):
    """A Verify Service's ``passkeys`` settings."""

    relying_party: VerifyRelyingParty | None = None
    authenticator_attachment: str | None = None
    discoverable_credentials: str | None = None
    user_verification: str | None = None


class VerifyService(TwilioModel):
    """A Verify Service (``VA...``, ``verify/v2/Services``): how codes are made and sent."""

    sid: str
    account_sid: str | None = None
    friendly_name: str | None = None
    code_length: int | None = None
    lookup_enabled: bool | None = None
    psd2_enabled: bool | None = None
    skip_sms_to_landlines: bool | None = None
    dtmf_input_required: bool | None = None
    tts_name: str | None = None
    do_not_share_warning_enabled: bool | None = None
    custom_code_enabled: bool | None = None
    push: VerifyPush | None = None
    totp: VerifyTotp | None = None
    whatsapp: VerifyWhatsapp | None = None
    passkeys: VerifyPasskeys | None = None
    default_template_sid: str | None = None
    verify_event_subscription_enabled: bool | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    url: str | None = None
    links: dict[str, str] | None = None


class VerificationSendAttempt(TwilioModel):
    """One send of a Verification's code (``VL...``); ``channel`` as Twilio writes it
    (``SMS``, ``CALL``, ``whatsapp``)."""

    attempt_sid: str
    channel: str | None = None
    time: datetime | None = None


class Verification(TwilioModel):
    """A Verification (``VE...``, ``Services/{VA}/Verifications``): a code sent to ``to``.
    ``approved`` tells whether it was approved (``status == "approved"``)."""

    sid: str
    service_sid: str | None = None
    account_sid: str | None = None
    to: str | None = None
    channel: VerificationChannelValue | None = None
    status: VerificationStatusValue | None = None
    valid: bool | None = None
    lookup: dict[str, Any] | None = None
    amount: str | None = None
    payee: str | None = None
    send_code_attempts: list[VerificationSendAttempt] | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    sna: dict[str, Any] | None = None
    url: str | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"


class VerificationCheck(TwilioModel):
    """The answer to a VerificationCheck: ``sid`` is the Verification's (``VE...``);
    ``approved`` is True when the code was right (``status == "approved"``)."""

    sid: str
    service_sid: str | None = None
    account_sid: str | None = None
    to: str | None = None
    channel: VerificationChannelValue | None = None
    status: VerificationStatusValue | None = None
    valid: bool | None = None
    amount: str | None = None
    payee: str | None = None
    sna_attempts_error_codes: list[dict[str, Any]] | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"


# -- content/v1: templates (``HX...``) and their WhatsApp approval ---------------------------


class Content(TwilioModel):
    """A Content template (``HX...``, ``content/v1/Content``); ``types`` maps a content type
    (``twilio/text``) to its JSON (:mod:`twilio_connector.content_types`); dates ISO 8601."""

    sid: str
    account_sid: str | None = None
    friendly_name: str | None = None
    language: str | None = None
    variables: dict[str, str] | None = None
    types: dict[str, Any] | None = None
    url: str | None = None
    links: dict[str, str] | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None


class ContentWhatsAppApproval(TwilioModel):
    """A template's WhatsApp approval (``whatsapp`` of an approval fetch)."""

    type: str | None = "whatsapp"
    name: str | None = None
    category: ContentApprovalCategoryValue | None = None
    content_type: str | None = None
    status: ContentApprovalStatusValue | None = None
    rejection_reason: str | None = None
    allow_category_change: bool | None = None


class ContentApprovalRequest(TwilioModel):
    """The answer to ``POST .../Content/{HX}/ApprovalRequests/whatsapp``."""

    name: str | None = None
    category: ContentApprovalCategoryValue | None = None
    content_type: str | None = None
    status: ContentApprovalStatusValue | None = None
    rejection_reason: str | None = None
    allow_category_change: bool | None = None


class ContentApprovalStatus(TwilioModel):
    """``GET .../Content/{HX}/ApprovalRequests``: the template's approvals per channel."""

    sid: str
    account_sid: str | None = None
    whatsapp: ContentWhatsAppApproval | None = None
    url: str | None = None


class ContentAndApprovals(TwilioModel):
    """A template with its WhatsApp approval (``content/v1/ContentAndApprovals``)."""

    sid: str
    account_sid: str | None = None
    friendly_name: str | None = None
    language: str | None = None
    variables: dict[str, str] | None = None
    types: dict[str, Any] | None = None
    approval_requests: ContentWhatsAppApproval | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None


class V1PageMeta(msgspec.Struct, kw_only=True):
    """The ``meta`` of a v1 list page (``messaging/v1`` and the other product APIs): absolute
    URLs (``https://messaging.twilio.com/v1/Services?PageSize=50&Page=0``), ``next_page_url``
    ``None`` on the last page, ``key`` naming the records' key."""

    page: int = 0
    page_size: int = 50
    first_page_url: str | None = None
    previous_page_url: str | None = None
    url: str | None = None
    next_page_url: str | None = None
    key: str | None = None


class PageMeta(msgspec.Struct, kw_only=True):
    """Twilio's list envelope (without the records): decoded by :func:`decode_page`,
    written by :func:`page_envelope`.

    The URIs are relative (``/2010-04-01/...?PageSize=50&Page=0``); ``next_page_uri`` is
    ``None`` on the last page and ``previous_page_uri`` on the first; ``start`` is
    ``page * page_size`` and ``end`` the index of the last record (``0`` for an empty page).
    """

    uri: str | None = None
    first_page_uri: str | None = None
    next_page_uri: str | None = None
    previous_page_uri: str | None = None
    page: int = 0
    page_size: int = 50
    start: int = 0
    end: int = 0


_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
_page_types: dict[tuple[str, type], type[msgspec.Struct]] = {}
_encoder = msgspec.json.Encoder(enc_hook=_enc_hook)


def _decoder(tp: Any) -> msgspec.json.Decoder[Any]:
    dec = _decoders.get(tp)
    if dec is None:
        dec = _decoders[tp] = msgspec.json.Decoder(tp, dec_hook=_dec_hook)
    return dec


def decode(model: type[T], body: bytes) -> T:
    """Decode one resource. Raises ``msgspec.ValidationError``/``DecodeError`` on bad input."""
    return _decoder(model).decode(body)  # type: ignore[no-any-return]


def decode_page(model: type[T], list_key: str, body: bytes) -> tuple[list[T], PageMeta]:
    """Decode a list page: the records under ``list_key`` and the envelope."""
    key = (list_key, model)
    page_type = _page_types.get(key)
    if page_type is None:
        items_type: Any = list[model]  # type: ignore[valid-type]
        fields: list[tuple[str, Any, Any]] = [
            (list_key, items_type, msgspec.field(default_factory=list))
        ]
        page_type = msgspec.defstruct(
            f"{model.__name__}Page", fields, bases=(PageMeta,), kw_only=True
        )
        _page_types[key] = page_type
    page = _decoder(page_type).decode(body)
    items: list[T] = getattr(page, list_key)
    meta = PageMeta(
        uri=page.uri,
        first_page_uri=page.first_page_uri,
        next_page_uri=page.next_page_uri,
        previous_page_uri=page.previous_page_uri,
        page=page.page,
        page_size=page.page_size,
        start=page.start,
        end=page.end,
    )
    return items, meta


def decode_v1_page(model: type[T], list_key: str, body: bytes) -> tuple[list[T], PageMeta]:
    """Decode a v1 list page (records under ``list_key``, envelope under ``meta``) into the
    records and a :class:`PageMeta` whose ``next_page_uri`` is ``meta.next_page_url``."""
    key = (list_key + "\0v1", model)
    page_type = _page_types.get(key)
    if page_type is None:
        items_type: Any = list[model]  # type: ignore[valid-type]
        fields: list[tuple[str, Any, Any]] = [
            (list_key, items_type, msgspec.field(default_factory=list)),
            ("meta", V1PageMeta, msgspec.field(default_factory=V1PageMeta)),
        ]
        page_type = msgspec.defstruct(f"{model.__name__}V1Page", fields, kw_only=True)
        _page_types[key] = page_type
    page = _decoder(page_type).decode(body)
    items: list[T] = getattr(page, list_key)
    meta: V1PageMeta = page.meta
    start = meta.page * meta.page_size
    return items, PageMeta(
        uri=meta.url,
        first_page_uri=meta.first_page_url,
        next_page_uri=meta.next_page_url,
        previous_page_uri=meta.previous_page_url,
        page=meta.page,
        page_size=meta.page_size,
        start=start,
        end=start + len(items) - 1 if items else 0,
    )


def v1_page_envelope(
    list_key: str,
    records: Sequence[Any],
    *,
    page: int,
    page_size: int,
    url: str,
    first_page_url: str,
    next_page_url: str | None = None,
    previous_page_url: str | None = None,
) -> dict[str, Any]:
    """The JSON object of one v1 page: the records under ``list_key`` and ``meta``."""
    meta = V1PageMeta(
        page=page, page_size=page_size, first_page_url=first_page_url,
        previous_page_url=previous_page_url, url=url, next_page_url=next_page_url, key=list_key,
    )  # fmt: skip
    return {list_key: list(records), "meta": msgspec.structs.asdict(meta)}


def page_uri(path: str, params: Iterable[tuple[str, str]]) -> str:
    """A page's URI: ``path`` and its form-encoded query (filters, ``PageSize``, ``Page`` ...)."""
    query = encode_form(params)
    return f"{path}?{query}" if query else path


def page_envelope(
    list_key: str,
    records: Sequence[Any],
    *,
    page: int,
    page_size: int,
    uri: str,
    first_page_uri: str,
    next_page_uri: str | None = None,
    previous_page_uri: str | None = None,
) -> dict[str, Any]:
    """The JSON object of one page, keys in alphabetical order as Twilio sends them (the
    records may be models; :func:`encode` writes them)."""
    start = page * page_size
    meta = PageMeta(
        uri=uri,
        first_page_uri=first_page_uri,
        next_page_uri=next_page_uri,
        previous_page_uri=previous_page_uri,
        page=page,
        page_size=page_size,
        start=start,
        end=start + len(records) - 1 if records else 0,
    )
    out: dict[str, Any] = msgspec.structs.asdict(meta)
    out[list_key] = list(records)
    return dict(sorted(out.items()))


def encode_page(
    list_key: str,
    records: Sequence[Any],
    *,
    page: int,
    page_size: int,
    uri: str,
    first_page_uri: str,
    next_page_uri: str | None = None,
    previous_page_uri: str | None = None,
) -> bytes:
    """:func:`page_envelope` as JSON bytes."""
    return encode(
        page_envelope(
            list_key,
            records,
            page=page,
            page_size=page_size,
            uri=uri,
            first_page_uri=first_page_uri,
            next_page_uri=next_page_uri,
            previous_page_uri=previous_page_uri,
        )
    )


def encode(obj: Any) -> bytes:
    """Encode models (or builtins containing them) as Twilio-shaped JSON bytes."""
    return _encoder.encode(obj)


def to_builtins(obj: Any) -> Any:
    """Models to plain dicts/lists with RFC 2822 date strings."""
    return msgspec.to_builtins(obj, enc_hook=_enc_hook)
