"""The error tree. Every exception this package raises derives from :class:`TwilioError`::

    TwilioError
    ├── ConfigurationError          bad/missing/conflicting settings (when a config is built)
    ├── realtime.InvalidMessageError    a Media Streams / ConversationRelay frame that is not
    │                               valid for its protocol (also a ValueError; ``field`` names it)
    ├── realtime.audio.AudioFormatError audio that cannot be used (not PCM16, too long, ...)
    ├── TwilioHttpError             an HTTP response ended the request (status, headers,
    │   │                           request_id = Twilio-Request-Id)
    │   ├── TwilioApiError          Twilio answered an error (code, message, more_info, details)
    │   │   ├── AuthenticationError     401 / 20003
    │   │   ├── NotFoundError           404 / 20404
    │   │   ├── RateLimitError          429 / 20429 (retried first; raised when retries run out)
    │   │   ├── InvalidRequestError     400 (validation: 21211, 21602, 21606, ...)
    │   │   └── ServerError             5xx
    │   ├── UnexpectedRedirectError a 3xx: never followed (``location`` names where it pointed)
    │   └── ResponseDecodeError     a 2xx answer that is not the JSON we expected
    └── TransportError              the HTTP exchange itself failed (no Twilio answer)
        ├── ConnectError            could not connect; the request was never sent (safe to retry)
        ├── TimeoutError            a GET/DELETE timed out
        └── OutcomeUnknownError     a POST may have reached Twilio (read timeout, reset after
                                    sending); NOT retried: a retried SMS is a duplicate SMS

Errors carry the HTTP method and URL of the request, never credentials: the client redacts
the auth token, API secret, Basic credentials and ``user:password@`` URL credentials from
every attribute (message, more_info, details, url, headers, args) before anything is cut
short, so ``str``, ``repr`` and pickling show only redacted values. The response headers are
a read-only :class:`ResponseHeaders` without ``Set-Cookie`` or ``Authorization``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConnectError",
    "InvalidRequestError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseHeaders",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "TwilioApiError",
    "TwilioError",
    "TwilioHttpError",
    "UnexpectedRedirectError",
]


class TwilioError(Exception):
    """Root of every error raised by twilio_connector."""


class ConfigurationError(TwilioError, ValueError):
    """Credentials or settings are missing, malformed or in conflict."""


class ResponseHeaders(Mapping[str, str]):
    """The headers of the response an error came from: read-only, names looked up in any
    case (stored in lower case). Built by the client without the headers that carry
    credentials (``Set-Cookie``, ``Authorization``...) and with secrets redacted."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items: dict[str, str] = {str(k).lower(): str(v) for k, v in pairs}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ResponseHeaders, (self._items,))


class TwilioHttpError(TwilioError):
    """An HTTP response ended the request: an error status, a redirect, or a body that
    cannot be decoded. ``request_id`` is Twilio's ``Twilio-Request-Id`` (quote it to
    Twilio support); ``headers`` the response's headers (see :class:`ResponseHeaders`)."""

    status: int
    method: str
    url: str
    headers: ResponseHeaders
    request_id: str | None

    def _set_http(
        self,
        status: int,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        request_id: str | None,
    ) -> None:
        self.status = status
        self.method = method
        self.url = url
        self.headers = (
            headers if isinstance(headers, ResponseHeaders) else ResponseHeaders(headers or {})
        )
        self.request_id = (
            request_id if request_id is not None else self.headers.get("twilio-request-id")
        )

    def _request_note(self) -> str:
        return f" [request {self.request_id}]" if self.request_id else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from the (already redacted) attributes: no constructor re-run, no raw text.
        return (_rebuild_http_error, (type(self), self.__dict__.copy()))


def _rebuild_http_error(cls: type[TwilioHttpError], state: dict[str, Any]) -> TwilioHttpError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, str(err))
    return err


class TwilioApiError(TwilioHttpError):
    """Twilio answered with an error status and (usually) its JSON error body."""

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None = None,
        method: str = "",
        url: str = "",
        details: Any = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
    ) -> None:
        self._set_http(status, method, url, headers, request_id)
        self.code = code
        self.message = message
        self.more_info = more_info
        self.details = details
        self.retry_after = retry_after
        super().__init__(str(self))

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        more = f" - {self.more_info}" if self.more_info else ""
        return (
            f"HTTP {self.status}{code} on {self.method} {self.url}: {self.message}{more}"
            f"{self._request_note()}"
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code}, "
            f"message={self.message!r}, method={self.method!r}, url={self.url!r}, "
            f"request_id={self.request_id!r})"
        )


class AuthenticationError(TwilioApiError):
    """401: the account SID / auth token (or API key / secret) were rejected (20003)."""


class NotFoundError(TwilioApiError):
    """404: the resource does not exist or belongs to another account (20404)."""


class RateLimitError(TwilioApiError):
    """429: too many concurrent requests (20429); raised once retries are exhausted."""


class InvalidRequestError(TwilioApiError):
    """400: Twilio refused the parameters (e.g. 21211 invalid To, 21602 no body)."""


class ServerError(TwilioApiError):
    """5xx from Twilio."""


class UnexpectedRedirectError(TwilioHttpError):
    """A 3xx answer. The client never follows a redirect: Twilio's API does not send them,
    and following one would re-send credentials and the request (an SMS POST) elsewhere,
    or turn a POST into a GET whose answer would look like the created resource. Usually
    ``base_url`` is wrong (``http://`` to an HTTPS-only host, a proxy, a moved server)."""

    def __init__(
        self,
        *,
        status: int,
        location: str | None,
        method: str = "",
        url: str = "",
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
    ) -> None:
        self._set_http(status, method, url, headers, request_id)
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"to {self.location}" if self.location else "without a Location"
        return (
            f"HTTP {self.status} redirect {where} on {self.method} {self.url}: not followed "
            f"(the client never follows redirects; check base_url){self._request_note()}"
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, location={self.location!r}, "
            f"method={self.method!r}, url={self.url!r}, request_id={self.request_id!r})"
        )


class ResponseDecodeError(TwilioHttpError):
    """A successful status whose body could not be decoded into the expected model."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        method: str = "",
        url: str = "",
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
    ) -> None:
        self._set_http(status, method, url, headers, request_id)
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.message}{self._request_note()}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status}, "
            f"request_id={self.request_id!r})"
        )


class TransportError(TwilioError):
    """No Twilio answer: the connection or the exchange failed."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})" if method else message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_transport_error, (type(self), self.args, self.method, self.url))


def _rebuild_transport_error(
    cls: type[TransportError], args: tuple[Any, ...], method: str, url: str
) -> TransportError:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.method = method
    err.url = url
    return err


class ConnectError(TransportError):
    """Could not connect; the request was never sent."""


class TimeoutError(TransportError):
    """A request that is safe to repeat timed out (after its retries)."""


class OutcomeUnknownError(TransportError):
    """A non-idempotent request (POST) may or may not have been processed by Twilio.

    It is not retried, because a retried "send SMS" can send the SMS twice. Check
    the resource (e.g. list recent messages) before trying again.
    """


_BY_STATUS: dict[int, type[TwilioApiError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}


def api_error_class(status: int) -> type[TwilioApiError]:
    """The most specific :class:`TwilioApiError` subclass for an HTTP status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, TwilioApiError)
