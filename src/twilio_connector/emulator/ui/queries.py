"""Read-only queries behind the web inbox (:mod:`.pages`): conversations, threads, deliveries,
calls. Every query is bounded (``LIMIT``) and scoped to the accounts the signed-in principal
may see. Conversations page through the ``conversations`` table by last activity (a keyset
cursor, never ``OFFSET``), so the oldest page costs what the first does; threads read through
the Messages repository (:mod:`..messages.repository`); search lives in :mod:`.search`.

Calls read through the calls repository (:mod:`..calls.repository`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec

from ..._wire import parse_address, redact_userinfo, whatsapp_address
from ..errors import EmulatorError
from ..numbers.state import SANDBOX_WHATSAPP_NUMBER
from ..webhooks.records import DeliveryRecord

if TYPE_CHECKING:
    from ..core import EmulatorCore
    from ..messages.conversations import ActivityCursor, ConversationRow
    from ..messages.repository import MessageRepository
    from ..messaging_services.records import ServiceRecord

__all__ = [
    "PAGE_SIZE",
    "THREAD_LIMIT",
    "CallView",
    "Chip",
    "Conversation",
    "ConversationPage",
    "MediaLink",
    "OwnedNumber",
    "PoolEntry",
    "StickySenders",
    "TemplateParts",
    "ThreadMessage",
    "ThreadPage",
    "TranscriptLine",
    "conversation_page",
    "owned_numbers",
    "pool_entries",
    "recent_calls",
    "redact_url",
    "safe_link",
    "sticky_senders",
    "template_parts",
    "thread",
    "with_last_message",
]

PAGE_SIZE = 50  # conversations per sidebar page
THREAD_LIMIT = 200  # messages shown per conversation (the latest)


def redact_url(url: str | None) -> str:
    """``url`` with any ``user:password@`` password shown as ``***``."""
    return redact_userinfo(url) if url else ""


def safe_link(url: str) -> bool:
    """Whether ``url`` may become a clickable link (plain http/https only)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


# -- numbers and conversations ------------------------------------------------------------------


@dataclass(frozen=True)
class OwnedNumber:
    phone_number: str
    friendly_name: str
    whatsapp: bool
    account_sid: str

    @property
    def addresses(self) -> list[str]:
        """Where a handset can write to: the number, plus its WhatsApp address if enabled."""
        out = [self.phone_number]
        if self.whatsapp:
            out.append(whatsapp_address(self.phone_number))
        return out


def owned_numbers(core: EmulatorCore, account_sids: Sequence[str]) -> list[OwnedNumber]:
    out = []
    for sid in account_sids:
        for n in core.numbers.of_account(sid):
            whatsapp = n.whatsapp or n.phone_number == SANDBOX_WHATSAPP_NUMBER
            out.append(OwnedNumber(n.phone_number, n.friendly_name, whatsapp, n.account_sid))
    return sorted(out, key=lambda n: (n.phone_number == SANDBOX_WHATSAPP_NUMBER, n.phone_number))


def bare(address: str | None) -> str:
    """``whatsapp:+1555`` -> ``+1555``."""
    return parse_address(address).bare if address else ""


@dataclass(frozen=True)
class Conversation:
    """Messages between ``local`` (our side, maybe ``whatsapp:``) and ``peer``."""

    local: str
    peer: str
    count: int
    last_body: str
    last_status: str
    last_direction: str
    last_ts: float

    @property
    def number(self) -> str:
        return bare(self.local)

    @property
    def channel(self) -> str:
        return "whatsapp" if parse_address(self.peer).channel == "whatsapp" else "sms"


@dataclass(frozen=True)
class ConversationPage:
    """One page of the sidebar; ``older`` is the cursor of the next page (None: the last)."""

    conversations: list[Conversation]
    older: str | None


def with_last_message(
    messages: MessageRepository, rows: list[ConversationRow]
) -> list[Conversation]:
    """The conversations of ``rows`` with their last message (one query for all)."""
    last = messages.by_seq([r.last_seq for r in rows])
    return [
        Conversation(r.local, r.peer, r.message_count, m.body, m.status, m.direction, r.last_ts)
        for r in rows
        if (m := last.get(r.last_seq)) is not None
    ]


