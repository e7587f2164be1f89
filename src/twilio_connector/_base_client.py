"""The sans-IO core shared by :class:`TwilioClient` and :class:`AsyncTwilioClient`.

Nothing here touches a socket. An *operation* is a generator that yields a
:class:`Request` and receives a :class:`Response`, then returns its decoded
result. :meth:`ClientCore.run_flow` wraps an operation with the retry policy and
yields two kinds of actions to the driver: a :class:`Request` to send (answered
with a :class:`Response` or a :class:`TransportFailure`) or a :class:`Sleep`.
The sync and async clients are tiny drivers of these generators.
"""

from __future__ import annotations

import email.utils
import logging
import random
import sys
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import timezone
from typing import Any, Literal, TypeVar

import msgspec

from . import errors
from ._redact import Redactor, shorten
from ._wire import API_DOMAIN, FORM_CONTENT_TYPE, domain_base_url, encode_form, same_origin
from .config import TwilioConfig
from .models import TwilioModel, decode, decode_page, decode_v1_page
from .specs import ACCOUNT_ROOT, PathTemplate, ResourceSpec

__all__ = [
    "ClientCore",
    "Op",
    "PageFlow",
    "Request",
    "Response",
    "RetryEvent",
    "Sleep",
    "TransportFailure",
]

VERSION = "0.1.0"
JSON_CONTENT_TYPE = "application/json"
"""The body type of the product APIs that take JSON (``content/v1``)."""
MAX_MESSAGE = 1000
"""An error's ``message`` is cut to this many characters (after redaction)."""
MAX_URL = 2000
MAX_TEXT_BODY = 200
"""A non-JSON error body (an HTML page from a proxy) becomes a message this long at most."""
MAX_SCANNED_BODY = 65536
"""Only this much of a non-JSON error body is decoded and redacted."""
logger = logging.getLogger("twilio_connector")

T = TypeVar("T")
M = TypeVar("M", bound=TwilioModel)


@dataclass(slots=True)
class Request:
    method: str
    url: str
    content: bytes | None = None
    json: bool = False
    """``content`` is a JSON body (``application/json``), not a form."""

    @property
    def idempotent(self) -> bool:
        """True when repeating the request cannot duplicate an effect (GET, DELETE)."""
        return self.method in ("GET", "DELETE", "HEAD", "OPTIONS")


