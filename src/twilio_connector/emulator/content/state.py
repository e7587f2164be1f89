"""Templates of every account, their WhatsApp approval, and what a send with one carries.

Templates are few and read on every templated send, so they are kept in memory and
persisted through :mod:`.repository`; an unknown SID (or another account's) is 404/20404.

Approval (TWILIO.md 19.4) is decided at once, as if Meta answered immediately: a request is
``approved`` unless the WhatsApp rules of 19.3 fail, then ``rejected`` with the reason (body
starting or ending with a variable, two variables side by side, a variable without a sample
in ``variables``, an ``AUTHENTICATION`` category on a type other than
``whatsapp/authentication``). The control plane (:meth:`Contents.set_approval`,
``POST /_emulator/content/{HX}/approval``) sets any status at any time; one set before the
request is kept by it (tests decide Meta's verdict up front). A second request keeps the
verdict and updates name and category. **Unconfirmed**: the answer to a request on real
Twilio is ``received``/``pending`` before Meta decides; a template never submitted shows
``unsubmitted`` with an empty name and category here.

Sending (TWILIO.md 19.5, :meth:`Contents.for_message`): an unknown ``ContentSid``, another
account's or one Twilio owns (usable by Verify's own sends only) is 400/21655; a variable
that is not a name, null, empty, not a string or number,
or longer than 1600 characters is 400/21656. The send then fails asynchronously (the
message is created, then ``failed``) with 63028 when a variable the chosen type uses has no
value and no default (Meta's parameter count mismatch: the send is accepted by the REST API,
as Twilio's docs list 63028 among the delivery errors), or 63021 when the template has no
type the channel can carry (a ``twilio/location`` over SMS) or its text is too long once the
values are in (over the type's limit: 1600 characters, 1024 for the interactive types).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import msgspec

from ..accounts.records import AccountRecord
from ..errors import EmulatorError, bad_request, invalid_param, not_found
from ..http import is_http_url
from ..messages.requests import MessageRequest
from ..records import new_sid
from ..scheduler import Clock
from ..store import Store
from .records import ContentRecord
from .render import choose_type, render
from .repository import ContentRepository
from .validate import (
    MAX_TEXT,
    MAX_VALUE,
    MAX_VARIABLES,
    PLACEHOLDER,
    VARIABLE_NAME,
    ContentDefinition,
    body_limit,
    placeholders_in,
)

__all__ = [
    "APPROVAL_STATUSES",
    "CATEGORIES",
    "CONTENT_ERROR_MESSAGES",
    "Contents",
    "TemplateSend",
]

APPROVAL_STATUSES = (
    "unsubmitted", "received", "pending", "approved", "rejected", "paused", "disabled"
)  # fmt: skip
CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")
MAX_REASON = 1024
_APPROVAL_NAME = re.compile(r"[a-z0-9_]{1,512}\Z")
_ENDS_WITH_VARIABLE = re.compile(r"\{\{[A-Za-z0-9_]+\}\}\Z")
_ADJACENT = re.compile(r"\{\{[A-Za-z0-9_]+\}\}\s*\{\{[A-Za-z0-9_]+\}\}")
CONTENT_ERROR_MESSAGES = {
    63021: "Channel invalid content error",
    63028: "Number of parameters provided does not match the expected number of parameters",
}
"""The asynchronous errors of a templated send (merged into the Messages error texts)."""


@dataclass(frozen=True, slots=True)
class TemplateSend:
    """What a send with a ``ContentSid`` carries: the rendered body and media, and what the
    message record keeps (``content_type``, ``content``: buttons, actions, items;
    ``content_error``: the asynchronous failure, if any)."""

    body: str
    media_urls: list[str]
    extra: dict[str, Any]

    def apply(self, req: MessageRequest) -> MessageRequest:
        """``req`` with the template's body and media (a ``Body`` given too is ignored)."""
        return replace(req, body=self.body, media_urls=list(self.media_urls))


