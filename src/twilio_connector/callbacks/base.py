"""The machinery every webhook payload shares: raw parameters, value conversions, rules.

A payload is a frozen :mod:`msgspec` struct whose attributes are the snake_case names of
Twilio's PascalCase parameters (``from_`` is ``From``; an explicit ``msgspec.field(name=...)``
overrides the spelling). :meth:`TwilioEvent.to_params` builds the form Twilio sends;
:meth:`TwilioEvent.from_params` parses a received one, leniently (a value that does not
convert leaves its attribute ``None``; ``raw`` keeps it). Each concrete kind declares a
:class:`Rule`: what identifies it, how its events are named and ordered, and whether Twilio
expects TwiML back.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, TypeVar

import msgspec

from twilio_connector._wire import to_bool, to_float, to_int
from twilio_connector.models import format_rfc2822, parse_rfc2822

__all__ = [
    "RawParams",
    "Rule",
    "TwilioEvent",
    "param",
    "status_name",
    "to_int",
]


class RawParams(Mapping[str, str]):
    """The original parameters, as a read-only multi-dict.

    ``raw["Body"]`` is the first value of a name; :meth:`getall` gives every value and
    :meth:`multi_items` every ``(name, value)`` pair in the order received.
    """

    __slots__ = ("_first", "_pairs")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = tuple(pairs)
        first = dict(self._pairs)
        if len(first) != len(self._pairs):  # a repeated name: keep its first value
            first = {}
            for key, value in self._pairs:
                if key not in first:
                    first[key] = value
        self._first = first

    def __getitem__(self, key: str) -> str:
        return self._first[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def __contains__(self, key: object) -> bool:
        return key in self._first

    def get(self, key: str, default: Any = None) -> Any:
        return self._first.get(key, default)

    @property
    def first(self) -> Mapping[str, str]:
        """The first value of every name, as a plain (read-only by contract) mapping."""
        return self._first

    def getall(self, key: str) -> list[str]:
        """Every value sent for ``key`` (empty list if none)."""
        return [v for k, v in self._pairs if k == key]

    def multi_items(self) -> tuple[tuple[str, str], ...]:
        """Every ``(name, value)`` pair, repeated names included, in order."""
        return self._pairs

    def __repr__(self) -> str:
        return f"RawParams({list(self._pairs)!r})"


# --------------------------------------------------------------------------- conversions


def _to_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_rfc2822(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _float_text(value: float) -> str:
    """The shortest text that reads back as ``value`` (``0.9``; ``1`` rather than ``1.0``)."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _bool_text(value: bool) -> str:
    return "true" if value else "false"


_TYPES: dict[Any, tuple[Callable[[str], Any] | None, Callable[[Any], str] | None]] = {
    str | None: (None, None),
    int | None: (to_int, str),
    float | None: (to_float, _float_text),
    bool | None: (to_bool, _bool_text),
    datetime | None: (_to_datetime, format_rfc2822),
}
"""Attribute type -> (parse a parameter value, format it); ``None``: the text as is."""


@functools.lru_cache(maxsize=256)  # Twilio sends a handful of values; stays bounded
def status_name(status: str) -> str:
    """A status as it appears in event names: ``no-answer`` -> ``no_answer``."""
    return status.strip().lower().replace("-", "_").replace(" ", "_") or "unknown"


def param(name: str) -> Callable[[Mapping[str, str]], str | None]:
    """A :attr:`Rule.status` reading one parameter (``""`` when it is absent)."""
    return operator.methodcaller("get", name, "")


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """How one kind of webhook is recognised, named and ordered.

    A payload is of this kind when one of ``sid`` has a non-empty value (the first such is
    the resource SID), every parameter of one of the groups in ``when`` is present, none of
    ``unless`` is, and ``status`` (if given) does not return ``None``. Kinds are tried in
    the order of :data:`twilio_connector.callbacks.FORM_KINDS`, so a more specific kind
    comes before a general one.

    ``event`` is the event name, or with ``status`` its prefix: ``status`` reads the raw
    status from the payload and the name is ``event`` + :func:`status_name` of it (renamed
    by ``aliases``). ``ranks`` gives each known status its place in the resource's
    lifecycle (events of one SID run lowest rank first; ``rank`` otherwise), and its keys
    are the event names this kind is known to send. ``sequence`` names a parameter whose
    integer value is the rank when present. ``replies``: Twilio waits for TwiML in the
    response. ``dedup``: a retry is recognised by name and SID.
    """

    event: str
    sid: tuple[str, ...]
    when: tuple[tuple[str, ...], ...] = ((),)
    unless: tuple[str, ...] = ()
    status: Callable[[Mapping[str, str]], str | None] | None = None
    ranks: Mapping[str, int] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    rank: int = 0
    sequence: str | None = None
    replies: bool = False
    dedup: bool = False

    @property
    def groups(self) -> tuple[frozenset[str], ...]:
        """``when`` as sets (one of them must be a subset of the parameter names)."""
        return tuple(frozenset(group) for group in self.when)

    @property
    def event_names(self) -> tuple[str, ...]:
        """Every event name this kind is known to produce."""
        if self.status is None:
            return (self.event,)
        return tuple(self.event + status for status in self.ranks)

    def resource_sid(self, params: Mapping[str, str]) -> str | None:
        """The first non-empty value of ``sid`` (``None``: not this kind)."""
        for name in self.sid:
            value = params.get(name)
            if value:
                return value
        return None

    def matches(self, params: Mapping[str, str]) -> bool:
        """Whether ``params`` identify this kind (ignoring kinds tried before it)."""
        keys = params.keys()
        return (
            self.resource_sid(params) is not None
            and any(keys >= group for group in self.groups)
            and keys.isdisjoint(self.unless)
            and self.named(params) is not None
        )

    def named(self, params: Mapping[str, str]) -> tuple[str, int] | None:
        """``(event name, rank)`` of a payload of this kind (``None``: not this kind)."""
        status = self.status
        if status is None:
            return self.event, self.rank
        raw = status(params)
        if raw is None:
            return None
        name, rank = self.status_event(raw)
        return name, self.sequenced(params, rank)

    def status_event(self, status: str) -> tuple[str, int]:
        """``(event name, rank)`` for a raw status value (before ``sequence``)."""
        name = status_name(status)
        name = self.aliases.get(name, name)
        return self.event + name, self.ranks.get(name, self.rank)

    def sequenced(self, params: Mapping[str, str], rank: int) -> int:
        """``rank``, or the value of the ``sequence`` parameter when it is an integer."""
        if self.sequence is not None:
            seq = to_int(params.get(self.sequence))
            if seq is not None:
                return seq
        return rank

    def spellings(self) -> dict[str, tuple[str, int]]:
        """:meth:`status_event` of the statuses as Twilio spells them (``no-answer``...)."""
        raws = {s for s in self.ranks} | {s.replace("_", "-") for s in self.ranks}
        raws |= {a.replace("_", "-") for a in self.aliases} | set(self.aliases)
        return {raw: self.status_event(raw) for raw in sorted(raws)}


