"""The element model shared by every TwiML builder: attributes, nesting checks, serialisation.

Conventions every element class follows (read once per class, when the class is defined):

* the parameters of ``__init__`` before ``*`` carry the element's text (the words of ``<Say>``,
  the URL of ``<Play>``); the keyword-only parameters after ``*`` are its documented
  attributes, in snake case; ``**extra`` takes any other attribute. ``None`` means "omit".
* Python names become Twilio's wire names: ``num_digits`` -> ``numDigits``, ``from_`` ->
  ``from``, ``xml_lang`` -> ``xml:lang``, ``interpret_as`` -> ``interpret-as``. A name without
  an underscore is kept as it is, so ``statusCallback=...`` in ``**extra`` also works.
* values: ``bool`` -> ``"true"``/``"false"``, numbers -> ``str()``, a list or tuple of strings
  -> space separated (``["dtmf", "speech"]`` -> ``"dtmf speech"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import Any, ClassVar, Final, Generic, Literal, ParamSpec, TypeAlias, TypeVar, overload

from ._schema import MESSAGING_VERBS, TEXT, VOICE_VERBS

__all__ = [
    "AttrValue",
    "Grammar",
    "Redirect",
    "SpaceSeparated",
    "TwiML",
    "TwiMLError",
    "generic_element",
    "nested",
    "wire_name",
]

AttrValue: TypeAlias = str | int | float | bool | Sequence[str]
"""What an attribute may be given as (``None`` = attribute omitted)."""
SpaceSeparated: TypeAlias = str | Sequence[str]
"""A space-separated attribute: ``"initiated ringing"`` or ``["initiated", "ringing"]``."""

Grammar = Literal["voice", "messaging", "any"]

_TABLES: Final[Mapping[str, Mapping[str, frozenset[str]]]] = {
    "voice": VOICE_VERBS,
    "messaging": MESSAGING_VERBS,
}

_SPECIAL_NAMES: Final[Mapping[str, str]] = {"xml_lang": "xml:lang", "interpret_as": "interpret-as"}
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._:-]*\Z")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')
_wire_names: dict[str, str] = {}  # cache of python name -> wire name (not configuration)

T = TypeVar("T", bound="TwiML")
E = TypeVar("E", bound="TwiML")
P = ParamSpec("P")


class TwiMLError(ValueError):
    """A TwiML document that cannot be built: bad nesting, bad attribute name or value."""


def wire_name(name: str) -> str:
    """Twilio's attribute name for a Python keyword (``status_callback`` -> ``statusCallback``)."""
    cached = _wire_names.get(name)
    if cached is not None:
        return cached
    wire = _SPECIAL_NAMES.get(name)
    if wire is None:
        stripped = name.rstrip("_") if name.endswith("_") and name != "_" else name
        head, *rest = stripped.split("_")
        wire = head + "".join(part[:1].upper() + part[1:] for part in rest)
    if not _XML_NAME.match(wire):
        raise TwiMLError(f"{name!r} is not a valid TwiML attribute name")
    _wire_names[name] = wire
    return wire


def _not_xml_error(value: str, what: str) -> TwiMLError:
    bad = _NOT_XML.search(value)
    char = f"U+{ord(bad.group()):04X}" if bad else "a character"
    return TwiMLError(f"{what} contains {char}, which XML cannot represent")


def _attr_text(name: str, value: object) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, (list, tuple, frozenset, set)) and all(
        isinstance(item, str) for item in value
    ):
        text = " ".join(value)
    else:
        raise TwiMLError(
            f"attribute {name!r}: expected str, int, float, bool or a list of str, "
            f"got {type(value).__name__}"
        )
    if _NOT_XML.search(text) is not None:
        raise _not_xml_error(text, f"attribute {name!r}")
    return text


def _escape_text(text: str) -> str:
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _escape_attr(text: str) -> str:
    if _ATTR_SPECIAL.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


