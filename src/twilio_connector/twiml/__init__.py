"""TwiML builders: typed ``VoiceResponse`` and ``MessagingResponse`` documents.

Example::

    from twilio_connector.twiml import VoiceResponse

    r = VoiceResponse()
    r.say("Hello", voice="alice", language="en-US", loop=2)
    with r.gather(num_digits=4, action="/gather", timeout=5, input=["dtmf", "speech"]) as g:
        g.say("Enter your PIN, then press pound.")
    r.hangup()
    str(r)  # one line, shown wrapped:
    # <?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice" language="en-US"
    # loop="2">Hello</Say><Gather input="dtmf speech" action="/gather" timeout="5"
    # numDigits="4"><Say>Enter your PIN, then press pound.</Say></Gather><Hangup/></Response>

Each builder method (``r.say``, ``g.say``, ``dial.number``, ...) appends a new child and returns
it, so nesting reads top-down; :meth:`TwiML.append` returns ``self`` for chaining. Keyword
arguments are snake case in Python and Twilio's camelCase on the wire (``num_digits`` ->
``numDigits``, ``from_`` -> ``from``); ``True`` -> ``"true"``; lists are space separated.
Attributes without a typed parameter go through ``**extra`` the same way.

Nesting is checked while you build against :data:`VOICE_VERBS` / :data:`MESSAGING_VERBS`
(element tag -> tags it may contain, :data:`TEXT` for character data). Builders only exist for
allowed children (``Gather`` has no ``dial``); :meth:`TwiML.append` and :meth:`TwiML.add_child`
raise :class:`TwiMLError` for a child the table does not allow. The emulator validates fetched
documents against the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from . import dial as _dial
from . import messaging as _messaging
from . import ssml as _ssml
from . import voice as _voice
from ._core import AttrValue, Redirect, SpaceSeparated, TwiML, TwiMLError, wire_name
from ._schema import MESSAGING_VERBS, TEXT, VOICE_VERBS
from .dial import (
    Application,
    ApplicationSid,
    Client,
    Conference,
    Dial,
    Identity,
    Number,
    Parameter,
    Queue,
    Sim,
    Sip,
    WhatsApp,
)
from .messaging import Body, Media, Message, MessagingResponse
from .voice import (
    Config,
    Connect,
    ConversationRelay,
    Enqueue,
    Gather,
    Hangup,
    Language,
    Leave,
    Pause,
    Play,
    Record,
    Recording,
    Reject,
    Room,
    Say,
    Siprec,
    Sms,
    Start,
    Stop,
    Stream,
    Task,
    Transcription,
    VoiceMessage,
    VoiceResponse,
)

__all__ = [
    "MESSAGING_ATTRIBUTES",
    "MESSAGING_VERBS",
    "TEXT",
    "VOICE_ATTRIBUTES",
    "VOICE_VERBS",
    "Application",
    "ApplicationSid",
    "AttrValue",
    "Body",
    "Client",
    "Conference",
    "Config",
    "Connect",
    "ConversationRelay",
    "Dial",
    "Enqueue",
    "Gather",
    "Hangup",
    "Identity",
    "Language",
    "Leave",
    "Media",
    "Message",
    "MessagingResponse",
    "Number",
    "Parameter",
    "Pause",
    "Play",
    "Queue",
    "Record",
    "Recording",
    "Redirect",
    "Reject",
    "Room",
    "Say",
    "Sim",
    "Sip",
    "Siprec",
    "Sms",
    "SpaceSeparated",
    "Start",
    "Stop",
    "Stream",
    "Task",
    "Transcription",
    "TwiML",
    "TwiMLError",
    "VoiceMessage",
    "VoiceResponse",
    "WhatsApp",
    "wire_name",
]


def _attribute_table(grammar: str) -> Mapping[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for module in (_voice, _dial, _ssml, _messaging):
        for name in module.__all__:
            cls = getattr(module, name)
            if cls.tag and cls.grammar == grammar and cls.tag != "Response":
                table[cls.tag] = frozenset(cls.attributes.values())
    table["Redirect"] = frozenset(Redirect.attributes.values())
    return MappingProxyType(table)


VOICE_ATTRIBUTES: Final = _attribute_table("voice")
"""Voice element tag -> the wire names of its documented attributes (typed parameters).

Covers the elements that have a typed builder; a tag that is absent has no catalogue here
(it is still valid if :data:`VOICE_VERBS` lists it).
"""
MESSAGING_ATTRIBUTES: Final = _attribute_table("messaging")
"""Messaging element tag -> the wire names of its documented attributes."""
