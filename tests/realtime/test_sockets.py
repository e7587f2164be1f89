"""The agent's side of both realtime protocols over real WebSockets on loopback.

uvicorn serves ``media_stream_app`` / ``conversation_relay_app`` (and Starlette and FastAPI
apps that mount them) on a free port in a thread; the test plays Twilio with the
``websockets`` client: a handshake signed by the official SDK's ``RequestValidator``, the
frames of TWILIO.md §22.3/§23.2 as literal JSON, and asserts on the exact JSON the helpers
send (§22.4/§23.3). Handlers record what they saw in a thread-safe :class:`Seen`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, WebSocket
from media_stream_frames import (
    AC,
    CA,
    CONNECTED,
    DTMF,
    FRAME,
    MARK,
    MEDIA,
    MZ,
    PAYLOAD,
    START,
    STOP,
)
from starlette.applications import Starlette
from starlette.routing import Mount, WebSocketRoute
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from twilio_connector._asgi.server import ServerThread
from twilio_connector.errors import ConfigurationError
from twilio_connector.realtime import (
    ConversationRelaySocket,
    HandshakeRejected,
    InvalidMessageError,
    MediaStreamSocket,
    StreamNotStartedError,
    conversation_relay,
    conversation_relay_app,
    media_stream_app,
    media_streams,
)
from twilio_connector.realtime.sockets import run_handler, socket_url, verify_handshake

TOKEN = "sockets-test-token-0123456789"
SETUP = {
    "type": "setup",
    "sessionId": "VX" + "0" * 32,
    "accountSid": AC,
    "parentCallSid": "",
    "callSid": CA,
    "from": "+18005550100",
    "to": "+18005550101",
    "forwardedFrom": "+18005550102",
    "callType": "PSTN",
    "callerName": "",
    "direction": "inbound",
    "callStatus": "RINGING",
    "customParameters": {"callReference": "bar"},
}
PROMPT = {"type": "prompt", "voicePrompt": "Ahoy! Can you hear me?", "lang": "en-US", "last": True}
INTERRUPT = {
    "type": "interrupt",
    "utteranceUntilInterrupt": "Welcome to the",
    "durationUntilInterruptMs": 460,
}


class Seen:
    """What a handler on the server's thread saw; ``done`` once it returned."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[Any] = []
        self.done = threading.Event()

    def add(self, item: Any) -> None:
        with self._lock:
            self.items.append(item)

    async def finished(self) -> list[Any]:
        assert await asyncio.to_thread(self.done.wait, 10), "the handler did not return"
        with self._lock:
            return list(self.items)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1:<free port>; yields ``ws://127.0.0.1:<port>``."""
    server = ServerThread(app, name="sockets-under-test", ws="websockets-sansio", lifespan="on")
    with server:
        yield f"ws://127.0.0.1:{server.port}"


def signature(url: str, token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, {}))


@asynccontextmanager
async def twilio(
    url: str, *, signed: str | None = None, token: str = TOKEN
) -> AsyncIterator[ClientConnection]:
    """Connect to ``url`` as Twilio does, signing ``signed`` (default: ``url``)."""
    headers = {"X-Twilio-Signature": signature(signed or url, token)}
    async with connect(url, additional_headers=headers, open_timeout=5, close_timeout=5) as ws:
        yield ws


async def send_all(ws: ClientConnection, *frames: dict[str, Any] | str) -> None:
    for frame in frames:
        await ws.send(frame if isinstance(frame, str) else json.dumps(frame))


async def received(ws: ClientConnection, n: int) -> list[dict[str, Any]]:
    return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(n)]


def recording(seen: Seen) -> Callable[[MediaStreamSocket], Awaitable[None]]:
    """A Media Streams handler recording every message; after ``start`` it sends
    media, a mark and clear."""

    async def handler(socket: MediaStreamSocket) -> None:
        try:
            try:
                await socket.send_mark("too-early")
            except StreamNotStartedError:
                seen.add("not-started")
            async for message in socket:
                seen.add(message)
                if isinstance(message, media_streams.Start):
                    seen.add((socket.stream_sid, socket.call_sid, socket.custom_parameters))
                    await socket.send_media(FRAME)
                    await socket.send_mark("reply-1-done")
                    await socket.clear()
            seen.add("end")
        finally:
            seen.done.set()

    return handler