@dataclass(slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    """Header names in lower case."""
    content: bytes


@dataclass(slots=True)
class TransportFailure:
    """What a driver reports when no HTTP response came back."""

    kind: Literal["connect", "timeout", "protocol"]
    sent: bool
    """False only when the request certainly never left (connect failure, pool timeout)."""
    detail: str


@dataclass(slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class RetryEvent:
    """Passed to the ``on_retry`` hook (and logged) before each retry."""

    method: str
    url: str
    attempt: int
    """1 for the first retry."""
    delay: float
    reason: str


Op = Generator[Request, Response, T]
"""An operation: yields requests, receives responses, returns the result."""
Outcome = Response | TransportFailure
Flow = Generator[Request | Sleep, Outcome | None, T]
PageFlow = Generator[Request | list[T], Response | None, None]
"""A pagination flow: yields requests (answered with a response) or batches of items."""


def _error_code(response: Response) -> int | None:
    """Twilio's error ``code`` in a JSON error body (``None`` if there is none)."""
    if not response.content.startswith(b"{"):
        return None
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - time.time())


class ClientCore:
    """Builds requests, decodes responses and errors, and decides retries."""

    def __init__(
        self,
        config: TwilioConfig,
        *,
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> None:
        self.config = config
        self.policy = config.retry_policy
        # Below this status a response is final without consulting the retry policy.
        self.first_retry_status = min(
            self.policy.retry_statuses | self.policy.idempotent_retry_statuses, default=600
        )
        self.on_retry = on_retry
        self.redactor = Redactor(config.secrets())
        self._account_paths: dict[PathTemplate, PathTemplate] = {}
        self.account_root = config.base_url + self.path(ACCOUNT_ROOT)
        """Where relative paths (``Queues.json``) live."""
        self._domain_urls: dict[str, str] = {API_DOMAIN: config.base_url}
        # sys.version's first word is platform.python_version() (platform costs ~2 ms to import)
        agent = config.user_agent or f"twilio-connector/{VERSION} (Python/{sys.version.split()[0]})"
        # No Accept-Charset: the API only speaks UTF-8 JSON, and every header costs CPU in
        # the HTTP libraries on each request (measured in bench/client_bench.py).
        self.headers: dict[str, str] = {
            "Authorization": config.authorization_header(),
            "User-Agent": agent,
            "Accept": "application/json",
        }
        self.form_headers = {**self.headers, "Content-Type": FORM_CONTENT_TYPE}
        self.json_headers = {**self.headers, "Content-Type": JSON_CONTENT_TYPE}

    # -- building ---------------------------------------------------------------------------

    def url(self, path: str, query: Iterable[tuple[str, str]] | None = None) -> str:
        """Absolute URL for ``path`` (absolute URL, ``/2010-04-01/...`` as the paths of
        :mod:`~twilio_connector.specs` give, or relative to the account root: ``Queues.json``)."""
        if path.startswith(("http://", "https://")):
            url = path
        elif path.startswith("/"):
            url = self.config.base_url + path
        else:
            url = f"{self.account_root}/{path}"
        if query:
            encoded = encode_form(query)
            if encoded:
                url += ("&" if "?" in url else "?") + encoded
        return url

    def path(self, template: PathTemplate | None, /, **ids: str) -> str:
        """A request path from a :mod:`~twilio_connector.specs` template, every segment quoted;
        ``AccountSid`` defaults to the account these credentials act for."""
        if template is None:
            raise ValueError("this resource has no such path")
        if "AccountSid" in ids:
            return template.format(**ids)
        bound = self._account_paths.get(template)
        if bound is None:  # the account's SID filled in once per template
            bound = template.bind(AccountSid=self.config.account_sid)
            self._account_paths[template] = bound
        return bound.format(**ids)

    def domain_url(self, domain: str) -> str:
        """The base URL of an API ``domain`` for this config (``https://messaging.twilio.com``,
        or ``{base_url}/messaging`` on the emulator): :func:`~._wire.domain_base_url`."""
        url = self._domain_urls.get(domain)
        if url is None:
            url = self._domain_urls[domain] = domain_base_url(self.config.base_url, domain)
        return url

    def _located(self, spec: ResourceSpec[Any], path: str) -> str:
        """``path`` as is for the 2010 API, as an absolute URL on the spec's domain otherwise."""
        return path if spec.domain == API_DOMAIN else self.domain_url(spec.domain) + path

    def list_path(self, spec: ResourceSpec[Any], /, **ids: str) -> str:
        """:meth:`path` of ``spec``'s list (an absolute URL outside the 2010 API)."""
        if spec.list_path is None:
            raise ValueError(f"{spec.name} has no list")
        return self._located(spec, self.path(spec.list_path, **ids))

    def instance_path(self, spec: ResourceSpec[Any], /, **ids: str) -> str:
        """:meth:`path` of one ``spec`` record (an absolute URL outside the 2010 API)."""
        if spec.instance_path is None:
            raise ValueError(f"{spec.name} has no instance path")
        return self._located(spec, self.path(spec.instance_path, **ids))

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Iterable[tuple[str, str]] | None = None,
        data: Iterable[tuple[str, str]] | None = None,
        json_body: Any = None,
    ) -> Request:
        """``data``: a form body; ``json_body``: a JSON body (a dict, encoded here)."""
        if json_body is not None:
            return Request(method, self.url(path, query), msgspec.json.encode(json_body), True)
        if data is not None:
            content: bytes | None = encode_form(data).encode()
        else:
            content = b"" if method == "POST" else None
        return Request(method, self.url(path, query), content)

    # -- decoding ---------------------------------------------------------------------------

    def raise_for_status(self, request: Request, response: Response) -> None:
        status = response.status
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            location = response.headers.get("location")
            raise errors.UnexpectedRedirectError(
                status=status,
                location=self.redactor.bounded(location, MAX_URL) if location else None,
                method=request.method,
                url=self.redact(request.url),
                headers=self.redactor.headers(response.headers),
            )
        code: int | None = None
        message = f"HTTP {status}"
        more_info: str | None = None
        details: Any = None
        try:
            body = msgspec.json.decode(response.content) if response.content else None
        except msgspec.DecodeError:
            body = None
        # Every text is redacted before it is cut: a secret starting just before the cut
        # would otherwise leave its first characters behind.
        if isinstance(body, dict):
            raw_code = body.get("code")
            code = raw_code if isinstance(raw_code, int) else None
            raw = body.get("message") or body.get("detail") or body.get("title") or message
            message = self.redactor.bounded(str(raw), MAX_MESSAGE)
            raw_more = body.get("more_info")
            more_info = (
                self.redactor.bounded(raw_more, MAX_URL) if isinstance(raw_more, str) else None
            )
            details = self.redactor.value(body.get("details"))
        elif response.content:
            text = response.content[:MAX_SCANNED_BODY].decode("utf-8", "replace")
            message = shorten(self.redact(text).strip(), MAX_TEXT_BODY) or message
        if code is None:
            code = status
        cls = errors.api_error_class(status)
        raise cls(
            status=status,
            code=code,
            message=message,
            more_info=more_info,
            method=request.method,
            url=self.redact(request.url),
            details=details,
            retry_after=_retry_after(response.headers),
            headers=self.redactor.headers(response.headers),
        )

    def redact(self, text: str) -> str:
        return self.redactor.text(text)

    def decode_error(
        self, request: Request, response: Response, what: str
    ) -> errors.ResponseDecodeError:
        return errors.ResponseDecodeError(
            f"{request.method} {self.redact(request.url)}: {what}",
            status=response.status,
            method=request.method,
            url=self.redact(request.url),
            headers=self.redactor.headers(response.headers),
        )

    def model(self, model: type[M], request: Request, response: Response) -> M:
        self.raise_for_status(request, response)
        try:
            return decode(model, response.content)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            what = f"cannot decode {model.__name__}: {self.redact(str(exc))}"
            raise self.decode_error(request, response, what) from None

    def json(self, request: Request, response: Response) -> Any:
        self.raise_for_status(request, response)
        if not response.content:
            return None
        try:
            return msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            what = f"response is not JSON: {self.redact(str(exc))}"
            raise self.decode_error(request, response, what) from None

    # -- operations (generators) ------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        query: Iterable[tuple[str, str]] | None = None,
        data: Iterable[tuple[str, str]] | None = None,
        json_body: Any = None,
    ) -> Op[M]:
        request = self.request(method, path, query=query, data=data, json_body=json_body)
        response = yield request
        return self.model(model, request, response)

    def call_no_content(self, method: str, path: str) -> Op[None]:
        request = self.request(method, path)
        response = yield request
        self.raise_for_status(request, response)

    def call_json(
        self,
        method: str,
        path: str,
        *,
        query: Iterable[tuple[str, str]] | None = None,
        data: Iterable[tuple[str, str]] | None = None,
    ) -> Op[Any]:
        request = self.request(method, path, query=query, data=data)
        response = yield request
        return self.json(request, response)

    def pages(
        self,
        path: str,
        model: type[M],
        list_key: str,
        query: Iterable[tuple[str, str]] | None = None,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        v1: bool = False,
        origin: str | None = None,
    ) -> PageFlow[M]:
        """Lazily walk a list, following ``next_page_uri`` until ``limit`` items. ``v1``:
        the v1 envelope (``meta.next_page_url``); ``origin``: the base URL a next page must
        share its origin with (default the config's)."""
        if limit is not None and limit <= 0:
            return
        if page_size is None:
            page_size = min(limit, 1000) if limit is not None else 50
        params = [*(query or ()), ("PageSize", str(page_size))]
        request = self.request("GET", path, query=params)
        remaining = limit
        while True:
            response = yield request
            assert response is not None
            self.raise_for_status(request, response)
            try:
                decoder = decode_v1_page if v1 else decode_page
                items, meta = decoder(model, list_key, response.content)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                what = f"cannot decode a page of {model.__name__}: {self.redact(str(exc))}"
                raise self.decode_error(request, response, what) from None
            if remaining is not None:
                items = items[:remaining]
                remaining -= len(items)
            if items:
                yield items
            if (remaining is not None and remaining <= 0) or not meta.next_page_uri or not items:
                return
            next_url = self.url(meta.next_page_uri)
            if not same_origin(next_url, origin or self.config.base_url):
                # The credentials go with every request: never to a host a page names.
                what = "its next_page_uri points at another origin; not followed"
                raise self.decode_error(request, response, what)
            request = Request("GET", next_url)

    def list_pages(
        self,
        spec: ResourceSpec[M],
        query: Iterable[tuple[str, str]] | None = None,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        **ids: str,
    ) -> PageFlow[M]:
        """:meth:`pages` of ``spec``'s list (its path, model and list key)."""
        if spec.list_key is None:
            raise ValueError(f"{spec.name} has no list")
        path = self.list_path(spec, **ids)
        return self.pages(
            path, spec.model, spec.list_key, query, limit=limit, page_size=page_size,
            v1=spec.v1_envelope, origin=self.domain_url(spec.domain),
        )  # fmt: skip

    def collect(self, flow: PageFlow[M]) -> Op[list[M]]:
        """Turn a pagination flow into an operation returning every item."""
        out: list[M] = []
        action = next(flow, None)
        while action is not None:
            if isinstance(action, list):
                out.extend(action)
                action = next(flow, None)
            else:
                response = yield action
                try:
                    action = flow.send(response)
                except StopIteration:
                    action = None
        return out

    # -- retries ----------------------------------------------------------------------------

    def run_flow(self, op: Generator[Request, Response, T]) -> Flow[T]:
        """Drive ``op`` with retries: yields requests and sleeps, returns the op's result."""
        try:
            request = next(op)
            while True:
                outcome = yield request
                # Fast path: a final answer needs no retry decision (nor another generator).
                if type(outcome) is Response and outcome.status < self.first_retry_status:
                    request = op.send(outcome)
                else:
                    assert outcome is not None
                    response = yield from self.send(request, outcome)
                    request = op.send(response)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]

    def send(
        self, request: Request, first: Outcome | None = None
    ) -> Generator[Request | Sleep, Outcome | None, Response]:
        """Send one request with the retry policy; raise transport errors that are final.
        ``first`` is the outcome of an attempt already made by the caller, if any."""
        attempt = 0
        outcome = first
        while True:
            if outcome is None:
                outcome = yield request
                assert outcome is not None
            decision = self.retry_decision(request, outcome, attempt)
            if decision is None:
                break
            delay, reason = decision
            attempt += 1
            event = RetryEvent(
                request.method, self.redact(request.url), attempt, delay, self.redact(reason)
            )
            logger.info(
                "retrying %s %s (attempt %d) in %.3fs: %s",
                event.method,
                event.url,
                attempt,
                delay,
                event.reason,  # redacted
            )
            if self.on_retry is not None:
                self.on_retry(event)
            yield Sleep(delay)
            outcome = None
        if isinstance(outcome, TransportFailure):
            raise self.transport_error(request, outcome)
        return outcome

    def retry_decision(
        self, request: Request, outcome: Outcome, attempt: int
    ) -> tuple[float, str] | None:
        policy = self.policy
        if attempt >= policy.max_retries:
            return None
        if isinstance(outcome, TransportFailure):
            if outcome.sent and not request.idempotent:
                return None  # the POST may have reached Twilio: never resend it
            return self.backoff(attempt), f"{outcome.kind} error: {outcome.detail}"
        status = outcome.status
        if status in policy.retry_statuses or (
            request.idempotent and status in policy.idempotent_retry_statuses
        ):
            if policy.final_error_codes and _error_code(outcome) in policy.final_error_codes:
                return None
            after = _retry_after(outcome.headers)
            if after is not None:
                return min(after, policy.max_retry_after), f"HTTP {status} (Retry-After)"
            return self.backoff(attempt), f"HTTP {status}"
        return None

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with full jitter."""
        cap = min(self.policy.max_backoff, self.policy.base_backoff * (2**attempt))
        return self.jitter(cap)

    def jitter(self, cap: float) -> float:
        """A delay in ``[0, cap]``; isolated so a policy can pin it (see RetryPolicy.jitter)."""
        pinned = self.policy.jitter
        return pinned(cap) if pinned is not None else random.uniform(0.0, cap)

    def transport_error(self, request: Request, failure: TransportFailure) -> errors.TransportError:
        url = self.redact(request.url)
        detail = self.redact(failure.detail)
        if failure.sent and not request.idempotent:
            return errors.OutcomeUnknownError(
                f"{failure.kind} error after the request was sent ({detail}); it may or may not "
                "have been processed by Twilio, so it was not retried",
                method=request.method,
                url=url,
            )
        if failure.kind == "timeout":
            return errors.TimeoutError(f"timed out: {detail}", method=request.method, url=url)
        if failure.kind == "connect":
            return errors.ConnectError(
                f"could not connect: {detail}", method=request.method, url=url
            )
        return errors.TransportError(
            f"HTTP exchange failed: {detail}", method=request.method, url=url
        )