def conversation_page(
    messages: MessageRepository,
    account_sids: Sequence[str],
    before: ActivityCursor | None = None,
    limit: int = PAGE_SIZE,
) -> ConversationPage:
    """Conversations by last activity, newest first, older than ``before`` when given."""
    rows = messages.conversations.page(account_sids, before, limit + 1)
    older = rows[limit - 1].cursor.encode() if len(rows) > limit else None
    return ConversationPage(with_last_message(messages, rows[:limit]), older)


# -- one thread ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaLink:
    sid: str
    url: str
    content_type: str

    @property
    def linkable(self) -> bool:
        return safe_link(self.url)

    @property
    def name(self) -> str:
        path = urlsplit(self.url).path if self.linkable else self.url
        return path.rsplit("/", 1)[-1][:60] or self.url[:60]


@dataclass(frozen=True)
class Chip:
    """A button, action or list item of a template message (read-only in the inbox)."""

    kind: str  # quick-reply, url, phone-number, copy-code, item ...
    text: str
    detail: str = ""  # the URL, the phone number, an item's description

    @property
    def linkable(self) -> bool:
        return self.kind == "url" and safe_link(self.detail)


@dataclass(frozen=True)
class TemplateParts:
    """What a message sent from a Content template carries besides its body."""

    sid: str
    name: str  # the template's friendly name, "" once deleted (or unnamed)
    content_type: str
    chips: list[Chip]
    button: str = ""  # a list picker's button


MAX_CHIPS = 30  # buttons + items shown per message (Twilio allows at most 10 of each)
_CHIP_TEXT = 120


def _text(value: object) -> str:
    return value[:_CHIP_TEXT] if isinstance(value, str) else ""


def _action_chips(actions: object) -> list[Chip]:
    out = []
    for a in actions if isinstance(actions, list) else []:
        if isinstance(a, dict):
            kind = _text(a.get("type")).lower().replace("_", "-") or "quick-reply"
            detail = _text(a.get("url") or a.get("phone") or a.get("code"))
            out.append(Chip(kind, _text(a.get("title")) or kind, detail))
    return out


def template_parts(
    extra: dict[str, Any] | None, name_of: Callable[[str], str | None] | None = None
) -> TemplateParts | None:
    """The template parts of a message's ``extra`` (``None`` for a plain message):
    actions (quick replies, call to action, card and authentication buttons), a list
    picker's items, a carousel's cards with their buttons."""
    if not extra or not isinstance(extra.get("content_sid"), str):
        return None
    sid = extra["content_sid"]
    content = extra.get("content")
    content = content if isinstance(content, dict) else {}
    chips = _action_chips(content.get("actions"))
    for item in content.get("items") or []:
        if isinstance(item, dict):
            chips.append(Chip("item", _text(item.get("item")), _text(item.get("description"))))
    for card in content.get("cards") or []:
        if isinstance(card, dict):
            chips.append(Chip("card", _text(card.get("title") or card.get("body")) or "card"))
            chips.extend(_action_chips(card.get("actions")))
    name = (name_of(sid) if name_of else None) or ""
    return TemplateParts(
        sid, name, _text(extra.get("content_type")), chips[:MAX_CHIPS], _text(content.get("button"))
    )


@dataclass(frozen=True)
class ThreadMessage:
    sid: str
    direction: str
    from_: str
    to: str
    body: str
    status: str
    created: float
    updated: float
    error_code: int | None
    error_message: str | None
    num_segments: int
    media: list[MediaLink] = field(default_factory=list)
    template: TemplateParts | None = None

    @property
    def inbound(self) -> bool:
        return self.direction == "inbound"


@dataclass(frozen=True)
class ThreadPage:
    """Messages of one conversation, oldest first; ``older`` is the SID that ends the
    previous page (None: this page starts the conversation)."""

    messages: list[ThreadMessage]
    older: str | None


def _namer(
    template_name: Callable[[str, str], str | None] | None, account_sid: str
) -> Callable[[str], str | None] | None:
    if template_name is None:
        return None
    return lambda sid: template_name(account_sid, sid)