# --------------------------------------------------------------------------- payloads


class _Table(NamedTuple):
    parse: dict[str, tuple[str, Callable[[str], Any] | None]]
    """Twilio parameter -> (attribute, converter or None)."""
    derived: tuple[str, ...]
    """Encoded names of the derived attributes (not parameters)."""
    formatted: tuple[tuple[str, str, Callable[[Any], str]], ...]
    """(Twilio parameter, attribute, formatter) of the attributes that are not text."""


@functools.cache
def _table(cls: type[TwilioEvent]) -> _Table:
    parse: dict[str, tuple[str, Callable[[str], Any] | None]] = {}
    derived: list[str] = []
    formatted: list[tuple[str, str, Callable[[Any], str]]] = []
    for f in msgspec.structs.fields(cls):
        if f.name in cls._derived:
            derived.append(f.encode_name)
            continue
        converter, formatter = _TYPES[f.type]
        parse[f.encode_name] = (f.name, converter)
        if formatter is not None:
            formatted.append((f.encode_name, f.name, formatter))
    return _Table(parse, tuple(derived), tuple(formatted))


def _unencoded(value: object) -> None:
    return None  # a derived attribute msgspec cannot encode (``raw``): dropped anyway


E = TypeVar("E", bound="TwilioEvent")
_NO_PARAMS = RawParams()  # the raw parameters of a payload built rather than received


class TwilioEvent(msgspec.Struct, kw_only=True, frozen=True, rename="pascal", omit_defaults=True):
    """Base of every request Twilio sends: its ``name``, ``raw`` parameters and token.

    ``name`` is the event name (``sms.delivered``, ``call.gather``...), ``raw`` every
    parameter exactly as received and ``idempotency_token`` the
    ``I-Twilio-Idempotency-Token`` header; all three are set by the receiving side and
    left at their defaults by a sender building a payload.
    """

    name: str = ""
    raw: RawParams = _NO_PARAMS
    idempotency_token: str | None = None

    rule: ClassVar[Rule | None] = None
    """What identifies this kind (``None``: not a form webhook of its own)."""
    _derived: ClassVar[frozenset[str]] = frozenset({"name", "raw", "idempotency_token"})
    """Attributes that are not one Twilio parameter each."""

    @classmethod
    def fields_by_param(cls) -> Mapping[str, str]:
        """Twilio parameter name -> attribute name, for every parameter this kind types."""
        return {param: target[0] for param, target in _table(cls).parse.items()}

    @classmethod
    def from_params(
        cls: type[E],
        params: RawParams | Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        name: str | None = None,
        idempotency_token: str | None = None,
    ) -> E:
        """Parse received parameters (``name``: the event name, derived when omitted)."""
        if isinstance(params, RawParams):
            raw = params
        elif isinstance(params, Mapping):
            raw = RawParams(params.items())
        else:
            raw = RawParams(params)
        spec = _table(cls).parse
        fields: dict[str, Any] = {}
        for key, value in raw._first.items():
            target = spec.get(key)
            if target is not None:
                attr, convert = target
                fields[attr] = value if convert is None else convert(value)
        if name is None:
            named = cls.rule.named(raw._first) if cls.rule is not None else None
            name = named[0] if named is not None else ""
        fields["name"] = name
        fields["raw"] = raw
        fields["idempotency_token"] = idempotency_token
        cls._derive(fields, raw)
        return cls(**fields)

    @classmethod
    def _derive(cls, fields: dict[str, Any], raw: RawParams) -> None:
        """Fill the derived attributes from the parsed ones (a hook for subclasses)."""

    def to_params(self) -> dict[str, str]:
        """The parameters Twilio sends for this payload (attributes left ``None`` omitted)."""
        table = _table(type(self))
        # omit_defaults: msgspec (in C) keeps only the attributes set, under Twilio's names.
        out: dict[str, Any] = msgspec.to_builtins(self, enc_hook=_unencoded)
        for key in table.derived:
            out.pop(key, None)
        for name, attr, formatter in table.formatted:
            if name in out:
                out[name] = formatter(getattr(self, attr))
        self._more_params(out)
        return out

    def _more_params(self, out: dict[str, str]) -> None:
        """Add parameters that derived attributes stand for (a hook for subclasses)."""

    def unmapped_params(self) -> list[str]:
        """Received parameters that no attribute of this kind types (only in ``raw``)."""
        spec = _table(type(self)).parse
        return [key for key in self.raw if key not in spec]
