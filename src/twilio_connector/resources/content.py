"""``client.content``: Content templates (``HX...``) and their WhatsApp approval.

They live on the ``content`` domain: ``https://content.twilio.com/v1/Content`` on Twilio,
``{base_url}/content/v1/Content`` on the emulator (:mod:`.._wire.domains`). Create takes a
JSON body (the only API here that does): ``types`` are typed objects from
:mod:`twilio_connector.content_types` (``[TwilioText(body="Hi {{1}}")]``) or plain dicts by
type name (``{"twilio/text": {"body": "Hi {{1}}"}}``). Send one with
``client.messages.create(content_sid=..., content_variables={"1": "Ada"})`` or
``client.send_whatsapp_message(..., content_sid=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from ..content_types import ContentType, types_json
from ..enums import ContentApprovalCategoryValue
from ..models import Content, ContentAndApprovals, ContentApprovalRequest, ContentApprovalStatus
from ..specs import (
    CONTENT_AND_APPROVALS,
    CONTENT_APPROVAL_REQUESTS,
    CONTENT_WHATSAPP_APPROVAL,
    CONTENTS,
)

__all__ = ["Contents"]

Types = Sequence[ContentType] | Mapping[str, ContentType | Mapping[str, Any]]


def _definition(
    language: str,
    types: Types,
    friendly_name: str | None,
    variables: Mapping[str, str] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"language": language, "types": types_json(types)}
    if friendly_name is not None:
        body["friendly_name"] = friendly_name
    if variables is not None:
        body["variables"] = dict(variables)
    return body


class Contents(Resource[Mode]):
    """Templates: ``content/v1/Content``, their approval, ``ContentAndApprovals``."""

    @operation
    def create(
        self,
        *,
        language: str,
        types: Types,
        friendly_name: str | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> Op[Content]:
        """Create a template: ``language`` (``"en"``), ``types`` (one or more content types;
        the channel picks one), ``variables`` (defaults and samples: ``{"1": "Ada"}``)."""
        body = _definition(language, types, friendly_name, variables)
        path = self._core.list_path(CONTENTS)
        return (yield from self._core.call("POST", path, CONTENTS.model, json_body=body))

    @operation
    def update(
        self,
        sid: str,
        *,
        language: str,
        types: Types,
        friendly_name: str | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> Op[Content]:
        """Replace template ``sid``'s definition (``PUT``); a WhatsApp approval must be
        requested again (on the emulator it is dropped)."""
        body = _definition(language, types, friendly_name, variables)
        path = self._core.instance_path(CONTENTS, Sid=sid)
        return (yield from self._core.call("PUT", path, CONTENTS.model, json_body=body))

    @operation
    def fetch(self, sid: str) -> Op[Content]:
        path = self._core.instance_path(CONTENTS, Sid=sid)
        return (yield from self._core.call("GET", path, CONTENTS.model))

    def _iter(self, *, limit: int | None = None, page_size: int | None = None) -> PageFlow[Content]:
        """The account's templates (``list`` collects, ``iter`` is lazy)."""
        return self._core.list_pages(CONTENTS, limit=limit, page_size=page_size)

    iter = paginator(_iter)
    list = collector(_iter)

    def _iter_with_approvals(
        self, *, limit: int | None = None, page_size: int | None = None
    ) -> PageFlow[ContentAndApprovals]:
        """The templates with their WhatsApp approval (``ContentAndApprovals``)."""
        return self._core.list_pages(CONTENT_AND_APPROVALS, limit=limit, page_size=page_size)

    iter_with_approvals = paginator(_iter_with_approvals)
    list_with_approvals = collector(_iter_with_approvals)

    @operation
    def delete(self, sid: str) -> Op[None]:
        path = self._core.instance_path(CONTENTS, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))

    @operation
    def request_whatsapp_approval(
        self,
        sid: str,
        *,
        name: str,
        category: ContentApprovalCategoryValue,
        allow_category_change: bool | None = None,
    ) -> Op[ContentApprovalRequest]:
        """Submit template ``sid`` to WhatsApp: ``name`` (lowercase, digits, ``_``),
        ``category`` (``UTILITY``, ``MARKETING``, ``AUTHENTICATION``)."""
        body: dict[str, Any] = {"name": name, "category": category}
        if allow_category_change is not None:
            body["allow_category_change"] = allow_category_change
        spec = CONTENT_WHATSAPP_APPROVAL
        path = self._core.instance_path(spec, ContentSid=sid)
        return (yield from self._core.call("POST", path, spec.model, json_body=body))

    @operation
    def approval_status(self, sid: str) -> Op[ContentApprovalStatus]:
        """The template's approvals (``.whatsapp.status``: ``approved``, ``rejected`` ...)."""
        spec = CONTENT_APPROVAL_REQUESTS
        path = self._core.instance_path(spec, ContentSid=sid)
        return (yield from self._core.call("GET", path, spec.model))
