"""Dates on the wire: ISO 8601 parameters and the date filters of Twilio's lists.

A list filter puts the comparison inside the parameter name: ``DateSent`` (that UTC day),
``DateSent<`` (on or before) and ``DateSent>`` (on or after); the same for ``StartTime``,
``EndTime`` and ``DateCreated``. Values are ``YYYY-MM-DD`` (a UTC day); a date-time is
also read (``<`` then includes that instant, ``>`` starts at it). The client writes the
filters with :func:`date_filters`; a server reads them with :func:`parse_date_filters`
into a :class:`DateRange` of epoch seconds. Valid years are 1970 to 9000 (UTC).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "DateRange",
    "DayFilter",
    "InvalidParameter",
    "date_filters",
    "filter_day",
    "format_iso_datetime",
    "parse_date_filters",
    "parse_iso_datetime",
]

MIN_YEAR = 1970
MAX_YEAR = 9000
_DAY = timedelta(days=1)


class InvalidParameter(ValueError):
    """A parameter whose value has the wrong format or is out of range."""

    def __init__(self, name: str, value: str, why: str) -> None:
        super().__init__(f"Invalid parameter: {name} ({value[:64]!r}): {why}")
        self.name = name
        self.value = value
        self.why = why


# --------------------------------------------------------------------------- writing


def format_iso_datetime(value: datetime) -> str:
    """``2024-01-02T03:04:05Z``: converted to UTC when aware, taken as UTC when naive."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return f"{value:%Y-%m-%dT%H:%M:%SZ}"


DayFilter = date | datetime | str | None


def filter_day(value: date | datetime | str) -> str:
    """The ``YYYY-MM-DD`` a filter is written with: a datetime's UTC day, a string as given."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else value


def date_filters(
    name: str, on: DayFilter, before: DayFilter, after: DayFilter
) -> list[tuple[str, str]]:
    """``Name``, ``Name<`` and ``Name>`` for the bounds given (``None``: no such filter)."""
    return [
        (name + suffix, filter_day(value))
        for suffix, value in (("", on), ("<", before), (">", after))
        if value is not None
    ]


# --------------------------------------------------------------------------- reading


def _out_of_range(name: str, raw: str) -> InvalidParameter:
    return InvalidParameter(
        name, raw, f"must be between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31 (UTC)"
    )


def _parse(name: str, raw: str) -> tuple[datetime, bool]:
    """(the UTC value, whether it was a bare date)."""
    text = raw.strip()
    try:
        day: date | None = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise _out_of_range(name, raw)
        return datetime(day.year, day.month, day.day, tzinfo=timezone.utc), True
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidParameter(
            name, raw, "expected an ISO 8601 date (YYYY-MM-DD) or date-time"
        ) from None
    try:
        value = (
            value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
        )
    except OverflowError:  # an offset pushes it past year 1 or 9999
        raise _out_of_range(name, raw) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _out_of_range(name, raw)
    return value, False


def parse_iso_datetime(name: str, raw: str) -> datetime:
    """An ISO 8601 date or date-time parameter as an aware UTC datetime (a date: midnight).

    Raises :class:`InvalidParameter` for another format or a year outside 1970..9000."""
    return _parse(name, raw)[0]


@dataclass(frozen=True, slots=True)
class DateRange:
    """What a list's date filters select, in epoch seconds.

    ``start`` is inclusive; ``end`` exclusive, or inclusive when ``end_inclusive``; either
    is ``None`` when unbounded. ``filters`` are the parameters as received, in order (a
    page's URIs repeat them).
    """

    start: float | None = None
    end: float | None = None
    end_inclusive: bool = False
    filters: tuple[tuple[str, str], ...] = ()

    def __contains__(self, timestamp: object) -> bool:
        if not isinstance(timestamp, (int, float)):
            return False
        if self.start is not None and timestamp < self.start:
            return False
        if self.end is None:
            return True
        return timestamp <= self.end if self.end_inclusive else timestamp < self.end

    def _bounded(
        self, start: float | None, end: float | None, inclusive: bool, param: tuple[str, str]
    ) -> DateRange:
        new_start = self.start
        if start is not None and (new_start is None or start > new_start):
            new_start = start
        new_end, new_inclusive = self.end, self.end_inclusive
        if end is not None and (
            new_end is None or end < new_end or (end == new_end and not inclusive)
        ):
            new_end, new_inclusive = end, inclusive
        return DateRange(new_start, new_end, new_inclusive, (*self.filters, param))


def parse_date_filters(name: str, get: Callable[[str], str | None]) -> DateRange:
    """The range selected by ``Name``, ``Name<`` and ``Name>`` (``get`` returns a parameter's
    value or ``None``; blank values are ignored). Raises :class:`InvalidParameter`."""
    selected = DateRange()
    for key in (name, name + "<", name + ">"):
        raw = get(key)
        if not raw:
            continue
        value, is_day = _parse(key, raw)
        start: float | None = None
        end: float | None = None
        inclusive = False
        if key == name:
            day = value.replace(hour=0, minute=0, second=0, microsecond=0)
            start, end = day.timestamp(), (day + _DAY).timestamp()
        elif key[-1] == "<":  # on or before: to the end of that day, or up to that instant
            if is_day:
                end = (value + _DAY).timestamp()
            else:
                end, inclusive = value.timestamp(), True
        else:  # on or after
            start = value.timestamp()
        selected = selected._bounded(start, end, inclusive, (key, raw))
    return selected
