"""Addresses in ``To``/``From``: E.164 numbers and channel addresses.

A phone number is E.164 (``+15558675310``); a short code or an alphanumeric sender ID
has no prefix either. Other channels prefix the address: ``whatsapp:+1555...``,
``messenger:1047...``, ``rcs:agent``, ``client:alice`` (Voice SDK), ``sip:bob@example.com``
(``sips:`` over TLS), ``sim:DE...``. :func:`parse_address` splits one into an
:class:`Address` (channel + bare address) and ``str(address)`` writes it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "CALLING_CODES",
    "Address",
    "Channel",
    "country_of",
    "format_address",
    "is_e164",
    "parse_address",
    "whatsapp_address",
]

Channel = Literal["phone", "whatsapp", "messenger", "rcs", "client", "sip", "sips", "sim"]
"""``"phone"`` is an address without a prefix; the others are the prefix itself."""

_PREFIXED: frozenset[str] = frozenset(get_args(Channel)) - {"phone"}
_E164 = re.compile(r"\+[1-9][0-9]{6,14}\Z")
_SHAPES = {
    "client": re.compile(r"[A-Za-z0-9_.@\-]{1,256}\Z"),
    "sip": re.compile(r"[^\s@]+@[^\s@]+\Z"),
    "sips": re.compile(r"[^\s@]+@[^\s@]+\Z"),
    "sim": re.compile(r"DE[0-9a-fA-F]{32}\Z"),
}

CALLING_CODES: dict[str, str] = {
    "US": "+1",
    "CA": "+1",
    "GB": "+44",
    "DE": "+49",
    "FR": "+33",
    "AU": "+61",
}
"""ISO country -> E.164 calling code for the countries we know; for a shared code the first
country listed is the one a number is attributed to (``+1`` is ``US``)."""


def is_e164(number: str) -> bool:
    """``+`` then 7 to 15 digits, the first not 0."""
    return _E164.match(number) is not None


@dataclass(frozen=True, slots=True)
class Address:
    """A ``To``/``From`` value: its channel and the address without the prefix."""

    channel: Channel
    bare: str

    def __str__(self) -> str:
        return self.bare if self.channel == "phone" else f"{self.channel}:{self.bare}"

    @property
    def is_e164(self) -> bool:
        """The bare address is an E.164 number (phone and WhatsApp addresses should be)."""
        return is_e164(self.bare)

    @property
    def well_formed(self) -> bool:
        """E.164 for phone and WhatsApp; Twilio's shapes of ``client:``/``sip:``/``sim:``
        names; non-empty for the other channels."""
        if self.channel in ("phone", "whatsapp"):
            return self.is_e164
        shape = _SHAPES.get(self.channel)
        return bool(self.bare) if shape is None else shape.match(self.bare) is not None

    def on(self, channel: Channel) -> Address:
        """The same bare address on another channel (``+1555`` -> ``whatsapp:+1555``)."""
        return Address(channel, self.bare)


def parse_address(text: str) -> Address:
    """Split ``text``; a known prefix is matched in any case, an unknown one is not a prefix
    (``"foo:bar"`` is a phone-channel address, as Twilio would refuse it)."""
    prefix, sep, rest = text.partition(":")
    if sep:
        channel = prefix.lower()
        if channel in _PREFIXED:
            return Address(channel, rest)  # type: ignore[arg-type]
    return Address("phone", text)


def format_address(channel: Channel, bare: str) -> str:
    """``("whatsapp", "+1555")`` -> ``"whatsapp:+1555"``; ``("phone", "+1555")`` -> ``"+1555"``."""
    return str(Address(channel, bare))


def whatsapp_address(text: str) -> str:
    """``+1555...`` -> ``whatsapp:+1555...`` (a ``whatsapp:`` address is kept, its prefix in
    lower case). Raises ``ValueError`` for an address of another channel (``client:``...)."""
    address = parse_address(text)
    if address.channel not in ("phone", "whatsapp"):
        raise ValueError(f"not a phone number or WhatsApp address: {text[:64]!r}")
    return format_address("whatsapp", address.bare)


def country_of(address: str) -> str:
    """The ISO country of a number from :data:`CALLING_CODES` (prefix ignored), or ``""``."""
    bare = parse_address(address).bare
    for country, code in CALLING_CODES.items():
        if bare.startswith(code):
            return country
    return ""
