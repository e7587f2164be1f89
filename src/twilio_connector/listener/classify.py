"""Classifying a verified payload: which event, which resource, which dedup key.

:func:`classify_form` and :func:`classify_stream` decide cheaply (no event object) what the
inbox needs to store and the dispatcher needs to route; :func:`build_event` builds the typed
event from a stored payload. See :mod:`twilio_connector.listener.events` for the names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import msgspec

from twilio_connector.callbacks import (
    EVENT_NAMES,
    FORM_KINDS,
    CallStatusChangeEvent,
    Rule,
    SmsStatusChangeEvent,
    status_name,
)
from twilio_connector.listener.events import (
    MalformedPayload,
    RawParams,
    StreamEvent,
    TwilioEvent,
    UnknownEvent,
    parse_form,
)

__all__ = [
    "KNOWN_EVENTS",
    "Classified",
    "build_event",
    "build_form_event",
    "classify_form",
    "classify_stream",
    "split_stream_payload",
]


def _ranks(kind: type[TwilioEvent]) -> Mapping[str, int]:
    return kind.rule.ranks if kind.rule is not None else {}


_SMS_RANK = _ranks(SmsStatusChangeEvent)
_CALL_RANK = _ranks(CallStatusChangeEvent)
_STREAM_TYPES = (
    "messaging.message.queued",
    "messaging.message.sent",
    "messaging.message.delivered",
    "messaging.message.undelivered",
    "messaging.message.failed",
    "messaging.message.read",
    "messaging.inbound-message.received",
    "voice.status-callback.call.initiated",
    "voice.status-callback.call.ringing",
    "voice.status-callback.call.answered",
    "voice.status-callback.call.completed",
    "voice.twiml.gather.finished",
    "voice.twiml.dial.finished",
    "voice.twiml.record.finished",
    "voice.twiml.call.redirected",
    "voice.api-request.call.created",
    "voice.status-callback.recording.processed",
    "voice.status-callback.amd.detected",
    "error-logs.error.logged",
)

KNOWN_EVENTS: frozenset[str] = EVENT_NAMES | frozenset(
    [f"stream.{t}" for t in _STREAM_TYPES] + ["unknown"]
)
"""Every event name Twilio is known to send (``stream.*`` names beyond these are accepted)."""


class Classified(NamedTuple):
    """What the listener needs to store and route a payload before building the event."""

    kind: type[TwilioEvent]
    name: str
    resource_sid: str | None
    dedup_key: str | None
    rank: int
    inline: bool


class _Step(NamedTuple):
    """One way a kind can match (``rule`` spread out: read once per request, not looked up)."""

    group: frozenset[str] | None  # required parameters besides the first (the marker)
    forbidden: frozenset[str] | None
    kind: type[TwilioEvent]
    status: Callable[[Mapping[str, str]], str | None] | None  # None: named ``name``
    spellings: dict[str, tuple[str, int]]  # Rule.status_event of the usual raw statuses
    name: str
    rank: int
    rule: Rule
    sequenced: bool
    dedup: bool
    replies: bool


class _Run(NamedTuple):
    """Consecutive kinds of ``FORM_KINDS`` that share their SID parameters."""

    sid: str | None  # the SID parameter when there is only one
    sids: tuple[str, ...]
    steps: tuple[tuple[str | None, _Step], ...]  # (marker or None, step), in kind order


def _compile(kinds: tuple[type[TwilioEvent], ...]) -> tuple[_Run, ...]:
    """``FORM_KINDS`` as runs of steps in order: a kind with N ``when`` groups is N steps,
    each looked at only when the group's first parameter (its marker) is present."""
    runs: list[tuple[tuple[str, ...], list[tuple[str | None, _Step]]]] = []
    for kind in kinds:
        rule = kind.rule
        assert rule is not None, kind
        step = _Step(
            None,
            frozenset(rule.unless) or None,
            kind,
            rule.status,
            rule.spellings(),
            rule.event,
            rule.rank,
            rule,
            rule.sequence is not None,
            rule.dedup,
            rule.replies,
        )
        steps = [
            (group[0] if group else None, step._replace(group=frozenset(group[1:]) or None))
            for group in rule.when
        ]
        if runs and runs[-1][0] == rule.sid:
            runs[-1][1].extend(steps)
        else:
            runs.append((rule.sid, steps))
    return tuple(
        _Run(sids[0] if len(sids) == 1 else None, sids, tuple(steps)) for sids, steps in runs
    )


_RUNS = _compile(FORM_KINDS)
_UNKNOWN = Classified(UnknownEvent, "unknown", None, None, 0, False)
_new_classified = tuple.__new__  # Classified(...) without NamedTuple's Python-level __new__


