"""REST handlers: Messages (create, fetch, list, redact/cancel, delete) and their Media."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ... import models
from ..accounts.records import AccountRecord
from ..core import EmulatorCore
from ..errors import not_found
from ..http import Request, Response, json_response, parse_iso
from ..pagination import envelope, page_request, paginate_list, paginate_sql
from ..router import API_PREFIX, Router
from ..serialize import media_model, message_model
from ..store import MESSAGE_COLUMNS, message_from_row
from .state import MessageRequest

__all__ = ["install"]

_AC = "{AccountSid:AC[0-9a-fA-F]{32}}"
_MSG = "{Sid:(?:SM|MM)[0-9a-fA-F]{32}}"
_PARENT = "{MessageSid:(?:SM|MM)[0-9a-fA-F]{32}}"
_ME = "{Sid:ME[0-9a-fA-F]{32}}"


def _account(req: Request) -> AccountRecord:
    assert req.account is not None
    return req.account


def _date_bounds(req: Request) -> tuple[list[str], list[Any], list[tuple[str, str]]]:
    """SQL conditions for DateSent (that UTC day), DateSent< (on or before: the whole day for a
    date, inclusive for a datetime), DateSent> (on or after)."""
    where: list[str] = []
    args: list[Any] = []
    filters: list[tuple[str, str]] = []
    for key in ("DateSent", "DateSent<", "DateSent>"):
        raw = req.get(key)
        if not raw:
            continue
        value = parse_iso(key, raw)
        date_only = len(raw.strip()) == 10
        start = value.timestamp()
        end = (value + timedelta(days=1)).timestamp() if date_only else start
        filters.append((key, raw))
        if key == "DateSent":
            day = value.replace(hour=0, minute=0, second=0, microsecond=0)
            where.append("date_sent >= ? AND date_sent < ?")
            args.extend([day.timestamp(), (day + timedelta(days=1)).timestamp()])
        elif key == "DateSent<":
            where.append("date_sent < ?" if date_only else "date_sent <= ?")
            args.append(end)
        else:
            where.append("date_sent >= ?")
            args.append(start)
    return where, args, filters


def install(core: EmulatorCore, router: Router) -> None:
    messaging = core.messaging
    store = core.store

    async def create_message(req: Request) -> Response:
        send_at: datetime | None = req.get_datetime("SendAt")
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
            send_at=send_at,
            schedule_type=req.get_choice("ScheduleType", ("fixed",)),
        )
        msg = messaging.create(_account(req), msg_req)
        return json_response(models.encode(message_model(msg)), 201)

    async def list_messages(req: Request) -> Response:
        account = _account(req)
        preq = page_request(req)
        where, args = ["account_sid = ?"], [account.sid]
        filters: list[tuple[str, str]] = []
        for key, column in (("To", "to_"), ("From", "from_")):
            value = req.get(key)
            if value:
                where.append(f"{column} = ?")
                args.append(value)
                filters.append((key, value))
        date_where, date_args, date_filters = _date_bounds(req)
        where += date_where
        args += date_args
        filters += date_filters
        rows, more = paginate_sql(
            store, table="messages", columns=MESSAGE_COLUMNS, where=where, args=args, preq=preq,
            seq_of=lambda sid: store.message_seq(account.sid, sid),
        )  # fmt: skip
        items = [message_model(message_from_row(r)) for r in rows]
        env = envelope("messages", items, req.path, filters, preq, more)
        return json_response(models.encode(env))

    async def fetch_message(req: Request) -> Response:
        msg = messaging.get(_account(req), req.path_params["Sid"], req.path)
        return json_response(models.encode(message_model(msg)))

    async def update_message(req: Request) -> Response:
        status = req.get_choice("Status", ("canceled",))
        body = req.get("Body")
        msg = messaging.update(_account(req), req.path_params["Sid"], body, status, req.path)
        return json_response(models.encode(message_model(msg)))

    async def delete_message(req: Request) -> Response:
        messaging.delete(_account(req), req.path_params["Sid"], req.path)
        return Response(204, b"")

    def _parent(req: Request) -> str:
        sid = req.path_params["MessageSid"]
        messaging.get(_account(req), sid, req.path)  # 404 if missing or another account's
        return sid

    async def list_media(req: Request) -> Response:
        parent = _parent(req)
        preq = page_request(req)
        page, more = paginate_list(store.list_media(parent), preq, lambda m: m.sid)
        env = envelope("media_list", [media_model(m) for m in page], req.path, [], preq, more)
        return json_response(models.encode(env))

    async def fetch_media(req: Request) -> Response:
        media = store.get_media(_parent(req), req.path_params["Sid"])
        if media is None:
            raise not_found(req.path)
        return json_response(models.encode(media_model(media)))

    async def delete_media(req: Request) -> Response:
        media = store.get_media(_parent(req), req.path_params["Sid"])
        if media is None:
            raise not_found(req.path)
        store.delete_media(media.sid)
        return Response(204, b"")

    async def media_content(req: Request) -> Response:
        """The media file itself: a redirect to where it is stored (public, like Twilio's)."""
        media = store.get_media(req.path_params["MessageSid"], req.path_params["Sid"])
        if media is None or media.account_sid != req.path_params["AccountSid"]:
            raise not_found(req.path)
        return Response(
            307, b"", content_type=media.content_type, headers=(("location", media.url),)
        )

    base = f"{API_PREFIX}/Accounts/{_AC}/Messages"
    router.add("POST", f"{base}.json", create_message)
    router.add("GET", f"{base}.json", list_messages)
    router.add("GET", f"{base}/{_MSG}.json", fetch_message)
    router.add("POST", f"{base}/{_MSG}.json", update_message)
    router.add("DELETE", f"{base}/{_MSG}.json", delete_message)
    router.add("GET", f"{base}/{_PARENT}/Media.json", list_media)
    router.add("GET", f"{base}/{_PARENT}/Media/{_ME}.json", fetch_media)
    router.add("DELETE", f"{base}/{_PARENT}/Media/{_ME}.json", delete_media)
    router.add("GET", f"{base}/{_PARENT}/Media/{_ME}", media_content, auth=None)
