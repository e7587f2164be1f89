"""Realtime voice sockets on the webhook listener: ``@listener.media_stream(path)`` and
``@listener.conversation_relay(path)``, routed by exact path, checked with the listener's
auth token against the URL it would use for a webhook (``public_url``, trusted forwarded
headers, or the request's own), served by the listener's ASGI app under uvicorn and by
``listener.run()`` itself (a subprocess, stopped with SIGINT as Ctrl-C would)."""

from __future__ import annotations

import asyncio
import base64
import json
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from listener_testkit import TOKEN, listener_server, signed_headers, sms_status
from twilio.request_validator import RequestValidator
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from twilio_connector._extras import MissingExtraError
from twilio_connector.errors import ConfigurationError
from twilio_connector.listener import TwilioListener
from twilio_connector.realtime import (
    ConversationRelaySocket,
    MediaStreamSocket,
    conversation_relay,
    media_streams,
)

AC = "AC" + "0123456789abcdef" * 2
CA = "CA" + "fedcba9876543210" * 2
MZ = "MZ" + "00112233445566778899aabbccddeeff"
PAYLOAD = base64.b64encode(b"\xff" * 160).decode()  # 20 ms of μ-law silence
CONNECTED = {"event": "connected", "protocol": "Call", "version": "1.0.0"}
START = {
    "event": "start",
    "sequenceNumber": "1",
    "streamSid": MZ,
    "start": {"accountSid": AC, "streamSid": MZ, "callSid": CA, "tracks": ["inbound"]},
}
MEDIA = {
    "event": "media",
    "sequenceNumber": "2",
    "streamSid": MZ,
    "media": {"track": "inbound", "chunk": "1", "timestamp": "0", "payload": PAYLOAD},
}
STOP = {
    "event": "stop",
    "sequenceNumber": "3",
    "streamSid": MZ,
    "stop": {"accountSid": AC, "callSid": CA},
}
SETUP = {"type": "setup", "sessionId": "VX" + "1" * 32, "accountSid": AC, "callSid": CA}
PROMPT = {"type": "prompt", "voicePrompt": "hello", "lang": "en-US", "last": True}


def _signature(url: str, token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, {}))


@asynccontextmanager
async def _twilio(url: str, signed: str | None, **headers: str) -> AsyncIterator[ClientConnection]:
    extra = dict(headers)
    if signed is not None:
        extra["X-Twilio-Signature"] = _signature(signed)
    async with connect(url, additional_headers=extra, open_timeout=5, close_timeout=5) as ws:
        yield ws


async def _exchange(ws: ClientConnection, *frames: dict[str, Any], replies: int) -> list[Any]:
    for frame in frames:
        await ws.send(json.dumps(frame))
    return [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(replies)]


def _agents(listener: TwilioListener) -> list[str]:
    """An echo agent on /media and a relay agent on /relay; returns what they saw."""
    seen: list[str] = []
    lock = threading.Lock()

    @listener.media_stream("/media")
    async def echo(socket: MediaStreamSocket) -> None:
        async for message in socket:
            with lock:
                seen.append(type(message).__name__)
            if isinstance(message, media_streams.Media):
                await socket.send_media(message.media.payload)

    @listener.conversation_relay("/relay")
    async def agent(socket: ConversationRelaySocket) -> None:
        async for message in socket:
            with lock:
                seen.append(type(message).__name__)
            if isinstance(message, conversation_relay.Prompt):
                await socket.say(f"you said {message.voice_prompt}")
                await socket.end({"reason": "done"})

    return seen


@contextmanager
def _served(listener: TwilioListener) -> Iterator[str]:
    server = listener_server(listener, ws="websockets-sansio")
    try:
        yield f"ws://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_socket_handlers_are_checked_when_registered(make_listener: Callable[..., Any]) -> None:
    listener = make_listener()

    def not_async(socket: MediaStreamSocket) -> None:
        pass

    async def handler(socket: MediaStreamSocket) -> None:
        pass

    with pytest.raises(ConfigurationError, match="async"):
        listener.media_stream("/media")(not_async)
    with pytest.raises(ConfigurationError, match="start with '/'"):
        listener.media_stream("media")(handler)
    with pytest.raises(ConfigurationError, match="no query"):
        listener.conversation_relay("/relay?x=1")(handler)
    listener.media_stream("/media")(handler)
    with pytest.raises(ConfigurationError, match="already registered"):
        listener.conversation_relay("/media")(handler)
    assert [r.path for r in listener.socket_routes] == ["/media"]


