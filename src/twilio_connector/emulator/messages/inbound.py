"""Inbound messages: a simulated handset texts an owned number.

The message is stored (direction ``inbound``, status ``received``), a WhatsApp message
opens the 24-hour window, and the number's ``SmsUrl`` gets Twilio's signed inbound webhook
with ``SmsMethod`` (``SmsFallbackUrl`` on failure). A number in a Messaging Service's pool
uses the service's ``inbound_request_url``/``inbound_method`` (``fallback_url`` on failure)
instead, or the number's own URLs when the service has ``use_inbound_webhook_on_number``;
with no inbound URL on the service inbound is disabled: the message is dropped, neither stored
nor delivered (the spec's ``inbound_request_url``; TWILIO.md §17.2, §17.6), and
:func:`is_dropped` tells such a message (as :meth:`InboundMessages.receive` returns it).
The webhook then carries ``MessagingServiceSid``. The TwiML answer is executed:
``<Message>`` sends a reply (direction ``outbound-reply``, its own lifecycle, ``action`` as
its status callback), ``<Redirect>`` fetches the next document (at most 50 per session,
14106); failures are recorded as debugger notifications (11200, 11205, 12100, 12102 ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..._wire import (
    API_VERSION,
    country_of,
    message_verb_error,
    parse_address,
    resolve_url,
    whatsapp_address,
)
from ...callbacks import IncomingMessage, MessageMedia
from ...specs import MEDIA
from ..accounts.records import AccountRecord
from ..errors import EmulatorError, bad_request
from ..messaging_services.records import ServiceRecord
from ..numbers.records import NumberRecord
from ..numbers.state import SANDBOX_WHATSAPP_NUMBER
from ..records import new_sid
from ..webhooks.dispatcher import Webhook, WebhookResult
from .records import MessageRecord
from .requests import MAX_BODY, MessageRequest
from .segments import count_segments
from .twiml import MessageAction, RedirectAction, TwimlError, parse_messaging_twiml

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["InboundMessages", "is_dropped"]

MAX_DOCUMENTS = 50
_XML_TYPES = ("text/xml", "application/xml")
_CHANNELS = ("phone", "whatsapp")
assert MEDIA.instance_path
_MEDIA = MEDIA.instance_path


def _on_whatsapp(address: str) -> str:
    """``+1555`` -> ``whatsapp:+1555``; an address of another channel is left for the
    message checks to refuse."""
    try:
        return whatsapp_address(address)
    except ValueError:
        return address


@dataclass(frozen=True, slots=True)
class InboundUrls:
    """Where an inbound message's webhook goes (``url`` ``None``: nowhere)."""

    url: str | None
    method: str
    fallback_url: str | None
    fallback_method: str


def _inbound_urls(number: NumberRecord, service: ServiceRecord | None) -> InboundUrls:
    """The number's ``sms_url``..., or its Messaging Service's inbound settings."""
    if service is None or service.settings.get("use_inbound_webhook_on_number"):
        return InboundUrls(
            number.get("sms_url"), number.get("sms_method", "POST"),
            number.get("sms_fallback_url"), number.get("sms_fallback_method", "POST"),
        )  # fmt: skip
    s = service.settings
    return InboundUrls(
        s.get("inbound_request_url") or None, s.get("inbound_method") or "POST",
        s.get("fallback_url") or None, s.get("fallback_method") or "POST",
    )  # fmt: skip


def is_dropped(msg: MessageRecord) -> bool:
    """Whether :meth:`InboundMessages.receive` dropped ``msg`` (its service has inbound off)."""
    return bool((msg.extra or {}).get("dropped"))


