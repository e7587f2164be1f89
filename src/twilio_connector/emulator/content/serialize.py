"""Templates and approvals -> :mod:`twilio_connector.models` (ISO 8601 dates, absolute URLs)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ... import models
from ..._wire import domain_base_url
from ...specs import CONTENT_APPROVAL_REQUESTS, CONTENT_WHATSAPP_APPROVAL, CONTENTS
from .records import ContentRecord

__all__ = [
    "approval_request_model",
    "approval_status_model",
    "content_and_approvals_model",
    "content_model",
]

assert CONTENTS.instance_path is not None
assert CONTENT_APPROVAL_REQUESTS.instance_path is not None
assert CONTENT_WHATSAPP_APPROVAL.instance_path is not None
_CONTENT = CONTENTS.instance_path
_APPROVAL_FETCH = CONTENT_APPROVAL_REQUESTS.instance_path
_APPROVAL_CREATE = CONTENT_WHATSAPP_APPROVAL.instance_path


def _iso(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc)


def _root(base_url: str) -> str:
    return domain_base_url(base_url, "content")


def content_model(c: ContentRecord, base_url: str) -> models.Content:
    root = _root(base_url)
    return models.Content(
        sid=c.sid, account_sid=c.account_sid, friendly_name=c.friendly_name,
        language=c.language, variables=c.variables, types=c.types,
        url=root + _CONTENT.fill(c.sid),
        links={
            "approval_create": root + _APPROVAL_CREATE.fill(c.sid),
            "approval_fetch": root + _APPROVAL_FETCH.fill(c.sid),
        },
        date_created=_iso(c.date_created), date_updated=_iso(c.date_updated),
    )  # fmt: skip


def _whatsapp(approval: dict[str, Any]) -> models.ContentWhatsAppApproval:
    return models.ContentWhatsAppApproval(
        type="whatsapp", name=approval["name"], category=approval["category"],
        content_type=approval["content_type"], status=approval["status"],
        rejection_reason=approval["rejection_reason"],
        allow_category_change=approval["allow_category_change"],
    )  # fmt: skip


def approval_request_model(approval: dict[str, Any]) -> models.ContentApprovalRequest:
    return models.ContentApprovalRequest(
        name=approval["name"], category=approval["category"],
        content_type=approval["content_type"], status=approval["status"],
        rejection_reason=approval["rejection_reason"],
        allow_category_change=approval["allow_category_change"],
    )  # fmt: skip


def approval_status_model(
    c: ContentRecord, approval: dict[str, Any], base_url: str
) -> models.ContentApprovalStatus:
    return models.ContentApprovalStatus(
        sid=c.sid, account_sid=c.account_sid, whatsapp=_whatsapp(approval),
        url=_root(base_url) + _APPROVAL_FETCH.fill(c.sid),
    )  # fmt: skip


def content_and_approvals_model(
    c: ContentRecord, approval: dict[str, Any]
) -> models.ContentAndApprovals:
    return models.ContentAndApprovals(
        sid=c.sid, account_sid=c.account_sid, friendly_name=c.friendly_name,
        language=c.language, variables=c.variables, types=c.types,
        approval_requests=_whatsapp(approval),
        date_created=_iso(c.date_created), date_updated=_iso(c.date_updated),
    )  # fmt: skip
