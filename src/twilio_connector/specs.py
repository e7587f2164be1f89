"""The REST resources: where each lives, its list key, SID prefixes and model.

Most are in the 2010-04-01 API (domain ``api``); product APIs on other hosts carry their
``domain`` (``messaging``: ``https://messaging.twilio.com/v1/Services``), their paths start
at the version (``/v1/...``) and their lists use the v1 page envelope (``meta``).

One row per resource, read by the client resources (their paths and page decoding) and by
the emulator's routes. Path templates are under :data:`~twilio_connector._wire.API_PREFIX`
and name their segments as Twilio's docs do: ``{AccountSid}``, ``{Sid}`` (the resource's
own SID), a parent's SID (``{MessageSid}``, ``{CallSid}``), ``{CountryCode}``, ``{Type}``.

``SPEC.list_path.format(AccountSid=..., ...)`` gives a request path (each value quoted as
one segment); ``SPEC.route(SPEC.instance_path)`` the emulator's route template, each SID
segment constrained to its prefixes (``{Sid:(?:SM|MM)[0-9a-fA-F]{32}}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from string import Formatter
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from ._wire import API_DOMAIN, API_PREFIX, domain_prefix
from .models import (
    Account,
    ApiKey,
    AvailablePhoneNumber,
    AvailablePhoneNumberCountry,
    Balance,
    Call,
    CallStream,
    Content,
    ContentAndApprovals,
    ContentApprovalRequest,
    ContentApprovalStatus,
    IncomingPhoneNumber,
    Media,
    Message,
    MessagingService,
    MessagingServiceAlphaSender,
    MessagingServicePhoneNumber,
    MessagingServiceShortCode,
    Recording,
    ShortCode,
    TwilioModel,
    Verification,
    VerificationCheck,
    VerifyService,
)

__all__ = [
    "ACCOUNTS",
    "ACCOUNT_ROOT",
    "AVAILABLE_PHONE_NUMBERS",
    "AVAILABLE_PHONE_NUMBER_COUNTRIES",
    "BALANCE",
    "CALLS",
    "CALL_RECORDINGS",
    "CALL_STREAMS",
    "CONTENTS",
    "CONTENT_AND_APPROVALS",
    "CONTENT_APPROVAL_REQUESTS",
    "CONTENT_WHATSAPP_APPROVAL",
    "INCOMING_PHONE_NUMBERS",
    "KEYS",
    "LEGACY_CONTENTS",
    "MEDIA",
    "MESSAGES",
    "MESSAGING_SERVICES",
    "MESSAGING_SERVICE_ALPHA_SENDERS",
    "MESSAGING_SERVICE_PHONE_NUMBERS",
    "MESSAGING_SERVICE_SHORT_CODES",
    "RECORDINGS",
    "SHORT_CODES",
    "SPECS",
    "PathTemplate",
    "ResourceSpec",
    "sid_pattern",
]

__all__ += [  # verify/v2
    "VERIFICATIONS",
    "VERIFICATION_CHECKS",
    "VERIFY_SERVICES",
]

M = TypeVar("M", bound=TwilioModel)

_SEGMENT_PATTERNS = {"CountryCode": "[A-Z]{2}"}
"""Route patterns of the path parameters that are not SIDs."""


def sid_pattern(prefixes: tuple[str, ...]) -> str:
    """The regex of a SID with one of ``prefixes``: ``AC[0-9a-fA-F]{32}``."""
    head = prefixes[0] if len(prefixes) == 1 else f"(?:{'|'.join(prefixes)})"
    return head + "[0-9a-fA-F]{32}"


def _segment(name: str, value: str | None) -> str:
    if not value:
        raise ValueError(f"{name} is required")
    if value.isascii() and value.isalnum():  # a SID: nothing to quote
        return value
    return quote(str(value), safe="")


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A path with ``{Name}`` segments, e.g. ``/2010-04-01/Accounts/{AccountSid}/Calls.json``."""

    template: str
    names: tuple[str, ...] = field(init=False)
    _printf: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parsed = list(Formatter().parse(self.template))
        names = tuple(name for _, name, _, _ in parsed if name)
        printf = "".join(
            text.replace("%", "%%") + ("%s" if name else "") for text, name, _, _ in parsed
        )
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_printf", printf)

    def format(self, **values: str) -> str:
        """The path with every segment filled in, each value quoted so it stays one segment.
        Raises ``ValueError`` for a missing or empty value."""
        if not self.names:
            return self.template.format()
        for name in self.names:  # values is this call's own dict: rewrite it in place
            value = values.get(name)
            if not value or not (value.isascii() and value.isalnum()):
                values[name] = _segment(name, value)
        return self.template.format_map(values)

    def fill(self, *values: str) -> str:
        """The path with ``values`` as its segments, in order and as they are: for SIDs the
        server made itself (a serializer's URIs), without :meth:`format`'s checks and quoting."""
        return self._printf % values

    def bind(self, **values: str) -> PathTemplate:
        """The template with some segments filled in (quoted), the others left to fill."""
        parts = {name: "{" + name + "}" for name in self.names}
        parts.update((name, _segment(name, values[name])) for name in values if name in parts)
        return PathTemplate(self.template.format_map(parts))

    def __str__(self) -> str:
        return self.template


