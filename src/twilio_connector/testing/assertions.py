"""Filters and failure messages for the assertion helpers of :class:`~.emulator.TwilioEmulator`.

Pure functions over the public models (:class:`~twilio_connector.models.Message`,
:class:`~twilio_connector.models.Call`) and the emulator's delivery log
(:class:`~twilio_connector.emulator.DeliveryRecord`): which records match a filter, and an
``AssertionError`` that lists what was there when nothing (or too much) matched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from ..models import Call, Message

if TYPE_CHECKING:
    from ..emulator.webhooks.records import DeliveryRecord

__all__ = [
    "CallFilter",
    "DeliveryFilter",
    "MessageFilter",
    "expect_one",
    "format_calls",
    "format_deliveries",
    "format_messages",
]

T = TypeVar("T")
SHOWN = 20
"""At most this many records are listed in a failure message."""


def _direction_ok(wanted: str | None, actual: str | None) -> bool:
    """``"outbound"`` matches every ``outbound-*`` direction; anything else is exact."""
    if wanted is None:
        return True
    if wanted == "outbound":
        return (actual or "").startswith("outbound")
    return actual == wanted


def _given(**fields: object) -> str:
    shown = [f"{k.rstrip('_')}={v!r}" for k, v in fields.items() if v is not None]
    return ", ".join(shown) or "no filter"


@dataclass(frozen=True)
class MessageFilter:
    to: str | None = None
    from_: str | None = None
    body: str | None = None
    body_contains: str | None = None
    status: str | None = None
    direction: str | None = None

    def __call__(self, m: Message) -> bool:
        return (
            (self.to is None or m.to == self.to)
            and (self.from_ is None or m.from_ == self.from_)
            and (self.body is None or m.body == self.body)
            and (self.body_contains is None or self.body_contains in (m.body or ""))
            and (self.status is None or m.status == self.status)
            and _direction_ok(self.direction, m.direction)
        )

    def __str__(self) -> str:
        return _given(
            to=self.to, from_=self.from_, body=self.body, body_contains=self.body_contains,
            status=self.status, direction=self.direction,
        )  # fmt: skip


@dataclass(frozen=True)
class CallFilter:
    to: str | None = None
    from_: str | None = None
    status: str | None = None
    direction: str | None = None

    def __call__(self, c: Call) -> bool:
        return (
            (self.to is None or c.to == self.to)
            and (self.from_ is None or c.from_ == self.from_)
            and (self.status is None or c.status == self.status)
            and _direction_ok(self.direction, c.direction)
        )

    def __str__(self) -> str:
        return _given(to=self.to, from_=self.from_, status=self.status, direction=self.direction)


@dataclass(frozen=True)
class DeliveryFilter:
    """``url`` exact (query included), ``path`` the URL's path alone; ``status`` an HTTP
    status, or ``"2xx"`` for any success; ``params`` form fields that must all be sent."""

    url: str | None = None
    path: str | None = None
    kind: str | None = None
    resource_sid: str | None = None
    status: int | str | None = None
    params: Mapping[str, str] | None = None

    def __call__(self, d: DeliveryRecord) -> bool:
        if self.url is not None and d.url != self.url:
            return False
        if self.path is not None and urlsplit(d.url).path != self.path:
            return False
        if self.kind is not None and d.kind != self.kind:
            return False
        if self.resource_sid is not None and d.resource_sid != self.resource_sid:
            return False
        if self.status == "2xx":
            if d.status is None or not 200 <= d.status < 300:
                return False
        elif self.status is not None and d.status != self.status:
            return False
        return all(d.param(k) == v for k, v in (self.params or {}).items())

    def __str__(self) -> str:
        return _given(
            url=self.url, path=self.path, kind=self.kind, resource_sid=self.resource_sid,
            status=self.status, params=dict(self.params) if self.params else None,
        )  # fmt: skip


def _listing(items: Sequence[T], line: Callable[[T], str]) -> str:
    if not items:
        return "  (none)"
    lines = [f"  {line(item)}" for item in items[-SHOWN:]]
    if len(items) > SHOWN:
        lines.insert(0, f"  ... {len(items) - SHOWN} older not shown")
    return "\n".join(lines)


def _short(text: str | None, width: int = 60) -> str:
    text = text or ""
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _message_line(m: Message) -> str:
    error = f" error {m.error_code}" if m.error_code else ""
    return f"{m.sid} {m.direction} {m.from_} -> {m.to} [{m.status}{error}] body={_short(m.body)}"


def _call_line(c: Call) -> str:
    return f"{c.sid} {c.direction} {c.from_} -> {c.to} [{c.status}]"


def _delivery_line(d: DeliveryRecord) -> str:
    answer = "no response" if d.status is None else str(d.status)
    error = f" ({d.error})" if d.error else ""
    return f"#{d.id} {d.kind} {d.method} {d.url} -> {answer}{error} attempt {d.attempt}"


def format_messages(messages: Sequence[Message]) -> str:
    return _listing(messages, _message_line)


def format_calls(calls: Sequence[Call]) -> str:
    return _listing(calls, _call_line)


def format_deliveries(deliveries: Sequence[DeliveryRecord]) -> str:
    return _listing(deliveries, _delivery_line)


def expect_one(
    what: str,
    wanted: object,
    everything: Sequence[T],
    matches: Callable[[T], bool],
    describe: Callable[[Sequence[T]], str],
    *,
    exactly: bool = True,
) -> T:
    """The one item of ``everything`` that ``matches`` (the last one if not ``exactly``);
    else an AssertionError naming the filter and listing what there was."""
    __tracebackhide__ = True
    found = [item for item in everything if matches(item)]
    if len(found) == 1 or (found and not exactly):
        return found[-1]
    if not found:
        raise AssertionError(
            f"no {what} matching {wanted} among these {len(everything)}:\n{describe(everything)}"
        )
    raise AssertionError(
        f"{len(found)} {what}s match {wanted}, expected exactly one (narrow the filter):\n"
        f"{describe(found)}"
    )
