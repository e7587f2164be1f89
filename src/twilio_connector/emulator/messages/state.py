"""Messages: validation with Twilio's error codes, storage, and the delivery lifecycle.

Outbound lifecycle (delays from :class:`~.scheduler.Timing`, in simulated seconds)::

    [scheduled | accepted] -> queued -> sending -> sent -> delivered (-> read, WhatsApp)
                                              \\-> failed           \\-> undelivered

Status callbacks go to the message's ``StatusCallback`` for ``queued`` (Messaging Service
only), ``sent``, ``failed``, ``delivered``, ``undelivered``, ``read`` and ``canceled``,
never for the initial status. The outcome comes from, in order: the rule table (kind
``"message"``), the magic destinations ``+1500555 30NN`` / ``+1500555 63NN`` (error 300NN /
630NN), the WhatsApp 24-hour window (63016), else delivered (WhatsApp: then read).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec

from ..accounts.records import AccountRecord
from ..errors import bad_request, not_found
from ..http import is_http_url
from ..numbers.state import E164_RE, SANDBOX_WHATSAPP_NUMBER
from ..records import MediaRecord, MessageRecord, new_sid
from ..scheduler import Timer
from ..store import MESSAGE_COLUMNS, message_from_row
from ..webhooks.dispatcher import Webhook
from .segments import count_segments

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["ERROR_MESSAGES", "MessageRequest", "Messaging", "status_callback_params"]

MAX_BODY = 1600
MAGIC_VALID_FROM = "+15005550006"
_MAGIC_FROM = {"+15005550001": 21212, "+15005550007": 21606, "+15005550008": 21611}
_MAGIC_TO = {
    "+15005550001": (21211, "The 'To' number {to} is not a valid phone number."),
    "+15005550002": (21612, "The 'To' phone number: {to}, is not currently reachable using the "
                            "'From' phone number via SMS."),
    "+15005550003": (21408, "Permission to send an SMS has not been enabled for the region "
                            "indicated by the 'To' number: {to}."),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
}  # fmt: skip
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
}
WHATSAPP_WINDOW = 24 * 3600.0
_ALPHA_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}\Z")


@dataclass
class MessageRequest:
    """Create parameters, already typed by the HTTP layer (or built in Python)."""

    to: str | None
    from_: str | None = None
    body: str | None = None
    media_urls: list[str] = field(default_factory=list)
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    content_sid: str | None = None
    content_variables: str | None = None
    validity_period: int | None = None
    send_at: datetime | None = None
    schedule_type: str | None = None
    direction: str = "outbound-api"


def _split(address: str) -> tuple[str, str]:
    """(channel, bare number): ``whatsapp:+1555`` -> ("whatsapp", "+1555")."""
    if address.startswith("whatsapp:"):
        return "whatsapp", address[9:]
    return "sms", address


def _price(channel: str, segments: int, num_media: int) -> str:
    if channel == "whatsapp":
        return "-0.00500"
    if num_media:
        return "-0.02000"
    return f"-{0.0079 * max(1, segments):.5f}"


def check_callback_url(url: str, code: int = 21609, name: str = "StatusCallback") -> None:
    if not is_http_url(url):
        raise bad_request(code, f"The {name} URL {url[:200]} is not a valid URL.")


def status_callback_params(m: MessageRecord) -> list[tuple[str, str]]:
    """The form fields Twilio posts to a message's StatusCallback."""
    params = [
        ("AccountSid", m.account_sid),
        ("ApiVersion", "2010-04-01"),
        ("From", m.from_ or ""),
        ("MessageSid", m.sid),
        ("MessageStatus", m.status),
        ("SmsSid", m.sid),
        ("SmsStatus", m.status),
        ("To", m.to),
    ]
    if m.messaging_service_sid:
        params.append(("MessagingServiceSid", m.messaging_service_sid))
    if m.error_code is not None:
        params.append(("ErrorCode", str(m.error_code)))
    if m.channel == "whatsapp":
        params.append(("ChannelPrefix", "whatsapp"))
        params.append(("ChannelInstallSid", "XE" + m.account_sid[2:]))
        params.append(("ChannelToAddress", _split(m.to)[1]))
        if m.status == "read":
            params.append(("EventType", "READ"))
    elif m.status in ("delivered", "undelivered"):
        done = datetime.fromtimestamp(m.date_updated, timezone.utc)
        params.append(("RawDlrDoneDate", done.strftime("%y%m%d%H%M")))
    return params


