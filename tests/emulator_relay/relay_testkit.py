"""A ConversationRelay app for tests: a plain ``websockets`` server on loopback.

Each test gives the app's behaviour as a coroutine ``behaviour(conn)``; :class:`AppConn`
reads the typed messages Twilio (the emulator) sends and sends the app's messages. What the
app received and the handshake's headers are kept on :class:`RelayApp` for assertions.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from twilio_connector.emulator.voice import InlineTwiml
from twilio_connector.realtime import conversation_relay as cr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "emulator_voice"))

from voice_testkit import (  # the interpreter's fake environment, shared
    AUTH_TOKEN,
    FakeVoiceEnv,
    kinds,
    make_call,
    run,
    session,
)

__all__ = [
    "AUTH_TOKEN",
    "AppConn",
    "FakeVoiceEnv",
    "RelayApp",
    "kinds",
    "make_call",
    "relay_twiml",
    "run",
    "session",
]

M = TypeVar("M")
Behaviour = Callable[["AppConn"], Awaitable[None]]


class AppConn:
    """One socket the emulator opened to the app."""

    def __init__(self, ws: ServerConnection, app: RelayApp) -> None:
        self.ws = ws
        self.app = app

    async def recv(self) -> Any:
        """The next message from the emulator (``None`` once the socket closed)."""
        try:
            text = await asyncio.wait_for(self.ws.recv(), 10)
        except ConnectionClosed:
            self.app.closed.set()
            return None
        message = cr.decode_twilio_message(text)
        self.app.received.append(message)
        return message

    async def expect(self, kind: type[M]) -> M:
        message = await self.recv()
        assert isinstance(message, kind), f"expected {kind.__name__}, got {message!r}"
        return message

    async def send(self, message: cr.AppMessage) -> None:
        await self.ws.send(cr.encode(message))

    async def say(self, *tokens: str, **options: Any) -> None:
        """A talk cycle streamed as ``tokens`` (the last one with ``last=True``)."""
        for index, token in enumerate(tokens):
            last = index == len(tokens) - 1
            await self.send(cr.Text(token=token, last=last, **(options if last else {})))

    async def drain(self) -> None:
        """Read until the emulator closes the socket."""
        while await self.recv() is not None:
            pass


class RelayApp:
    """``async with RelayApp(behaviour) as app``: ``app.url`` is its ``ws://`` URL."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received: list[Any] = []
        self.headers: dict[str, str] = {}
        self.path = ""
        self.closed = asyncio.Event()
        self.errors: list[BaseException] = []
        self._server: Server | None = None
        self.url = ""

    async def __aenter__(self) -> RelayApp:
        self._server = await serve(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/relay"
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        if kind is None and self.errors:
            raise self.errors[0]

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        self.headers = {k.lower(): v for k, v in ws.request.headers.raw_items()}
        self.path = ws.request.path
        try:
            await self.behaviour(AppConn(ws, self))
        except ConnectionClosed:
            self.closed.set()
        except BaseException as exc:  # surfaced by __aexit__
            self.errors.append(exc)
            raise

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.received if isinstance(m, kind)]


def relay_twiml(url: str, attrs: str = "", *, action: str | None = None, inner: str = "",
                after: str = "") -> InlineTwiml:  # fmt: skip
    connect = f' action="{action}"' if action else ""
    return InlineTwiml(
        f'<Response><Connect{connect}><ConversationRelay url="{url}" {attrs}>{inner}'
        f"</ConversationRelay></Connect>{after}</Response>"
    )
