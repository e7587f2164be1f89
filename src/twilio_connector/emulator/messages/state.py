"""Messages: validation with Twilio's error codes, storage, and the delivery lifecycle.

Outbound lifecycle (delays from :class:`~.scheduler.Timing`, in simulated seconds)::

    [scheduled | accepted] -> queued -> sending -> sent -> delivered (-> read, WhatsApp)
                                              \\-> failed           \\-> undelivered

A message sent with a ``MessagingServiceSid`` and no ``From`` is ``accepted``; after
``message_queue`` its service's pool gives the sender (:mod:`..messaging_services.selection`),
or it fails with 21703; a ``scheduled`` one waits for the clock to reach its ``SendAt``
(an account has at most :data:`MAX_SCHEDULED` waiting: 400/35125 beyond).
``ValidityPeriod`` (the message's, else its service's) fails it with 30001 when it leaves the
queue later than that. Status callbacks go to the message's ``StatusCallback`` (else its
service's ``status_callback``) for ``queued`` (Messaging Service only), ``sent``,
``failed``, ``delivered``, ``undelivered``, ``read`` and ``canceled``, never for the initial
status. The outcome comes from, in order: the rule table (kind
``"message"``), the magic destinations ``+1500555 30NN`` / ``+1500555 63NN`` (error 300NN /
630NN), a template's error (63021/63028, :mod:`..content.state`), the WhatsApp 24-hour
window (63016; an approved template passes), else delivered (WhatsApp: then read).
"""

from __future__ import annotations

import mimetypes
import re
from collections import Counter
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..._wire import API_VERSION, parse_address
from ...callbacks import SmsStatusChangeEvent
from ..accounts.records import AccountRecord
from ..content.state import CONTENT_ERROR_MESSAGES
from ..errors import bad_request, not_found
from ..messaging_services.records import ServiceRecord
from ..messaging_services.selection import choose_sender
from ..records import new_sid
from ..webhooks.dispatcher import Webhook
from .records import MediaRecord, MessageRecord
from .repository import MessageRepository, WhatsAppWindowRepository
from .requests import (
    MAGIC_VALID_FROM,
    MessageRequest,
    check_addresses,
    check_callback_url,
    check_request,
    scheduled_time,
)
from .segments import count_segments

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = [
    "ERROR_MESSAGES",
    "MAGIC_VALID_FROM",
    "MessageRequest",
    "Messaging",
    "check_callback_url",
    "status_callback_params",
]

_MAGIC_ASYNC = re.compile(r"\+1500555(30|63)(\d\d)\Z")
_FAILED_CODES = frozenset({30001, 30002, 30010, 30022, 30023, 30024, 30032, 30034, 30450})
ERROR_MESSAGES = {
    30001: "Queue overflow",
    30002: "Account suspended",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    30010: "Message price exceeds max price",
    63003: "Channel could not find To address",
    63016: "Failed to send freeform message because you are outside the allowed window. "
    "If you are using WhatsApp, please use a Message Template.",
    63018: "Rate limit exceeded for Channel",
    **CONTENT_ERROR_MESSAGES,
}
WHATSAPP_WINDOW = 24 * 3600.0
MAX_SCHEDULED = 500_000
"""Twilio's cap on an account's waiting scheduled messages (TWILIO.md §18; 35125 beyond)."""
MAX_VALIDITY = 36000


def _price(channel: str, segments: int, num_media: int) -> str:
    if channel == "whatsapp":
        return "-0.00500"
    if num_media:
        return "-0.02000"
    return f"-{0.0079 * max(1, segments):.5f}"


NO_SENDER = "No phone number available to send this message"


def _service_defaults(
    req: MessageRequest, service: ServiceRecord | None
) -> tuple[str | None, int | None]:
    """The message's status callback URL and validity period (``None``: Twilio's default,
    36000 s): its own, else its Messaging Service's (TWILIO.md §17.5)."""
    callback = req.status_callback or None
    validity = req.validity_period
    if service is not None:
        callback = callback or service.settings.get("status_callback") or None
        if validity is None:
            validity = service.settings.get("validity_period")
    return callback, (validity if validity is not None and validity < MAX_VALIDITY else None)