def _send_values(raw: str | None) -> dict[str, str]:
    """A send's ``ContentVariables`` (checked to be a JSON object by the Messages checks)."""
    if raw is None:
        return {}
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        data = None
    if not isinstance(data, dict) or len(data) > MAX_VARIABLES:
        raise bad_request(21656, "The ContentVariables parameter is invalid.")
    out: dict[str, str] = {}
    for key, value in data.items():
        ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        text = str(value) if ok else ""
        if not VARIABLE_NAME.match(key) or not text or len(text) > MAX_VALUE:
            raise bad_request(
                21656,
                f"The ContentVariables parameter is invalid: {key[:20]!r} needs a non-empty "
                f"string value of at most {MAX_VALUE} characters.",
            )
        out[key] = text
    return out


def _review(content: ContentRecord, content_type: str, category: str) -> str | None:
    """Why Meta would reject the template (TWILIO.md 19.3), or ``None``."""
    if category == "AUTHENTICATION" and content_type != "whatsapp/authentication":
        return "AUTHENTICATION templates must use the whatsapp/authentication type"
    body = content.types.get(content_type, {}).get("body")
    if isinstance(body, str):
        stripped = body.strip()
        if PLACEHOLDER.match(stripped) or _ENDS_WITH_VARIABLE.search(stripped):
            return "The body cannot start or end with a variable"
        if _ADJACENT.search(body):
            return "The body cannot have two variables next to each other"
    for name in placeholders_in(content.types[content_type]):
        if name not in content.variables:
            return f"Variable {{{{{name}}}}} needs a sample value in variables"
    return None


