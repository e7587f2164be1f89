"""Outbound webhooks: signed like Twilio's, retried like Twilio's, every attempt logged.

:class:`WebhookDispatcher` owns one keep-alive HTTP client (:mod:`.http_client`). Each endpoint
(scheme, host, port and path) gets its own lane: a queue served by at most ``per_target_limit``
concurrent requests, so a slow or dead endpoint only ever delays its own deliveries, not
those to other paths of its host (connections are still pooled per host).

Per webhook it honours the URL-fragment connection overrides (``#ct=``, ``#rt=``,
``#tt=``, ``#rc=``, ``#rp=``; default: connect 5 s, read 15 s, total 15 s, one retry on
connect failure), strips ``user:pass@`` (sent as Basic auth after a 401 challenge), signs
the exact URL minus fragment with the owning account's token (``X-Twilio-Signature``, or
with a shared key when a :mod:`.signing` rule matches the URL), and
sends ``I-Twilio-Idempotency-Token`` (the same on every retry of one delivery),
``User-Agent: TwilioProxy/1.1`` and a form body (POST) or query string (GET).

``send`` is fire-and-forget (status callbacks): a delivery that fails for good is reported to
``on_failure`` (the core records a debugger notification); ``await request(...)`` returns the
response (status, content type, body) for webhooks whose answer matters (TwiML fetches),
and the caller reports failures with their context (fallback URLs, call errors).
Callbacks sent for the same resource and kind are delivered one after the other, in the
order they were sent (a message's ``sent`` always lands before its ``delivered``).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import msgspec

from ..._wire import FORM_CONTENT_TYPE, encode_form, split_userinfo
from ...signature import HMAC_SHA1, SIGNATURE_SETTINGS_HEADER, compute_signature
from ..store import Store
from .http_client import HttpClient, HttpError
from .repository import DeliveryRepository
from .signing import SigningTable

__all__ = ["ConnectionOverrides", "Webhook", "WebhookDispatcher", "WebhookResult"]

log = logging.getLogger("twilio_connector.emulator")

USER_AGENT = "TwilioProxy/1.1"
_FORM_HEADER = FORM_CONTENT_TYPE + "; charset=UTF-8"
MAX_BODY = 64 * 1024
_LOGGED_BODY = 4000


@dataclass(frozen=True)
class ConnectionOverrides:
    """Twilio's ``#ct/#rt/#tt/#rc/#rp`` fragment settings (milliseconds in the URL)."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 15.0
    retry_count: int = 1
    retry_on: frozenset[str] = frozenset({"ct"})

    @classmethod
    def parse(cls, fragment: str) -> ConnectionOverrides:
        """Parse ``ct=1000&rp=ct,rt``; out-of-range or unknown values keep the default."""
        values: dict[str, Any] = {}
        for part in fragment.split("&"):
            key, _, raw = part.partition("=")
            key = key.strip()
            if key in ("ct", "rt", "tt"):
                limit = 10000 if key == "ct" else 15000
                if raw.isdigit() and 100 <= int(raw) <= limit:
                    name = {"ct": "connect_timeout", "rt": "read_timeout", "tt": "total_timeout"}
                    values[name[key]] = int(raw) / 1000
            elif key == "rc":
                if raw.isdigit() and 0 <= int(raw) <= 5:
                    values["retry_count"] = int(raw)
            elif key == "rp":
                policies = {p.strip() for p in unquote(raw).split(",")}
                if policies and policies <= {"4xx", "5xx", "ct", "rt", "all"}:
                    values["retry_on"] = frozenset(policies)
        return cls(**values)

    def retries_on(self, category: str) -> bool:
        return "all" in self.retry_on or category in self.retry_on


@dataclass(frozen=True)
class Webhook:
    """One webhook to deliver. ``auth_token`` is the signing key of the owning account."""

    url: str
    params: Sequence[tuple[str, str]]
    auth_token: str = field(repr=False)
    account_sid: str
    kind: str
    resource_sid: str | None = None
    method: str = "POST"


@dataclass(frozen=True)
class WebhookResult:
    """What came back. ``ok`` means a 2xx answer; ``error_code`` is the debugger code."""

    ok: bool
    status: int | None
    body: bytes
    content_type: str
    error: str | None
    error_code: int | None
    attempts: int
    url: str


@dataclass
class _Job:
    hook: Webhook
    future: asyncio.Future[WebhookResult] | None


@dataclass
class _Lane:
    queue: deque[_Job] = field(default_factory=deque)
    workers: int = 0
    idle: list[asyncio.Future[bool]] = field(default_factory=list)  # workers waiting for work


_LINGER = 1.0  # seconds an idle worker waits for more work before exiting


def _settle_future(fut: asyncio.Future[bool], value: bool) -> None:
    if not fut.done():
        fut.set_result(value)


class _Attempt(Exception):
    def __init__(self, category: str, error: str, code: int) -> None:
        super().__init__(error)
        self.category = category
        self.error = error
        self.code = code