# --------------------------------------------------------------------------- the handshake


def test_the_signature_of_the_documented_vector_matches_the_sdk() -> None:
    assert signature("wss://example.com/media", "12345") == "7PR3qMkpDyEJtMrVOY/LDyNq8J8="
    assert verify_handshake("wss://example.com/media", "7PR3qMkpDyEJtMrVOY/LDyNq8J8=", "12345")
    assert verify_handshake("wss://example.com:443/media", "7PR3qMkpDyEJtMrVOY/LDyNq8J8=", "12345")
    assert not verify_handshake("wss://example.com/media", "7PR3qMkpDyEJtMrVOY/LDyNq8J8=", "x")
    assert not verify_handshake("wss://example.com/other", "7PR3qMkpDyEJtMrVOY/LDyNq8J8=", "12345")
    assert not verify_handshake("wss://example.com/media", None, "12345")
    assert not verify_handshake("wss://example.com/media", "A" * 500, "12345")
    # a rotation: any of the tokens may sign
    vector = signature("wss://example.com/media", "12345")
    assert verify_handshake("wss://example.com/media", vector, ["old", "12345"])


def test_a_query_string_is_accepted_in_the_url_or_as_params() -> None:
    url = "wss://example.com/media?agent=7&lang=en"
    as_url = signature(url)
    as_params = str(
        RequestValidator(TOKEN).compute_signature(
            "wss://example.com/media", {"agent": "7", "lang": "en"}
        )
    )
    assert as_url != as_params
    assert verify_handshake(url, as_url, TOKEN)
    assert verify_handshake(url, as_params, TOKEN)
    assert not verify_handshake(url, signature("wss://example.com/media"), TOKEN)


def _scope(**extra: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "websocket",
        "scheme": "ws",
        "path": "/media",
        "raw_path": b"/media",
        "query_string": b"",
        "headers": [(b"host", b"agent.local:8080")],
        "server": ("127.0.0.1", 8080),
    }
    scope.update(extra)
    return scope


def test_the_signed_url_is_rebuilt_from_the_request() -> None:
    assert socket_url(_scope()) == "ws://agent.local:8080/media"
    assert socket_url(_scope(scheme="wss")) == "wss://agent.local:8080/media"
    forwarded = _scope(headers=[(b"host", b"x.ngrok.app"), (b"x-forwarded-proto", b"https")])
    assert socket_url(forwarded) == "wss://x.ngrok.app/media"
    with_query = _scope(query_string=b"a=1&b=%20")
    assert socket_url(with_query) == "ws://agent.local:8080/media?a=1&b=%20"
    encoded = _scope(path="/a b", raw_path=b"/a%20b")
    assert socket_url(encoded) == "ws://agent.local:8080/a%20b"
    assert socket_url(_scope(headers=[])) == "ws://127.0.0.1:8080/media"
    public = "wss://public.example.com/agents/media"
    assert socket_url(_scope(), public_url=public) == public
    assert socket_url(with_query, public_url=public) == public + "?a=1&b=%20"


def test_verifying_needs_a_token() -> None:
    async def handler(socket: MediaStreamSocket) -> None:
        pass

    with pytest.raises(ConfigurationError, match="verify=False"):
        media_stream_app(handler, auth_token=None)
    with pytest.raises(ConfigurationError):
        conversation_relay_app(handler, auth_token="")  # type: ignore[arg-type]
    app = media_stream_app(handler, auth_token=None, verify=False)
    assert "verify=False" in repr(app)
    assert TOKEN not in repr(media_stream_app(handler, auth_token=TOKEN))


# --------------------------------------------------------------------------- Media Streams


