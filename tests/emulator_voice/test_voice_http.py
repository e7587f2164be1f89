"""The interpreter over real HTTP: a local aiohttp app serves TwiML and receives the callbacks.

The environment here is a minimal real-HTTP implementation of the injected
``VoiceEnvironment`` (form-encoded POST / query-string GET, signed with our signature module),
so the parameters the interpreter builds go over the wire for real and the app checks every
request's ``X-Twilio-Signature`` with both our validator and the official ``twilio`` one.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from twilio.request_validator import RequestValidator
from voice_testkit import FakeVoiceEnv, kinds, make_call, session

from twilio_connector.emulator.voice import (
    COMPLETED,
    CallbackRequest,
    CallerInput,
    CallProgress,
    DocumentRequest,
    FetchError,
    FetchResponse,
    StatusUpdate,
)
from twilio_connector.emulator.voice.transcript import Gathered, Recorded, Said
from twilio_connector.signature import compute_signature, validate_signature

TOKEN = "12345678901234567890123456789012"


@dataclass
class Received:
    path: str
    method: str
    params: dict[str, str]
    signature_ok: bool


@dataclass
class TwimlApp:
    base: str = ""
    received: list[Received] = field(default_factory=list)

    async def _record(self, request: web.Request) -> dict[str, str]:
        """Check the signature (form params for POST; the URL alone for GET), keep the params."""
        form = {k: str(v) for k, v in (await request.post()).items()}
        url = str(request.url)
        signature = request.headers.get("X-Twilio-Signature", "")
        ours = validate_signature(TOKEN, url, form, signature)
        official = RequestValidator(TOKEN).validate(url, form, signature)
        params = form if request.method == "POST" else dict(request.query)
        self.received.append(Received(request.path, request.method, params, ours and official))
        return params

    async def start(self, request: web.Request) -> web.Response:
        await self._record(request)
        twiml = (
            "<Response><Gather numDigits='4' action='gathered' timeout='3'>"
            "<Say>Enter the code</Say></Gather><Say>Nothing entered</Say></Response>"
        )
        return web.Response(text=twiml, content_type="text/xml")

    async def gathered(self, request: web.Request) -> web.Response:
        params = await self._record(request)
        twiml = (
            f"<Response><Say>You entered {params.get('Digits', '')}</Say>"
            "<Redirect method='GET'>/voice/menu?lang=en&amp;v=2</Redirect></Response>"
        )
        return web.Response(text=twiml, content_type="application/xml")

    async def menu(self, request: web.Request) -> web.Response:
        await self._record(request)
        twiml = (
            "<Response><Record action='/voice/recorded' maxLength='10'"
            " recordingStatusCallback='/status/recording'/></Response>"
        )
        return web.Response(text=twiml, content_type="text/xml")

    async def recorded(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(text="<Response><Hangup/></Response>", content_type="text/xml")

    async def status(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(text="")


@dataclass
class HttpVoiceEnv(FakeVoiceEnv):
    """Real HTTP for TwiML requests and callbacks; the rest from the fake environment."""

    http: aiohttp.ClientSession | None = None

    def _signed(
        self, url: str, method: str, params: Mapping[str, str]
    ) -> tuple[str, dict[str, str]]:
        if method == "GET":
            url = url + ("&" if "?" in url else "?") + urlencode(params)
            return url, {"X-Twilio-Signature": compute_signature(TOKEN, url)}
        return url, {"X-Twilio-Signature": compute_signature(TOKEN, url, params)}

    async def fetch(self, url: str, method: str, params: Mapping[str, str]) -> FetchResponse:
        assert self.http is not None
        target, headers = self._signed(url, method, params)
        data = dict(params) if method == "POST" else None
        try:
            async with self.http.request(method, target, data=data, headers=headers) as response:
                body = await response.read()
                return FetchResponse(response.status, response.headers.get("Content-Type"), body)
        except aiohttp.ClientConnectionError as exc:
            raise FetchError(11205, f"connection failure: {type(exc).__name__}") from None

    async def notify(self, request: CallbackRequest) -> None:
        assert self.http is not None
        self.notifications.append(request)
        target, headers = self._signed(request.url, request.method, request.params)
        async with self.http.post(target, data=request.params, headers=headers) as response:
            await response.read()

    async def call_status_changed(self, call: CallProgress, update: StatusUpdate) -> None:
        await super().call_status_changed(call, update)
        if update.callback is not None:
            await self.notify(update.callback)


@pytest.fixture
async def twiml_app() -> AsyncIterator[TwimlApp]:
    app_state = TwimlApp()
    app = web.Application()
    app.router.add_post("/voice/start", app_state.start)
    app.router.add_post("/voice/gathered", app_state.gathered)
    app.router.add_get("/voice/menu", app_state.menu)
    app.router.add_post("/voice/recorded", app_state.recorded)
    app.router.add_post("/status/{kind}", app_state.status)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    app_state.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield app_state
    finally:
        await runner.cleanup()


@pytest.fixture
async def http_env() -> AsyncIterator[HttpVoiceEnv]:
    async with aiohttp.ClientSession() as http:
        yield HttpVoiceEnv(http=http)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/voice/start"


async def test_gather_and_record_over_real_http(
    twiml_app: TwimlApp, http_env: HttpVoiceEnv
) -> None:
    base = twiml_app.base
    call = make_call(
        status="queued",
        status_callback=f"{base}/status/call",
        events=frozenset({"answered", "completed"}),
    )
    call.advance("initiated", call.created_at)
    call.advance("ringing", call.created_at)
    answered = call.advance("in-progress", call.created_at)
    assert answered.callback is not None
    await http_env.notify(answered.callback)  # what the emulator's scheduler does on answer

    outcome = await session(http_env, call, caller=CallerInput(digits="1234")).run(
        DocumentRequest(closed_port_url(), fallback_url=f"{base}/voice/start")
    )

    assert outcome.status == COMPLETED and outcome.reason == "hangup"
    paths = [(r.method, r.path) for r in twiml_app.received]
    assert paths == [
        ("POST", "/status/call"),
        ("POST", "/voice/start"),  # the fallback, after 11205 on the primary URL
        ("POST", "/voice/gathered"),
        ("GET", "/voice/menu"),
        ("POST", "/status/recording"),
        ("POST", "/voice/recorded"),
        ("POST", "/status/call"),
    ]
    assert all(r.signature_ok for r in twiml_app.received)
    answered_cb, start, gathered, menu, recording_cb, recorded, completed_cb = twiml_app.received
    assert start.params["ErrorCode"] == "11205"
    assert start.params["CallStatus"] == "in-progress"
    assert gathered.params["Digits"] == "1234" and gathered.params["FinishedOnKey"] == ""
    assert gathered.params["CallSid"] == call.call_sid
    assert gathered.params["From"] == "+15005550006" and gathered.params["To"] == "+14155550100"
    assert menu.params["lang"] == "en" and menu.params["v"] == "2"
    assert menu.params["CallSid"] == call.call_sid  # voice params in the query string
    assert recorded.params["RecordingDuration"] == "3"
    assert recorded.params["RecordingSid"] == recording_cb.params["RecordingSid"]
    assert recording_cb.params["RecordingStatus"] == "completed"
    assert answered_cb.params["SequenceNumber"] == "0"
    assert answered_cb.params["CallStatus"] == "in-progress"
    assert completed_cb.params["SequenceNumber"] == "1"
    assert completed_cb.params["CallStatus"] == "completed"
    assert completed_cb.params["CallDuration"] == str(outcome.duration)
    assert (
        completed_cb.params["Duration"] == "1" and completed_cb.params["SipResponseCode"] == "200"
    )

    said = [s.text for s in outcome.transcript.of(Said)]
    assert said == ["Enter the code", "You entered 1234"]
    assert outcome.transcript.of(Gathered)[0].action == f"{base}/voice/gathered"
    assert outcome.transcript.of(Recorded)[0].action == f"{base}/voice/recorded"
    assert kinds(outcome)[:3] == ["fetch", "problem", "fetch"]