class Messaging:
    """The Messages backend of one emulator."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self._live: dict[str, MessageRecord] = {}  # in the lifecycle, not yet terminal
        # Write-behind buffers, flushed by the store before any read and at each commit.
        self._unsaved: dict[str, MessageRecord] = {}
        self._scheduled: dict[str, Timer] = {}
        self._dirty: dict[str, MessageRecord] = {}

    def _save(self, msg: MessageRecord) -> None:
        if msg.sid not in self._unsaved:
            self._dirty[msg.sid] = msg
        self.core.store.defer(self._flush)

    def _flush(self) -> None:
        if self._unsaved:
            self.core.store.insert_messages(list(self._unsaved.values()))
            self._unsaved.clear()
        if self._dirty:
            self.core.store.update_messages(list(self._dirty.values()))
            self._dirty.clear()

    # -- create -----------------------------------------------------------------------------

    def create(self, account: AccountRecord, req: MessageRequest) -> MessageRecord:
        """Validate like Twilio, store, start the lifecycle. Raises :class:`EmulatorError`."""
        to, from_, body = req.to, req.from_, req.body
        if not to:
            raise bad_request(21604, "A 'To' phone number is required.")
        mg = req.messaging_service_sid
        if not from_ and not mg:
            raise bad_request(21603, "A 'From' phone number is required.")
        if mg and not re.fullmatch(r"MG[0-9a-fA-F]{32}", mg):
            raise bad_request(21701, f"The Messaging Service Sid {mg[:40]} is invalid.")
        if req.content_variables is not None and not req.content_sid:
            raise bad_request(21654, "ContentVariables requires a ContentSid.")
        if req.content_sid and not re.fullmatch(r"HX[0-9a-fA-F]{32}", req.content_sid):
            raise bad_request(21655, "The ContentSid is invalid.")
        if req.content_variables is not None:
            try:
                variables = msgspec.json.decode(req.content_variables or "null")
            except msgspec.DecodeError:
                variables = None
            if not isinstance(variables, dict):
                raise bad_request(21656, "The ContentVariables parameter is invalid.")
        if not body and not req.media_urls and not req.content_sid:
            raise bad_request(21602, "Message body is required.")
        body = body or ""
        if len(body) > MAX_BODY:
            raise bad_request(
                21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if len(req.media_urls) > 10:
            raise bad_request(21623, "The number of media URLs exceeds the maximum of 10.")
        for url in req.media_urls:
            if not is_http_url(url):
                raise bad_request(21620, f"Media URL {url[:200]} is invalid.")
        if req.status_callback:
            check_callback_url(req.status_callback)
        if req.validity_period is not None and not 1 <= req.validity_period <= 36000:
            raise bad_request(21624, "The ValidityPeriod must be between 1 and 36000.")
        to_channel, to_bare = _split(to)
        if from_:
            from_channel = self._check_from(account, from_, to_channel)
            if from_channel != to_channel:
                raise bad_request(
                    21910, "Invalid 'From' and 'To' pair. 'From' and 'To' should be of the same "
                    "channel",
                )  # fmt: skip
        self._check_to(to, to_bare)
        if from_ and _split(from_)[1] == to_bare:
            code = 63031 if to_channel == "whatsapp" else 21266
            raise bad_request(code, "'To' and 'From' number cannot be the same")
        now = self.core.clock.now()
        status = "queued"
        send_at = None
        if mg and req.schedule_type == "fixed" and req.send_at is not None:
            send_at = req.send_at.timestamp()
            if not now + 900 <= send_at <= now + 35 * 86400:
                raise bad_request(35114, "Scheduling does not support this timestamp")
            status = "scheduled"
        elif mg and not from_:
            status = "accepted"
        num_media = len(req.media_urls)
        segments = 1 if to_channel == "whatsapp" else count_segments(body) or 1
        extra: dict[str, Any] = {}
        if req.content_sid:
            extra["content_sid"] = req.content_sid
        if send_at is not None:
            extra["send_at"] = send_at
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
            status_callback=req.status_callback or None,
            extra=extra or None,
        )
        self._unsaved[msg.sid] = msg
        self.core.store.defer(self._flush)
        if req.media_urls:
            self._store_media(msg, req.media_urls, now)
        self._live[msg.sid] = msg
        timing = self.core.scheduler.timing
        if status == "scheduled":
            assert send_at is not None
            self._scheduled[msg.sid] = self.core.scheduler.call_later(
                send_at - now, self._release, msg
            )
        elif status == "accepted":
            self.core.scheduler.call_later(timing.message_queue, self._pick_sender, msg, segments)
        else:
            self.core.scheduler.call_later(timing.message_queue, self._sending, msg)
        return msg

    def _check_from(self, account: AccountRecord, sender: str, to_channel: str) -> str:
        from_ = sender[:40]  # as shown in error messages
        channel, bare = _split(sender)
        if channel == "whatsapp":
            if not E164_RE.match(bare):
                raise bad_request(21212, f"The 'From' number {from_} is not a valid phone number.")
            owned = self.core.numbers.owner_of(bare)
            if bare == SANDBOX_WHATSAPP_NUMBER or (
                owned is not None and owned.whatsapp and owned.account_sid == account.sid
            ):
                return channel
            raise bad_request(
                63007, "Twilio could not find a Channel with the specified From address"
            )
        if sender in _MAGIC_FROM:
            code = _MAGIC_FROM[sender]
            text = {
                21212: f"The 'From' number {from_} is not a valid phone number.",
                21606: f"The 'From' phone number provided ({from_}) is not a valid message-"
                "capable Twilio phone number for this destination.",
                21611: f"This 'From' number {from_} has exceeded the maximum number of queued "
                "messages",
            }[code]
            raise bad_request(code, text)
        if sender == MAGIC_VALID_FROM or _ALPHA_SENDER.match(sender):
            return channel
        if not E164_RE.match(sender):
            raise bad_request(21212, f"The 'From' number {from_} is not a valid phone number.")
        owned = self.core.numbers.owner_of(sender)
        if owned is None or owned.account_sid != account.sid:
            raise bad_request(
                21606, f"The 'From' phone number provided ({from_}) is not a valid message-"
                "capable Twilio phone number for this destination.",
            )  # fmt: skip
        return channel

    def _check_to(self, to: str, bare: str) -> None:
        if bare in _MAGIC_TO:
            code, text = _MAGIC_TO[bare]
            raise bad_request(code, text.format(to=to))
        if to.startswith("whatsapp:") or ":" not in to:
            if not E164_RE.match(bare):
                raise bad_request(21211, f"The 'To' number {to[:40]} is not a valid phone number.")
            return
        raise bad_request(21211, f"The 'To' number {to[:40]} is not a valid phone number.")

    def _store_media(self, msg: MessageRecord, urls: list[str], now: float) -> None:
        items = []
        for url in urls:
            ctype = mimetypes.guess_type(urlsplit(url).path)[0] or "image/jpeg"
            items.append(MediaRecord(new_sid("ME"), msg.account_sid, msg.sid, ctype, url, now))
        self.core.store.insert_media(items)

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

    def _release(self, msg: MessageRecord) -> None:
        self._scheduled.pop(msg.sid, None)
        if self._alive(msg):
            self._pick_sender(
                msg, 1 if msg.channel == "whatsapp" else count_segments(msg.body) or 1
            )

    def _pick_sender(self, msg: MessageRecord, segments: int) -> None:
        if not self._alive(msg):
            return
        if not msg.from_:
            sender = self._service_sender(msg)
            if sender is None:
                msg.error_code, msg.error_message = 21606, "No sender available"
                self._set_status(msg, "failed")
                self._finish(msg)
                return
            msg.from_ = sender
            if msg.sid not in self._unsaved:
                self.core.store.set_message_sender(msg.sid, sender)
        msg.num_segments = segments
        self._set_status(msg, "queued")
        self.core.scheduler.call_later(self.core.scheduler.timing.message_queue, self._sending, msg)

    def _service_sender(self, msg: MessageRecord) -> str | None:
        numbers = self.core.numbers.of_account(msg.account_sid)
        if msg.channel == "whatsapp":
            wa = [n for n in numbers if n.whatsapp]
            return "whatsapp:" + (wa[0].phone_number if wa else SANDBOX_WHATSAPP_NUMBER)
        return numbers[0].phone_number if numbers else MAGIC_VALID_FROM

    def _sending(self, msg: MessageRecord) -> None:
        if not self._alive(msg):
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
        channel, bare = _split(msg.to)
        magic = _MAGIC_ASYNC.match(bare)
        if magic is not None:
            code = int(magic.group(1) + "0" + magic.group(2))
            return ("failed" if code in _FAILED_CODES else "undelivered"), code, None
        if channel == "whatsapp":
            extra = msg.extra or {}
            if not extra.get("content_sid") and msg.direction != "inbound":
                business = _split(msg.from_ or "")[1]
                last = self.core.store.whatsapp_last_inbound(msg.account_sid, business, bare)
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
        msg = self.core.store.get_message(account.sid, sid)
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
            timer = self._scheduled.pop(msg.sid, None)
            if timer is not None:
                timer.cancel()
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
        self.core.store.delete_message(msg.sid)

    def resume(self) -> int:
        """Continue the lifecycles of messages left in flight by a previous run."""
        rows = self.core.store.query(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE status IN "
            "('accepted', 'scheduled', 'queued', 'sending', 'sent') AND direction != 'inbound'"
        )
        timing = self.core.scheduler.timing
        later = self.core.scheduler.call_later
        for row in rows:
            msg = message_from_row(row)
            self._live[msg.sid] = msg
            if msg.status == "scheduled":
                send_at = float((msg.extra or {}).get("send_at", 0.0))
                delay = max(0.0, send_at - self.core.clock.now())
                self._scheduled[msg.sid] = later(delay, self._release, msg)
            elif msg.status == "accepted":
                later(timing.message_queue, self._pick_sender, msg, max(1, msg.num_segments))
            elif msg.status == "sent":
                outcome, code, _ = self._outcome(msg)
                outcome = "delivered" if outcome == "failed" else outcome
                later(timing.message_deliver, self._delivered, msg, outcome, code)
            else:
                later(timing.message_queue, self._sending, msg)
        return len(rows)

    def cancel_all(self) -> None:
        """Forget in-flight lifecycles and unsaved changes (reset)."""
        self._live.clear()
        self._scheduled.clear()
        self._unsaved.clear()
        self._dirty.clear()

    def record_inbound(self, msg: MessageRecord, media_urls: list[str]) -> None:
        """Store a received message (inbound simulation)."""
        self._unsaved[msg.sid] = msg
        self.core.store.defer(self._flush)
        if media_urls:
            self._store_media(msg, media_urls, msg.date_created)
