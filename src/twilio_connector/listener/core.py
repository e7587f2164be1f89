"""The framework-free listener core: verify -> persist -> acknowledge -> dispatch.

It knows only :class:`WebhookRequest` and :class:`WebhookResponse`; the ASGI app
(``app.py``) and the WSGI/Flask/Django adapters (``adapters.py``) translate to and from them.

Answers, once the event is committed to the inbox: 200 with the handler's TwiML
(``text/xml``; an empty ``<Response/>`` without one) for reply-bearing events, 200 with an
empty body for status callbacks and Event Streams; 400 malformed body or URL;
403 missing/invalid signature, unknown shared key id or unsupported algorithm; 405 other
methods; 413 body too large or too many form fields; 415 other content types (the ASGI app
adds 408 for a body not received in time); 503 only if the inbox cannot be written (Twilio may
retry). Never 500.

Signatures: with an ``X-Twilio-Webhooks-Signature-Settings`` header naming an algorithm,
the secret is the shared key with the header's ``key=`` id, the MAC the header's algorithm;
without one, ``X-Twilio-Signature`` is HMAC-SHA1 with the auth token(s).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from twilio_connector._wire import FORM_CONTENT_TYPE, MalformedPayload, parse_form
from twilio_connector.listener.classify import (
    classify_form,
    classify_stream,
    split_stream_payload,
)
from twilio_connector.listener.dispatch import Delivery, Dispatcher, RedeliveryPolicy
from twilio_connector.listener.events import RawParams
from twilio_connector.listener.handler_threads import HandlerThreads
from twilio_connector.listener.inbox import InboxLocation, NewRecord
from twilio_connector.listener.intake import Intake, SqliteIntake
from twilio_connector.listener.registry import HandlerRegistry
from twilio_connector.signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    parse_signature_settings,
    validate_signature,
)

__all__ = [
    "ACK",
    "ACK_EMPTY",
    "EMPTY_TWIML",
    "ListenerSettings",
    "Runtime",
    "WebhookRequest",
    "WebhookResponse",
]

log = logging.getLogger("twilio_connector.listener")

EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
_FORM = FORM_CONTENT_TYPE
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SETTINGS_HEADER = "x-twilio-webhooks-signature-settings"
_ALGORITHMS = frozenset({HMAC_SHA1, HMAC_SHA256})
_LOGGED_KEY = 64  # characters of an unknown key id that go into the log


@dataclass(slots=True)
class WebhookRequest:
    """An HTTP request as the core sees it (headers keyed by lowercase name)."""

    method: str
    scheme: str
    host: str | None
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    """What to answer: status, body, content type and extra headers."""

    status: int
    body: bytes = b""
    content_type: str | None = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()

    def header_list(self) -> list[tuple[str, str]]:
        head = [("content-type", self.content_type)] if self.content_type else []
        return [*head, ("content-length", str(len(self.body))), *self.headers]

    def asgi_headers(self) -> list[tuple[bytes, bytes]]:
        return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.header_list()]


def _error(status: int, message: str, *headers: tuple[str, str]) -> WebhookResponse:
    return WebhookResponse(status, message.encode() + b"\n", headers=headers)


ACK = WebhookResponse(200, EMPTY_TWIML, "text/xml")
ACK_EMPTY = WebhookResponse(200, b"", None)
"""Status callbacks: Twilio ignores the body; 200 with an empty body is the documented answer."""
BAD_REQUEST = _error(400, "malformed request")
BAD_URL = _error(400, "malformed request URL or Host header")
FORBIDDEN = _error(403, "missing or invalid X-Twilio-Signature")
FORBIDDEN_KEY = _error(403, "unknown shared key or unsupported signature algorithm")
NOT_ALLOWED = _error(405, "method not allowed", ("allow", "GET, POST"))
TOO_LARGE = _error(413, "request body too large")
TOO_MANY_FIELDS = _error(413, "too many form fields")
UNSUPPORTED = _error(415, "expected application/x-www-form-urlencoded or application/json")
UNAVAILABLE = _error(503, "inbox unavailable, try again", ("retry-after", "1"))


@dataclass(frozen=True)
class ListenerSettings:
    """Everything the runtime needs; built and checked by ``TwilioListener``."""

    tokens: tuple[str, ...] = field(repr=False)  # secrets: never in a repr or a log
    validate_signatures: bool
    public_url: str | None
    trust_forwarded_headers: bool
    max_body_bytes: int
    inbox: InboxLocation
    lease_timeout: float
    dedup_ttl: float
    lock_timeout: float
    synchronous: str
    retry: RedeliveryPolicy
    reply_timeout: float
    drain_timeout: float
    max_concurrency: int
    max_backlog: int
    ordering_delay: float
    handler_threads: int
    retention: float
    poll_interval: float
    dedup_window: int
    handler_timeout: float
    shared_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (key id, secret)
    max_form_fields: int = 500
    max_form_bytes: int = 65_536
    body_timeout: float = 10.0


class _Throttled:
    """At most one log line per ``every`` seconds; the next says how many were skipped.

    Forged requests are logged this way: a flood of them must not become a flood of log
    lines (each costs the event loop and the disk).
    """

    def __init__(self, every: float = 1.0) -> None:
        self._every = every
        self._next = 0.0
        self._skipped = 0

    def warning(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now < self._next:
            self._skipped += 1
            return
        self._next = now + self._every
        if self._skipped:
            message += " (and %d more rejected since the last such line)"
            args = (*args, self._skipped)
            self._skipped = 0
        log.warning(message, *args)


def _shown(path: str) -> str:
    """A request path as logged: bounded, and quoted so it cannot forge log lines."""
    return repr(path[:200])


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    return value.split(",", 1)[0].strip() or None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class Runtime:
    """The running part of a listener: the inbox intake, group commit, the dispatcher."""

    def __init__(
        self,
        settings: ListenerSettings,
        registry: HandlerRegistry,
        reply_body: Any,
    ) -> None:
        self.settings = settings
        self._registry = registry
        self._reply_body = reply_body
        self._tokens = settings.tokens
        self._public_url = settings.public_url.rstrip("/") if settings.public_url else None
        self._max_body = settings.max_body_bytes
        self._intake: Intake
        if settings.inbox.kind == "postgresql":
            from twilio_connector.listener.intake_postgres import PostgresIntake

            self._intake = PostgresIntake(settings)
        else:
            self._intake = SqliteIntake(settings)
        self.dispatcher: Dispatcher | None = None
        self._rejected = _Throttled()
        self._threads: HandlerThreads | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        s = self.settings
        inbox, committer = await self._intake.open()
        self._threads = HandlerThreads(s.handler_threads)
        self.dispatcher = Dispatcher(
            self._registry,
            inbox,
            committer,
            retry=s.retry,
            threads=self._threads,
            handler_timeout=s.handler_timeout,
            max_concurrency=s.max_concurrency,
            max_backlog=s.max_backlog,
            ordering_delay=s.ordering_delay,
            reply_check=self._reply_body,
        )
        await self._intake.start(self.dispatcher)
        if not s.validate_signatures:
            log.warning("X-Twilio-Signature validation is DISABLED; anyone can post events")

    async def stop(self) -> None:
        await self._intake.stop_polling()
        if self.dispatcher is not None:
            await self.dispatcher.close(self.settings.drain_timeout)
        await self._intake.close()
        if self._threads is not None:
            self._threads.shutdown()

    # ------------------------------------------------------------------ requests

    def request_url(self, req: WebhookRequest) -> str:
        """The URL Twilio requested (the one it signed)."""
        path = req.path or "/"
        tail = f"{path}?{req.query}" if req.query else path
        if self._public_url is not None:
            return self._public_url + tail
        scheme, host = req.scheme, req.host
        if self.settings.trust_forwarded_headers:
            h = req.headers
            scheme = _first(h.get("x-forwarded-proto")) or scheme
            host = _first(h.get("x-forwarded-host")) or host
            port = _first(h.get("x-forwarded-port"))
            has_port = host is not None and ":" in host.rsplit("]", 1)[-1]
            if host and port and not has_port and _DEFAULT_PORTS.get(scheme.lower()) != port:
                host = f"{host}:{port}"
        if not host:
            raise ValueError("no Host header")
        return f"{scheme.lower()}://{host}{tail}"

    async def handle(
        self, req: WebhookRequest, deferred: list[Delivery] | None = None
    ) -> WebhookResponse:
        """Answer one webhook request (never raises).

        With ``deferred``, a stored status event is appended to it instead of being queued:
        the caller runs it with ``dispatcher.run_here`` after sending the response.
        """
        try:
            return await self._handle(req, deferred)
        except MalformedPayload:
            return BAD_REQUEST
        except Exception:
            log.exception("webhook handling failed")
            return UNAVAILABLE

    async def _handle(
        self, req: WebhookRequest, deferred: list[Delivery] | None
    ) -> WebhookResponse:
        headers = req.headers
        method = req.method
        if method == "POST":
            ctype = headers.get("content-type", "")
            mtype = _FORM if ctype == _FORM else _media_type(ctype)
            if mtype == _FORM:
                kind = "form"
            elif mtype == "application/json" or mtype.endswith("+json"):
                kind = "json"
            elif not mtype and not req.body:
                kind = "form"
            else:
                return UNSUPPORTED
        elif method == "GET":
            kind = "get"
        else:
            return NOT_ALLOWED
        settings = self.settings
        body = req.body
        if len(body) > (settings.max_form_bytes if kind == "form" else self._max_body):
            return TOO_LARGE
        signature = headers.get("x-twilio-signature")
        validate = settings.validate_signatures
        secrets: Sequence[str] = self._tokens
        algorithm = HMAC_SHA1
        if validate:
            if not signature or not signature.isascii():
                return FORBIDDEN
            announced = headers.get(_SETTINGS_HEADER)
            if announced:
                parsed = parse_signature_settings(announced)
                if not parsed.legacy:
                    algorithm = parsed.algorithm
                    secrets = [v for k, v in settings.shared_keys if k == parsed.key_id]
                    if not secrets or algorithm not in _ALGORITHMS:
                        self._rejected.warning(
                            "rejected %s %s: shared key %r with algorithm %r not accepted",
                            method,
                            _shown(req.path),
                            (parsed.key_id or "")[:_LOGGED_KEY],
                            algorithm[:_LOGGED_KEY],
                        )
                        return FORBIDDEN_KEY
            if not secrets:
                self._rejected.warning(
                    "rejected %s %s: no auth token to check it with", method, _shown(req.path)
                )
                return FORBIDDEN
        try:
            url = self.request_url(req)
        except ValueError:
            return BAD_URL
        if kind == "json":
            signed: Any = body
        else:
            # Count separators before parsing: a forged body of 100k fields costs no parse.
            if kind == "form":
                fields = body.count(b"&")
                source: bytes | str = body
            else:
                fields = req.query.count("&")
                source = req.query
            if fields >= settings.max_form_fields:
                return TOO_MANY_FIELDS
            pairs = parse_form(source)
            signed = pairs if kind == "form" else None
        if validate:
            assert signature is not None
            try:
                # Params encoded once; the URL as received under the first secret is tried
                # first, and a forged request is checked against every URL form and secret.
                ok = validate_signature(secrets, url, signed, signature, algorithm)
            except ValueError:
                return BAD_URL
            if not ok:
                self._rejected.warning(
                    "rejected %s %s: invalid X-Twilio-Signature", method, _shown(req.path)
                )
                return FORBIDDEN
        token = headers.get("i-twilio-idempotency-token") or None
        if kind == "json":
            return await self._store_stream(body, token)
        raw = RawParams(pairs)
        payload = body if kind == "form" else req.query.encode()
        return await self._store_form(raw, payload, token, deferred)

    async def _store_form(
        self, raw: RawParams, payload: bytes, token: str | None, deferred: list[Delivery] | None
    ) -> WebhookResponse:
        c = classify_form(raw.first)
        assert self.dispatcher is not None
        key = c.dedup_key or (f"token:{token}" if token else None)
        now = time.time()
        rec = NewRecord(
            0, now, c.name, c.resource_sid, c.rank, token, key, c.inline, "form", payload
        )
        stored = await self._intake.store(rec)
        if stored.duplicate:
            log.info("duplicate %s (inbox id %d) acknowledged again", c.name, stored.id)
            if not c.inline:
                return ACK_EMPTY
            return ACK if not stored.reply else WebhookResponse(200, stored.reply, "text/xml")
        if not stored.run:  # stored; it runs once its SID is free (here or on a replica)
            return ACK if c.inline else ACK_EMPTY
        d = Delivery(
            stored.id,
            c.name,
            c.resource_sid,
            c.rank,
            c.inline,
            "form",
            payload,
            token,
            received_at=now,
            raw=raw,
            kind=c.kind,
        )
        if not c.inline:
            if deferred is None:
                self.dispatcher.submit(d)
            else:
                deferred.append(d)
            return ACK_EMPTY
        reply = await self.dispatcher.run_inline(d, self.settings.reply_timeout)
        return ACK if reply is None else WebhookResponse(200, reply, "text/xml")

    async def _store_stream(self, body: bytes, token: str | None) -> WebhookResponse:
        assert self.dispatcher is not None
        items = split_stream_payload(body)
        now = time.time()
        records = []
        for doc, payload in items:
            c = classify_stream(doc)
            key = c.dedup_key or (f"token:{token}" if token and len(items) == 1 else None)
            rec = NewRecord(
                0, now, c.name, c.resource_sid, c.rank, token, key, False, "json", payload
            )
            records.append(rec)
        # Stored in order: a repeat inside this batch is recognised as a duplicate too.
        results = await asyncio.gather(*(self._intake.store(r) for r in records))
        for r, stored in zip(records, results, strict=True):
            if stored.duplicate or not stored.run:
                continue
            d = Delivery(stored.id, r.name, r.resource_sid, r.rank, False, "json", r.payload)
            d.token, d.received_at = token, now
            self.dispatcher.submit(d)
        return ACK_EMPTY