@dataclass(frozen=True, slots=True)
class ResourceSpec(Generic[M]):
    """One resource: ``name`` (snake_case, as in ``subresource_uris``), ``model`` (its JSON),
    ``list_key`` (the records' key in a page), ``sid_prefixes`` (the first is the one a new
    record gets) and its list and instance paths (``None`` when it has none)."""

    name: str
    model: type[M]
    list_key: str | None
    sid_prefixes: tuple[str, ...]
    list_path: PathTemplate | None = None
    instance_path: PathTemplate | None = None
    parents: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The SID prefixes of the parent segments of the paths: ``(("CallSid", ("CA",)),)``."""
    domain: str = API_DOMAIN
    """The API domain (``api``, ``messaging``): its host on Twilio, its path prefix elsewhere
    (:func:`~twilio_connector._wire.domain_base_url`)."""
    by_name: bool = False
    """Whether the instance path's ``{Sid}`` also takes the resource's name (a Stream is
    stopped by its SID or its name)."""

    @property
    def v1_envelope(self) -> bool:
        """Whether its lists use the v1 page envelope (``meta``): every domain but ``api``."""
        return self.domain != API_DOMAIN

    def is_sid(self, value: str) -> bool:
        """Whether ``value`` is a SID of this resource."""
        if not self.sid_prefixes:
            return False
        return re.fullmatch(sid_pattern(self.sid_prefixes), value) is not None

    def route(self, path: PathTemplate) -> str:
        """The emulator's route template for ``path``: SID segments constrained to their
        prefixes, other segments to their shape; under the domain's path prefix
        (``/messaging/v1/Services``) as the emulator serves it."""
        patterns: dict[str, str] = {"AccountSid": sid_pattern(("AC",)), **_SEGMENT_PATTERNS}
        patterns.update((name, sid_pattern(p)) for name, p in self.parents)
        if self.sid_prefixes and not self.by_name:
            patterns["Sid"] = sid_pattern(self.sid_prefixes)
        parts: dict[str, Any] = {}
        for name in path.names:
            pattern = patterns.get(name)
            parts[name] = "{" + name + (f":{pattern}" if pattern else "") + "}"
        return domain_prefix(self.domain) + path.template.format_map(parts)


def _path(template: str) -> PathTemplate:
    return PathTemplate(API_PREFIX + template)


_ACCOUNT = "/Accounts/{AccountSid}"
ACCOUNT_ROOT = _path(_ACCOUNT)
"""The account's resources live under this path (``Queues.json`` is relative to it)."""

