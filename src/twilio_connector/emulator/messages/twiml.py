"""Parse a Messaging TwiML document into the actions the emulator executes.

Recognised: ``<Response>`` with ``<Message>`` (text, or ``<Body>`` + up to 10 ``<Media>``;
attributes ``to``, ``from``, ``action``, ``method``, ``statusCallback``) and
``<Redirect method=...>url</Redirect>`` (which ends the document). Anything else is a
12200 warning and is skipped. A document that is not XML (or has anything before the
``<?xml`` declaration) is 12100; a root other than ``<Response>`` is 12102.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

__all__ = ["MessageAction", "RedirectAction", "TwimlError", "parse_messaging_twiml"]

MAX_TWIML_BYTES = 64 * 1024


class TwimlError(Exception):
    """The document cannot be used; ``code`` is the Twilio debugger code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
    """Parse ``body``; raises :class:`TwimlError` (12100/12102/11750) if it is unusable."""
    if len(body) > MAX_TWIML_BYTES:
        raise TwimlError(11750, "TwiML response body too large")
    if body[:1].isspace() and body.lstrip()[:5] == b"<?xml":
        raise TwimlError(12100, "Document parse failure: content before the XML declaration")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise TwimlError(12100, f"Document parse failure: {exc}") from None
    if root.tag != "Response":
        raise TwimlError(12102, f"Invalid root element <{root.tag}>: must be <Response>")
    parsed = ParsedTwiml()
    for el in root:
        if el.tag == "Message":
            if len(parsed.actions) >= 10:
                parsed.warnings.append((14109, "Reply message limit (10) exceeded"))
                continue
            parsed.actions.append(_message(el, parsed))
        elif el.tag == "Redirect":
            url = (el.text or "").strip()
            if not url:
                parsed.warnings.append((12200, "<Redirect> without a URL"))
                continue
            method = (el.get("method") or "POST").upper()
            parsed.actions.append(
                RedirectAction(url, method if method in ("GET", "POST") else "POST")
            )
            break  # nothing after a Redirect runs
        else:
            parsed.warnings.append((12200, f"Unknown or unsupported verb <{el.tag}>"))
    return parsed


def _message(el: ET.Element, parsed: ParsedTwiml) -> MessageAction:
    bodies = [c for c in el if c.tag == "Body"]
    media = tuple((c.text or "").strip() for c in el if c.tag == "Media" and (c.text or "").strip())
    for child in el:
        if child.tag not in ("Body", "Media"):
            parsed.warnings.append((12200, f"Unknown noun <{child.tag}> in <Message>"))
    text = "".join(b.text or "" for b in bodies) if bodies else (el.text or "")
    method = (el.get("method") or "POST").upper()
    return MessageAction(
        body=text.strip(),
        media=media[:10],
        to=el.get("to"),
        from_=el.get("from"),
        action=el.get("action") or el.get("statusCallback"),
        method=method if method in ("GET", "POST") else "POST",
    )
