"""ConversationRelay: ``<Connect><ConversationRelay>``."""

from __future__ import annotations

from .model import Connect, ConversationRelay
from .run_context import CallRuntime, Flow

__all__ = ["run_connect_relay"]


async def run_connect_relay(rt: CallRuntime, verb: Connect, relay: ConversationRelay) -> Flow:
    raise NotImplementedError
