"""``client.messages``: send, fetch, list, redact, cancel, delete messages and their media."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .._base_client import Op, PageFlow, date_filters, form
from .._operation import Mode, Resource, collector, operation, paginator
from ..inputs import StatusCallback
from ..models import Media, Message

__all__ = ["Messages", "whatsapp_address"]


def whatsapp_address(number: str) -> str:
    """``+1555...`` -> ``whatsapp:+1555...`` (unchanged if it already has the prefix)."""
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"


def _callback_url(status_callback: str | StatusCallback | None) -> str | None:
    if isinstance(status_callback, StatusCallback):
        return status_callback.url
    return status_callback


class Messages(Resource[Mode]):
    """Messages (SMS, MMS, WhatsApp): ``/Accounts/{sid}/Messages``."""

    def _create(
        self,
        /,
        *,
        to: str,
        from_: str | None = None,
        body: str | None = None,
        media_url: str | Sequence[str] | None = None,
        messaging_service_sid: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, Any] | str | None = None,
        status_callback: str | StatusCallback | None = None,
        send_at: datetime | None = None,
        schedule_type: str | None = None,
        validity_period: int | None = None,
        application_sid: str | None = None,
        smart_encoded: bool | None = None,
        send_as_mms: bool | None = None,
        shorten_urls: bool | None = None,
        attempt: int | None = None,
        **extra: Any,
    ) -> Op[Message]:
        """Send a message. Needs ``from_`` or ``messaging_service_sid``, and ``body``,
        ``media_url`` or ``content_sid``. ``send_at`` schedules it (``schedule_type``
        defaults to ``"fixed"``; needs a Messaging Service). ``extra`` takes any other
        Twilio parameter by its wire name (e.g. ``PersistentAction=[...]``)."""
        if send_at is not None and schedule_type is None:
            schedule_type = "fixed"
        data = form(
            To=to,
            From=from_,
            MessagingServiceSid=messaging_service_sid,
            Body=body,
            MediaUrl=[media_url] if isinstance(media_url, str) else media_url,
            ContentSid=content_sid,
            ContentVariables=content_variables,
            StatusCallback=_callback_url(status_callback),
            SendAt=send_at,
            ScheduleType=schedule_type,
            ValidityPeriod=validity_period,
            ApplicationSid=application_sid,
            SmartEncoded=smart_encoded,
            SendAsMms=send_as_mms,
            ShortenUrls=shorten_urls,
            Attempt=attempt,
            **extra,
        )
        return (yield from self._core.call("POST", "Messages.json", Message, data=data))

    create = operation(_create)

    def _fetch(self, sid: str) -> Op[Message]:
        """Fetch one message."""
        return (yield from self._core.call("GET", f"Messages/{self._core.sid(sid)}.json", Message))

    fetch = operation(_fetch)

    def _query(
        self,
        to: str | None,
        from_: str | None,
        date_sent: date | datetime | str | None,
        date_sent_before: date | datetime | str | None,
        date_sent_after: date | datetime | str | None,
    ) -> builtins.list[tuple[str, str]]:
        return form(To=to, From=from_) + date_filters(
            "DateSent", date_sent, date_sent_before, date_sent_after
        )

    def _iter(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        date_sent: date | datetime | str | None = None,
        date_sent_before: date | datetime | str | None = None,
        date_sent_after: date | datetime | str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> PageFlow[Message]:
        """Lazily iterate messages (newest first), fetching pages as needed.
        ``date_sent_before``/``after`` are Twilio's ``DateSent<``/``DateSent>`` (inclusive)."""
        query = self._query(to, from_, date_sent, date_sent_before, date_sent_after)
        return self._core.pages(
            "Messages.json", Message, "messages", query, limit=limit, page_size=page_size
        )

    iter = paginator(_iter)
    list = collector(_iter)

    def _update(
        self, sid: str, *, body: str | None = None, status: str | None = None
    ) -> Op[Message]:
        """Update: ``body=""`` redacts the text; ``status="canceled"`` cancels a scheduled one."""
        data = form(Body=body, Status=status)
        return (
            yield from self._core.call(
                "POST", f"Messages/{self._core.sid(sid)}.json", Message, data=data
            )
        )

    update = operation(_update)

    @operation
    def redact(self, sid: str) -> Op[Message]:
        """Erase the body of a sent message (``Body=""``)."""
        return (yield from self._update(sid, body=""))

    @operation
    def cancel(self, sid: str) -> Op[Message]:
        """Cancel a scheduled message (``Status=canceled``)."""
        return (yield from self._update(sid, status="canceled"))

    @operation
    def delete(self, sid: str) -> Op[None]:
        """Delete a message record (204)."""
        return (
            yield from self._core.call_no_content("DELETE", f"Messages/{self._core.sid(sid)}.json")
        )

    # -- media --------------------------------------------------------------------------------

    def _iter_media(self, message_sid: str, *, limit: int | None = None) -> PageFlow[Media]:
        """Lazily iterate a message's media."""
        path = f"Messages/{self._core.sid(message_sid)}/Media.json"
        return self._core.pages(path, Media, "media_list", limit=limit)

    iter_media = paginator(_iter_media)
    list_media = collector(_iter_media)

    @operation
    def fetch_media(self, message_sid: str, media_sid: str) -> Op[Media]:
        """One media item's metadata."""
        path = f"Messages/{self._core.sid(message_sid)}/Media/{self._core.sid(media_sid)}.json"
        return (yield from self._core.call("GET", path, Media))

    @operation
    def delete_media(self, message_sid: str, media_sid: str) -> Op[None]:
        """Delete a media item."""
        path = f"Messages/{self._core.sid(message_sid)}/Media/{self._core.sid(media_sid)}.json"
        return (yield from self._core.call_no_content("DELETE", path))
