"""A Messaging TwiML document -> the actions the emulator executes.

The document is read by the shared reader (:mod:`twilio_connector.twiml.reader`: no DOCTYPE
or entities, bounded size and depth) against :data:`twilio_connector.twiml.MESSAGING_VERBS`,
the table the ``MessagingResponse`` builder uses: ``<Response>`` holds ``<Message>`` (text,
or ``<Body>`` + up to 10 ``<Media>``; attributes ``to``, ``from``, ``action``, ``method``,
``statusCallback``) and ``<Redirect method=...>url</Redirect>`` (which ends the document).

Codes (TWILIO.md 10.7, 13.3): a document that is not XML, has anything before the ``<?xml``
declaration or a DOCTYPE is 12100; a root other than ``<Response>`` is 12102; over 64 KiB is
11750. An element the table does not allow where it is (an unknown verb, a voice verb, a noun
other than ``<Body>``/``<Media>``), stray text or an unknown attribute is a 12200 warning and
is skipped; a bad ``method`` on ``<Message>`` is a 14104 warning (POST is used); an 11th
``<Message>`` is a 14109 warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...twiml import MESSAGING_VERBS
from ...twiml.reader import ERROR_SCHEMA, Element, TwimlError, read_twiml

__all__ = ["MessageAction", "ParsedTwiml", "RedirectAction", "TwimlError", "parse_messaging_twiml"]

MAX_REPLIES = 10
MAX_MEDIA = 10
ERROR_MESSAGE_METHOD = 14104
ERROR_TOO_MANY_REPLIES = 14109
_ATTRIBUTES = {
    "Message": frozenset({"to", "from", "action", "method", "statusCallback"}),
    "Redirect": frozenset({"method"}),
    "Body": frozenset(),
    "Media": frozenset(),
}


@dataclass(frozen=True)
class MessageAction:
    body: str
    media: tuple[str, ...] = ()
    to: str | None = None
    from_: str | None = None
    action: str | None = None
    method: str = "POST"


@dataclass(frozen=True)
class RedirectAction:
    url: str
    method: str = "POST"


@dataclass
class ParsedTwiml:
    actions: list[MessageAction | RedirectAction] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


def parse_messaging_twiml(body: bytes) -> ParsedTwiml:
    """Parse ``body``; raises :class:`TwimlError` (11750/12100/12102) if it is unusable."""
    root, issues = read_twiml(body, MESSAGING_VERBS, skip="everything")
    parsed = ParsedTwiml(warnings=[(issue.code, issue.message) for issue in issues])
    replies = 0
    for el in root.children:
        _check_attributes(el, parsed)
        if el.name == "Message":
            if replies >= MAX_REPLIES:
                parsed.warnings.append(
                    (ERROR_TOO_MANY_REPLIES, f"Reply message limit ({MAX_REPLIES}) exceeded")
                )
                continue
            replies += 1
            parsed.actions.append(_message(el, parsed))
        else:  # <Redirect>: the table allows nothing else here
            if not el.text:
                parsed.warnings.append((ERROR_SCHEMA, "<Redirect> without a URL"))
                continue
            method = _method(el, ERROR_SCHEMA, parsed)
            parsed.actions.append(RedirectAction(el.text, method))
            break  # nothing after a Redirect runs
    return parsed


def _check_attributes(el: Element, parsed: ParsedTwiml) -> None:
    known = _ATTRIBUTES.get(el.name, frozenset())
    for name in el.attrs:
        if name not in known:
            parsed.warnings.append((ERROR_SCHEMA, f"unknown attribute {name!r} on <{el.name}>"))


def _method(el: Element, code: int, parsed: ParsedTwiml) -> str:
    raw = el.attrs.get("method")
    if raw is None:
        return "POST"
    method = raw.strip().upper()
    if method in ("GET", "POST"):
        return method
    parsed.warnings.append((code, f"<{el.name}> method={raw[:20]!r} is invalid; using 'POST'"))
    return "POST"


def _message(el: Element, parsed: ParsedTwiml) -> MessageAction:
    bodies = [child for child in el.children if child.name == "Body"]
    media = [child for child in el.children if child.name == "Media"]
    for child in el.children:
        _check_attributes(child, parsed)
    urls = tuple(m.text for m in media if m.text)
    text = "".join(b.text for b in bodies) if bodies else el.text
    return MessageAction(
        body=text.strip(),
        media=urls[:MAX_MEDIA],
        to=el.attrs.get("to"),
        from_=el.attrs.get("from"),
        action=el.attrs.get("action") or el.attrs.get("statusCallback"),
        method=_method(el, ERROR_MESSAGE_METHOD, parsed),
    )
