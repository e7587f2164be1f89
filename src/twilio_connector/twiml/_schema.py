"""The shape of TwiML: which child elements (and text) each element may contain.

This is the single definition used both by the builders (to refuse a bad nesting at build
time) and by the emulator's TwiML interpreter (to validate documents it fetches).

Each table maps an element tag to the frozenset of tags it may contain. The pseudo-tag
:data:`TEXT` (``"#text"``, as in the DOM) in a set means the element may hold character data.
Tags are case-sensitive, like Twilio's.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["MESSAGING_VERBS", "TEXT", "VOICE_VERBS"]

TEXT: Final = "#text"


def _tags(words: str) -> frozenset[str]:
    return frozenset(words.split())


_EMPTY: Final[frozenset[str]] = frozenset()
_TEXT_ONLY: Final = frozenset({TEXT})

# SSML inside <Say> (tags are lower case, as Twilio's text-to-speech expects them).
_SSML_WORDS: Final = frozenset({"break", "emphasis", "phoneme", "prosody", "say-as", "sub", TEXT})
_SSML_PHRASE: Final = _SSML_WORDS | {"lang", "w"}
_SSML_BLOCK: Final = _SSML_PHRASE | {"p", "s"}

_SSML: Final[dict[str, frozenset[str]]] = {
    "break": _EMPTY,
    "emphasis": _SSML_PHRASE,
    "lang": _SSML_BLOCK,
    "p": _SSML_PHRASE | {"s"},
    "phoneme": _TEXT_ONLY,
    "prosody": _SSML_BLOCK,
    "s": _SSML_PHRASE,
    "say-as": _TEXT_ONLY,
    "sub": _TEXT_ONLY,
    "w": _SSML_WORDS,
}

_SAY_PLAY_PAUSE: Final = frozenset({"Say", "Play", "Pause"})

VOICE_VERBS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "Response": _tags(
            "Say Play Pause Gather Dial Record Redirect Hangup Reject Enqueue Leave Sms Message"
            " Connect Start Stop Pay Refer Echo"
        ),
        # Verbs.
        "Say": _SSML_BLOCK,
        "Play": _TEXT_ONLY,
        "Pause": _EMPTY,
        "Gather": _SAY_PLAY_PAUSE,
        "Dial": _tags(f"{TEXT} Number Client Sip Conference Queue Sim Application WhatsApp"),
        "Record": _EMPTY,
        "Redirect": _TEXT_ONLY,
        "Hangup": frozenset({"Parameter"}),
        "Reject": frozenset({"Parameter"}),
        "Enqueue": frozenset({TEXT, "Task"}),
        "Leave": _EMPTY,
        "Sms": _TEXT_ONLY,
        "Message": _TEXT_ONLY,
        "Connect": _tags(
            "Stream Room Conversation ConversationRelay VirtualAgent Autopilot AiSession"
            " ConversationRelaySession"
        ),
        "Start": frozenset({"Stream", "Siprec", "Transcription", "Recording"}),
        "Stop": frozenset({"Stream", "Siprec", "Transcription"}),
        "Pay": frozenset({"Prompt", "Parameter"}),
        "Refer": frozenset({"Sip"}),
        "Echo": _EMPTY,
        # Nouns of <Dial>.
        "Number": _TEXT_ONLY,
        "Client": frozenset({TEXT, "Identity", "Parameter"}),
        "Identity": _TEXT_ONLY,
        "Sip": frozenset({TEXT, "Uri", "Headers"}),
        "Uri": _TEXT_ONLY,
        "Headers": frozenset({"Header"}),
        "Header": _EMPTY,
        "Conference": _TEXT_ONLY,
        "Queue": _TEXT_ONLY,
        "Sim": _TEXT_ONLY,
        "WhatsApp": _TEXT_ONLY,
        "Application": frozenset({TEXT, "ApplicationSid", "Parameter"}),
        "ApplicationSid": _TEXT_ONLY,
        # Nouns of <Enqueue>, <Connect>, <Start>/<Stop>, <Pay>.
        "Task": _TEXT_ONLY,
        "Stream": frozenset({"Parameter"}),
        "Siprec": frozenset({"Parameter"}),
        "Transcription": frozenset({"Config", "Parameter"}),
        "Recording": _EMPTY,
        "Room": _TEXT_ONLY,
        "Conversation": _EMPTY,
        "ConversationRelay": frozenset({"Language", "Parameter"}),
        "ConversationRelaySession": _EMPTY,
        "Language": _EMPTY,
        "VirtualAgent": frozenset({"Config", "Parameter"}),
        "Autopilot": _TEXT_ONLY,
        "AiSession": _EMPTY,
        "Config": _EMPTY,
        "Prompt": _SAY_PLAY_PAUSE,
        "Parameter": _EMPTY,
        **_SSML,
    }
)
"""Voice TwiML: element tag -> tags (and :data:`TEXT`) it may contain."""

MESSAGING_VERBS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "Response": frozenset({"Message", "Redirect"}),
        "Message": frozenset({TEXT, "Body", "Media"}),
        "Body": _TEXT_ONLY,
        "Media": _TEXT_ONLY,
        "Redirect": _TEXT_ONLY,
    }
)
"""Messaging TwiML: element tag -> tags (and :data:`TEXT`) it may contain."""