ACCOUNTS = ResourceSpec(
    "accounts", Account, "accounts", ("AC",),
    _path("/Accounts.json"), _path(f"{_ACCOUNT}.json"),
)  # fmt: skip
BALANCE = ResourceSpec("balance", Balance, None, (), None, _path(f"{_ACCOUNT}/Balance.json"))
MESSAGES = ResourceSpec(
    "messages", Message, "messages", ("SM", "MM"),
    _path(f"{_ACCOUNT}/Messages.json"), _path(f"{_ACCOUNT}/Messages/{{Sid}}.json"),
)  # fmt: skip
MEDIA = ResourceSpec(
    "media", Media, "media_list", ("ME",),
    _path(f"{_ACCOUNT}/Messages/{{MessageSid}}/Media.json"),
    _path(f"{_ACCOUNT}/Messages/{{MessageSid}}/Media/{{Sid}}.json"),
    parents=(("MessageSid", MESSAGES.sid_prefixes),),
)  # fmt: skip
CALLS = ResourceSpec(
    "calls", Call, "calls", ("CA",),
    _path(f"{_ACCOUNT}/Calls.json"), _path(f"{_ACCOUNT}/Calls/{{Sid}}.json"),
)  # fmt: skip
RECORDINGS = ResourceSpec(
    "recordings", Recording, "recordings", ("RE",),
    _path(f"{_ACCOUNT}/Recordings.json"), _path(f"{_ACCOUNT}/Recordings/{{Sid}}.json"),
)  # fmt: skip
CALL_RECORDINGS = ResourceSpec(
    "recordings", Recording, "recordings", ("RE",),
    _path(f"{_ACCOUNT}/Calls/{{CallSid}}/Recordings.json"),
    _path(f"{_ACCOUNT}/Calls/{{CallSid}}/Recordings/{{Sid}}.json"),
    parents=(("CallSid", CALLS.sid_prefixes),),
)  # fmt: skip
CALL_STREAMS = ResourceSpec(
    "streams", CallStream, None, ("MZ",),
    _path(f"{_ACCOUNT}/Calls/{{CallSid}}/Streams.json"),
    _path(f"{_ACCOUNT}/Calls/{{CallSid}}/Streams/{{Sid}}.json"),
    parents=(("CallSid", CALLS.sid_prefixes),), by_name=True,
)  # fmt: skip
"""One-way Media Streams started and stopped on a live call: created, never listed."""
INCOMING_PHONE_NUMBERS = ResourceSpec(
    "incoming_phone_numbers", IncomingPhoneNumber, "incoming_phone_numbers", ("PN",),
    _path(f"{_ACCOUNT}/IncomingPhoneNumbers.json"),
    _path(f"{_ACCOUNT}/IncomingPhoneNumbers/{{Sid}}.json"),
)  # fmt: skip
AVAILABLE_PHONE_NUMBER_COUNTRIES = ResourceSpec(
    "available_phone_numbers", AvailablePhoneNumberCountry, "countries", (),
    _path(f"{_ACCOUNT}/AvailablePhoneNumbers.json"),
    _path(f"{_ACCOUNT}/AvailablePhoneNumbers/{{CountryCode}}.json"),
)  # fmt: skip
AVAILABLE_PHONE_NUMBERS = ResourceSpec(
    "available_phone_numbers", AvailablePhoneNumber, "available_phone_numbers", (),
    _path(f"{_ACCOUNT}/AvailablePhoneNumbers/{{CountryCode}}/{{Type}}.json"),
)  # fmt: skip
KEYS = ResourceSpec(
    "keys", ApiKey, "keys", ("SK",),
    _path(f"{_ACCOUNT}/Keys.json"), _path(f"{_ACCOUNT}/Keys/{{Sid}}.json"),
)  # fmt: skip

MESSAGING_SERVICES = ResourceSpec(
    "services", MessagingService, "services", ("MG",),
    PathTemplate("/v1/Services"), PathTemplate("/v1/Services/{Sid}"), domain="messaging",
)  # fmt: skip
MESSAGING_SERVICE_PHONE_NUMBERS = ResourceSpec(
    "phone_numbers", MessagingServicePhoneNumber, "phone_numbers", ("PN",),
    PathTemplate("/v1/Services/{ServiceSid}/PhoneNumbers"),
    PathTemplate("/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}"),
    parents=(("ServiceSid", MESSAGING_SERVICES.sid_prefixes),), domain="messaging",
)  # fmt: skip

