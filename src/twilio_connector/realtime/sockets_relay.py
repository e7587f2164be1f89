"""The agent's side of a ConversationRelay socket: the caller's words in, text tokens out.

``async for message in socket`` yields the messages of
:mod:`~twilio_connector.realtime.conversation_relay` that Twilio sends: :class:`Setup` first
(also kept as :attr:`ConversationRelaySocket.setup`), then :class:`Prompt`, :class:`Dtmf`,
:class:`Interrupt`, :class:`ErrorMessage`, :class:`Info` and :class:`Unknown`. The iteration
ends when Twilio closes the socket (after the agent's :meth:`~ConversationRelaySocket.end`,
or when the call ends). A frame that is not a valid message is logged and skipped.

Every send helper checks its message as Twilio would (the same decoder the emulator uses)
and raises :class:`~twilio_connector.realtime.errors.InvalidMessageError` instead of sending
something Twilio would answer with error 64107.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import msgspec

from . import conversation_relay as relay
from .conversation_relay import (
    Dtmf,
    ErrorMessage,
    Info,
    Interrupt,
    Prompt,
    Setup,
    Unknown,
)
from .errors import InvalidMessageError
from .sockets_base import AgentSocket, log

__all__ = ["ConversationRelayEvent", "ConversationRelaySocket"]

ConversationRelayEvent: TypeAlias = (
    Setup | Prompt | Dtmf | Interrupt | ErrorMessage | Info | Unknown
)
"""What iterating a :class:`ConversationRelaySocket` yields."""

_json = msgspec.json.Encoder()


class ConversationRelaySocket(AgentSocket):
    """A ConversationRelay socket, accepted (see :meth:`AgentSocket.accept`)."""

    protocol_name = "ConversationRelay"

    setup: Setup | None = None
    """The ``setup`` message (session, call SIDs, custom parameters), once read."""

    @property
    def call_sid(self) -> str | None:
        return self.setup.call_sid if self.setup is not None else None

    @property
    def session_id(self) -> str | None:
        return self.setup.session_id if self.setup is not None else None

    @property
    def custom_parameters(self) -> dict[str, str]:
        """The ``<Parameter>``s of the ``<ConversationRelay>`` (empty before ``setup``)."""
        return dict(self.setup.custom_parameters) if self.setup is not None else {}

    def __aiter__(self) -> ConversationRelaySocket:
        return self

    async def __anext__(self) -> ConversationRelayEvent:
        while True:
            data = await self._next_frame()
            if data is None:
                raise StopAsyncIteration
            try:
                message = relay.decode_twilio_message(data, max_bytes=self.max_message_bytes)
            except InvalidMessageError as exc:
                log.warning("skipping an invalid ConversationRelay message: %s", exc)
                continue
            if isinstance(message, Setup):
                self.setup = message
            return message

    async def _send_message(self, message: relay.AppMessage) -> None:
        text = relay.encode(message)
        relay.decode_app_message(text)  # raises InvalidMessageError as Twilio would refuse it
        await self.send_raw(text)

    async def send_text(
        self,
        token: str,
        *,
        last: bool = False,
        lang: str | None = None,
        interruptible: bool | None = None,
        preemptible: bool | None = None,
    ) -> None:
        """Stream one ``token`` of the agent's reply; ``last=True`` ends the turn.

        ``lang``, ``interruptible``, ``preemptible``: sent only when given.
        """
        await self._send_message(
            relay.Text(
                token=token,
                last=last,
                lang=lang,
                interruptible=interruptible,
                preemptible=preemptible,
            )
        )

    async def say(
        self,
        text: str,
        *,
        lang: str | None = None,
        interruptible: bool | None = None,
        preemptible: bool | None = None,
    ) -> None:
        """The whole reply at once: one token with ``last=True`` (options as :meth:`send_text`)."""
        await self.send_text(
            text, last=True, lang=lang, interruptible=interruptible, preemptible=preemptible
        )

    async def play(
        self,
        source: str,
        *,
        loop: int | None = None,
        preemptible: bool | None = None,
        interruptible: bool | None = None,
    ) -> None:
        """Play the audio file at ``source`` (a URL) to the caller."""
        await self._send_message(
            relay.Play(
                source=source, loop=loop, preemptible=preemptible, interruptible=interruptible
            )
        )

    async def send_digits(self, digits: str) -> None:
        """Send DTMF (``0-9 * #``; ``w``: half a second's pause)."""
        await self._send_message(relay.SendDigits(digits=digits))

    async def set_language(self, tts: str | None = None, transcription: str | None = None) -> None:
        """Switch the language of speech (``tts``) and/or recognition (``transcription``)."""
        if tts is None and transcription is None:
            raise ValueError("set_language needs tts= and/or transcription=")
        await self._send_message(
            relay.Language(tts_language=tts, transcription_language=transcription)
        )

    async def end(self, handoff_data: str | Mapping[str, Any] | None = None) -> None:
        """End the session; Twilio then requests the ``<Connect action>`` URL.

        ``handoff_data`` reaches that request as ``HandoffData``: a string as given, or a
        mapping encoded as JSON. Twilio closes the socket afterwards.
        """
        if handoff_data is not None and not isinstance(handoff_data, str):
            handoff_data = _json.encode(dict(handoff_data)).decode("utf-8")
        await self._send_message(relay.End(handoff_data=handoff_data))