class Contents:
    """Every account's templates, cached in memory and persisted."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._repo = ContentRepository(store)
        self._clock = clock
        self._contents: dict[str, ContentRecord] = {}
        self._twilio_owned: dict[str, ContentRecord] = {}
        self.load()

    def add_twilio_template(self, record: ContentRecord) -> None:
        """A template Twilio itself owns and WhatsApp approved (Verify's authentication
        message): usable by every account, listed by none, kept across resets."""
        self._twilio_owned[record.sid] = record

    def load(self) -> None:
        self._contents = {c.sid: c for c in self._repo.all()}

    # -- templates --------------------------------------------------------------------------

    def create(self, account: AccountRecord, d: ContentDefinition) -> ContentRecord:
        now = self._clock.now()
        record = ContentRecord(
            new_sid("HX"), account.sid, d.friendly_name, d.language, d.variables, d.types,
            None, now, now,
        )  # fmt: skip
        self._contents[record.sid] = record
        self._repo.save(record)
        return record

    def get(self, account: AccountRecord, sid: str) -> ContentRecord | None:
        content = self._contents.get(sid)
        if content is not None and content.account_sid == account.sid:
            return content
        return None

    def for_sending(self, account: AccountRecord, sid: str) -> ContentRecord | None:
        """The account's template ``sid``, or one Twilio owns (:meth:`add_twilio_template`)."""
        return self.get(account, sid) or self._twilio_owned.get(sid)

    def of_account(self, account: AccountRecord) -> list[ContentRecord]:
        return [c for c in self._contents.values() if c.account_sid == account.sid]

    def update(self, content: ContentRecord, d: ContentDefinition) -> ContentRecord:
        """Replace the definition (PUT, as the official SDK offers). The new content was never
        reviewed: the WhatsApp approval is dropped (``unsubmitted``; submit it again).
        **Unconfirmed**: whether Twilio refuses edits of approved templates instead."""
        content.approval = None
        content.friendly_name, content.language = d.friendly_name, d.language
        content.variables, content.types = d.variables, d.types
        content.date_updated = self._clock.now()
        self._repo.save(content)
        return content

    def delete(self, content: ContentRecord) -> None:
        self._contents.pop(content.sid, None)
        self._repo.delete(content.sid)

    # -- WhatsApp approval ------------------------------------------------------------------

    def approval_type(self, content: ContentRecord) -> str:
        """The type WhatsApp approves: the one a WhatsApp send uses."""
        return choose_type(content.types, "whatsapp") or next(iter(content.types), "")

    def approval(self, content: ContentRecord) -> dict[str, Any]:
        """The WhatsApp approval as the API shows it (``unsubmitted`` before any request)."""
        base = {
            "name": "", "category": "", "status": "unsubmitted", "rejection_reason": "",
            "allow_category_change": True,
        }  # fmt: skip
        return {**base, **(content.approval or {}), "content_type": self.approval_type(content)}

    def request_approval(self, content: ContentRecord, body: dict[str, Any]) -> dict[str, Any]:
        name, category = body.get("name"), body.get("category")
        if not isinstance(name, str) or not name:
            raise EmulatorError(400, 20001, "Missing required parameter name")
        if not _APPROVAL_NAME.match(name):
            raise invalid_param("name", name, "lowercase letters, digits and '_' (at most 512)")
        if not isinstance(category, str) or not category:
            raise EmulatorError(400, 20001, "Missing required parameter category")
        if category not in CATEGORIES:
            raise invalid_param("category", category, f"one of {', '.join(CATEGORIES)}")
        allow = body.get("allow_category_change")
        current = content.approval or {}
        approval = {**current, "name": name, "category": category}
        if isinstance(allow, bool):
            approval["allow_category_change"] = allow
        if current.get("status", "unsubmitted") == "unsubmitted":
            reason = _review(content, self.approval_type(content), category)
            approval["status"] = "approved" if reason is None else "rejected"
            approval["rejection_reason"] = reason or ""
        content.approval = approval
        content.date_updated = self._clock.now()
        self._repo.save(content)
        return self.approval(content)

    def set_approval(self, sid: str, status: str, reason: str | None = None) -> ContentRecord:
        """Decide Meta's verdict (control plane): any status, any time."""
        content = self._contents.get(sid)
        if content is None:
            raise not_found(f"/content/v1/Content/{sid[:40]}")
        if status not in APPROVAL_STATUSES:
            raise invalid_param("status", status, f"one of {', '.join(APPROVAL_STATUSES)}")
        if reason is not None and len(reason) > MAX_REASON:
            raise invalid_param("rejection_reason", None, f"at most {MAX_REASON} characters")
        approval = dict(content.approval or {})
        approval.setdefault("name", re.sub(r"[^a-z0-9_]", "_", content.friendly_name.lower()))
        approval.setdefault("category", "UTILITY")
        approval["status"] = status
        approval["rejection_reason"] = reason or ""
        content.approval = approval
        self._repo.save(content)
        return content

    def approved(self, sid: str | None) -> bool:
        """Whether ``sid`` is a template WhatsApp approved (it may open a conversation)."""
        content = self._contents.get(sid or "") or self._twilio_owned.get(sid or "")
        return content is not None and (content.approval or {}).get("status") == "approved"

    # -- sending ----------------------------------------------------------------------------

    def for_message(
        self, account: AccountRecord, req: MessageRequest, channel: str
    ) -> TemplateSend | None:
        """What a send with ``req.content_sid`` carries (``None`` without one)."""
        if not req.content_sid:
            return None
        content = (
            self.for_sending(account, req.content_sid)
            if req.by_twilio
            else self.get(account, req.content_sid)
        )
        if content is None:
            raise bad_request(21655, "The ContentSid is invalid.")
        values = _send_values(req.content_variables)
        rendered = render(content.types, content.variables, values, channel)
        if rendered is None:
            extra: dict[str, Any] = {"content_error": 63021}
            return TemplateSend("", [], extra)
        extra = {"content_type": rendered.content_type, "content": rendered.content}
        if rendered.missing:
            extra["content_error"] = 63028
            extra["content_missing"] = rendered.missing
            return TemplateSend(rendered.body, [], extra)
        if len(rendered.body) > body_limit(rendered.content_type):
            extra["content_error"] = 63021  # too long once the values are in
            return TemplateSend(rendered.body[:MAX_TEXT], [], extra)
        for url in rendered.media:
            if not is_http_url(url):
                raise bad_request(21620, f"Media URL {url[:200]} is invalid.")
        return TemplateSend(rendered.body, rendered.media[:10], extra)
