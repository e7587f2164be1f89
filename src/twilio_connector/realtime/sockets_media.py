"""The agent's side of a Media Streams socket: typed messages in, audio, marks and clear out.

``async for message in socket`` yields the messages of
:mod:`~twilio_connector.realtime.media_streams` that Twilio sends: :class:`Start` (also kept
as :attr:`MediaStreamSocket.start`), :class:`Media`, :class:`Dtmf`, :class:`Mark`,
:class:`Stop` and :class:`Unknown` for events this release does not know. ``connected`` is
read and kept (:attr:`MediaStreamSocket.connected`), not yielded. The iteration ends after
``stop`` or when Twilio closes the socket. A frame that is not a valid message is logged
and skipped: one bad frame does not end the agent's call.

The send helpers need the stream's SID, so they work once ``start`` has been read.
"""

from __future__ import annotations

from typing import TypeAlias

from . import media_streams
from .errors import InvalidMessageError
from .media_streams import Connected, Dtmf, Mark, Media, Start, StartMetadata, Stop, Unknown
from .sockets_base import AgentSocket, log

__all__ = ["MediaStreamEvent", "MediaStreamSocket", "StreamNotStartedError"]

MediaStreamEvent: TypeAlias = Start | Media | Dtmf | Mark | Stop | Unknown
"""What iterating a :class:`MediaStreamSocket` yields."""


class StreamNotStartedError(RuntimeError):
    """A send before Twilio's ``start`` message: the stream SID is not known yet."""


class MediaStreamSocket(AgentSocket):
    """A Media Streams socket, accepted (see :meth:`AgentSocket.accept`)."""

    protocol_name = "Media Streams"

    connected: Connected | None = None
    """The ``connected`` message, once read."""
    start: StartMetadata | None = None
    """The ``start`` message's metadata (SIDs, tracks, custom parameters), once read."""
    _stopped = False

    @property
    def stream_sid(self) -> str | None:
        return self.start.stream_sid if self.start is not None else None

    @property
    def call_sid(self) -> str | None:
        return self.start.call_sid if self.start is not None else None

    @property
    def account_sid(self) -> str | None:
        return self.start.account_sid if self.start is not None else None

    @property
    def custom_parameters(self) -> dict[str, str]:
        """The ``<Parameter>``s of the ``<Stream>`` (empty before ``start``)."""
        return dict(self.start.custom_parameters) if self.start is not None else {}

    def __aiter__(self) -> MediaStreamSocket:
        return self

    async def __anext__(self) -> MediaStreamEvent:
        while not self._stopped:
            data = await self._next_frame()
            if data is None:
                break
            try:
                message = media_streams.decode_twilio_message(
                    data, max_bytes=self.max_message_bytes
                )
            except InvalidMessageError as exc:
                log.warning("skipping an invalid Media Streams message: %s", exc)
                continue
            if isinstance(message, Connected):
                self.connected = message
                continue
            if isinstance(message, Start):
                self.start = message.start
            elif isinstance(message, Stop):
                self._stopped = True
            return message
        raise StopAsyncIteration

    def _sid(self) -> str:
        if self.start is None:
            raise StreamNotStartedError(
                "no 'start' message yet: iterate the socket until Start before sending"
            )
        return self.start.stream_sid

    async def send_media(self, mulaw: bytes) -> None:
        """Queue ``mulaw`` (raw 8 kHz μ-law, no header) to play to the caller, as one
        message (split it with :func:`~twilio_connector.realtime.audio.split_frames` for
        20 ms frames)."""
        await self.send_raw(media_streams.encode(media_streams.media(self._sid(), bytes(mulaw))))

    async def send_mark(self, name: str) -> None:
        """Queue a mark: Twilio sends it back (a :class:`Mark`) once the audio before it
        has played, or when :meth:`clear` drops that audio."""
        await self.send_raw(media_streams.encode(media_streams.mark(self._sid(), name)))

    async def clear(self) -> None:
        """Drop the audio queued and not yet played (the caller barged in)."""
        await self.send_raw(media_streams.encode(media_streams.clear(self._sid())))
