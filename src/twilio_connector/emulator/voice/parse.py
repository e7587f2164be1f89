"""Voice TwiML text -> validated, typed verbs, failing the way Twilio does.

Validation (TWILIO.md 10.7 and 13.1):

* not well-formed XML, anything before the ``<?xml`` declaration, a DOCTYPE (never valid
  TwiML; refused so entity tricks cannot run) -> :class:`TwimlError` 12100;
* a root element other than ``<Response>`` -> 12102;
* an element in a place the nesting table (:data:`twilio_connector.twiml.VOICE_VERBS`) does not
  allow, e.g. ``<Dial>`` inside ``<Gather>`` or ``<Stream>`` directly in ``<Response>`` -> 12200,
  **fatal**: Twilio logs it (at "warning" level) and the call drops;
* an unknown verb (a tag the table does not know, e.g. ``<Sayy>``) -> 12200, fatal by default
  for the same reason (Twilio's schema validator treats it like a misplaced element). With
  ``unknown_verbs="skip"`` it is reported as a warning and skipped instead;
* unknown attributes, bad attribute values, stray text -> 12200 (or the verb's 13xxx code)
  **warnings** in :attr:`TwimlDocument.issues`; defaults are used and the call goes on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from xml.parsers import expat

from ...twiml import TEXT, VOICE_VERBS
from .model import Element, TwimlIssue, Verb
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

ERROR_DOCUMENT_PARSE = 12100
ERROR_ROOT_NOT_RESPONSE = 12102
ERROR_SCHEMA = 12200

UnknownVerbPolicy = Literal["fail", "skip"]

_SPACES = re.compile(r"\s+")


class TwimlError(ValueError):
    """A document Twilio would refuse to execute; ``code`` is the debugger error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TwimlDocument:
    """A parsed document: its verbs in order, plus the warnings met while reading it."""

    verbs: tuple[Verb, ...]
    issues: tuple[TwimlIssue, ...] = field(default=())


@dataclass
class _Frame:
    name: str
    attrs: dict[str, str]
    allowed: frozenset[str]
    direct: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)


class _TreeReader:
    """Builds :class:`Element` trees from expat events, checking nesting as it goes."""

    def __init__(self, table: Mapping[str, frozenset[str]], unknown_verbs: UnknownVerbPolicy):
        self._table = table
        self._unknown_verbs = unknown_verbs
        self._stack: list[_Frame] = []
        self._skip_depth = 0
        self.root: Element | None = None
        self.issues: list[TwimlIssue] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self._skip_depth:
            self._skip_depth += 1
            return
        if not self._stack:
            if self.root is not None:  # pragma: no cover - expat refuses a second root itself
                raise TwimlError(ERROR_DOCUMENT_PARSE, "junk after the document element")
            if name != "Response":
                raise TwimlError(
                    ERROR_ROOT_NOT_RESPONSE, f"the root element must be <Response>, not <{name}>"
                )
        else:
            parent = self._stack[-1]
            if name not in parent.allowed:
                if name not in self._table:
                    if self._unknown_verbs == "skip" and parent.name == "Response":
                        self.issues.append(
                            TwimlIssue(ERROR_SCHEMA, f"unknown verb <{name}> skipped")
                        )
                        self._skip_depth = 1
                        return
                    raise TwimlError(
                        ERROR_SCHEMA, f"unknown element <{name}> inside <{parent.name}>"
                    )
                raise TwimlError(ERROR_SCHEMA, f"<{name}> is not allowed inside <{parent.name}>")
        self._stack.append(_Frame(name, dict(attrs), self._table.get(name, frozenset())))

    def end(self, name: str) -> None:
        if self._skip_depth:
            self._skip_depth -= 1
            return
        frame = self._stack.pop()
        direct = "".join(frame.direct)
        if direct.strip() and TEXT not in frame.allowed:
            self.issues.append(
                TwimlIssue(ERROR_SCHEMA, f"text inside <{frame.name}> is not allowed; ignored")
            )
            direct = ""
        full = "".join(frame.full)
        element = Element(
            frame.name, frame.attrs, direct.strip(), tuple(frame.children), _SPACES.sub(" ", full)
        )
        if self._stack:
            parent = self._stack[-1]
            parent.children.append(element)
            parent.full.append(" " + full + " ")
        else:
            self.root = element

    def text(self, data: str) -> None:
        if self._skip_depth or not self._stack:
            return
        frame = self._stack[-1]
        frame.direct.append(data)
        frame.full.append(data)


def _refuse_doctype(*_args: object) -> None:
    raise TwimlError(ERROR_DOCUMENT_PARSE, "a DOCTYPE is not allowed in TwiML")


def parse_voice_twiml(
    document: str | bytes, *, unknown_verbs: UnknownVerbPolicy = "fail"
) -> TwimlDocument:
    """Parse and validate a voice TwiML document; raise :class:`TwimlError` if Twilio would."""
    reader = _TreeReader(VOICE_VERBS, unknown_verbs)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        parser.Parse(document, True)
    except expat.ExpatError as exc:
        raise TwimlError(ERROR_DOCUMENT_PARSE, f"document is not valid XML ({exc})") from None
    except (UnicodeError, ValueError) as exc:
        if isinstance(exc, TwimlError):
            raise
        raise TwimlError(ERROR_DOCUMENT_PARSE, f"document cannot be decoded ({exc})") from None
    root = reader.root
    if root is None:  # pragma: no cover - expat reports "no element found" first
        raise TwimlError(ERROR_DOCUMENT_PARSE, "document is empty")
    issues = reader.issues
    verbs = []
    for element in root.children:
        verb = build_verb(element, issues)
        if verb is not None:
            verbs.append(verb)
    return TwimlDocument(tuple(verbs), tuple(issues))
