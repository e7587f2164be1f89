"""The one TwiML reader: a document -> a tree of :class:`Element`, checked against a nesting table.

The emulator reads voice (:mod:`twilio_connector.emulator.voice.parse`) and messaging
(:mod:`twilio_connector.emulator.messages.twiml`) documents here, and the listener checks its
handlers' replies with it, against the tables the builders use
(:data:`twilio_connector.twiml.VOICE_VERBS`, :data:`twilio_connector.twiml.MESSAGING_VERBS`),
failing the way Twilio does (TWILIO.md 10.7, 13.1):

* larger than ``max_bytes`` (64 KiB) -> :class:`TwimlError` 11750;
* not well-formed XML, anything before the ``<?xml`` declaration, bytes that do not decode, a
  DOCTYPE or entity declaration (never valid TwiML; refused so entity expansion cannot run),
  elements nested deeper than :data:`MAX_DEPTH` -> 12100;
* a root element other than ``<Response>`` -> 12102;
* an element the table does not allow where it is -> 12200, fatal unless ``skip`` says to
  report it as a warning (a :class:`TwimlIssue`) and leave it out, with what it contains;
* text inside an element the table gives no text -> a 12200 warning; the text is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from xml.parsers import expat

from ._schema import TEXT

__all__ = [
    "ERROR_DOCUMENT_PARSE",
    "ERROR_ROOT_NOT_RESPONSE",
    "ERROR_SCHEMA",
    "ERROR_TOO_LARGE",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "Element",
    "SkipPolicy",
    "TwimlError",
    "TwimlIssue",
    "read_twiml",
]

ERROR_TOO_LARGE = 11750
ERROR_DOCUMENT_PARSE = 12100
ERROR_ROOT_NOT_RESPONSE = 12102
ERROR_SCHEMA = 12200
MAX_DOCUMENT_BYTES = 64 * 1024
MAX_DEPTH = 32

SkipPolicy = Literal["nothing", "unknown-verbs", "everything"]
"""What a misplaced element costs: ``"nothing"`` is skipped (each one is fatal, 12200);
``"unknown-verbs"``: a tag the table does not know, directly inside ``<Response>``, is a
warning and skipped (others stay fatal); ``"everything"``: every misplaced element is."""

_SPACES = re.compile(r"\s+")


class TwimlError(ValueError):
    """A document Twilio would refuse to execute; ``code`` is the debugger error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TwimlIssue:
    """A non-fatal problem (a Twilio debugger warning) found while reading a document."""

    code: int
    message: str


@dataclass(frozen=True)
class Element:
    """An element kept as it was written (nouns the emulator logs but does not simulate)."""

    name: str
    attrs: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    children: tuple[Element, ...] = ()
    full_text: str = field(default="", repr=False)
    """All text of the element and its descendants, in order, whitespace collapsed."""

    def to_builtins(self) -> dict[str, object]:
        """A JSON-ready description (for transcripts)."""
        out: dict[str, object] = {"name": self.name}
        if self.attrs:
            out["attrs"] = dict(self.attrs)
        if self.text:
            out["text"] = self.text
        if self.children:
            out["children"] = [child.to_builtins() for child in self.children]
        return out


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

    def __init__(self, table: Mapping[str, frozenset[str]], skip: SkipPolicy) -> None:
        self._table = table
        self._skip = skip
        self._stack: list[_Frame] = []
        self._skip_depth = 0
        self.root: Element | None = None
        self.issues: list[TwimlIssue] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self._skip_depth:
            self._skip_depth += 1
            if len(self._stack) + self._skip_depth > MAX_DEPTH:
                raise _too_deep()
            return
        if not self._stack:
            if self.root is not None:  # pragma: no cover - expat refuses a second root itself
                raise TwimlError(ERROR_DOCUMENT_PARSE, "junk after the document element")
            if name != "Response":
                raise TwimlError(
                    ERROR_ROOT_NOT_RESPONSE, f"the root element must be <Response>, not <{name}>"
                )
        else:
            if len(self._stack) >= MAX_DEPTH:
                raise _too_deep()
            parent = self._stack[-1]
            if name not in parent.allowed:
                self._misplaced(name, parent.name)
                self._skip_depth = 1
                return
        self._stack.append(_Frame(name, dict(attrs), self._table.get(name, frozenset())))

    def _misplaced(self, name: str, parent: str) -> None:
        """Record a skipped element as a warning, or raise if the policy makes it fatal."""
        known = name in self._table
        where = f"<{name}> is not allowed inside <{parent}>"
        if not known:
            where = f"unknown element <{name}> inside <{parent}>"
        if self._skip == "everything":
            self.issues.append(TwimlIssue(ERROR_SCHEMA, f"{where}; skipped"))
        elif self._skip == "unknown-verbs" and not known and parent == "Response":
            self.issues.append(TwimlIssue(ERROR_SCHEMA, f"unknown verb <{name}> skipped"))
        else:
            raise TwimlError(ERROR_SCHEMA, where)

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


def _too_deep() -> TwimlError:
    return TwimlError(ERROR_DOCUMENT_PARSE, f"elements nested deeper than {MAX_DEPTH} levels")


def _refuse_declaration(*_args: object) -> None:
    raise TwimlError(ERROR_DOCUMENT_PARSE, "a DOCTYPE or entity declaration is not allowed")


def read_twiml(
    document: str | bytes,
    table: Mapping[str, frozenset[str]],
    *,
    skip: SkipPolicy = "nothing",
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> tuple[Element, list[TwimlIssue]]:
    """The ``<Response>`` element of ``document`` and the warnings met reading it.

    Raises :class:`TwimlError` (11750, 12100, 12102, 12200) for a document Twilio would refuse.
    """
    try:
        size = len(document) if isinstance(document, bytes) else len(document.encode())
    except UnicodeError as exc:
        raise TwimlError(ERROR_DOCUMENT_PARSE, f"document cannot be encoded ({exc})") from None
    if size > max_bytes:
        raise TwimlError(ERROR_TOO_LARGE, f"the document is larger than {max_bytes} bytes")
    reader = _TreeReader(table, skip)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
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
    return root, reader.issues