def classify_form(p: Mapping[str, str]) -> Classified:
    """Classify form parameters (first value per name): the first of ``FORM_KINDS`` whose
    :class:`~twilio_connector.callbacks.Rule` they match, else ``unknown``."""
    keys = p.keys()
    for single, sids, steps in _RUNS:
        if single is not None:
            sid = p.get(single)
        else:
            for param in sids:
                sid = p.get(param)
                if sid:
                    break
        if not sid:
            continue
        for marker, step in steps:
            if marker is not None and marker not in p:
                continue
            group, forbidden, kind, status, spellings, name, rank, rule, seq, dedup, replies = step
            if group is not None and not keys >= group:
                continue
            if forbidden is not None and not keys.isdisjoint(forbidden):
                continue
            if status is not None:
                raw = status(p)
                if raw is None:
                    continue
                name, rank = spellings.get(raw) or rule.status_event(raw)
                if seq:
                    rank = rule.sequenced(p, rank)
            key = name + ":" + sid if dedup else None
            return _new_classified(Classified, (kind, name, sid, key, rank, replies))
    return _UNKNOWN


def split_stream_payload(body: bytes) -> list[tuple[Any, bytes]]:
    """Decode an Event Streams body: one ``(decoded CloudEvent, its own JSON)`` per event.

    A JSON array gives one entry per element; any other JSON value is one entry. A body
    that is not JSON, not UTF-8 or nested too deeply raises :class:`MalformedPayload`.
    """
    try:
        doc = msgspec.json.decode(body)
        if isinstance(doc, list):
            return [(item, msgspec.json.encode(item)) for item in doc]
    except msgspec.DecodeError as exc:
        raise MalformedPayload("body is not valid JSON") from exc
    except (RecursionError, msgspec.EncodeError) as exc:
        raise MalformedPayload("JSON body nested too deeply") from exc
    return [(doc, body)]


def _stream_sid(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    for key in ("messageSid", "callSid", "recordingSid", "CallSid", "MessageSid"):
        value = data.get(key)
        if isinstance(value, str):
            return value
    request = data.get("request")
    if isinstance(request, dict):
        params = request.get("parameters")
        if isinstance(params, dict):
            value = params.get("CallSid")
            if isinstance(value, str):
                return value
    return None


def classify_stream(doc: Any) -> Classified:
    """Classify one decoded CloudEvent; anything without a string ``type`` and ``id`` is unknown."""
    if not (isinstance(doc, dict) and isinstance(doc.get("type"), str)):
        return Classified(UnknownEvent, "unknown", None, None, 0, False)
    event_id = doc.get("id")
    if not isinstance(event_id, str):
        return Classified(UnknownEvent, "unknown", None, None, 0, False)
    etype: str = doc["type"]
    short = etype[len("com.twilio.") :] if etype.startswith("com.twilio.") else etype
    status = status_name(short.rsplit(".", 1)[-1])
    rank = _SMS_RANK.get(status, _CALL_RANK.get(status, 4))
    sid = _stream_sid(doc.get("data"))
    return Classified(StreamEvent, "stream." + short, sid, "stream:" + event_id, rank, False)


def build_form_event(
    kind: type[TwilioEvent], name: str, raw: RawParams, token: str | None
) -> TwilioEvent:
    """The typed event of a classified form payload."""
    return kind.from_params(raw, name=name, idempotency_token=token)


def _build_stream(name: str, doc: Any, body: bytes, token: str | None) -> TwilioEvent:
    if not isinstance(doc, dict) or not name.startswith("stream."):
        return UnknownEvent(
            name="unknown", raw=RawParams(), idempotency_token=token, content_type="json", body=body
        )
    scalars = [(k, v if isinstance(v, str) else str(v)) for k, v in doc.items() if k != "data"]

    def text(key: str) -> str | None:
        value = doc.get(key)
        return value if isinstance(value, str) else None

    return StreamEvent(
        name=name,
        raw=RawParams(scalars),
        idempotency_token=token,
        id=str(doc.get("id", "")),
        type=str(doc.get("type", "")),
        source=text("source"),
        specversion=text("specversion"),
        subject=text("subject"),
        time=text("time"),
        dataschema=text("dataschema"),
        datacontenttype=text("datacontenttype"),
        data=doc.get("data"),
        envelope=doc,
    )


def build_event(
    content_type: str,
    payload: bytes,
    token: str | None,
    raw: RawParams | None = None,
) -> TwilioEvent:
    """Build the typed event for a stored payload (``content_type`` is ``"form"`` or ``"json"``).

    Pass ``raw`` when the form was already parsed to skip parsing it again.
    """
    if content_type == "json":
        try:
            doc = msgspec.json.decode(payload)
        except msgspec.DecodeError:
            doc = None
        return _build_stream(classify_stream(doc).name, doc, payload, token)
    if raw is None:
        raw = RawParams(parse_form(payload))
    cls = classify_form(raw.first)
    if cls.kind is UnknownEvent:
        return UnknownEvent(name="unknown", raw=raw, idempotency_token=token, body=payload)
    return build_form_event(cls.kind, cls.name, raw, token)
