"""ConversationRelay (``<Connect><ConversationRelay>``): its WebSocket messages, typed.

One JSON text frame per message, tagged by ``type`` (TWILIO.md §23, Twilio's "Getting and
sending WebSocket messages"). Twilio does the speech: the app reads the caller's words as
text and answers with text tokens. Wire names are camelCase (``voicePrompt``), attributes
snake_case (``voice_prompt``; ``from`` is ``from_``).

From Twilio (:data:`TwilioMessage`, decoded by :func:`decode_twilio_message`)::

    Setup      first, once: sessionId, accountSid, callSid, from, to, ..., customParameters
    Prompt     the caller's words: voicePrompt, lang, last (false only with partialPrompts)
    Dtmf       a key (with dtmfDetection): digit
    Interrupt  the caller spoke over the agent: utteranceUntilInterrupt, durationUntilInterruptMs
    ErrorMessage  type "error": description
    Info       type "info" (with debug/events subscriptions; its fields are unconfirmed, so
               they are kept as a dict)

From the app (:data:`AppMessage`, decoded by :func:`decode_app_message`): :class:`Text`
(streamed tokens, ``last`` closes the talk cycle), :class:`Play`, :class:`SendDigits`,
:class:`Language`, :class:`End` (``handoffData``: a string, usually JSON, forwarded verbatim
to the ``<Connect action>``). Optional keys left ``None`` are not sent.

Any other ``type`` decodes to :class:`Unknown`; anything malformed raises
:class:`~twilio_connector.realtime.errors.InvalidMessageError` naming the field, code 64107
(Twilio's "invalid message received from the application").

Unconfirmed (TWILIO.md §25): the full optional-key set of ``text`` and ``play``, the fields
of ``info``; ``sendDigits`` accepts ``0-9 * # w W`` here (``w`` is a 0.5 s pause, as in
``<Number sendDigits>``).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import msgspec

from ._codec import MAX_MESSAGE_BYTES, MessageDecoder, encoder

__all__ = [
    "MAX_MESSAGE_BYTES",
    "AppMessage",
    "Dtmf",
    "End",
    "ErrorMessage",
    "Info",
    "Interrupt",
    "Language",
    "Play",
    "Prompt",
    "SendDigits",
    "Setup",
    "Text",
    "TwilioMessage",
    "Unknown",
    "decode_app_message",
    "decode_twilio_message",
    "encode",
    "encode_bytes",
]

Digit = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Da-d*#]$")]
Digits = Annotated[str, msgspec.Meta(pattern=r"^[0-9*#wW]{1,256}$")]


class _Message(msgspec.Struct, kw_only=True, frozen=True, rename="camel", tag_field="type"):
    pass


class _Optional(_Message, kw_only=True, frozen=True, omit_defaults=True):
    """App messages: optional keys left ``None`` are not sent."""


# --------------------------------------------------------------------------- from Twilio


class Setup(_Message, tag="setup", kw_only=True, frozen=True):
    """The session and the call, sent once right after the socket opens."""

    session_id: str
    account_sid: str
    call_sid: str
    parent_call_sid: str = ""
    from_: str = ""
    to: str = ""
    forwarded_from: str = ""
    call_type: str = ""
    caller_name: str = ""
    direction: str = ""
    call_status: str = ""
    custom_parameters: dict[str, str] = {}


class Prompt(_Message, tag="prompt", kw_only=True, frozen=True):
    """What the caller said, as text."""

    voice_prompt: str
    lang: str = ""
    last: bool = True


class Dtmf(_Message, tag="dtmf", kw_only=True, frozen=True):
    """A key the caller pressed (``dtmfDetection``)."""

    digit: Digit


class Interrupt(_Message, tag="interrupt", kw_only=True, frozen=True):
    """The caller barged in: what the agent had said, and after how long."""

    utterance_until_interrupt: str
    duration_until_interrupt_ms: int


class ErrorMessage(_Message, tag="error", kw_only=True, frozen=True):
    """Twilio's report of a problem (e.g. an invalid message the app sent)."""

    description: str


class Info(msgspec.Struct, kw_only=True, frozen=True):
    """An ``info`` message (debug/events subscriptions); its fields are kept as sent."""

    data: dict[str, Any]


TwilioMessage: TypeAlias = Setup | Prompt | Dtmf | Interrupt | ErrorMessage
"""Every message Twilio sends with a known shape (``info`` decodes to :class:`Info`)."""


# --------------------------------------------------------------------------- from the app


class Text(_Optional, tag="text", kw_only=True, frozen=True):
    """Words to speak: stream ``token``s with ``last=False``, end the turn with ``last=True``."""

    token: str
    last: bool
    lang: str | None = None
    interruptible: bool | None = None
    preemptible: bool | None = None


class Play(_Optional, tag="play", kw_only=True, frozen=True):
    """Play an audio file (``source``: its URL)."""

    source: str
    loop: int | None = None
    preemptible: bool | None = None
    interruptible: bool | None = None


class SendDigits(_Optional, tag="sendDigits", kw_only=True, frozen=True):
    """Send DTMF to the call (``w``: half a second's pause)."""

    digits: Digits


class Language(_Optional, tag="language", kw_only=True, frozen=True):
    """Switch the speech (``tts_language``) and/or recognition (``transcription_language``)."""

    tts_language: str | None = None
    transcription_language: str | None = None


class End(_Optional, tag="end", kw_only=True, frozen=True):
    """End the session; ``handoff_data`` goes to the ``<Connect action>`` as ``HandoffData``."""

    handoff_data: str | None = None


AppMessage: TypeAlias = Text | Play | SendDigits | Language | End
"""Every message an app may send on a ConversationRelay socket."""


class Unknown(msgspec.Struct, kw_only=True, frozen=True):
    """A message whose ``type`` this release does not know, kept whole."""

    type: str
    data: dict[str, Any]


def _twilio_unknown(kind: str, data: dict[str, Any]) -> Info | Unknown:
    return Info(data=data) if kind == "info" else Unknown(type=kind, data=data)


def _app_unknown(kind: str, data: dict[str, Any]) -> Unknown:
    return Unknown(type=kind, data=data)


_twilio: MessageDecoder[TwilioMessage, Info | Unknown] = MessageDecoder(
    TwilioMessage,
    protocol="conversation-relay",
    tag_field="type",
    unknown=_twilio_unknown,
    malformed_code=64107,
    invalid_code=64107,
)
_app: MessageDecoder[AppMessage, Unknown] = MessageDecoder(
    AppMessage,
    protocol="conversation-relay",
    tag_field="type",
    unknown=_app_unknown,
    malformed_code=64107,
    invalid_code=64107,
)


def decode_twilio_message(
    data: str | bytes | bytearray | memoryview, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> TwilioMessage | Info | Unknown:
    """A text frame Twilio sent -> its message (what an app receives)."""
    return _twilio(data, max_bytes=max_bytes)


def decode_app_message(
    data: str | bytes | bytearray | memoryview, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> AppMessage | Unknown:
    """A text frame an app sent -> its message (what Twilio, or the emulator, receives)."""
    return _app(data, max_bytes=max_bytes)


def encode_bytes(message: TwilioMessage | AppMessage | Info | Unknown) -> bytes:
    """The UTF-8 JSON of ``message``."""
    if isinstance(message, Info | Unknown):
        return encoder.encode(message.data)
    return encoder.encode(message)


def encode(message: TwilioMessage | AppMessage | Info | Unknown) -> str:
    """The text frame of ``message`` (send it as a WebSocket *text* message)."""
    return encode_bytes(message).decode("utf-8")