async def test_a_media_stream_yields_typed_messages_and_sends_the_documented_json() -> None:
    seen = Seen()
    with serve(media_stream_app(recording(seen), auth_token=TOKEN)) as base:
        async with twilio(f"{base}/media") as ws:
            await send_all(ws, CONNECTED, START)
            sent = await received(ws, 3)
            await send_all(
                ws,
                MEDIA,
                "not json",  # skipped with a warning
                {**MEDIA, "media": {**MEDIA["media"], "chunk": "x"}},  # invalid: skipped
                DTMF,
                {"event": "newthing", "sequenceNumber": "9", "streamSid": MZ},
                MARK,
                STOP,
            )
            items = await seen.finished()
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    assert sent == [
        {"event": "media", "streamSid": MZ, "media": {"payload": PAYLOAD}},
        {"event": "mark", "streamSid": MZ, "mark": {"name": "reply-1-done"}},
        {"event": "clear", "streamSid": MZ},
    ]
    assert items[0] == "not-started"
    kinds = [type(i).__name__ for i in items[1:]]
    assert kinds == ["Start", "tuple", "Media", "Dtmf", "Unknown", "Mark", "Stop", "str"]
    start, ids, media, dtmf, unknown, mark = items[1:7]
    assert start.start.custom_parameters == {"FirstName": "Jane"}
    assert ids == (MZ, CA, {"FirstName": "Jane"})
    assert media.media.payload == FRAME and media.media.chunk_number == 1
    assert dtmf.dtmf.digit == "1"
    assert unknown.event == "newthing"
    assert mark.mark.name == "my label"
    assert items[-1] == "end"


async def test_the_iteration_ends_when_twilio_closes_the_socket() -> None:
    seen = Seen()
    with serve(media_stream_app(recording(seen), auth_token=TOKEN)) as base:
        async with twilio(f"{base}/stream") as ws:
            await send_all(ws, CONNECTED, START)
            await received(ws, 3)
        items = await seen.finished()
    assert [type(i).__name__ for i in items] == ["str", "Start", "tuple", "str"]
    assert items[-1] == "end"


@pytest.mark.parametrize("header", [None, "bad", "signature-of-another-url"])
async def test_a_bad_or_missing_signature_gets_403_and_the_handler_never_runs(
    header: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    seen = Seen()
    with serve(media_stream_app(recording(seen), auth_token=TOKEN)) as base:
        headers = {}
        if header == "bad":
            headers["X-Twilio-Signature"] = "7PR3qMkpDyEJtMrVOY/LDyNq8J8="
        elif header is not None:
            headers["X-Twilio-Signature"] = signature(f"{base}/other")
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"{base}/media", additional_headers=headers, open_timeout=5):
                pass
        with pytest.raises(InvalidStatus):  # signed with another account's token
            async with twilio(f"{base}/media", token="another-token"):
                pass
    assert refused.value.response.status_code == 403
    assert not seen.items and not seen.done.is_set()
    assert "handshake refused" in caplog.text and TOKEN not in caplog.text


async def test_verify_false_accepts_an_unsigned_socket() -> None:
    seen = Seen()
    with serve(media_stream_app(recording(seen), auth_token=None, verify=False)) as base:
        async with connect(f"{base}/media", open_timeout=5) as ws:
            await send_all(ws, CONNECTED, START, STOP)
            assert len(await received(ws, 3)) == 3
        assert (await seen.finished())[-1] == "end"


async def test_a_failing_handler_closes_with_1011() -> None:
    async def handler(socket: MediaStreamSocket) -> None:
        async for _message in socket:
            raise RuntimeError("agent bug")

    with serve(media_stream_app(handler, auth_token=TOKEN)) as base:
        async with twilio(f"{base}/media") as ws:
            await send_all(ws, CONNECTED, START)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


async def test_an_http_request_to_a_socket_app_gets_426() -> None:
    async def handler(socket: MediaStreamSocket) -> None:
        pass

    with serve(media_stream_app(handler, auth_token=TOKEN)) as base:
        async with httpx.AsyncClient() as client:
            response = await client.get(base.replace("ws://", "http://") + "/media")
    assert response.status_code == 426
    assert response.headers["upgrade"] == "websocket"


# --------------------------------------------------------------------------- ConversationRelay


