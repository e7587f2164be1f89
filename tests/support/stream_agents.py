"""Voice agents for the stream tests: plain ``websockets`` servers in a thread, written
against the documented Media Streams protocol (raw JSON), recording what they receive."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.sync.server import ServerConnection, serve


@dataclass
class Seen:
    """What one connection received: the handshake headers and every message."""

    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def events(self) -> list[str]:
        return [m["event"] for m in self.messages]

    def of(self, event: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["event"] == event]

    def audio(self, track: str = "inbound") -> bytes:
        return b"".join(
            base64.b64decode(m["media"]["payload"])
            for m in self.of("media")
            if m["media"]["track"] == track
        )


Behaviour = Callable[[ServerConnection, dict[str, Any], Seen], bool | None]
"""Called for each message; return True to close the socket."""


@dataclass
class Agent:
    url: str
    connections: list[Seen]


@contextmanager
def agent(behaviour: Behaviour | None = None, path: str = "/media") -> Iterator[Agent]:
    connections: list[Seen] = []

    def handler(ws: ServerConnection) -> None:
        seen = Seen(headers={k.lower(): v for k, v in ws.request.headers.raw_items()},
                    path=ws.request.path)  # fmt: skip
        connections.append(seen)
        closing = False
        try:
            for raw in ws:
                if closing:  # what arrives while the close handshake runs is dropped
                    continue
                message = json.loads(raw)
                seen.messages.append(message)
                if behaviour is not None and behaviour(ws, message, seen):
                    closing = True  # close from another thread, reading on meanwhile
                    threading.Thread(target=ws.close, daemon=True).start()
        finally:
            seen.done.set()

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Agent(f"ws://127.0.0.1:{port}{path}", connections)
        finally:
            server.shutdown()
            thread.join(10)


def send(ws: ServerConnection, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message))
