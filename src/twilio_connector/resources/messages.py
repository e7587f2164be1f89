"""``client.messages``: send, fetch, list, redact, cancel, delete messages and their media."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import ExtraParams, date_filters, form, form_with_extra
from ..inputs import StatusCallback
from ..models import Media, Message
from ..specs import MEDIA, MESSAGES

__all__ = ["Messages"]


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
        extra_params: ExtraParams | None = None,
    ) -> Op[Message]:
        """Send a message. Needs ``from_`` or ``messaging_service_sid``, and ``body``,
        ``media_url`` or ``content_sid``. ``send_at`` schedules it (``schedule_type``
        defaults to ``"fixed"``; needs a Messaging Service).

        ``extra_params``: parameters Twilio added after this client was written, by their
        wire names, values sent as given (``{"RiskCheck": "disable"}``; a list repeats the
        name); a name that is one of the typed parameters raises ``ValueError``.
        """
        if send_at is not None and schedule_type is None:
            schedule_type = "fixed"
        data = form_with_extra(
            extra_params,
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
        )
        path = self._core.list_path(MESSAGES)
        return (yield from self._core.call("POST", path, MESSAGES.model, data=data))

    create = operation(_create)

    def _fetch(self, sid: str) -> Op[Message]:
        """Fetch one message."""
        path = self._core.instance_path(MESSAGES, Sid=sid)
        return (yield from self._core.call("GET", path, MESSAGES.model))

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
        return self._core.list_pages(MESSAGES, query, limit=limit, page_size=page_size)

    iter = paginator(_iter)
    list = collector(_iter)

    def _update(
        self, sid: str, *, body: str | None = None, status: Literal["canceled"] | None = None
    ) -> Op[Message]:
        """Update: ``body=""`` redacts the text; ``status="canceled"`` cancels a scheduled one."""
        data = form(Body=body, Status=status)
        path = self._core.instance_path(MESSAGES, Sid=sid)
        return (yield from self._core.call("POST", path, MESSAGES.model, data=data))

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
        path = self._core.instance_path(MESSAGES, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))

    # -- media --------------------------------------------------------------------------------

    def _iter_media(self, message_sid: str, *, limit: int | None = None) -> PageFlow[Media]:
        """Lazily iterate a message's media."""
        return self._core.list_pages(MEDIA, limit=limit, MessageSid=message_sid)

    iter_media = paginator(_iter_media)
    list_media = collector(_iter_media)

    @operation
    def fetch_media(self, message_sid: str, media_sid: str) -> Op[Media]:
        """One media item's metadata."""
        path = self._core.instance_path(MEDIA, MessageSid=message_sid, Sid=media_sid)
        return (yield from self._core.call("GET", path, MEDIA.model))

    @operation
    def delete_media(self, message_sid: str, media_sid: str) -> Op[None]:
        """Delete a media item."""
        path = self._core.instance_path(MEDIA, MessageSid=message_sid, Sid=media_sid)
        return (yield from self._core.call_no_content("DELETE", path))