class TwiML:
    """Base of every TwiML element (and of the ``<Response>`` documents).

    ``str(element)`` is a complete XML document starting with the XML declaration;
    :meth:`to_xml` can leave the declaration out. Elements are context managers that return
    themselves, so ``with response.gather(...) as g:`` reads like the document it builds.

    An element keeps a reference to the element it was nested in, so a builder's return value
    still knows its document: ``MessagingResponse().message("hi")`` is the ``<Message>``, and
    its :attr:`root` is the ``<Response>`` (:meth:`document` gives the ``<Response>`` to send).
    """

    __slots__ = ("_attrs", "_children", "_parent")

    tag: ClassVar[str] = ""
    """The XML element name, e.g. ``"Say"``."""
    grammar: ClassVar[Grammar] = "voice"
    """Which TwiML this element belongs to; ``"any"`` for elements shared by both."""
    attributes: ClassVar[Mapping[str, str]] = MappingProxyType({})
    """Documented attributes of this element: Python keyword -> wire name."""
    _allowed: ClassVar[frozenset[str]] = frozenset()
    _attribute_pairs: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.tag:
            table = _TABLES["voice" if cls.grammar == "any" else cls.grammar]
            if cls.tag not in table:
                raise TypeError(f"<{cls.tag}> is missing from the {cls.grammar} TwiML table")
            cls._allowed = table[cls.tag]
        init = cls.__dict__.get("__init__")
        if init is not None:
            code = init.__code__
            start = code.co_argcount  # includes positional-only parameters
            names = code.co_varnames[start : start + code.co_kwonlyargcount]
            cls._attribute_pairs = tuple((n, wire_name(n)) for n in names)
            cls.attributes = MappingProxyType(dict(cls._attribute_pairs))

    def __init__(self, text: str | None = None, /, **attrs: AttrValue | None) -> None:
        """Build an element with optional text and attributes (snake case or wire names)."""
        if not self.tag:
            raise TypeError("TwiML is a base class; build a VoiceResponse or MessagingResponse")
        self._parent: TwiML | None = None
        self._children: list[TwiML | str] = []
        self._attrs: dict[str, str] = {}
        self._add_attrs(attrs)
        if text:
            self._add_text(text)

    def _init(self, text: str | None, params: Mapping[str, Any], extra: Mapping[str, Any]) -> None:
        """Initialise from a subclass ``__init__``'s ``locals()`` (documented attrs) + extra."""
        self._parent = None
        self._children = []
        attrs = self._attrs = {}
        for py_name, wire in self._attribute_pairs:
            value = params[py_name]
            if value is not None:
                attrs[wire] = _attr_text(wire, value)
        if extra:
            self._add_attrs(extra)
        if text:
            self._add_text(text)

    def _add_attrs(self, attrs: Mapping[str, object]) -> None:
        for py_name, value in attrs.items():
            if value is None:
                continue
            wire = wire_name(py_name)
            if wire in self._attrs:
                raise TwiMLError(f"<{self.tag}>: attribute {wire!r} given twice")
            self._attrs[wire] = _attr_text(wire, value)

    def _add_text(self, text: str) -> None:
        if TEXT not in self._allowed:
            raise TwiMLError(f"<{self.tag}> cannot contain text")
        if not isinstance(text, str):
            raise TwiMLError(f"<{self.tag}>: text must be str, got {type(text).__name__}")
        if _NOT_XML.search(text) is not None:
            raise _not_xml_error(text, f"<{self.tag}> text")
        self._children.append(text)

    # -- structure -------------------------------------------------------------------------

    def nest(self, child: E) -> E:
        """Append ``child`` and return it (so it can be filled in)."""
        if not isinstance(child, TwiML):
            raise TwiMLError(f"<{self.tag}>: can only nest TwiML elements, got {child!r}")
        if child.tag not in self._allowed or child.grammar not in (self.grammar, "any"):
            allowed = ", ".join(sorted(f"<{t}>" for t in self._allowed if t != TEXT)) or "nothing"
            raise TwiMLError(
                f"<{child.tag}> ({child.grammar}) is not allowed inside <{self.tag}> "
                f"({self.grammar} TwiML); it may contain: {allowed}"
            )
        if child._parent is not None:
            raise TwiMLError(f"<{child.tag}> already belongs to a document; build a new one")
        child._parent = self
        self._children.append(child)
        return child

    def append(self: T, child: TwiML | str) -> T:
        """Append an element (or text, where the element allows text) and return ``self``."""
        if isinstance(child, str):
            self._add_text(child)
        else:
            self.nest(child)
        return self

    def add_child(self, tag: str, text: str | None = None, /, **attrs: AttrValue | None) -> TwiML:
        """Append an element that has no typed builder (e.g. ``"Room"``) and return it.

        The tag must be allowed here by the nesting table, like for every other child.
        """
        return self.nest(generic_element(self.grammar, tag)(text, **attrs))

    @property
    def parent(self) -> TwiML | None:
        """The element this one was nested in (``None`` for a document or a detached element)."""
        return self._parent

    @property
    def root(self) -> TwiML:
        """The outermost element of the tree this element belongs to (itself if detached)."""
        node = self
        while node._parent is not None:
            node = node._parent
        return node

    def document(self) -> TwiML:
        """The ``<Response>`` document to send for this element.

        The :attr:`root` when it is a ``<Response>`` (the document a builder's return value,
        such as ``MessagingResponse().message("hi")``, belongs to); for a top-level verb built
        on its own (``Message("hi")``, ``Say("hi")``) a new ``<Response>`` that holds it, without
        attaching it. Anything else (a noun such as ``<Body>``, or a verb ``<Response>`` may not
        hold) raises :class:`TwiMLError`.
        """
        root = self.root
        if root.tag == "Response":
            return root
        from .messaging import MessagingResponse  # here: those modules import this one
        from .voice import VoiceResponse

        response: type[TwiML] = MessagingResponse if root.grammar == "messaging" else VoiceResponse
        if root.tag not in response._allowed:
            raise TwiMLError(
                f"<{root.tag}> cannot be the top of a TwiML document: a <Response> does not "
                f"hold it; nest it in the element it belongs to"
            )
        wrapper = response()
        wrapper._children.append(root)  # not attached: the caller's element stays its own
        return wrapper

    @property
    def attrs(self) -> Mapping[str, str]:
        """The attributes as they go on the wire (read-only)."""
        return MappingProxyType(self._attrs)

    @property
    def children(self) -> tuple[TwiML | str, ...]:
        """Child elements and text, in document order."""
        return tuple(self._children)

    # -- output ----------------------------------------------------------------------------

    def _render(self, out: list[str]) -> None:
        tag = self.tag
        out.append("<" + tag)
        for name, value in self._attrs.items():
            out.append(" " + name + '="' + _escape_attr(value) + '"')
        if not self._children:
            out.append("/>")
            return
        out.append(">")
        for child in self._children:
            if isinstance(child, str):
                out.append(_escape_text(child))
            else:
                child._render(out)
        out.append("</" + tag + ">")

    def to_xml(self, xml_declaration: bool = True) -> str:
        """The XML text, with the ``<?xml version="1.0" encoding="UTF-8"?>`` declaration."""
        out = ['<?xml version="1.0" encoding="UTF-8"?>'] if xml_declaration else []
        self._render(out)
        return "".join(out)

    def __str__(self) -> str:
        return self.to_xml()

    def __repr__(self) -> str:
        attrs = "".join(f" {k}={v!r}" for k, v in self._attrs.items())
        return f"<{type(self).__name__}{attrs}, {len(self._children)} children>"

    def __enter__(self: T) -> T:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


