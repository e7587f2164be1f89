"""Inputs of the seed connector's operations: ``VoiceCallInput`` and ``StatusCallback``."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["StatusCallback", "VoiceCallInput", "VoiceInputType"]


class VoiceInputType(str, enum.Enum):
    """How :attr:`VoiceCallInput.user_input` is interpreted."""

    MESSAGE_IN_TEXT = "MESSAGE_IN_TEXT"
    """Plain text, spoken with ``<Say>``."""
    TWIML_URL = "TWIML_URL"
    """A URL Twilio fetches TwiML from when the call is answered."""
    TWIML = "TWIML"
    """A TwiML document, sent inline."""


@dataclass(frozen=True)
class VoiceCallInput:
    """What a call does when answered (the seed's ``VoiceCallInput``)."""

    user_input: str
    user_input_type: VoiceInputType = VoiceInputType.MESSAGE_IN_TEXT

    MESSAGE_IN_TEXT = VoiceInputType.MESSAGE_IN_TEXT
    TWIML_URL = VoiceInputType.TWIML_URL
    TWIML = VoiceInputType.TWIML

    def __post_init__(self) -> None:
        if not isinstance(self.user_input, str) or not self.user_input.strip():
            raise ValueError("VoiceCallInput.user_input must be a non-empty string")
        object.__setattr__(self, "user_input_type", VoiceInputType(self.user_input_type))

    @classmethod
    def text(cls, message: str) -> VoiceCallInput:
        """Speak ``message`` (XML-escaped into ``<Say>``)."""
        return cls(message, VoiceInputType.MESSAGE_IN_TEXT)

    @classmethod
    def twiml_url(cls, url: str) -> VoiceCallInput:
        """Fetch TwiML from ``url`` when the call is answered."""
        return cls(url, VoiceInputType.TWIML_URL)

    @classmethod
    def twiml(cls, document: object) -> VoiceCallInput:
        """Run a TwiML document (a string or a :class:`twilio_connector.twiml.VoiceResponse`)."""
        return cls(str(document), VoiceInputType.TWIML)


CALL_EVENTS = ("initiated", "ringing", "answered", "completed")


@dataclass(frozen=True)
class StatusCallback:
    """Where Twilio reports status changes (``StatusCallback*`` parameters).

    For calls, ``events`` chooses the progress events (``initiated``, ``ringing``,
    ``answered``, ``completed``; Twilio's default is ``completed`` only). Messages are
    always reported with POST and every status; ``method``/``events`` apply to calls.
    """

    url: str
    method: str = "POST"
    events: Sequence[str] | None = field(default=None)

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"StatusCallback.url must be an http(s) URL, got {self.url!r}")
        method = self.method.upper()
        if method not in ("GET", "POST"):
            raise ValueError("StatusCallback.method must be GET or POST")
        object.__setattr__(self, "method", method)
        if self.events is not None:
            events = tuple(self.events)
            unknown = [e for e in events if e not in CALL_EVENTS]
            if unknown:
                raise ValueError(f"unknown status callback events {unknown}; use {CALL_EVENTS}")
            object.__setattr__(self, "events", events)

    @classmethod
    def all_events(cls, url: str, method: str = "POST") -> StatusCallback:
        """Report every call progress event."""
        return cls(url, method, CALL_EVENTS)
