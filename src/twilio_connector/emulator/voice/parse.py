"""Voice TwiML text -> validated, typed verbs, failing the way Twilio does.

The document is read by the shared reader (:mod:`twilio_connector.twiml.reader`, also used
for messaging and by the listener) against :data:`twilio_connector.twiml.VOICE_VERBS`
(TWILIO.md 10.7 and 13.1):

* larger than 64 KiB -> :class:`TwimlError` 11750; not well-formed XML, anything before the
  ``<?xml`` declaration, a DOCTYPE or entity declaration (never valid TwiML; refused so entity
  tricks cannot run), nesting deeper than 32 levels -> 12100;
* a root element other than ``<Response>`` -> 12102;
* an element in a place the nesting table does not allow, e.g. ``<Dial>`` inside ``<Gather>``
  or ``<Stream>`` directly in ``<Response>`` -> 12200, **fatal**: Twilio logs it (at "warning"
  level) and the call drops;
* an unknown verb (a tag the table does not know, e.g. ``<Sayy>``) -> 12200, fatal by default
  for the same reason (Twilio's schema validator treats it like a misplaced element). With
  ``unknown_verbs="skip"`` it is reported as a warning and skipped instead;
* unknown attributes, bad attribute values, stray text -> 12200 (or the verb's 13xxx code)
  **warnings** in :attr:`TwimlDocument.issues`; defaults are used and the call goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ...twiml import VOICE_VERBS
from ...twiml.reader import (
    ERROR_DOCUMENT_PARSE,
    ERROR_ROOT_NOT_RESPONSE,
    ERROR_SCHEMA,
    TwimlError,
    TwimlIssue,
    read_twiml,
)
from .model import Verb
from .parse_verbs import build_verb

__all__ = [
    "ERROR_DOCUMENT_PARSE",
    "ERROR_ROOT_NOT_RESPONSE",
    "ERROR_SCHEMA",
    "TwimlDocument",
    "TwimlError",
    "TwimlIssue",
    "parse_voice_twiml",
]

UnknownVerbPolicy = Literal["fail", "skip"]


@dataclass(frozen=True)
class TwimlDocument:
    """A parsed document: its verbs in order, plus the warnings met while reading it."""

    verbs: tuple[Verb, ...]
    issues: tuple[TwimlIssue, ...] = field(default=())


def parse_voice_twiml(
    document: str | bytes, *, unknown_verbs: UnknownVerbPolicy = "fail"
) -> TwimlDocument:
    """Parse and validate a voice TwiML document; raise :class:`TwimlError` if Twilio would."""
    root, issues = read_twiml(
        document, VOICE_VERBS, skip="unknown-verbs" if unknown_verbs == "skip" else "nothing"
    )
    verbs = []
    for element in root.children:
        verb = build_verb(element, issues)
        if verb is not None:
            verbs.append(verb)
    return TwimlDocument(tuple(verbs), tuple(issues))