def thread(
    messages: MessageRepository,
    account_sids: Sequence[str],
    local: str,
    peer: str,
    upto: str = "",
    limit: int = THREAD_LIMIT,
    template_name: Callable[[str, str], str | None] | None = None,
) -> ThreadPage:
    """The latest ``limit`` messages between ``local`` and ``peer`` (up to and including
    message ``upto`` when given). ``LookupError`` if ``upto`` is not a message here.
    ``template_name(account_sid, content_sid)`` names the template of a template message."""
    upto_seq = None
    if upto:
        upto_seq = messages.seq_of(account_sids, upto)
        if upto_seq is None:
            raise LookupError(upto)
    records = messages.thread(account_sids, local, peer, limit + 1, upto_seq)
    older = records[limit].sid if len(records) > limit else None
    records = records[:limit]
    media = messages.media_by_parent([m.sid for m in records if m.num_media])
    shown = [
        ThreadMessage(
            sid=m.sid,
            direction=m.direction,
            from_=m.from_ or "",
            to=m.to,
            body=m.body,
            status=m.status,
            created=m.date_created,
            updated=m.date_updated,
            error_code=m.error_code,
            error_message=m.error_message,
            num_segments=m.num_segments,
            media=[MediaLink(x.sid, x.url, x.content_type) for x in media.get(m.sid, [])],
            template=template_parts(m.extra, _namer(template_name, m.account_sid)),
        )
        for m in reversed(records)
    ]
    return ThreadPage(shown, older)


# -- calls --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    at: float | None
    kind: str
    summary: str
    audio_url: str | None = None
    """A recording to listen to (the agent's audio on a Media Stream)."""


@dataclass(frozen=True)
class CallView:
    sid: str
    from_: str
    to: str
    direction: str
    status: str
    duration: str
    created: float | None
    transcript: list[TranscriptLine]
    callbacks: list[DeliveryRecord]


_TRANSCRIPT_KEYS = {
    "say": ("text",),
    "play": ("url", "digits"),
    "pause": ("length",),
    "gather": ("digits", "speech", "timed_out", "action"),
    "record": ("recording_sid", "duration", "action"),
    "dial": ("status", "duration", "call_sid", "action"),
    "redirect": ("method", "url"),
    "hangup": ("by",),
    "reject": ("reason",),
    "enqueue": ("queue", "result"),
    "leave": ("queue",),
    "message": ("from", "to", "body", "status"),
    "logged": ("verb",),
    "status": ("status",),
    "problem": ("code", "level", "message"),
    "end": ("status", "reason", "duration"),
    "fetch": ("purpose", "method", "url", "status"),
    "stream-start": ("stream_sid", "name", "track", "url"),
    "stream-stop": ("stream_sid", "reason", "error_code", "agent_audio_ms"),
    "caller-say": ("text", "barge_in"),
    "caller-press": ("digits",),
    "caller-play": ("path", "duration"),
    "agent-audio": ("duration", "cleared"),
    "mark": ("name", "cleared"),
    "agent-recording": ("recording_sid", "duration"),
    "relay-start": ("session_id", "language", "url"),
    "agent-say": ("text", "interrupted", "spoken"),
    "agent-play": ("source", "interrupted"),
    "agent-digits": ("digits",),
    "language": ("tts_language", "transcription_language"),
    "relay-end": ("status", "reason", "handoff_data", "error_code"),
}


def transcript_line(entry: dict[str, Any]) -> TranscriptLine:
    """A one-line summary of a transcript entry (``{"kind": "say", "at": 0.0, ...}``)."""
    kind = str(entry.get("kind", "?"))
    at = entry.get("at")
    when = float(at) if isinstance(at, (int, float)) else None
    if kind == "status":
        return TranscriptLine(when, kind, str(entry.get("status", "")))
    keys = _TRANSCRIPT_KEYS.get(kind) or tuple(k for k in entry if k not in ("kind", "at"))
    parts = []
    for key in keys:
        value = entry.get(key)
        if value is None or value == "" or value is False:
            continue
        text = redact_url(value) if key == "url" and isinstance(value, str) else str(value)
        parts.append(text if key in ("text", "body", "message") else f"{key}={text}")
    if kind == "dial":
        legs = entry.get("legs") or []
        parts.extend(f"→ {leg.get('address', '?')} ({leg.get('status', '?')})" for leg in legs)
    audio = entry.get("recording_url") if kind == "agent-recording" else None
    audio_url = f"{audio}.wav" if isinstance(audio, str) and audio.startswith("http") else None
    return TranscriptLine(when, kind, " ".join(parts), audio_url)


