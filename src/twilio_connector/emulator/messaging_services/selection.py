"""Which sender of a Messaging Service's pool sends a message (TWILIO.md §17.4). Pure.

:func:`choose_sender` takes the pool (:class:`Sender` entries in pool order), the service's
switches and the message (``To``, MMS or not, the sticky mapping for ``To`` if any) and
returns a :class:`Choice`, or ``None`` when no sender can deliver (the message then fails
with 21703). The documented rules are applied in this order, which Twilio does not publish
as one list (**unconfirmed**, TWILIO.md's suggested order):

1. ``From`` given with the service: that sender (checked by the caller, not here);
2. sticky sender (when on): the sender this recipient got before, if it is still in the pool
   and can carry this message;
3. WhatsApp ``To``: a WhatsApp-enabled pool number (or a WhatsApp channel sender), else none;
4. alpha sender: SMS (not MMS) to a country other than US/CA;
5. short code before long code: a short code of the ``To``'s country;
6. country-code geomatch (always on): a long code of the ``To``'s country, else a US one,
   else any; with area-code geomatch (US/CA ``To``, when on) a number with the ``To``'s
   area code comes first (overlay area codes are not modelled: same code or any).

MMS prefers MMS-capable senders among those of the same rank, and never picks an alpha
sender (TWILIO.md marks MMS with alpha senders unconfirmed; Twilio's docs say alpha IDs are
SMS only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from ..._wire import country_of, parse_address
from ..numbers.geography import place_of

__all__ = ["Choice", "Sender", "SenderKind", "choose_sender", "number_country"]

SenderKind = Literal["long_code", "short_code", "alpha", "whatsapp"]
_NANP = ("US", "CA")


@lru_cache(maxsize=65536)
def number_country(phone_number: str) -> str:
    """The ISO country of an E.164 number; NANP numbers by area code (``CA`` for 604 ...)."""
    place = place_of(phone_number)
    return (
        place.country if place is not None and place.country in _NANP else country_of(phone_number)
    )


@dataclass(frozen=True, slots=True)
class Sender:
    """One sender of a pool: ``address`` is what goes in ``From`` (``+1555...``, ``12345``,
    ``MyBrand``; a WhatsApp sender is its bare number, ``whatsapp`` set)."""

    address: str
    kind: SenderKind
    country: str = ""
    sms: bool = True
    mms: bool = False
    whatsapp: bool = False

    @property
    def area_code(self) -> str | None:
        a = self.address
        return a[2:5] if self.kind == "long_code" and a.startswith("+1") and len(a) == 12 else None


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen sender, the ``From`` it gives the message, and the rule that chose it."""

    sender: Sender
    from_: str
    rule: str


def _can_carry(sender: Sender, whatsapp: bool, mms: bool, to_country: str) -> bool:
    if whatsapp:
        return sender.whatsapp
    if not sender.sms:
        return False
    if sender.kind == "alpha":
        return not mms and to_country not in _NANP
    return True


def _mms_first(senders: list[Sender], mms: bool) -> list[Sender]:
    return sorted(senders, key=lambda s: not s.mms) if mms else senders


def _from(sender: Sender, whatsapp: bool) -> str:
    return f"whatsapp:{sender.address}" if whatsapp else sender.address


def choose_sender(
    pool: Sequence[Sender],
    to: str,
    *,
    mms: bool = False,
    sticky_sender: bool = True,
    area_code_geomatch: bool = True,
    sticky: str | None = None,
) -> Choice | None:
    """The sender for a message to ``to`` (``whatsapp:+1...`` for WhatsApp), or ``None``.

    ``sticky`` is the ``From`` this recipient was sent from before (ignored unless
    ``sticky_sender``)."""
    address = parse_address(to)
    whatsapp = address.channel == "whatsapp"
    to_number = address.bare
    to_country = number_country(to_number)
    usable = [s for s in pool if _can_carry(s, whatsapp, mms, to_country)]
    if not usable:
        return None
    if sticky_sender and sticky is not None:
        for s in usable:
            if _from(s, whatsapp) == sticky:
                return Choice(s, sticky, "sticky")
    if whatsapp:
        return Choice(usable[0], _from(usable[0], True), "whatsapp")
    for s in usable:
        if s.kind == "alpha":
            return Choice(s, s.address, "alpha")
    short = [s for s in usable if s.kind == "short_code" and s.country == to_country]
    if short:
        best = _mms_first(short, mms)[0]
        return Choice(best, best.address, "short_code")
    longs = [s for s in usable if s.kind == "long_code"]
    for rule, group in (
        ("country", [s for s in longs if s.country == to_country]),
        ("us", [s for s in longs if s.country == "US"]),
        ("any", longs),
    ):
        if not group:
            continue
        group = _mms_first(group, mms)
        if rule == "country" and area_code_geomatch and to_country in _NANP:
            same = [s for s in group if s.area_code == to_number[2:5]]
            if same:
                return Choice(same[0], same[0].address, "area_code")
        return Choice(group[0], group[0].address, rule)
    return None