class InboundMessages:
    def __init__(self, core: EmulatorCore) -> None:
        self.core = core

    def receive(
        self,
        from_: str,
        to: str,
        body: str = "",
        media_urls: tuple[str, ...] | list[str] = (),
        extra_params: dict[str, str] | None = None,
    ) -> MessageRecord:
        """Store an inbound message to an owned number and start its webhook session."""
        to_address, sender = parse_address(to), parse_address(from_)
        whatsapp = to_address.channel == "whatsapp"
        if whatsapp != (sender.channel == "whatsapp"):
            raise bad_request(21910, "'From' and 'To' must use the same channel")
        if sender.channel not in _CHANNELS or not sender.is_e164:
            raise bad_request(21212, f"The 'From' number {from_[:40]} is not a valid phone number.")
        to_bare, from_bare = to_address.bare, sender.bare
        number = self.core.numbers.owner_of(to_bare) if to_address.channel in _CHANNELS else None
        if number is None:
            raise EmulatorError(404, 20404, f"{to[:40]} is not a phone number owned by any account")
        if whatsapp and not (number.whatsapp or to_bare == SANDBOX_WHATSAPP_NUMBER):
            raise bad_request(63007, f"{to[:40]} is not enabled for WhatsApp")
        if len(body) > MAX_BODY:
            raise bad_request(21617, "The message body exceeds the 1600 character limit.")
        if len(media_urls) > 10:
            raise bad_request(21623, "The number of media URLs exceeds the maximum of 10.")
        account = self.core.accounts.get(number.account_sid)
        if account is None:
            raise EmulatorError(404, 20404, "The number's account no longer exists")
        now = self.core.clock.now()
        msg = MessageRecord(
            sid=new_sid("MM" if media_urls else "SM"),
            account_sid=account.sid,
            direction="inbound",
            from_=from_,
            to=to,
            body=body,
            status="received",
            num_segments=1 if whatsapp else max(1, count_segments(body)),
            num_media=len(media_urls),
            date_created=now,
            date_updated=now,
            date_sent=now,
            price="-0.00790" if not whatsapp else "-0.00500",
        )
        service = self.core.services.service_of_number(number.sid)
        if service is not None:
            msg.messaging_service_sid = service.sid
        urls = _inbound_urls(number, service)
        settings = service.settings if service is not None else {}
        dropped = (
            service is not None
            and not settings.get("use_inbound_webhook_on_number")
            and not settings.get("inbound_request_url")
        )  # inbound disabled on the service: not logged, not delivered
        if dropped:
            msg.extra = {"dropped": True}  # the record is never stored: see is_dropped
        else:
            self.core.messaging.record_inbound(msg, list(media_urls))
        if whatsapp:  # the user still wrote to the business: WhatsApp's window opens
            self.core.messaging.whatsapp_windows.touch(account.sid, to_bare, from_bare, now)
        if dropped:
            return msg
        params = self._params(msg, extra_params or {})
        self.core.scheduler.spawn(self._session(account, urls, msg, params), name="inbound-sms")
        return msg

    def _params(self, msg: MessageRecord, extra: dict[str, str]) -> list[tuple[str, str]]:
        sender = msg.from_ or ""
        from_bare = parse_address(sender).bare
        whatsapp = msg.channel == "whatsapp"
        media: list[MessageMedia] = []
        if msg.num_media:
            for item in self.core.messaging.repository.media_of(msg.sid):
                path = _MEDIA.fill(msg.account_sid, msg.sid, item.sid).removesuffix(".json")
                media.append(MessageMedia(self.core.base_url + path, item.content_type))
        params = IncomingMessage(
            to_country=country_of(msg.to), to_state="", to_city="", to_zip="",
            from_country=country_of(sender), from_state="", from_city="", from_zip="",
            sms_message_sid=msg.sid, sms_sid=msg.sid, message_sid=msg.sid,
            num_media=msg.num_media, num_segments=msg.num_segments, sms_status="received",
            body=msg.body, to=msg.to, from_=sender, account_sid=msg.account_sid,
            api_version=API_VERSION, referral_num_media=0, media=tuple(media),
            wa_id=from_bare.lstrip("+") if whatsapp else None,
            profile_name=extra.get("ProfileName", "Emulated User") if whatsapp else None,
            message_type=("image" if msg.num_media else "text") if whatsapp else None,
            messaging_service_sid=msg.messaging_service_sid,
        ).to_params()  # fmt: skip
        params.update(extra)
        return list(params.items())

    async def _session(
        self,
        account: AccountRecord,
        urls: InboundUrls,
        inbound: MessageRecord,
        params: list[tuple[str, str]],
    ) -> None:
        url = urls.url
        if not url:
            return
        result = await self._fetch(account, inbound, url, urls.method, params)
        actions = self._actions(account, inbound, result)
        fallback = urls.fallback_url
        if isinstance(actions, int) and fallback:
            extra = list(IncomingMessage(error_code=actions, error_url=url).to_params().items())
            method = urls.fallback_method
            result = await self._fetch(account, inbound, fallback, method, params + extra)
            url = fallback
            actions = self._actions(account, inbound, result)
        if isinstance(actions, int):
            return
        documents = 1
        while actions:
            action = actions.pop(0)
            if isinstance(action, RedirectAction):
                documents += 1
                if documents > MAX_DOCUMENTS:
                    self._notify(account, inbound, 14106, "Too many TwiML documents", url)
                    return
                url = resolve_url(result.url, action.url)
                result = await self._fetch(account, inbound, url, action.method, params)
                fetched = self._actions(account, inbound, result)
                actions = [] if isinstance(fetched, int) else fetched
            else:
                self._reply(account, inbound, action, result.url)

    async def _fetch(
        self,
        account: AccountRecord,
        inbound: MessageRecord,
        url: str,
        method: str,
        params: list[tuple[str, str]],
    ) -> WebhookResult:
        hook = Webhook(
            url=url,
            params=params,
            auth_token=account.auth_token,
            account_sid=account.sid,
            kind="incoming-message",
            resource_sid=inbound.sid,
            method=method,
        )
        return await self.core.dispatcher.request(hook)

    def _actions(
        self, account: AccountRecord, inbound: MessageRecord, result: WebhookResult
    ) -> list[MessageAction | RedirectAction] | int:
        """The actions of a fetched document, or the error code if the fetch or it failed."""
        if not result.ok:
            code = result.error_code or 11200
            text = result.error or "HTTP retrieval failure"
            self._notify(account, inbound, code, text, result.url)
            return code
        if not result.body.strip():
            return []
        ctype = result.content_type.split(";")[0].strip().lower()
        if ctype not in _XML_TYPES:
            text = f"Invalid Content-Type: {ctype or 'none'}"
            self._notify(account, inbound, 12300, text, result.url)
            return 12300
        try:
            parsed = parse_messaging_twiml(result.body)
        except TwimlError as exc:
            self._notify(account, inbound, exc.code, exc.message, result.url)
            return exc.code
        for code, text in parsed.warnings:
            self._notify(account, inbound, code, text, result.url, level="warning")
        return parsed.actions

    def _reply(
        self, account: AccountRecord, inbound: MessageRecord, action: MessageAction, doc_url: str
    ) -> None:
        to = action.to or inbound.from_ or ""
        from_ = action.from_ or inbound.to
        if inbound.channel == "whatsapp":  # a reply stays on WhatsApp
            to, from_ = _on_whatsapp(to), _on_whatsapp(from_)
        callback = resolve_url(doc_url, action.action) if action.action else None
        req = MessageRequest(
            to=to,
            from_=from_,
            body=action.body,
            media_urls=list(action.media),
            status_callback=callback,
            direction="outbound-reply",
        )
        try:
            self.core.messaging.create(account, req)
        except EmulatorError as exc:
            code = message_verb_error(exc.code)
            self._notify(account, inbound, code, f"<Message> rejected: {exc.message}", doc_url)

    def _notify(
        self,
        account: AccountRecord,
        inbound: MessageRecord,
        code: int,
        message: str,
        url: str | None,
        level: str = "error",
    ) -> None:
        self.core.notify(account.sid, code, message, resource_sid=inbound.sid, url=url, level=level)
