"""Media Streams (``<Connect><Stream>`` / ``<Start><Stream>``): its WebSocket messages, typed.

One JSON text frame per message, tagged by ``event`` (TWILIO.md §22, Twilio's "Media
Streams - WebSocket Messages"). Field names are the wire's camelCase (``streamSid``) as
snake_case attributes (``stream_sid``); numbers Twilio sends as strings stay strings
(``sequence_number="1"``, ``chunk="1"``, ``timestamp="5"``), checked to be decimal digits,
with ``int`` properties beside them. Audio payloads are ``bytes`` of raw μ-law: msgspec
decodes and encodes the base64 itself (see :mod:`twilio_connector.realtime.audio`).

From Twilio (:data:`TwilioMessage`, decoded by :func:`decode_twilio_message`)::

    Connected  {"event":"connected","protocol":"Call","version":"1.0.0"}
    Start      start: accountSid, streamSid, callSid, tracks, customParameters, mediaFormat
    Media      media: track, chunk, timestamp, payload
    Dtmf       dtmf: track, digit          (bidirectional streams only)
    Mark       mark: name                  (an app mark, once the audio before it played)
    Stop       stop: accountSid, callSid

From the app (:data:`AppMessage`, decoded by :func:`decode_app_message`; bidirectional
streams only, ``streamSid`` required): :class:`SendMedia`, :class:`SendMark`, :class:`Clear`.

:func:`encode` gives the text frame of any of them. An ``event`` this release does not know
decodes to :class:`Unknown` (its fields kept as a dict) rather than failing; anything else
malformed raises :class:`~twilio_connector.realtime.errors.InvalidMessageError` naming the
field, with code 31950 (not JSON) or 31951 (invalid message), the warnings Twilio logs.

Unconfirmed (TWILIO.md §25): whether ``start`` carries the stream's ``name`` (kept as an
optional :attr:`StartMetadata.name`, omitted from the wire when unset) and whether
``chunk`` counts per track.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import msgspec

from ._codec import MAX_MESSAGE_BYTES, MessageDecoder, encoder

if TYPE_CHECKING:
    from twilio_connector.enums import Unrecognized

__all__ = [
    "MAX_MESSAGE_BYTES",
    "AppMessage",
    "AudioPayload",
    "Clear",
    "Connected",
    "Dtmf",
    "DtmfDigit",
    "Mark",
    "MarkLabel",
    "Media",
    "MediaChunk",
    "MediaFormat",
    "SendMark",
    "SendMedia",
    "Start",
    "StartMetadata",
    "Stop",
    "StopMetadata",
    "Track",
    "TrackValue",
    "TwilioMessage",
    "Unknown",
    "clear",
    "decode_app_message",
    "decode_twilio_message",
    "encode",
    "encode_bytes",
    "mark",
    "media",
]

Track: TypeAlias = Literal["inbound", "outbound"]
"""The audio a ``media`` message carries: the caller's (``inbound``) or what they hear."""
if TYPE_CHECKING:
    TrackValue: TypeAlias = Track | Unrecognized
else:
    TrackValue = str

Counter = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{1,20}$")]
"""A number Twilio sends as a string of decimal digits (sequence numbers, chunks, ms)."""
Digit = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Da-d*#]$")]
"""One DTMF key."""


class _Message(msgspec.Struct, kw_only=True, frozen=True, rename="camel", tag_field="event"):
    """Fields every message from Twilio but ``connected`` has."""


class _FromTwilio(_Message, kw_only=True, frozen=True):
    sequence_number: Counter
    stream_sid: str

    @property
    def sequence(self) -> int:
        """``sequenceNumber`` as a number (``1`` for the first message after ``connected``)."""
        return int(self.sequence_number)


# --------------------------------------------------------------------------- from Twilio


class Connected(_Message, tag="connected", kw_only=True, frozen=True):
    """The first message on the socket: the protocol to expect."""

    protocol: str = "Call"
    version: str = "1.0.0"


