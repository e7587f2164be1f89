"""Realtime voice on the wire: Media Streams, ConversationRelay and the audio they carry.

The one definition of both WebSocket protocols, shared by the emulator (which plays
Twilio's side) and by apps (the agent's side), and of the call audio format:

* :mod:`~twilio_connector.realtime.media_streams`: ``<Connect><Stream>`` / ``<Start><Stream>``
  messages (``event``-tagged; base64 μ-law audio in ``media``);
* :mod:`~twilio_connector.realtime.conversation_relay`: ``<Connect><ConversationRelay>``
  messages (``type``-tagged text: prompts in, tokens out);
* :mod:`~twilio_connector.realtime.audio`: G.711 μ-law at 8 kHz in 20 ms frames, PCM16,
  WAV files and resampling to 8 kHz mono, in the standard library alone;
* :mod:`~twilio_connector.realtime.sockets`: the agent's side, over raw ASGI: the signed
  handshake checked, typed messages by ``async for``, send helpers, and ASGI apps
  (:func:`media_stream_app`, :func:`conversation_relay_app`) that mount in Starlette/FastAPI.

Each protocol module has ``decode_twilio_message`` (what an app receives),
``decode_app_message`` (what Twilio receives) and ``encode``. Core: no dependency beyond
msgspec (the sockets do their I/O through the ASGI callables they are given).
"""

from __future__ import annotations

from . import audio, conversation_relay, media_streams, sockets
from .errors import InvalidMessageError
from .sockets import (
    ConversationRelaySocket,
    HandshakeRejected,
    MediaStreamSocket,
    SocketClosedError,
    StreamNotStartedError,
    conversation_relay_app,
    media_stream_app,
)

__all__ = [
    "ConversationRelaySocket",
    "HandshakeRejected",
    "InvalidMessageError",
    "MediaStreamSocket",
    "SocketClosedError",
    "StreamNotStartedError",
    "audio",
    "conversation_relay",
    "conversation_relay_app",
    "media_stream_app",
    "media_streams",
    "sockets",
]