async def test_a_relay_yields_typed_messages_and_sends_the_documented_json() -> None:
    seen = Seen()

    async def agent(socket: ConversationRelaySocket) -> None:
        try:
            async for message in socket:
                seen.add(message)
                if isinstance(message, conversation_relay.Setup):
                    seen.add((socket.session_id, socket.call_sid, socket.custom_parameters))
                elif isinstance(message, conversation_relay.Prompt):
                    await socket.send_text("Hello, ")
                    await socket.send_text(
                        "how can I help?",
                        last=True,
                        lang="en-US",
                        interruptible=True,
                        preemptible=False,
                    )
                    await socket.say("Bye.")
                    await socket.play(
                        "https://example.com/hold.mp3",
                        loop=1,
                        preemptible=False,
                        interruptible=True,
                    )
                    await socket.send_digits("9www4567")
                    await socket.set_language(tts="sv-SE", transcription="en-US")
                    try:
                        await socket.send_digits("not digits")
                    except InvalidMessageError as exc:
                        seen.add(("invalid", exc.field))
                    await socket.end({"reasonCode": "live-agent-handoff"})
                    await socket.end("plain")
                    await socket.end()
            seen.add("end")
        finally:
            seen.done.set()

    with serve(conversation_relay_app(agent, auth_token=TOKEN)) as base:
        async with twilio(f"{base}/relay?agent=7") as ws:
            await send_all(ws, SETUP, "{]", PROMPT)
            sent = await received(ws, 9)
            await send_all(
                ws,
                {"type": "dtmf", "digit": "1"},
                INTERRUPT,
                {"type": "error", "description": "Invalid message received"},
                {"type": "info", "name": "tokens-played"},
                {"type": "brand-new", "x": 1},
            )
            await ws.close()
        items = await seen.finished()
    assert sent == [
        {"type": "text", "token": "Hello, ", "last": False},
        {
            "type": "text",
            "token": "how can I help?",
            "last": True,
            "lang": "en-US",
            "interruptible": True,
            "preemptible": False,
        },
        {"type": "text", "token": "Bye.", "last": True},
        {
            "type": "play",
            "source": "https://example.com/hold.mp3",
            "loop": 1,
            "preemptible": False,
            "interruptible": True,
        },
        {"type": "sendDigits", "digits": "9www4567"},
        {"type": "language", "ttsLanguage": "sv-SE", "transcriptionLanguage": "en-US"},
        {"type": "end", "handoffData": '{"reasonCode":"live-agent-handoff"}'},
        {"type": "end", "handoffData": "plain"},
        {"type": "end"},
    ]
    kinds = [type(i).__name__ for i in items]
    assert kinds == [
        "Setup", "tuple", "Prompt", "tuple", "Dtmf", "Interrupt", "ErrorMessage", "Info",
        "Unknown", "str",
    ]  # fmt: skip
    assert items[1] == ("VX" + "0" * 32, CA, {"callReference": "bar"})
    assert items[2].voice_prompt == "Ahoy! Can you hear me?"
    assert items[3] == ("invalid", "digits")
    assert items[5].duration_until_interrupt_ms == 460
    assert items[7].data == {"type": "info", "name": "tokens-played"}
    assert items[8].type == "brand-new"


async def test_set_language_needs_a_language() -> None:
    seen = Seen()

    async def agent(socket: ConversationRelaySocket) -> None:
        try:
            await socket.set_language()
        except ValueError:
            seen.add("refused")
        finally:
            seen.done.set()

    with serve(conversation_relay_app(agent, auth_token=TOKEN)) as base:
        async with twilio(f"{base}/relay") as ws:
            assert await seen.finished() == ["refused"]
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)


# --------------------------------------------------------------------------- Starlette


def greeter(seen: Seen) -> Callable[[ConversationRelaySocket], Awaitable[None]]:
    """A relay handler recording each message's type and answering a prompt with "Hi ..."."""

    async def agent(socket: ConversationRelaySocket) -> None:
        try:
            async for message in socket:
                seen.add(type(message).__name__)
                if isinstance(message, conversation_relay.Prompt):
                    await socket.say("Hi " + message.voice_prompt)
        finally:
            seen.done.set()

    return agent


