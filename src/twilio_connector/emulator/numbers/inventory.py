"""The fake inventory behind AvailablePhoneNumbers: numbers made up to match a search.

A search is deterministic (the same query finds the same numbers, minus those bought
meanwhile) and every number it returns satisfies every filter: candidates are drawn from
the places the geographic filters allow (:mod:`.geography`), the ``Contains`` pattern is
written into them, and each is checked against the whole query before it is offered.
Capabilities are a property of the number (:func:`capabilities_of`), the same in the
search and once bought. One search offers at most :data:`MAX_RESULTS` numbers.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from ..._wire import CALLING_CODES, country_of
from ..errors import EmulatorError, invalid_param
from .geography import NANP_TOLL_FREE, PLACES, Place, distance_miles, place_of

__all__ = [
    "COUNTRIES",
    "MAX_RESULTS",
    "TYPE_NAMES",
    "AvailableNumber",
    "Capabilities",
    "ContainsPattern",
    "Inventory",
    "SearchQuery",
    "capabilities_of",
]

COUNTRIES = {
    "US": ("United States", ("Local", "TollFree")),
    "CA": ("Canada", ("Local", "TollFree")),
    "GB": ("United Kingdom", ("Local", "Mobile", "TollFree")),
}
MAX_RESULTS = 1000
_GIVE_UP = 400  # candidates in a row that add nothing: the query has no more numbers
# path segment of a number type -> the type as IncomingPhoneNumber.type shows it
TYPE_NAMES = {"Local": "local", "Mobile": "mobile", "TollFree": "tollfree"}
_KEYPAD = {c: d for d, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV",
    "9": "WXYZ"}.items() for c in letters}  # fmt: skip
_CONTAINS_CHARS = re.compile(r"[0-9A-Za-z*%+$]{2,16}\Z")
_METAS = "*%+$"
_GB_LAYOUT = {"Mobile": ("7", 10), "TollFree": ("800", 10)}  # prefix, national length


@dataclass(frozen=True)
class Capabilities:
    voice: bool
    sms: bool
    mms: bool
    fax: bool


def capabilities_of(phone_number: str, number_type: str) -> Capabilities:
    """What a number can do: US/CA numbers voice, SMS and MMS (about one in four fax);
    UK mobiles voice and SMS, other UK numbers voice only."""
    if country_of(phone_number) == "GB":
        return Capabilities(True, number_type == "mobile", False, False)
    fax = hashlib.sha256(phone_number.encode()).digest()[0] % 4 == 0
    return Capabilities(True, True, True, fax)


@dataclass(frozen=True)
class ContainsPattern:
    """A ``Contains`` value: digits (letters mapped to the keypad), ``*`` one digit, ``%``
    any run of digits, ``+`` at the start anchors to the number's first digit (the country
    code), ``$`` at the end to its last."""

    raw: str
    regex: re.Pattern[str]
    body: str  # digits, "*" and "%" without the anchors
    at_start: bool
    at_end: bool

    @classmethod
    def parse(cls, raw: str) -> ContainsPattern:
        why = "2-16 digits or letters; '*' or '%' wildcards, '+' first, '$' last"
        if not _CONTAINS_CHARS.match(raw):
            raise invalid_param("Contains", raw, why)
        at_start, at_end = raw.startswith("+"), raw.endswith("$")
        body = raw[1 if at_start else 0 : len(raw) - 1 if at_end else len(raw)]
        misplaced = "+" in body or "$" in body
        mixed = any(a in _METAS and b in _METAS and a != b for a, b in pairwise(raw))
        if misplaced or mixed or sum(c.isalnum() for c in body) < 2:
            raise invalid_param("Contains", raw, why)
        digits = "".join(_KEYPAD.get(c, c) for c in body.upper())
        regex = "".join("[0-9]" if c == "*" else "[0-9]*" if c == "%" else c for c in digits)
        pattern = re.compile(("^" if at_start else "") + regex + ("$" if at_end else ""))
        return cls(raw, pattern, digits, at_start, at_end)


@dataclass(frozen=True)
class SearchQuery:
    """One AvailablePhoneNumbers search. ``in_*`` values may also be a phone number (then:
    the same region/postal code/locality as that number); ``near`` is (latitude, longitude);
    ``near_number`` and ``near`` find places within ``distance`` miles."""

    country: str
    type_name: str
    area_code: str | None = None
    contains: ContainsPattern | None = None
    sms: bool | None = None
    mms: bool | None = None
    voice: bool | None = None
    fax: bool | None = None
    in_region: str | None = None
    in_postal_code: str | None = None
    in_locality: str | None = None
    in_rate_center: str | None = None
    near_number: str | None = None
    near: tuple[float, float] | None = None
    distance: float = 25.0

    @property
    def geographic(self) -> bool:
        wanted = (self.in_region, self.in_postal_code, self.in_locality, self.in_rate_center,
                  self.near_number, self.near)  # fmt: skip
        return any(v is not None for v in wanted)

    def allows_place(self, place: Place | None) -> bool:
        if not self.geographic:
            return True
        if place is None:
            return False
        if not _same(self.in_region, place.region, "region"):
            return False
        if not _same(self.in_postal_code, place.postal_code, "postal_code"):
            return False
        if not _same(self.in_locality, place.locality, "locality"):
            return False
        if not _same(self.in_rate_center, place.rate_center, "rate_center"):
            return False
        return all(self._near(ref, place) for ref in (self.near, self._near_number_point()))

    def _near_number_point(self) -> tuple[float, float] | None:
        if self.near_number is None:
            return None
        ref = place_of(self.near_number)
        if ref is None or ref.latitude is None or ref.longitude is None:
            return (float("nan"), float("nan"))  # a number without a place is near nothing
        return (ref.latitude, ref.longitude)

    def _near(self, point: tuple[float, float] | None, place: Place) -> bool:
        if point is None:
            return True
        if place.latitude is None or place.longitude is None:
            return False
        return distance_miles(*point, place.latitude, place.longitude) <= self.distance

    def allows_capabilities(self, caps: Capabilities) -> bool:
        wanted = ((self.sms, caps.sms), (self.mms, caps.mms), (self.voice, caps.voice),
                  (self.fax, caps.fax))  # fmt: skip
        return all(want is None or want == have for want, have in wanted)


def _same(wanted: str | None, have: str | None, attribute: str) -> bool:
    if wanted is None:
        return True
    if wanted.startswith("+"):  # "the same ... as that number"
        ref = place_of(wanted)
        wanted = None if ref is None else getattr(ref, attribute)
        if wanted is None:
            return False
    return have is not None and wanted.casefold() == have.casefold()


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    country: str
    number_type: str  # "local", "mobile", "tollfree"
    place: Place | None
    capabilities: Capabilities


@dataclass(frozen=True)
class _Layout:
    """How candidates look: country code digits, national prefix, national length."""

    country_code: str
    prefix: str
    national_length: int


class Inventory:
    """Searches; ``is_taken(number)`` says which numbers are already owned."""

    def __init__(self, is_taken: Callable[[str], bool]) -> None:
        self._is_taken = is_taken

    def search(self, query: SearchQuery, offset: int, limit: int) -> list[AvailableNumber]:
        """Numbers ``offset`` to ``offset + limit`` of the query's (deterministic) results."""
        if query.country not in COUNTRIES:
            raise EmulatorError(404, 20404, f"Country {query.country} is not supported")
        if query.type_name not in COUNTRIES[query.country][1] or query.area_code == "533":
            return []
        wanted = min(offset + limit, MAX_RESULTS)
        layouts = self._layouts(query)
        if query.contains is not None and query.contains.at_start:
            body = query.contains.body
            layouts = [lay for lay in layouts if _fits(lay.country_code + lay.prefix, body)]
        if offset >= wanted or not layouts:
            return []
        rng = random.Random(repr(query))
        found: dict[str, AvailableNumber] = {}
        misses = 0
        for _ in range(wanted * 30 + 300):
            item = self._candidate(query, rng.choice(layouts), rng)
            if item is None or item.phone_number in found:
                misses += 1
                if misses > _GIVE_UP:  # the query is (nearly) exhausted
                    break
                continue
            found[item.phone_number] = item
            misses = 0
            if len(found) >= wanted:
                break
        return list(found.values())[offset:wanted]

    def _layouts(self, query: SearchQuery) -> list[_Layout]:
        country, kind, area = query.country, query.type_name, query.area_code
        code = CALLING_CODES[country].removeprefix("+")
        if country == "GB":
            if kind in _GB_LAYOUT:
                prefix, length = _GB_LAYOUT[kind]
                return [] if query.geographic else [_Layout(code, prefix, length)]
            places = [p for p in PLACES["GB"] if query.allows_place(p)]
            return [_Layout(code, p.prefix, 10) for p in places]
        if kind == "TollFree":
            if query.geographic or (area is not None and area not in NANP_TOLL_FREE):
                return []
            return [_Layout(code, area or NANP_TOLL_FREE[0], 10)]
        places = [p for p in PLACES[country] if query.allows_place(p)]
        if area is None:
            return [_Layout(code, p.prefix, 10) for p in places]
        if any(p.prefix == area for p in places):
            return [_Layout(code, area, 10)]
        known = place_of(f"+{code}{area}0000000")
        if known is None and not query.geographic:  # an area code without a place
            return [_Layout(code, area, 10)]
        return []

    def _candidate(
        self, query: SearchQuery, layout: _Layout, rng: random.Random
    ) -> AvailableNumber | None:
        prefix = layout.prefix
        national = prefix + "".join(
            str(rng.randrange(10)) for _ in range(layout.national_length - len(prefix))
        )
        if layout.country_code == "1":  # NXX: the exchange never starts with 0 or 1
            national = national[:3] + str(rng.randrange(2, 10)) + national[4:]
        digits = layout.country_code + national
        if query.contains is not None:
            written = _write_pattern(digits, len(layout.country_code), query.contains, rng)
            if written is None:
                return None
            digits, national = written, written[len(layout.country_code) :]
        if not national.startswith(prefix) or (layout.country_code == "1" and national[3] in "01"):
            return None
        if query.contains is not None and not query.contains.regex.search(digits):
            return None
        number = "+" + digits
        kind = TYPE_NAMES.get(query.type_name, "local")
        caps = capabilities_of(number, kind)
        if self._is_taken(number) or not query.allows_capabilities(caps):
            return None
        place = place_of(number) if kind == "local" else None
        return AvailableNumber(number, query.country, kind, place, caps)


def _write_pattern(
    digits: str, cc_length: int, pattern: ContainsPattern, rng: random.Random
) -> str | None:
    """``digits`` with the pattern's digits written at a random (or anchored) place."""
    body = "".join("*" * rng.randrange(3) if c == "%" else c for c in pattern.body)
    room = len(digits) - len(body)
    if room < 0:
        return None
    if pattern.at_start:
        at = 0
    elif pattern.at_end:
        at = room
    else:  # after the country code and area code when there is room, so they stay valid
        lowest = next(n for n in (cc_length + 3, cc_length, 0) if n <= room)
        at = rng.randrange(lowest, room + 1)
    out = list(digits)
    for i, c in enumerate(body):
        if c != "*":
            out[at + i] = c
    return "".join(out)


def _fits(start: str, body: str) -> bool:
    """Whether digits ``start`` agree with the pattern ``body`` written from position 0."""
    for have, want in zip(start, body.split("%", 1)[0], strict=False):
        if want != "*" and want != have:
            return False
    return True
