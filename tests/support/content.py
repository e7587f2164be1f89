"""Content templates for tests that send one: created and WhatsApp-approved on an emulator."""

from __future__ import annotations

from typing import Any

from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from twilio_connector.emulator import Emulator

__all__ = ["TEMPLATE_BODY", "approved_template"]

TEMPLATE_BODY = "Hello {{1}}, your order is ready."


def approved_template(
    emu: Emulator,
    types: dict[str, Any] | None = None,
    variables: dict[str, str] | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
) -> str:
    """A new template of the main account (or ``username``'s), approved for WhatsApp."""
    twilio = emu.sdk_client(username, password)
    request = ContentList.ContentCreateRequest(
        {
            "friendly_name": "test template",
            "language": "en",
            "variables": {"1": "Ada"} if variables is None else variables,
            "types": types or {"twilio/text": {"body": TEMPLATE_BODY}},
        }
    )
    sid: str = twilio.content.v1.contents.create(request).sid
    approval = ApprovalCreateList.ContentApprovalRequest({"name": "test", "category": "UTILITY"})
    created = twilio.content.v1.contents(sid).approval_create.create(approval)
    assert created.status == "approved", created.rejection_reason
    return sid