async def test_the_apps_mount_in_starlette() -> None:
    media_seen, relay_seen = Seen(), Seen()

    agent = greeter(relay_seen)
    app = Starlette(
        routes=[
            WebSocketRoute("/media", media_stream_app(recording(media_seen), auth_token=TOKEN)),
            Mount(
                "/agents",
                routes=[WebSocketRoute("/relay", conversation_relay_app(agent, auth_token=TOKEN))],
            ),
        ]
    )
    with serve(app) as base:
        async with twilio(f"{base}/media") as ws:
            await send_all(ws, CONNECTED, START, STOP)
            assert len(await received(ws, 3)) == 3
        assert (await media_seen.finished())[-1] == "end"
        async with twilio(f"{base}/agents/relay") as ws:
            await send_all(ws, SETUP, PROMPT)
            reply = await received(ws, 1)
        assert reply == [{"type": "text", "token": "Hi Ahoy! Can you hear me?", "last": True}]
        assert await relay_seen.finished() == ["Setup", "Prompt"]
        with pytest.raises(InvalidStatus) as refused:  # the path is part of the signed URL
            async with twilio(f"{base}/agents/relay", signed=f"{base}/relay"):
                pass
    assert refused.value.response.status_code == 403


async def test_fastapi_mounts_the_apps_and_an_endpoint_accepts_a_socket_itself() -> None:
    """FastAPI (on Starlette): an app added as a route, and a ``@app.websocket`` endpoint that
    accepts the socket from the framework's ``WebSocket`` (scope, receive, send) and runs
    its handler, the way a FastAPI service with its own dependencies would."""
    media_seen, relay_seen = Seen(), Seen()

    agent = greeter(relay_seen)
    media = media_stream_app(recording(media_seen), auth_token=TOKEN)
    app = FastAPI(routes=[WebSocketRoute("/media", media)])  # (a Mount would need "/media/")

    @app.websocket("/relay/{customer}")
    async def relay(websocket: WebSocket, customer: str) -> None:
        try:
            socket = await ConversationRelaySocket.accept(
                websocket.scope, websocket.receive, websocket.send, auth_token=TOKEN
            )
        except HandshakeRejected:
            relay_seen.add(f"refused {customer}")
            relay_seen.done.set()
            return
        relay_seen.add(customer)
        await run_handler(agent, socket)

    with serve(app) as base:
        async with twilio(f"{base}/media") as ws:
            await send_all(ws, CONNECTED, START, MEDIA, STOP)
            assert len(await received(ws, 3)) == 3
        seen = await media_seen.finished()
        assert isinstance(seen[1], media_streams.Start) and seen[-1] == "end"
        async with twilio(f"{base}/relay/42") as ws:
            await send_all(ws, SETUP, PROMPT)
            reply = await received(ws, 1)
        assert reply == [{"type": "text", "token": "Hi Ahoy! Can you hear me?", "last": True}]
        assert await relay_seen.finished() == ["42", "Setup", "Prompt"]
        relay_seen = Seen()
        with pytest.raises(InvalidStatus) as refused:  # a forged caller never reaches the agent
            async with twilio(f"{base}/relay/7", token="not-the-token"):
                pass
        assert refused.value.response.status_code == 403
        assert await relay_seen.finished() == ["refused 7"]


# --------------------------------------------------------------------------- the doc


DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"


async def test_the_docs_agents_run_as_written() -> None:
    """docs/realtime.md's agent examples (``py`` blocks: the ``python`` ones are counted by
    test_realtime_docs) run as written, served for real."""
    blocks = re.findall(r"```py\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    namespace: dict[str, Any] = {"__name__": "doc_agent"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert [r.path for r in namespace["listener"].socket_routes] == ["/media"]
    token = namespace["AUTH_TOKEN"]
    with serve(namespace["app"]) as base:
        async with twilio(f"{base}/media", token=token) as ws:
            await send_all(ws, CONNECTED, START, MEDIA, {**DTMF, "dtmf": {"digit": "#"}})
            echoed = await received(ws, 3)
        async with twilio(f"{base}/relay", token=token) as ws:
            await send_all(ws, SETUP, PROMPT, {**PROMPT, "voicePrompt": "a person please"})
            spoken = await received(ws, 5)
    assert echoed == [
        {"event": "media", "streamSid": MZ, "media": {"payload": PAYLOAD}},
        {"event": "clear", "streamSid": MZ},
        {"event": "mark", "streamSid": MZ, "mark": {"name": "cleared"}},
    ]
    assert [m.get("token") for m in spoken] == [
        "You said: ", "Ahoy! Can you hear me?", "", "Connecting you.", None,
    ]  # fmt: skip
    assert spoken[-1] == {"type": "end", "handoffData": '{"reason":"caller asked for a person"}'}