class WebhookDispatcher:
    """Delivers :class:`Webhook` s with per-target concurrency and a persisted log."""

    def __init__(
        self,
        store: Store,
        *,
        per_target_limit: int = 64,
        clock: Any = None,
        signing: SigningTable | None = None,
        on_failure: Callable[[Webhook, WebhookResult], None] | None = None,
    ) -> None:
        self._store = store
        self.deliveries = DeliveryRepository(store)
        self._on_failure = on_failure
        self._signing = signing
        self._clock = clock
        self._limit = per_target_limit
        self._lanes: dict[tuple[str, str, int | None, str], _Lane] = {}
        self._lane_keys: dict[str, tuple[str, str, int | None, str]] = {}
        self._http: HttpClient | None = None
        self._outstanding = 0
        self._workers: set[asyncio.Task[None]] = set()
        self._log_rows: list[tuple[Any, ...]] = []
        self._ordered: dict[tuple[str, str], deque[_Job]] = {}
        self._epoch = 0
        """Bumped by :meth:`drop_pending`: workers of an older epoch count for nothing."""

    async def start(self) -> None:
        self._http = HttpClient(max_idle_per_target=self._limit, max_body=MAX_BODY + 1)

    async def close(self) -> None:
        for task in list(self._workers):
            task.cancel()
        if self._workers:
            await asyncio.gather(*self._workers, return_exceptions=True)
        if self._http is not None:
            self._http.close()
            self._http = None

    @property
    def busy(self) -> bool:
        """True while any delivery is queued or in flight."""
        return self._outstanding > 0

    def send(self, hook: Webhook) -> None:
        """Queue ``hook`` for delivery (after earlier ones for its resource); do not wait."""
        job = _Job(hook, None)
        if hook.resource_sid is None:
            self._enqueue(job)
            return
        key = (hook.kind, hook.resource_sid)
        waiting = self._ordered.get(key)
        if waiting is None:
            self._ordered[key] = deque()
            self._enqueue(job)
        else:
            waiting.append(job)
            self._outstanding += 1

    async def request(self, hook: Webhook) -> WebhookResult:
        """Deliver ``hook`` and return the answer (the body is kept, up to 64 kB + 1)."""
        fut: asyncio.Future[WebhookResult] = asyncio.get_running_loop().create_future()
        self._enqueue(_Job(hook, fut))
        return await fut

    def drop_pending(self) -> None:
        """Forget every delivery (reset): queued ones are dropped and in-flight ones
        cancelled, unlogged, so that nothing from before a reset is logged, retried or
        waited for after it."""
        self._epoch += 1
        self._log_rows.clear()
        self._ordered.clear()
        for lane in self._lanes.values():
            for job in lane.queue:
                if job.future is not None and not job.future.done():
                    job.future.cancel()
        self._lanes.clear()  # the cancelled workers keep their old lanes to themselves
        self._outstanding = 0
        for task in self._workers:
            task.cancel()

    def _release_next(self, hook: Webhook) -> None:
        key = (hook.kind, hook.resource_sid or "")
        waiting = self._ordered.get(key)
        if not waiting:
            self._ordered.pop(key, None)
            return
        self._outstanding -= 1  # counted again by _enqueue
        self._enqueue(waiting.popleft())

    def _enqueue(self, job: _Job) -> None:
        key = self._lane_keys.get(job.hook.url)
        if key is None:
            try:
                parts = urlsplit(job.hook.url)
                key = (parts.scheme, parts.hostname or "", parts.port, parts.path)
            except ValueError:  # unparseable: its own lane; the client reports 11100
                key = ("", job.hook.url, None, "")
            if len(self._lane_keys) > 10_000:
                self._lane_keys.clear()
            self._lane_keys[job.hook.url] = key
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        lane.queue.append(job)
        self._outstanding += 1
        while lane.idle:
            wake = lane.idle.pop()
            if not wake.done():
                wake.set_result(True)
                return
        if lane.workers < self._limit:
            lane.workers += 1
            task = asyncio.get_running_loop().create_task(self._work(key, lane))
            self._workers.add(task)
            task.add_done_callback(self._workers.discard)

    async def _work(self, key: tuple[str, str, int | None, str], lane: _Lane) -> None:
        loop = asyncio.get_running_loop()
        epoch = self._epoch
        try:
            while True:
                if not lane.queue:
                    # Linger a little: reusing a worker is cheaper than starting a task.
                    wake: asyncio.Future[bool] = loop.create_future()
                    lane.idle.append(wake)
                    timer = loop.call_later(_LINGER, _settle_future, wake, False)
                    try:
                        woken = await wake
                    finally:
                        timer.cancel()
                    if not woken:
                        if wake in lane.idle:
                            lane.idle.remove(wake)
                        if not lane.queue:
                            return
                    continue
                job = lane.queue.popleft()
                try:
                    result = await self._deliver(job.hook, keep_body=job.future is not None)
                except asyncio.CancelledError:
                    if job.future is not None and not job.future.done():
                        job.future.cancel()
                    raise
                except Exception as exc:  # never lose a worker to a bug; report it
                    log.exception("webhook delivery crashed")
                    result = WebhookResult(False, None, b"", "", repr(exc), 11200, 0, job.hook.url)
                finally:
                    if epoch == self._epoch:
                        self._outstanding -= 1
                if job.future is not None:
                    if not job.future.done():
                        job.future.set_result(result)
                    continue
                if not result.ok and self._on_failure is not None:
                    self._on_failure(job.hook, result)
                if job.hook.resource_sid is not None:
                    self._release_next(job.hook)
        finally:
            lane.workers -= 1
            if not lane.workers and not lane.queue and self._lanes.get(key) is lane:
                del self._lanes[key]  # one lane per endpoint path: drop the idle ones

    async def _deliver(self, hook: Webhook, keep_body: bool) -> WebhookResult:
        assert self._http is not None, "dispatcher not started"
        raw_url, _, fragment = hook.url.partition("#")
        overrides = ConnectionOverrides.parse(fragment) if fragment else ConnectionOverrides()
        raw_url, userinfo = split_userinfo(raw_url)
        basic = userinfo.basic_authorization() if userinfo is not None else None
        method = hook.method.upper()
        params = list(hook.params)
        rule = self._signing.match(raw_url) if self._signing is not None else None
        secret, algorithm = (hook.auth_token, HMAC_SHA1) if rule is None else rule.signing_key
        if method == "GET":
            query = encode_form(params)
            url = raw_url + (("&" if "?" in raw_url else "?") + query if query else "")
            signature = compute_signature(secret, url, None, algorithm)
            data: bytes | None = None
        else:
            url = raw_url
            signature = compute_signature(secret, url, params, algorithm)
            data = encode_form(params).encode()
        token = str(uuid.uuid4())
        headers: list[tuple[str, str]] = [
            ("X-Twilio-Signature", signature),
            ("I-Twilio-Idempotency-Token", token),
            ("User-Agent", USER_AGENT),
            ("Accept", "*/*"),
            ("X-Home-Region", "us1"),
        ]
        if rule is not None:
            headers.append((SIGNATURE_SETTINGS_HEADER, rule.settings_header))
        if data is not None:
            headers.append(("Content-Type", _FORM_HEADER))
        started = time.monotonic()
        attempts, retries, auth_tried = 0, 0, False
        while True:
            attempts += 1
            remaining = overrides.total_timeout - (time.monotonic() - started)
            status: int | None = None
            body, ctype, failure = b"", "", None
            t0 = time.perf_counter()
            try:
                resp = await self._http.request(
                    method, url, headers, data, connect_timeout=overrides.connect_timeout,
                    read_timeout=overrides.read_timeout, total_timeout=remaining,
                )  # fmt: skip
                status, ctype, body = resp.status, resp.content_type, resp.body
            except HttpError as exc:
                failure = _Attempt(exc.category, str(exc), exc.code)
            latency = (time.perf_counter() - t0) * 1000
            if failure is None and status is not None and not 200 <= status < 300:
                category = "4xx" if status < 500 else "5xx"
                failure = _Attempt(category, f"HTTP {status}", 11200)
            self._log(hook, method, url, params, status, latency, failure, signature, token,
                      attempts, body if keep_body else None)  # fmt: skip
            if failure is None:
                return WebhookResult(True, status, body, ctype, None, None, attempts, url)
            if status == 401 and basic is not None and not auth_tried:
                auth_tried = True
                headers.append(("Authorization", basic))
                continue
            time_left = overrides.total_timeout - (time.monotonic() - started) > 0.001
            if (
                time_left
                and retries < overrides.retry_count
                and overrides.retries_on(failure.category)
            ):
                retries += 1
                continue
            return WebhookResult(
                False, status, body, ctype, failure.error, failure.code, attempts, url
            )

    def _log(
        self,
        hook: Webhook,
        method: str,
        url: str,
        params: list[tuple[str, str]],
        status: int | None,
        latency: float,
        failure: _Attempt | None,
        signature: str,
        token: str,
        attempt: int,
        body: bytes | None,
    ) -> None:
        now = self._clock.now() if self._clock is not None else time.time()
        text = body[:_LOGGED_BODY].decode("utf-8", "replace") if body else None
        self._log_rows.append(
            (now, hook.kind, hook.account_sid, hook.resource_sid, method, url,
             msgspec.json.encode(params).decode(), status, latency,
             None if failure is None else failure.error,
             None if failure is None else failure.code, signature, token, attempt, text)
        )  # fmt: skip
        self._store.defer(self._flush_log)

    def _flush_log(self) -> None:
        rows, self._log_rows = self._log_rows, []
        if rows:
            self.deliveries.insert_rows(rows)
