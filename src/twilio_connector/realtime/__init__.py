"""Realtime voice on the wire: Media Streams, ConversationRelay and the audio they carry.

The one definition of both WebSocket protocols, shared by the emulator (which plays
Twilio's side) and by apps (the agent's side), and of the call audio format:

* :mod:`~twilio_connector.realtime.media_streams`: ``<Connect><Stream>`` / ``<Start><Stream>``
  messages (``event``-tagged; base64 μ-law audio in ``media``);
* :mod:`~twilio_connector.realtime.conversation_relay`: ``<Connect><ConversationRelay>``
  messages (``type``-tagged text: prompts in, tokens out);
* :mod:`~twilio_connector.realtime.audio`: G.711 μ-law at 8 kHz in 20 ms frames, PCM16,
  WAV files and resampling to 8 kHz mono, in the standard library alone.

Each protocol module has ``decode_twilio_message`` (what an app receives),
``decode_app_message`` (what Twilio receives) and ``encode``. Pure and core: no I/O, no
dependency beyond msgspec.
"""

from __future__ import annotations

from . import audio, conversation_relay, media_streams
from .errors import InvalidMessageError

__all__ = ["InvalidMessageError", "audio", "conversation_relay", "media_streams"]