def status_callback_params(m: MessageRecord) -> list[tuple[str, str]]:
    """The form fields Twilio posts to a message's StatusCallback."""
    whatsapp = m.channel == "whatsapp"
    done = None
    if not whatsapp and m.status in ("delivered", "undelivered"):
        done = datetime.fromtimestamp(m.date_updated, timezone.utc).strftime("%y%m%d%H%M")
    callback = SmsStatusChangeEvent(
        account_sid=m.account_sid,
        api_version=API_VERSION,
        from_=m.from_ or "",
        message_sid=m.sid,
        message_status=m.status,
        sms_sid=m.sid,
        sms_status=m.status,
        to=m.to,
        messaging_service_sid=m.messaging_service_sid or None,
        error_code=m.error_code,
        channel_prefix="whatsapp" if whatsapp else None,
        channel_install_sid="XE" + m.account_sid[2:] if whatsapp else None,
        channel_to_address=parse_address(m.to).bare if whatsapp else None,
        event_type="READ" if whatsapp and m.status == "read" else None,
        raw_dlr_done_date=done,
    )
    return list(callback.to_params().items())


class Messaging:
    """The Messages backend of one emulator."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self.repository = MessageRepository(core.store)
        self.whatsapp_windows = WhatsAppWindowRepository(core.store)
        self._live: dict[str, MessageRecord] = {}  # in the lifecycle, not yet terminal
        # Write-behind buffers, flushed by the store before any read and at each commit.
        self._unsaved: dict[str, MessageRecord] = {}
        self._scheduled: dict[str, MessageRecord] = {}  # status "scheduled", by SID
        self._scheduled_of: Counter[str] = Counter()  # how many of them per account
        self.max_scheduled = MAX_SCHEDULED
        """Scheduled messages an account may have waiting (more: 400/35125)."""
        self._dirty: dict[str, MessageRecord] = {}
        self._moved: dict[str, MessageRecord] = {}  # stored accepted, sender picked since

    def _save(self, msg: MessageRecord) -> None:
        if msg.sid not in self._unsaved:
            self._dirty[msg.sid] = msg
        self.core.store.defer(self._flush)

    def _flush(self) -> None:
        if self._unsaved:
            self.repository.insert(list(self._unsaved.values()))
            self._unsaved.clear()
        if self._dirty:
            self.repository.update(list(self._dirty.values()))
            self._dirty.clear()
        if self._moved:
            moves = [(m.sid, m.account_sid, m.to, m.from_ or "") for m in self._moved.values()]
            self.repository.set_senders(moves)
            self._moved.clear()

    # -- create -----------------------------------------------------------------------------

    def create(self, account: AccountRecord, req: MessageRequest) -> MessageRecord:
        """Validate like Twilio, store, start the lifecycle. Raises :class:`EmulatorError`."""
        check_request(req)
        assert req.to is not None  # checked
        to, from_, body, mg = req.to, req.from_, req.body or "", req.messaging_service_sid
        to_channel = check_addresses(self.core.numbers, account, to, from_, self.core.short_codes)
        service = self.core.services.for_send(account, mg, from_) if mg else None  # 21701...
        template = self.core.content.for_message(account, req, to_channel)
        if template is not None:  # a ContentSid: body and media come from the template
            req, body = template.apply(req), template.body
        now = self.core.clock.now()
        timing = self.core.scheduler.timing
        send_at = scheduled_time(req, now, timing.schedule_min_ahead, timing.schedule_max_ahead)
        if send_at is not None and self._scheduled_of[account.sid] >= self.max_scheduled:
            raise bad_request(
                35125, f"The account already has {self.max_scheduled} scheduled messages"
            )
        status = "queued"
        if send_at is not None:
            status = "scheduled"
        elif mg and not from_:
            status = "accepted"
        num_media = len(req.media_urls)
        segments = 1 if to_channel == "whatsapp" else count_segments(body) or 1
        extra: dict[str, Any] = {}
        if req.content_sid:
            extra["content_sid"] = req.content_sid
        if template is not None:
            extra.update(template.extra)
        if send_at is not None:
            extra["send_at"] = send_at
        if req.rest_body is not None:
            extra["rest_body"] = req.rest_body
        status_callback, validity = _service_defaults(req, service)
        if validity is not None:
            extra["validity_period"] = validity
        msg = MessageRecord(
            sid=new_sid("MM" if num_media else "SM"),
            account_sid=account.sid,
            direction=req.direction,
            from_=from_ if from_ else None,
            to=to,
            body=body,
            status=status,
            num_segments=0 if status == "accepted" else segments,
            num_media=num_media,
            date_created=now,
            date_updated=now,
            messaging_service_sid=mg,
            status_callback=status_callback,
            extra=extra or None,
        )
        self._unsaved[msg.sid] = msg
        self.core.store.defer(self._flush)
        if req.media_urls:
            self._store_media(msg, req.media_urls, now)
        self._live[msg.sid] = msg
        if status == "scheduled":
            assert send_at is not None
            self._schedule(msg, send_at)
        elif status == "accepted":
            queue = timing.message_queue
            self.core.scheduler.call_later(queue, self._pick_sender, msg, segments, queue)
        else:
            queue = timing.message_queue
            self.core.scheduler.call_later(queue, self._sending, msg, queue)
        return msg

    def _store_media(self, msg: MessageRecord, urls: list[str], now: float) -> None:
        items = []
        for url in urls:
            ctype = mimetypes.guess_type(urlsplit(url).path)[0] or "image/jpeg"
            items.append(MediaRecord(new_sid("ME"), msg.account_sid, msg.sid, ctype, url, now))
        self.repository.insert_media(items)

    # -- lifecycle --------------------------------------------------------------------------

    def _alive(self, msg: MessageRecord) -> bool:
        return self._live.get(msg.sid) is msg

    def _set_status(self, msg: MessageRecord, status: str, callback: bool = True) -> None:
        msg.status = status
        msg.date_updated = self.core.clock.now()
        self._save(msg)
        if callback and msg.status_callback:
            self._callback(msg)

    def _callback(self, msg: MessageRecord) -> None:
        account = self.core.accounts.get(msg.account_sid)
        if account is None or msg.status_callback is None:
            return
        self.core.dispatcher.send(
            Webhook(
                url=msg.status_callback,
                params=status_callback_params(msg),
                auth_token=account.auth_token,
                account_sid=account.sid,
                kind="message-status",
                resource_sid=msg.sid,
            )
        )

    def _finish(self, msg: MessageRecord) -> None:
        self._live.pop(msg.sid, None)

    # -- scheduled messages (TWILIO.md 18) ---------------------------------------------------
    #
    # A scheduled message waits for the emulator clock to reach its SendAt: moved there by
    # ``advance`` (any timing mode; :meth:`release_due`), or by wall time in the fast and
    # realistic modes (a plain loop timer, which ``settle`` does not wait for: a message due
    # next week is not pending work).

    def _schedule(self, msg: MessageRecord, send_at: float) -> None:
        if msg.sid not in self._scheduled:
            self._scheduled_of[msg.account_sid] += 1
        self._scheduled[msg.sid] = msg
        if not self.core.scheduler.manual:
            wait = max(0.0, send_at - self.core.clock.now())
            self.core.loop.call_later(wait, self.release_due)

    def release_due(self) -> int:
        """Start the lifecycle of every scheduled message whose ``SendAt`` has come."""
        now = self.core.clock.now()
        due = [
            m for m in self._scheduled.values() if float((m.extra or {}).get("send_at", 0)) <= now
        ]
        for msg in due:
            self._release(msg)
        return len(due)

    def _unschedule(self, msg: MessageRecord) -> None:
        if self._scheduled.pop(msg.sid, None) is not None:
            left = self._scheduled_of[msg.account_sid] - 1
            if left > 0:
                self._scheduled_of[msg.account_sid] = left
            else:
                del self._scheduled_of[msg.account_sid]

    def _release(self, msg: MessageRecord) -> None:
        self._unschedule(msg)
        if self._alive(msg):
            self._pick_sender(
                msg, 1 if msg.channel == "whatsapp" else count_segments(msg.body) or 1
            )

    def _pick_sender(self, msg: MessageRecord, segments: int, waited: float = 0.0) -> None:
        """``waited``: simulated seconds the message has been queued so far (accepted)."""
        if not self._alive(msg):
            return
        if not msg.from_:
            sender = self._service_sender(msg)
            if sender is None:
                msg.error_code, msg.error_message = 21703, NO_SENDER
                self._set_status(msg, "failed")
                self._finish(msg)
                return
            msg.from_ = sender
            if msg.sid not in self._unsaved:  # else the insert carries it
                self._moved[msg.sid] = msg
                self.core.store.defer(self._flush)
        msg.num_segments = segments
        self._set_status(msg, "queued")
        queue = self.core.scheduler.timing.message_queue
        self.core.scheduler.call_later(queue, self._sending, msg, waited + queue)

    def _service_sender(self, msg: MessageRecord) -> str | None:
        """The ``From`` the message's service picks (:mod:`..messaging_services.selection`),
        remembered for the recipient when the service has sticky sender on."""
        services = self.core.services
        service = services.by_sid(msg.messaging_service_sid or "")
        if service is None:  # deleted since the message was accepted
            return None
        sticky_on = bool(service.settings.get("sticky_sender"))
        choice = choose_sender(
            services.senders(service), msg.to, mms=msg.num_media > 0, sticky_sender=sticky_on,
            area_code_geomatch=bool(service.settings.get("area_code_geomatch")),
            sticky=services.sticky_of(service.sid, msg.to),
        )  # fmt: skip
        if choice is None:
            return None
        if sticky_on:
            services.remember(service.sid, msg.to, choice.from_)
        return choice.from_

    def _expired(self, msg: MessageRecord, waited: float) -> bool:
        """Queued longer than its validity period: ``waited`` is the simulated time the
        lifecycle kept it queued (since its creation, or its ``SendAt`` if scheduled), the sum
        of the queue delays, not the clock's difference: a test's ``advance`` past the whole
        lifecycle in one step (manual timing) or the compressed wall time of ``fast`` timing
        would otherwise decide it."""
        extra = msg.extra
        if not extra or "validity_period" not in extra:
            return False
        return waited > float(extra["validity_period"])

    def _sending(self, msg: MessageRecord, waited: float = 0.0) -> None:
        if not self._alive(msg):
            return
        if self._expired(msg, waited):
            msg.error_code, msg.error_message = 30001, ERROR_MESSAGES[30001]
            self._set_status(msg, "failed")
            self._finish(msg)
            return
        self._set_status(msg, "sending", callback=False)
        outcome, code, delay = self._outcome(msg)
        timing = self.core.scheduler.timing
        self.core.scheduler.call_later(
            timing.message_send if delay is None else delay, self._sent, msg, outcome, code
        )

    def _outcome(self, msg: MessageRecord) -> tuple[str, int | None, float | None]:
        rule = self.core.rules.match("message", msg.to, msg.from_)
        if rule is not None:
            code = rule.error_code
            if rule.outcome == "undelivered" and code is None:
                code = 30003
            if rule.outcome == "failed" and code is None:
                code = 30008
            delay = rule.params.get("delay")
            return rule.outcome, code, float(delay) if isinstance(delay, (int, float)) else None
        to = parse_address(msg.to)
        bare = to.bare
        magic = _MAGIC_ASYNC.match(bare)
        if magic is not None:
            code = int(magic.group(1) + "0" + magic.group(2))
            return ("failed" if code in _FAILED_CODES else "undelivered"), code, None
        extra = msg.extra or {}
        if extra.get("content_error"):  # a template the channel cannot carry, or a variable
            return "failed", int(extra["content_error"]), None
        if to.channel == "whatsapp":
            # Outside the 24-hour window only a WhatsApp-approved template goes through.
            approved = self.core.content.approved(extra.get("content_sid"))
            if not approved and msg.direction != "inbound":
                business = parse_address(msg.from_ or "").bare
                last = self.whatsapp_windows.last_inbound(msg.account_sid, business, bare)
                if last is None or self.core.clock.now() - last > WHATSAPP_WINDOW:
                    return "failed", 63016, None
            return "read", None, None
        return "delivered", None, None

    def _sent(self, msg: MessageRecord, outcome: str, code: int | None) -> None:
        if not self._alive(msg):
            return
        if outcome == "failed":
            msg.error_code, msg.error_message = code, ERROR_MESSAGES.get(code or 0)
            self._set_status(msg, "failed")
            self._finish(msg)
            return
        msg.price = _price(msg.channel, msg.num_segments, msg.num_media)
        msg.date_sent = self.core.clock.now()
        self._set_status(msg, "sent")
        if outcome == "sent":
            self._finish(msg)
            return
        self.core.scheduler.call_later(
            self.core.scheduler.timing.message_deliver, self._delivered, msg, outcome, code
        )

    def _delivered(self, msg: MessageRecord, outcome: str, code: int | None) -> None:
        if not self._alive(msg):
            return
        if outcome == "undelivered":
            msg.error_code, msg.error_message = code, ERROR_MESSAGES.get(code or 0)
            self._set_status(msg, "undelivered")
            self._finish(msg)
            return
        self._set_status(msg, "delivered")
        if outcome == "read":
            self.core.scheduler.call_later(self.core.scheduler.timing.message_read, self._read, msg)
        else:
            self._finish(msg)

    def _read(self, msg: MessageRecord) -> None:
        if self._alive(msg):
            self._set_status(msg, "read")
            self._finish(msg)

    # -- fetch / list / update / delete -----------------------------------------------------

    def get(self, account: AccountRecord, sid: str, path: str = "") -> MessageRecord:
        live = self._live.get(sid) or self._unsaved.get(sid)
        if live is not None and live.account_sid == account.sid:
            return live
        msg = self.repository.get(account.sid, sid)
        if msg is None:
            raise not_found(path or sid)
        return msg

    def update(
        self, account: AccountRecord, sid: str, body: str | None, status: str | None, path: str
    ) -> MessageRecord:
        msg = self.get(account, sid, path)
        if status is not None:
            if status != "canceled":
                raise bad_request(20001, "Status can only be updated to 'canceled'")
            if msg.status != "scheduled":
                raise bad_request(30409, "This message cannot be canceled")
            self._unschedule(msg)
            self._set_status(msg, "canceled")
            self._finish(msg)
        if body is not None:
            if body != "":
                raise bad_request(20001, "Body can only be updated to an empty string (redact)")
            msg.body = ""
            msg.date_updated = self.core.clock.now()
            self._save(msg)
        return msg

    def delete(self, account: AccountRecord, sid: str, path: str) -> None:
        msg = self.get(account, sid, path)
        if sid in self._live:
            raise bad_request(20009, "Cannot delete this resource before it is complete")
        self.repository.delete(msg.sid)

    def resume(self) -> int:
        """Continue the lifecycles of messages left in flight by a previous run."""
        records = self.repository.in_flight()
        timing = self.core.scheduler.timing
        later = self.core.scheduler.call_later
        queue, now = timing.message_queue, self.core.clock.now()
        for msg in records:
            self._live[msg.sid] = msg
            # a queued message waited while the emulator was stopped: that counts (validity)
            start = float((msg.extra or {}).get("send_at", msg.date_created))
            waited = max(0.0, now - start) + queue
            if msg.status == "scheduled":
                self._schedule(msg, float((msg.extra or {}).get("send_at", 0.0)))
            elif msg.status == "accepted":
                later(queue, self._pick_sender, msg, max(1, msg.num_segments), waited)
            elif msg.status == "sent":
                outcome, code, _ = self._outcome(msg)
                outcome = "delivered" if outcome == "failed" else outcome
                later(timing.message_deliver, self._delivered, msg, outcome, code)
            else:
                later(queue, self._sending, msg, waited)
        self.release_due()  # those whose time came while the emulator was stopped
        return len(records)

    def cancel_all(self) -> None:
        """Forget in-flight lifecycles and unsaved changes (reset)."""
        self._live.clear()
        self._scheduled.clear()
        self._scheduled_of.clear()
        self._unsaved.clear()
        self._dirty.clear()
        self._moved.clear()

    def record_inbound(self, msg: MessageRecord, media_urls: list[str]) -> None:
        """Store a received message (inbound simulation)."""
        self._unsaved[msg.sid] = msg
        self.core.store.defer(self._flush)
        if media_urls:
            self._store_media(msg, media_urls, msg.date_created)
