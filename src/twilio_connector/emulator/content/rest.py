"""REST handlers: ``/content/v1/Content`` (+ ``ApprovalRequests``), ``ContentAndApprovals``,
``LegacyContent``.

The account is the one whose credentials were given (v1 paths name no account); it must be
active. Create (POST) and update (PUT, which the official SDK offers) take a JSON body, as
does the approval request; a form body is refused with a clear 400. ``LegacyContent``
(templates migrated from the old WhatsApp template API) is always an empty list here.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from ... import models
from ..accounts.rest import principal
from ..errors import EmulatorError, not_found
from ..http import Request, Response, decode_json_object, json_response
from ..pagination import v1_list
from .records import ContentRecord
from .serialize import (
    approval_request_model,
    approval_status_model,
    content_and_approvals_model,
    content_model,
)
from .validate import parse_content

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["ContentApi"]

LIST_KEY = "contents"


def _json_body(req: Request) -> dict[str, Any]:
    ctype = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise EmulatorError(400, 20001, "The Content API takes a JSON body (application/json)")
    return decode_json_object(req.body or b"{}", "JSON body")


class ContentApi:
    """Templates CRUD, WhatsApp approval requests, the lists with approvals."""

    def __init__(self, core: EmulatorCore) -> None:
        self.contents = core.content
        self.base_url = core.base_url

    def _content(self, req: Request, name: str = "Sid") -> ContentRecord:
        content = self.contents.get(principal(req), req.path_params[name])
        if content is None:
            raise not_found(req.path)
        return content

    def _json(self, content: ContentRecord, status: int = 200) -> Response:
        return json_response(models.encode(content_model(content, self.base_url)), status)

    async def list(self, req: Request) -> Response:
        contents = self.contents.of_account(principal(req))
        to_model = partial(content_model, base_url=self.base_url)
        return v1_list(req, self.base_url + req.path, LIST_KEY, contents, _sid, to_model)

    async def create(self, req: Request) -> Response:
        account = principal(req)
        definition = parse_content(_json_body(req), len(req.body))
        return self._json(self.contents.create(account, definition), 201)

    async def fetch(self, req: Request) -> Response:
        return self._json(self._content(req))

    async def update(self, req: Request) -> Response:
        content = self._content(req)
        definition = parse_content(_json_body(req), len(req.body))
        return self._json(self.contents.update(content, definition))

    async def delete(self, req: Request) -> Response:
        self.contents.delete(self._content(req))
        return Response(204, b"")

    async def request_approval(self, req: Request) -> Response:
        content = self._content(req, "ContentSid")
        approval = self.contents.request_approval(content, _json_body(req))
        return json_response(models.encode(approval_request_model(approval)), 201)

    async def fetch_approval(self, req: Request) -> Response:
        content = self._content(req, "ContentSid")
        model = approval_status_model(content, self.contents.approval(content), self.base_url)
        return json_response(models.encode(model))

    async def list_with_approvals(self, req: Request) -> Response:
        contents = self.contents.of_account(principal(req))

        def to_model(c: ContentRecord) -> Any:
            return content_and_approvals_model(c, self.contents.approval(c))

        return v1_list(req, self.base_url + req.path, LIST_KEY, contents, _sid, to_model)

    async def list_legacy(self, req: Request) -> Response:
        principal(req)
        return v1_list(req, self.base_url + req.path, LIST_KEY, [], _sid, _sid)


def _sid(c: ContentRecord) -> str:
    return c.sid