class MediaFormat(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    """The audio's format: always 8 kHz mono μ-law on Twilio's Media Streams."""

    encoding: str = "audio/x-mulaw"
    sample_rate: int = 8000
    channels: int = 1


class StartMetadata(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    """What ``start`` says about the stream."""

    account_sid: str
    stream_sid: str
    call_sid: str
    tracks: list[TrackValue]
    custom_parameters: dict[str, str] = {}
    media_format: MediaFormat = MediaFormat()
    name: str | msgspec.UnsetType = msgspec.UNSET
    """The ``<Stream name>`` (unconfirmed on the wire; omitted when unset)."""


class Start(_FromTwilio, tag="start", kw_only=True, frozen=True):
    """The stream's metadata, right after ``connected`` (``sequenceNumber`` ``"1"``)."""

    start: StartMetadata


class MediaChunk(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    """One frame of audio: raw μ-law ``payload`` (base64 on the wire)."""

    track: TrackValue
    chunk: Counter
    timestamp: Counter
    payload: bytes

    @property
    def chunk_number(self) -> int:
        """``chunk`` as a number (counts from 1)."""
        return int(self.chunk)

    @property
    def timestamp_ms(self) -> int:
        """``timestamp`` as a number: milliseconds since the stream started."""
        return int(self.timestamp)


class Media(_FromTwilio, tag="media", kw_only=True, frozen=True):
    """A frame of the call's audio (20 ms, 160 bytes, about 50 a second per track)."""

    media: MediaChunk


class DtmfDigit(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    track: str = "inbound_track"
    digit: Digit


class Dtmf(_FromTwilio, tag="dtmf", kw_only=True, frozen=True):
    """A key the caller pressed (bidirectional streams only)."""

    dtmf: DtmfDigit


class MarkLabel(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    name: str


class Mark(_FromTwilio, tag="mark", kw_only=True, frozen=True):
    """The echo of an app's mark: the audio sent before it has played (or was cleared)."""

    mark: MarkLabel


class StopMetadata(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    account_sid: str
    call_sid: str


class Stop(_FromTwilio, tag="stop", kw_only=True, frozen=True):
    """The stream ended (``<Stop>``, REST stop, hang-up, ``<Connect>`` over); the socket closes."""

    stop: StopMetadata


TwilioMessage: TypeAlias = Connected | Start | Media | Dtmf | Mark | Stop
"""Every message Twilio sends on a Media Streams socket."""


# --------------------------------------------------------------------------- from the app


class _FromApp(_Message, kw_only=True, frozen=True):
    stream_sid: str


class AudioPayload(msgspec.Struct, kw_only=True, frozen=True, rename="camel"):
    payload: bytes
    """Raw 8 kHz μ-law, no header (base64 on the wire)."""


class SendMedia(_FromApp, tag="media", kw_only=True, frozen=True):
    """Audio to play to the caller, queued after what was sent before."""

    media: AudioPayload


class SendMark(_FromApp, tag="mark", kw_only=True, frozen=True):
    """A label Twilio returns (as :class:`Mark`) once the audio queued before it has played."""

    mark: MarkLabel


class Clear(_FromApp, tag="clear", kw_only=True, frozen=True):
    """Drop the queued, unplayed audio (barge-in); pending marks come back."""


AppMessage: TypeAlias = SendMedia | SendMark | Clear
"""Every message an app may send on a bidirectional stream."""


class Unknown(msgspec.Struct, kw_only=True, frozen=True):
    """A message whose ``event`` this release does not know, kept whole."""

    event: str
    data: dict[str, Any]


def media(stream_sid: str, audio: bytes) -> SendMedia:
    """The ``media`` message that plays ``audio`` (raw μ-law) on ``stream_sid``."""
    return SendMedia(stream_sid=stream_sid, media=AudioPayload(payload=audio))


def mark(stream_sid: str, name: str) -> SendMark:
    return SendMark(stream_sid=stream_sid, mark=MarkLabel(name=name))


def clear(stream_sid: str) -> Clear:
    return Clear(stream_sid=stream_sid)


def _unknown(event: str, data: dict[str, Any]) -> Unknown:
    return Unknown(event=event, data=data)


_twilio: MessageDecoder[TwilioMessage, Unknown] = MessageDecoder(
    TwilioMessage,
    protocol="media-streams",
    tag_field="event",
    unknown=_unknown,
    malformed_code=31950,
    invalid_code=31951,
)
_app: MessageDecoder[AppMessage, Unknown] = MessageDecoder(
    AppMessage,
    protocol="media-streams",
    tag_field="event",
    unknown=_unknown,
    malformed_code=31950,
    invalid_code=31951,
)


def decode_twilio_message(
    data: str | bytes | bytearray | memoryview, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> TwilioMessage | Unknown:
    """A text frame Twilio sent -> its message (what an app receives)."""
    return _twilio(data, max_bytes=max_bytes)


def decode_app_message(
    data: str | bytes | bytearray | memoryview, *, max_bytes: int = MAX_MESSAGE_BYTES
) -> AppMessage | Unknown:
    """A text frame an app sent -> its message (what Twilio, or the emulator, receives)."""
    return _app(data, max_bytes=max_bytes)


def encode_bytes(message: TwilioMessage | AppMessage | Unknown) -> bytes:
    """The UTF-8 JSON of ``message``."""
    if isinstance(message, Unknown):
        return encoder.encode(message.data)
    return encoder.encode(message)


def encode(message: TwilioMessage | AppMessage | Unknown) -> str:
    """The text frame of ``message`` (send it as a WebSocket *text* message)."""
    return encode_bytes(message).decode("utf-8")
