"""Realtime voice in the emulator: Media Streams and ConversationRelay sessions, the caller's
audio."""
