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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twilio_connector.listener.classify import (
    classify_form,
    classify_stream,
    split_stream_payload,
)
from twilio_connector.listener.committer import GroupCommitter, Maintenance
from twilio_connector.listener.dedup import RecentKeys
from twilio_connector.listener.dispatch import Delivery, Dispatcher, RetryPolicy
from twilio_connector.listener.events import MalformedPayload, RawParams, parse_form
from twilio_connector.listener.inbox import Inbox, InboxRecord, NewRecord
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
_FORM = "application/x-www-form-urlencoded"
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
    inbox_path: str
    synchronous: str
    retry: RetryPolicy
    reply_timeout: float
    drain_timeout: float
    max_concurrency: int
    max_backlog: int
    ordering_delay: float
    handler_threads: int
    retention: float
    poll_interval: float
    dedup_window: int
    shared_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (key id, secret)
    max_form_fields: int = 500
    body_timeout: float = 10.0


def _first(value: str | None) -> str | None:
    if value is None:
        return None
    return value.split(",", 1)[0].strip() or None


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class Runtime:
    """The running part of a listener: inbox, group commit, dispatcher, maintenance."""

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
        self.inbox: Inbox | None = None
        self._committer: GroupCommitter | None = None
        self.dispatcher: Dispatcher | None = None
        self._maintenance: Maintenance | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._poller: asyncio.Task[None] | None = None
        self._recent = RecentKeys(settings.dedup_window)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        s = self.settings
        if s.inbox_path != ":memory:":
            Path(s.inbox_path).parent.mkdir(parents=True, exist_ok=True)
        self.inbox = Inbox(s.inbox_path, synchronous=s.synchronous)
        self._committer = committer = GroupCommitter(self.inbox)
        if s.inbox_path != ":memory:":
            self.inbox.disable_autocheckpoint()
            loop = asyncio.get_running_loop()

            def finish_checkpoint() -> None:  # called from the maintenance thread
                loop.call_soon_threadsafe(committer.request_checkpoint)

            self._maintenance = Maintenance(
                s.inbox_path, retention=s.retention, finish_checkpoint=finish_checkpoint
            )
            self._maintenance.start()
        for key, record_id in self.inbox.recent_keys(s.dedup_window):
            self._recent.add(key, record_id)
        self._executor = ThreadPoolExecutor(s.handler_threads, thread_name_prefix="twilio-handler")
        self.dispatcher = Dispatcher(
            self._registry,
            self.inbox,
            self._committer,
            retry=s.retry,
            executor=self._executor,
            max_concurrency=s.max_concurrency,
            max_backlog=s.max_backlog,
            ordering_delay=s.ordering_delay,
            reply_check=self._reply_body,
        )
        resumed = self.dispatcher.start_from(self.inbox.settled_below())
        if resumed:
            log.info("resuming %d pending event(s) from the inbox", resumed)
        self._poller = asyncio.get_running_loop().create_task(self._poll())
        if not s.validate_signatures:
            log.warning("X-Twilio-Signature validation is DISABLED; anyone can post events")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        if self.dispatcher is not None:
            await self.dispatcher.close(self.settings.drain_timeout)
        if self._committer is not None:
            try:
                self._committer.flush_now()
            except Exception as exc:  # the rows stay pending; they run again on restart
                log.error("could not record final handler results: %s", exc)
        if self._maintenance is not None:
            self._maintenance.stop()
        if self.inbox is not None:
            self.inbox.close()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _poll(self) -> None:
        """Pick up rows made pending by another process (``twilio-connector inbox replay``)."""
        assert self.inbox is not None and self.dispatcher is not None
        assert self._committer is not None
        version = self.inbox.data_version()
        settled = self.inbox.settled_below()
        while True:
            await asyncio.sleep(self.settings.poll_interval)
            try:
                current = self.inbox.data_version()
                if current != version:
                    version = current
                    self.dispatcher.reload()
                floor = self.dispatcher.settled_below(self.inbox.next_id)
                if floor != settled:
                    settled = floor
                    self._committer.settle_below(floor)
            except Exception as exc:
                log.warning("inbox poll failed: %s", exc)

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

    def _verify(
        self, url: str, params: Any, signature: str, secrets: Sequence[str], algorithm: str
    ) -> bool:
        # validate_signature encodes the params once and returns at once for the URL as
        # received under the first secret; a forged request is checked against every form.
        return validate_signature(secrets, url, params, signature, algorithm)

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
        body = req.body
        if len(body) > self._max_body:
            return TOO_LARGE
        settings = self.settings
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
                        log.warning(
                            "rejected %s %s: shared key %r with algorithm %r not accepted",
                            method,
                            req.path,
                            (parsed.key_id or "")[:_LOGGED_KEY],
                            algorithm[:_LOGGED_KEY],
                        )
                        return FORBIDDEN_KEY
            if not secrets:
                log.warning("rejected %s %s: no auth token to check it with", method, req.path)
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
                ok = self._verify(url, signed, signature, secrets, algorithm)
            except ValueError:
                return BAD_URL
            if not ok:
                log.warning("rejected %s %s: invalid X-Twilio-Signature", method, req.path)
                return FORBIDDEN
        token = headers.get("i-twilio-idempotency-token") or None
        if kind == "json":
            return await self._store_stream(body, token)
        raw = RawParams(pairs)
        payload = body if kind == "form" else req.query.encode()
        return await self._store_form(raw, payload, token, deferred)

    async def _duplicate_of(self, key: str, prior: int, record_id: int) -> InboxRecord | None:
        """The stored event that ``key`` duplicates (once committed); None if it is new.

        ``prior`` is the candidate :meth:`RecentKeys.claim` returned for ``key``.
        """
        assert self.inbox is not None and self._committer is not None
        pending = self._committer.uncommitted(prior)
        if pending is not None:
            await pending  # if the original's commit failed, so does this request (503)
        row = self.inbox.get(prior)
        if row is not None and row.dedup_key == key:
            return row
        self._recent.add(key, record_id)  # a hash-tag collision: remember this key too
        return None

    def _forget(self, rec: NewRecord) -> None:
        """Its insert failed: it was never stored."""
        assert self.dispatcher is not None
        self.dispatcher.untrack(rec.id)
        if rec.dedup_key is not None:
            self._recent.discard(rec.dedup_key, rec.id)

    async def _store_form(
        self, raw: RawParams, payload: bytes, token: str | None, deferred: list[Delivery] | None
    ) -> WebhookResponse:
        c = classify_form(raw.first)
        assert self.inbox is not None and self.dispatcher is not None
        assert self._committer is not None
        key = c.dedup_key or (f"token:{token}" if token else None)
        record_id = self.inbox.allocate_id()
        # claim() remembers a new key at once (so a concurrent copy sees it) or names a
        # candidate original, confirmed against the stored row.
        prior = None if key is None else self._recent.claim(key, record_id)
        if prior is not None:
            assert key is not None
            existing = await self._duplicate_of(key, prior, record_id)
            if existing is not None:
                log.info("duplicate %s (inbox id %d) acknowledged again", c.name, existing.id)
                if not c.inline:
                    return ACK_EMPTY
                if existing.reply:
                    return WebhookResponse(200, existing.reply, "text/xml")
                return ACK
        now = time.time()
        rec = NewRecord(
            record_id,
            now,
            c.name,
            c.resource_sid,
            c.rank,
            token,
            key,
            c.inline,
            "form",
            payload,
        )
        self.dispatcher.track(record_id)
        try:
            await self._committer.insert(rec)
        except BaseException:
            self._forget(rec)
            raise
        d = Delivery(
            record_id,
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
        assert self.inbox is not None and self.dispatcher is not None
        items = split_stream_payload(body)
        now = time.time()
        records = []
        for doc, payload in items:
            c = classify_stream(doc)
            key = c.dedup_key or (f"token:{token}" if token and len(items) == 1 else None)
            record_id = self.inbox.allocate_id()
            # A new key is remembered at once, so a repeat inside this batch is a duplicate too.
            prior = None if key is None else self._recent.claim(key, record_id)
            if prior is not None:
                assert key is not None
                if await self._duplicate_of(key, prior, record_id) is not None:
                    continue
            rec = NewRecord(
                record_id,
                now,
                c.name,
                c.resource_sid,
                c.rank,
                token,
                key,
                False,
                "json",
                payload,
            )
            self.dispatcher.track(rec.id)
            records.append(rec)
        if records:
            try:
                await asyncio.gather(*(self._committer_insert(r) for r in records))
            except BaseException:
                for r in records:
                    self._forget(r)
                raise
        for rec in records:
            d = Delivery(rec.id, rec.name, rec.resource_sid, rec.rank, False, "json", rec.payload)
            d.token, d.received_at = token, now
            self.dispatcher.submit(d)
        return ACK_EMPTY

    def _committer_insert(self, rec: NewRecord) -> asyncio.Future[None]:
        assert self._committer is not None
        return self._committer.insert(rec)