_generic_classes: dict[tuple[str, str], type[TwiML]] = {}  # cache of classes, not configuration


def generic_element(grammar: Grammar, tag: str) -> type[TwiML]:
    """The (cached) untyped element class for ``tag``; the tag must be in the grammar's table."""
    key = (grammar, tag)
    cls = _generic_classes.get(key)
    if cls is None:
        table = _TABLES["voice" if grammar == "any" else grammar]
        if tag not in table or tag == "Response":
            raise TwiMLError(f"<{tag}> is not a {grammar} TwiML element")
        cls = type(
            f"Generic{tag.title().replace('-', '')}",
            (TwiML,),
            {"tag": tag, "grammar": grammar, "__slots__": ()},
        )
        _generic_classes[key] = cls
    return cls


class _Builder(Generic[P, E]):  # Descriptor behind ``response.say(...)``.
    __slots__ = ("__doc__", "_factory")

    def __init__(self, factory: Callable[P, E]) -> None:
        self._factory = factory
        tag = getattr(factory, "tag", "?")
        self.__doc__ = f"Append a <{tag}> and return it.\n\n{getattr(factory, '__doc__', '')}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Builder[P, E]: ...

    @overload
    def __get__(self, obj: TwiML, owner: type | None = None) -> Callable[P, E]: ...

    def __get__(self, obj: TwiML | None, owner: type | None = None) -> object:
        if obj is None:
            return self
        factory = self._factory
        nest = obj.nest

        def build(*args: P.args, **kwargs: P.kwargs) -> E:
            return nest(factory(*args, **kwargs))

        return build


def nested(factory: Callable[P, E]) -> _Builder[P, E]:
    """Make a builder method from an element class: ``say = nested(Say)``."""
    return _Builder(factory)


class Redirect(TwiML):
    """``<Redirect>``: continue with the TwiML at ``url`` (voice and messaging)."""

    __slots__ = ()
    tag = "Redirect"
    grammar = "any"

    def __init__(self, url: str, *, method: str | None = None, **extra: AttrValue | None) -> None:
        self._init(url, locals(), extra)
