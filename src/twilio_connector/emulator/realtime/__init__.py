"""Realtime voice in the emulator: Media Streams and ConversationRelay sessions, the caller's
audio.

* :mod:`.socket`: the WebSockets the emulator opens to apps, signed as Twilio signs them;
* :mod:`.speech`: the caller's speech (Debian's espeak-ng).

The protocol logic itself is pure and lives with the voice interpreter
(:mod:`..voice.run_stream`, :mod:`..voice.run_relay`).
"""
