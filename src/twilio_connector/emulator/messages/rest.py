"""REST handlers: Messages (create, fetch, list, redact/cancel, delete) and their Media.

:class:`MessagesApi` methods are the handlers ``(request) -> response``; the URLs they serve
are in :mod:`..routes`. Lists read through :class:`.repository.MessageRepository`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..accounts.rest import path_account
from ..errors import not_found
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request, paginate_list
from .repository import MessageQuery
from .requests import MessageRequest
from .serialize import media_model, rest_message_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["MessagesApi", "message_query"]


def message_query(req: Request) -> tuple[MessageQuery, list[tuple[str, str]]]:
    """The list filters of a request and the ``(name, value)`` pairs the page URIs repeat:
    ``To``, ``From`` and ``DateSent`` (that UTC day), ``DateSent<`` (on or before: the whole
    day for a date, inclusive for a date-time), ``DateSent>`` (on or after)."""
    filters: list[tuple[str, str]] = []
    to, from_ = req.get("To") or None, req.get("From") or None
    for key, address in (("To", to), ("From", from_)):
        if address:
            filters.append((key, address))
    date_sent = req.get_date_range("DateSent")
    filters += date_sent.filters
    return MessageQuery(to=to, from_=from_, date_sent=date_sent), filters


class MessagesApi:
    """``/Accounts/{AC}/Messages`` and ``.../Messages/{SM}/Media``."""

    def __init__(self, core: EmulatorCore) -> None:
        self._messaging = core.messaging
        self._repository = core.messaging.repository

    async def create(self, req: Request) -> Response:
        msg_req = MessageRequest(
            to=req.get("To"),
            from_=req.get("From"),
            body=req.get("Body"),
            media_urls=[u for u in req.get_all("MediaUrl") if u],
            messaging_service_sid=req.get("MessagingServiceSid") or None,
            status_callback=req.get("StatusCallback") or None,
            content_sid=req.get("ContentSid") or None,
            content_variables=req.get("ContentVariables"),
            validity_period=req.get_int("ValidityPeriod", 36000)
            if req.has("ValidityPeriod")
            else None,
            send_at=req.get_datetime("SendAt"),
            schedule_type=req.get("ScheduleType") or None,  # not "fixed": 35126
        )
        msg = self._messaging.create(path_account(req), msg_req)
        return json_response(models.encode(rest_message_model(msg)), 201)

    async def list(self, req: Request) -> Response:
        preq = page_request(req)
        query, filters = message_query(req)
        records, more = self._repository.page(path_account(req).sid, query, preq)
        items = [rest_message_model(m) for m in records]
        env = envelope("messages", items, req.path, filters, preq, more)
        return json_response(models.encode(env))

    async def fetch(self, req: Request) -> Response:
        msg = self._messaging.get(path_account(req), req.path_params["Sid"], req.path)
        return json_response(models.encode(rest_message_model(msg)))

    async def update(self, req: Request) -> Response:
        status = req.get_choice("Status", ("canceled",))
        body = req.get("Body")
        msg = self._messaging.update(
            path_account(req), req.path_params["Sid"], body, status, req.path
        )
        return json_response(models.encode(rest_message_model(msg)))

    async def delete(self, req: Request) -> Response:
        self._messaging.delete(path_account(req), req.path_params["Sid"], req.path)
        return Response(204, b"")

    def _parent(self, req: Request) -> str:
        sid = req.path_params["MessageSid"]
        self._messaging.get(path_account(req), sid, req.path)  # 404 if missing or another account's
        return sid

    async def list_media(self, req: Request) -> Response:
        parent = self._parent(req)
        preq = page_request(req)
        page, more = paginate_list(self._repository.media_of(parent), preq, lambda m: m.sid)
        env = envelope("media_list", [media_model(m) for m in page], req.path, [], preq, more)
        return json_response(models.encode(env))

    async def fetch_media(self, req: Request) -> Response:
        media = self._repository.get_media(self._parent(req), req.path_params["Sid"])
        if media is None:
            raise not_found(req.path)
        return json_response(models.encode(media_model(media)))

    async def delete_media(self, req: Request) -> Response:
        media = self._repository.get_media(self._parent(req), req.path_params["Sid"])
        if media is None:
            raise not_found(req.path)
        self._repository.delete_media(media.sid)
        return Response(204, b"")

    async def media_content(self, req: Request) -> Response:
        """The media file itself: a redirect to where it is stored (public, like Twilio's)."""
        media = self._repository.get_media(req.path_params["MessageSid"], req.path_params["Sid"])
        if media is None or media.account_sid != req.path_params["AccountSid"]:
            raise not_found(req.path)
        return Response(
            307, b"", content_type=media.content_type, headers=(("location", media.url),)
        )