def _transcript(raw: Any) -> list[TranscriptLine]:
    if not raw:
        return []
    try:
        entries = msgspec.json.decode(raw) if isinstance(raw, (str, bytes)) else raw
    except msgspec.DecodeError:
        return [TranscriptLine(None, "?", "unreadable transcript")]
    if not isinstance(entries, list):
        return []
    return [transcript_line(e) for e in entries if isinstance(e, dict)]


def _live_transcript(core: EmulatorCore, sid: str) -> list[dict[str, Any]] | None:
    """The transcript so far of a call still running (calls keep it in memory)."""
    try:
        return core.calls.transcript(sid)
    except EmulatorError:
        return None


def recent_calls(
    core: EmulatorCore, account_sids: Sequence[str], limit: int = 50
) -> list[CallView]:
    """Calls (newest first) through the calls repository, with their transcripts (stored
    when the call ends; a running call's comes from ``core.calls.transcript``). Status
    callbacks and TwiML fetches are the delivery-log rows whose ``resource_sid`` is the
    call's SID."""
    records = core.calls.repository.recent(account_sids, limit)
    sids = [r.sid for r in records]
    callbacks: dict[str, list[DeliveryRecord]] = {}
    deliveries = core.deliveries.about(account_sids, sids, limit=20 * len(sids))
    for d in reversed(deliveries):
        callbacks.setdefault(d.resource_sid or "", []).append(d)
    views = []
    for r in records:
        transcript = _transcript(r.transcript or _live_transcript(core, r.sid))
        duration = "" if r.duration is None else str(r.duration)
        views.append(
            CallView(
                sid=r.sid,
                from_=r.from_,
                to=r.to,
                direction=r.direction,
                status=r.status,
                duration=duration,
                created=r.date_created,
                transcript=transcript,
                callbacks=callbacks.get(r.sid, []),
            )
        )
    return views


# -- Messaging Service pools --------------------------------------------------------------------


@dataclass(frozen=True)
class PoolEntry:
    """One sender in a Messaging Service's pool, whatever its kind: ``phone-number`` (an
    IncomingPhoneNumber), ``short-code`` or ``alpha-sender``. ``address`` is what a
    message's ``From`` shows; ``conversations`` says whether it is linked to its
    conversations (found by number; an alpha sender is text and cannot be written to)."""

    kind: str
    sid: str
    address: str
    added: float
    conversations: bool = True

    @property
    def label(self) -> str:
        return self.kind.replace("-", " ")


def pool_entries(core: EmulatorCore, service: ServiceRecord) -> list[PoolEntry]:
    """The pool of ``service``, every kind in one list: phone numbers, short codes, then
    the alpha sender (each kind oldest first)."""
    services = core.services
    return [
        *(
            PoolEntry("phone-number", p.number.sid, p.number.phone_number, p.entry.date_created)
            for p in services.numbers(service)
        ),
        *(
            PoolEntry("short-code", c.short_code.sid, c.short_code.short_code, c.entry.date_created)
            for c in services.short_codes(service)
        ),
        *(
            PoolEntry("alpha-sender", a.sid, a.alpha_sender, a.date_created, conversations=False)
            for a in services.alpha_senders(service)
        ),
    ]


STICKY_SHOWN = 20  # sticky-sender mappings shown per service


@dataclass(frozen=True)
class StickySenders:
    """A service's sticky-sender mappings (recipient -> the ``From`` it keeps getting):
    the first ``STICKY_SHOWN`` by recipient and how many there are."""

    pairs: list[tuple[str, str]]
    total: int


def sticky_senders(
    core: EmulatorCore, service_sid: str, limit: int = STICKY_SHOWN
) -> StickySenders:
    pairs, total = core.services.sticky_page(service_sid, limit)
    return StickySenders(pairs, total)