# -- content/v1: templates and their WhatsApp approval (TWILIO.md 19) ------------------------
CONTENTS = ResourceSpec(
    "contents", Content, "contents", ("HX",),
    PathTemplate("/v1/Content"), PathTemplate("/v1/Content/{Sid}"), domain="content",
)  # fmt: skip
CONTENT_APPROVAL_REQUESTS = ResourceSpec(
    "approval_fetch", ContentApprovalStatus, None, (),
    None, PathTemplate("/v1/Content/{ContentSid}/ApprovalRequests"),
    parents=(("ContentSid", CONTENTS.sid_prefixes),), domain="content",
)  # fmt: skip
CONTENT_WHATSAPP_APPROVAL = ResourceSpec(
    "approval_create", ContentApprovalRequest, None, (),
    None, PathTemplate("/v1/Content/{ContentSid}/ApprovalRequests/whatsapp"),
    parents=(("ContentSid", CONTENTS.sid_prefixes),), domain="content",
)  # fmt: skip
CONTENT_AND_APPROVALS = ResourceSpec(
    "content_and_approvals", ContentAndApprovals, "contents", ("HX",),
    PathTemplate("/v1/ContentAndApprovals"), domain="content",
)  # fmt: skip
LEGACY_CONTENTS = ResourceSpec(
    "legacy_content", Content, "contents", ("HX",),
    PathTemplate("/v1/LegacyContent"), domain="content",
)  # fmt: skip
# -- Messaging Services: short-code and alpha-sender pools, the account's short codes -------
SHORT_CODES = ResourceSpec(
    "short_codes", ShortCode, "short_codes", ("SC",),
    _path(f"{_ACCOUNT}/SMS/ShortCodes.json"), _path(f"{_ACCOUNT}/SMS/ShortCodes/{{Sid}}.json"),
)  # fmt: skip
MESSAGING_SERVICE_SHORT_CODES = ResourceSpec(
    "short_codes", MessagingServiceShortCode, "short_codes", ("SC",),
    PathTemplate("/v1/Services/{ServiceSid}/ShortCodes"),
    PathTemplate("/v1/Services/{ServiceSid}/ShortCodes/{Sid}"),
    parents=(("ServiceSid", MESSAGING_SERVICES.sid_prefixes),), domain="messaging",
)  # fmt: skip
MESSAGING_SERVICE_ALPHA_SENDERS = ResourceSpec(
    "alpha_senders", MessagingServiceAlphaSender, "alpha_senders", ("AI",),
    PathTemplate("/v1/Services/{ServiceSid}/AlphaSenders"),
    PathTemplate("/v1/Services/{ServiceSid}/AlphaSenders/{Sid}"),
    parents=(("ServiceSid", MESSAGING_SERVICES.sid_prefixes),), domain="messaging",
)  # fmt: skip
# -- end of the Messaging Services pool section -------------------------------------------

# -- verify/v2 (https://verify.twilio.com/v2; {base_url}/verify/v2 elsewhere) ------------------
# Verifications and checks have no list to read: their "list path" is where they are created.

VERIFY_SERVICES = ResourceSpec(
    "services", VerifyService, "services", ("VA",),
    PathTemplate("/v2/Services"), PathTemplate("/v2/Services/{Sid}"), domain="verify",
)  # fmt: skip
VERIFICATIONS = ResourceSpec(
    "verifications", Verification, None, ("VE",),
    PathTemplate("/v2/Services/{ServiceSid}/Verifications"),
    PathTemplate("/v2/Services/{ServiceSid}/Verifications/{Sid}"),
    parents=(("ServiceSid", VERIFY_SERVICES.sid_prefixes),), domain="verify",
)  # fmt: skip
VERIFICATION_CHECKS = ResourceSpec(
    "verification_checks", VerificationCheck, None, (),
    PathTemplate("/v2/Services/{ServiceSid}/VerificationCheck"),
    parents=(("ServiceSid", VERIFY_SERVICES.sid_prefixes),), domain="verify",
)  # fmt: skip

SPECS: tuple[ResourceSpec[Any], ...] = (
    ACCOUNTS,
    BALANCE,
    MESSAGES,
    MEDIA,
    CALLS,
    RECORDINGS,
    CALL_RECORDINGS,
    CALL_STREAMS,
    INCOMING_PHONE_NUMBERS,
    AVAILABLE_PHONE_NUMBER_COUNTRIES,
    AVAILABLE_PHONE_NUMBERS,
    KEYS,
    SHORT_CODES,
    MESSAGING_SERVICES,
    MESSAGING_SERVICE_PHONE_NUMBERS,
    MESSAGING_SERVICE_SHORT_CODES,
    MESSAGING_SERVICE_ALPHA_SENDERS,
    CONTENTS,
    CONTENT_APPROVAL_REQUESTS,
    CONTENT_WHATSAPP_APPROVAL,
    CONTENT_AND_APPROVALS,
    LEGACY_CONTENTS,
    VERIFY_SERVICES,
    VERIFICATIONS,
    VERIFICATION_CHECKS,
)
"""Every resource, in the order of TWILIO.md's list-key table, then the product APIs."""
