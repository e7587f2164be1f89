"""A programmable, Twilio-shaped HTTP server for the client tests, plus small helpers.

:class:`FakeTwilio` is an aiohttp web app served from a background thread on a free
port. It records every request it receives (method, path, query and form pairs with
repeated keys, headers, arrival time) and answers each ``(method, path)`` with the
replies a test queued for it, in order (the last one repeats). A reply can set the
status, JSON or raw body, headers (``Retry-After``), a delay, or drop the connection
without answering. Unrouted requests get Twilio's 404 body (code 20404).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from twilio_connector import RetryPolicy, TwilioConfig

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f00dfeedcafe4b1d9a7e3c2b1a0d9e8f"  # a distinctive secret to search logs for
API_KEY = "SK" + "fedcba9876543210" * 2
API_SECRET = "apisecret-Zq8Lw3Xv9Tn2Rk5Hm7Jp"
SUB_SID = "AC" + "aa" * 16
MESSAGE_SID = "SM" + "11" * 16
MEDIA_SID = "ME" + "22" * 16
CALL_SID = "CA" + "33" * 16
RECORDING_SID = "RE" + "44" * 16
NUMBER_SID = "PN" + "55" * 16
SERVICE_SID = "MG" + "66" * 16
CONTENT_SID = "HX" + "77" * 16
KEY_SID = "SK" + "88" * 16
DATE = "Thu, 30 Jul 2015 20:12:31 +0000"
DATE2 = "Fri, 31 Jul 2015 08:00:00 +0000"
ROOT = f"/2010-04-01/Accounts/{ACCOUNT_SID}"


@dataclass
class Reply:
    """One programmed answer."""

    status: int = 200
    json: Any = None
    body: bytes | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    """Close the connection after reading the request, without sending any response."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    form: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    raw_query: str
    time: float
    """``time.monotonic()`` when the request arrived."""
    peer: tuple[str, int] | None = None
    """The client's address: one per TCP connection (shows keep-alive reuse)."""

    def values(self, name: str) -> list[str]:
        """Every form value sent under ``name`` (repeated keys in order)."""
        return [v for k, v in self.form if k == name]

    def field(self, name: str) -> str:
        (value,) = self.values(name)
        return value

    @property
    def form_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.form:
            out.setdefault(k, []).append(v)
        return out

    @property
    def query_dict(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.query:
            out.setdefault(k, []).append(v)
        return out


def twilio_error(status: int, code: int, message: str) -> Reply:
    return Reply(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


class FakeTwilio:
    """The server. Use :meth:`on` to program replies and :attr:`requests` to inspect."""

    def __init__(self, *, keepalive_timeout: float = 75.0) -> None:
        self.requests: list[RecordedRequest] = []
        self.fallback: Callable[[RecordedRequest], Reply | None] | None = None
        """Answers requests no route matched (``None``: Twilio's 404)."""
        self._routes: dict[tuple[str, str], list[Reply]] = {}
        self._lock = threading.Lock()
        self._keepalive_timeout = keepalive_timeout
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeTwilio:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app,
            handler_cancellation=True,
            shutdown_timeout=0.2,
            access_log=None,
            keepalive_timeout=self._keepalive_timeout,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open_connections(self) -> int:
        async def count() -> int:
            assert self._runner is not None and self._runner.server is not None
            return len(self._runner.server.connections)

        return asyncio.run_coroutine_threadsafe(count(), self._loop).result(5)

    # -- programming ------------------------------------------------------------------------

    def on(self, method: str, path: str, *replies: Reply | Mapping[str, Any]) -> None:
        """Answer ``method path`` with ``replies`` in order; the last one repeats.
        A mapping is shorthand for ``Reply(200, json=mapping)`` (201 for POST to a list)."""
        if not replies:
            raise ValueError("give at least one reply")
        queued = [r if isinstance(r, Reply) else Reply(200, json=r) for r in replies]
        with self._lock:
            self._routes[(method.upper(), path)] = queued

    def only(self) -> RecordedRequest:
        """The single request received (fails if there were none or several)."""
        assert len(self.requests) == 1, [f"{r.method} {r.path}" for r in self.requests]
        return self.requests[0]

    # -- serving ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        body = await request.read()
        form: list[tuple[str, str]] = []
        if request.content_type == "application/x-www-form-urlencoded":
            form = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=False)
        # the target as sent on the wire (not percent-decoded)
        path, _, raw_query = request.raw_path.partition("?")
        record = RecordedRequest(
            method=request.method,
            path=path,
            query=parse_qsl(raw_query, keep_blank_values=True),
            form=form,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            raw_query=raw_query,
            time=arrived,
            peer=request.transport.get_extra_info("peername") if request.transport else None,
        )
        with self._lock:
            self.requests.append(record)
            queue = self._routes.get((request.method, path))
            reply = None
            if queue:
                reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply is None and self.fallback is not None:
            reply = self.fallback(record)
        if reply is None:
            reply = twilio_error(404, 20404, f"The requested resource {path} was not found")
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.drop:
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError
        if reply.json is not None:
            payload = json.dumps(reply.json).encode()
            content_type = "application/json"
        else:
            raw = reply.body or b""
            payload = raw.encode() if isinstance(raw, str) else raw
            content_type = "text/html"
        headers = {"Content-Type": content_type, **reply.headers}
        return web.Response(status=reply.status, body=payload, headers=headers)


def no_jitter(cap: float) -> float:
    return 0.0


def make_config(base_url: str, *, auth: str = "token", **overrides: Any) -> TwilioConfig:
    """A config for the fake server; retries pinned to no delay unless ``retry`` is given."""
    credentials: dict[str, Any] = (
        {"auth_token": AUTH_TOKEN}
        if auth == "token"
        else {"api_key": API_KEY, "api_secret": API_SECRET}
    )
    if "retry" not in overrides:  # max_retries given alone becomes part of the pinned policy
        retries = overrides.pop("max_retries", None)
        policy = RetryPolicy(jitter=no_jitter)
        overrides["retry"] = policy if retries is None else replace(policy, max_retries=retries)
    return TwilioConfig(account_sid=ACCOUNT_SID, base_url=base_url, **credentials, **overrides)


# -- async/sync adapters -----------------------------------------------------------------------


async def maybe(value: Any) -> Any:
    """Await ``value`` if it is awaitable (async client), else return it (sync client)."""
    if inspect.isawaitable(value):
        return await value
    return value


async def collect(items: Iterable[Any] | AsyncIterator[Any], limit: int | None = None) -> list[Any]:
    """Drain a sync or async iterator (stopping after ``limit`` items)."""
    out: list[Any] = []
    if hasattr(items, "__aiter__"):
        async for item in items:  # type: ignore[union-attr]
            out.append(item)
            if limit is not None and len(out) >= limit:
                break
    else:
        iterator: Iterator[Any] = iter(items)  # type: ignore[arg-type]
        for item in iterator:
            out.append(item)
            if limit is not None and len(out) >= limit:
                break
    return out


# -- Twilio-shaped payloads --------------------------------------------------------------------


def message(sid: str = MESSAGE_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": "Hello",
        "date_created": DATE,
        "date_sent": DATE2,
        "date_updated": DATE,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": "+15005550006",
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {"media": f"{ROOT}/Messages/{sid}/Media.json"},
        "to": "+14155550100",
        "uri": f"{ROOT}/Messages/{sid}.json",
    }
    data.update(overrides)
    return data


def media(sid: str = MEDIA_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "content_type": "image/jpeg",
        "date_created": DATE,
        "date_updated": DATE2,
        "parent_sid": MESSAGE_SID,
        "sid": sid,
        "uri": f"{ROOT}/Messages/{MESSAGE_SID}/Media/{sid}.json",
    }
    data.update(overrides)
    return data


def call(sid: str = CALL_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": DATE,
        "date_updated": DATE,
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": "+15005550006",
        "from_formatted": "(500) 555-0006",
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": NUMBER_SID,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": sid,
        "start_time": None,
        "status": "queued",
        "subresource_uris": {"recordings": f"{ROOT}/Calls/{sid}/Recordings.json"},
        "to": "+14155550100",
        "to_formatted": "(415) 555-0100",
        "trunk_sid": None,
        "uri": f"{ROOT}/Calls/{sid}.json",
    }
    data.update(overrides)
    return data


def recording(sid: str = RECORDING_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "call_sid": CALL_SID,
        "channels": 1,
        "conference_sid": None,
        "date_created": DATE,
        "date_updated": DATE,
        "duration": "4",
        "encryption_details": None,
        "error_code": None,
        "price": "-0.0025",
        "price_unit": "USD",
        "sid": sid,
        "source": "OutboundAPI",
        "start_time": DATE,
        "status": "completed",
        "track": "both",
        "uri": f"{ROOT}/Recordings/{sid}.json",
    }
    data.update(overrides)
    return data


def account(sid: str = ACCOUNT_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "auth_token": "00000000000000000000000000000000",
        "date_created": DATE,
        "date_updated": DATE2,
        "friendly_name": "Main",
        "owner_account_sid": ACCOUNT_SID,
        "sid": sid,
        "status": "active",
        "subresource_uris": {"messages": f"/2010-04-01/Accounts/{sid}/Messages.json"},
        "type": "Full",
        "uri": f"/2010-04-01/Accounts/{sid}.json",
    }
    data.update(overrides)
    return data


def incoming_number(sid: str = NUMBER_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "account_sid": ACCOUNT_SID,
        "address_requirements": "none",
        "api_version": "2010-04-01",
        "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": DATE,
        "date_updated": DATE,
        "friendly_name": "(500) 555-0006",
        "phone_number": "+15005550006",
        "sid": sid,
        "sms_method": "POST",
        "sms_url": "",
        "status_callback": "",
        "status_callback_method": "POST",
        "voice_method": "POST",
        "voice_url": None,
        "status": "in-use",
        "uri": f"{ROOT}/IncomingPhoneNumbers/{sid}.json",
    }
    data.update(overrides)
    return data


def available_number(number: str = "+15108675310", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "address_requirements": "none",
        "beta": False,
        "capabilities": {"voice": True, "SMS": True, "MMS": False},
        "friendly_name": "(510) 867-5310",
        "iso_country": "US",
        "lata": "722",
        "latitude": "37.850000",
        "locality": "Oakland",
        "longitude": "-122.250000",
        "phone_number": number,
        "postal_code": "94610",
        "rate_center": "OKLD TRNID",
        "region": "CA",
    }
    data.update(overrides)
    return data


def key(sid: str = KEY_SID, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sid": sid,
        "friendly_name": "ci",
        "date_created": DATE,
        "date_updated": DATE,
    }
    data.update(overrides)
    return data


def page(
    list_key: str,
    items: list[dict[str, Any]],
    path: str,
    *,
    page: int = 0,
    page_size: int = 50,
    next_page_uri: str | None = None,
) -> dict[str, Any]:
    start = page * page_size
    return {
        list_key: items,
        "first_page_uri": f"{path}?PageSize={page_size}&Page=0",
        "next_page_uri": next_page_uri,
        "previous_page_uri": None if page == 0 else f"{path}?PageSize={page_size}&Page={page - 1}",
        "page": page,
        "page_size": page_size,
        "start": start,
        "end": start + max(len(items) - 1, 0),
        "uri": f"{path}?PageSize={page_size}&Page={page}",
    }