async def test_sockets_are_checked_against_the_public_url(
    make_listener: Callable[..., Any],
) -> None:
    listener = make_listener(public_url="https://agent.example.com/twilio")
    seen = _agents(listener)
    with _served(listener) as base:
        async with _twilio(f"{base}/media", "wss://agent.example.com/twilio/media") as ws:
            echoed = await _exchange(ws, CONNECTED, START, MEDIA, replies=1)
            await ws.send(json.dumps(STOP))
        assert echoed == [{"event": "media", "streamSid": MZ, "media": {"payload": PAYLOAD}}]
        async with _twilio(f"{base}/relay?x=1", "wss://agent.example.com/twilio/relay?x=1") as ws:
            replies = await _exchange(ws, SETUP, PROMPT, replies=2)
        assert replies == [
            {"type": "text", "token": "you said hello", "last": True},
            {"type": "end", "handoffData": '{"reason":"done"}'},
        ]
        refused = []
        for path, signed in [
            ("/media", f"{base}/media"),  # the local URL is not the one Twilio signed
            ("/media", None),
            ("/other", "wss://agent.example.com/twilio/other"),  # no handler: refused
        ]:
            with pytest.raises(InvalidStatus) as exc:
                async with _twilio(f"{base}{path}", signed):
                    pass
            refused.append(exc.value.response.status_code)
        # webhooks still work beside the sockets
        params = sms_status("SM" + "1" * 32, "delivered")
        headers = signed_headers("https://agent.example.com/twilio/status", params)
        async with httpx.AsyncClient() as client:
            response = await client.post(
                base.replace("ws://", "http://") + "/status", data=params, headers=headers
            )
    assert refused == [403, 403, 403]
    assert response.status_code == 200
    assert seen[:4] == ["Start", "Media", "Stop", "Setup"] and "Prompt" in seen


async def test_sockets_behind_a_trusted_proxy_and_unverified(
    make_listener: Callable[..., Any],
) -> None:
    trusting = make_listener(trust_forwarded_headers=True)
    _agents(trusting)
    with _served(trusting) as base:
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "agents.example.org"}
        async with _twilio(f"{base}/media", "wss://agents.example.org/media", **forwarded) as ws:
            assert len(await _exchange(ws, CONNECTED, START, MEDIA, replies=1)) == 1
    open_listener = make_listener(auth_token=None, validate_signatures=False)
    _agents(open_listener)
    with _served(open_listener) as base:
        async with _twilio(f"{base}/relay", None) as ws:
            assert len(await _exchange(ws, SETUP, PROMPT, replies=2)) == 2


def test_run_needs_the_realtime_extra_for_sockets(
    make_listener: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    listener = make_listener()
    _agents(listener)
    monkeypatch.setitem(sys.modules, "websockets", None)  # as if it were not installed
    with pytest.raises(MissingExtraError, match=r"twilio-connector\[realtime\]"):
        listener.run(port=0)


RUN_APP = textwrap.dedent(
    """
    import sys
    from twilio_connector.listener import TwilioListener
    from twilio_connector.realtime import media_streams

    listener = TwilioListener(sys.argv[1], inbox=sys.argv[2])

    @listener.media_stream("/media")
    async def echo(socket):
        async for message in socket:
            if isinstance(message, media_streams.Media):
                await socket.send_media(message.media.payload)

    try:
        listener.run(
            port=0,
            log_level="warning",
            max_connections=2,
            on_bind=lambda host, port: print(port, flush=True),
        )
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT once it has shut down
        pass
    """
)


async def test_listener_run_serves_sockets_and_webhooks(tmp_path: Path) -> None:
    script = tmp_path / "run_app.py"
    script.write_text(RUN_APP)
    proc = subprocess.Popen(
        [sys.executable, str(script), TOKEN, str(tmp_path / "inbox.sqlite3")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(await asyncio.to_thread(proc.stdout.readline))
        base = f"ws://127.0.0.1:{port}"
        for _ in range(4):  # more sockets than max_connections, one after the other
            async with _twilio(f"{base}/media", f"{base}/media") as ws:
                echoed = await _exchange(ws, CONNECTED, START, MEDIA, replies=1)
                assert echoed[0]["media"]["payload"] == PAYLOAD
        with pytest.raises(InvalidStatus) as refused:
            async with _twilio(f"{base}/media", f"{base}/elsewhere"):
                pass
        assert refused.value.response.status_code == 403
        # the upgraded connections left the connection guard: a webhook still gets in
        url = f"http://127.0.0.1:{port}/status"
        params = sms_status("SM" + "2" * 32, "delivered")
        async with httpx.AsyncClient() as client:
            response = await client.post(url, data=params, headers=signed_headers(url, params))
        assert response.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0
