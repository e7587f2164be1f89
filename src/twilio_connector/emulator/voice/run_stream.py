"""Media Streams: ``<Connect><Stream>`` (bidirectional) and ``<Start>``/``<Stop><Stream>``."""

from __future__ import annotations

from .model import Connect, Stream, StreamControl
from .run_context import CallRuntime, Flow

__all__ = ["run_connect_stream", "run_stream_control"]


async def run_connect_stream(rt: CallRuntime, verb: Connect, stream: Stream) -> Flow:
    raise NotImplementedError


async def run_stream_control(rt: CallRuntime, verb: StreamControl) -> Flow:
    raise NotImplementedError
