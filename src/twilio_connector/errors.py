"""The error tree. Every exception this package raises derives from :class:`TwilioError`::

    TwilioError
    ├── ConfigurationError          bad/missing credentials or settings (when a config is built)
    ├── TwilioApiError              Twilio answered an error (code, message, more_info, status)
    │   ├── AuthenticationError     401 / 20003
    │   ├── NotFoundError           404 / 20404
    │   ├── RateLimitError          429 / 20429 (retried first; raised when retries run out)
    │   ├── InvalidRequestError     400 (validation: 21211, 21602, 21606, ...)
    │   └── ServerError             5xx
    ├── TransportError              the HTTP exchange itself failed (no Twilio answer)
    │   ├── ConnectError            could not connect; the request was never sent (safe to retry)
    │   ├── TimeoutError            a GET/DELETE timed out
    │   └── OutcomeUnknownError     a POST may have reached Twilio (read timeout, reset after
    │                               sending); NOT retried: a retried SMS is a duplicate SMS
    └── ResponseDecodeError         a 2xx answer that is not the JSON we expected

Errors carry the HTTP method and URL of the request, never credentials.
"""

from __future__ import annotations

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
    "ServerError",
    "TimeoutError",
    "TransportError",
    "TwilioApiError",
    "TwilioError",
]


class TwilioError(Exception):
    """Root of every error raised by twilio_connector."""


class ConfigurationError(TwilioError, ValueError):
    """Credentials or settings are missing or malformed."""


class TwilioApiError(TwilioError):
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
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info
        self.method = method
        self.url = url
        self.details = details
        self.retry_after = retry_after
        super().__init__(str(self))

    def __str__(self) -> str:
        code = f" (code {self.code})" if self.code is not None else ""
        more = f" - {self.more_info}" if self.more_info else ""
        return f"HTTP {self.status}{code} on {self.method} {self.url}: {self.message}{more}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, code={self.code}, "
            f"message={self.message!r}, method={self.method!r}, url={self.url!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_api_error, (type(self), self.__dict__.copy()))


def _rebuild_api_error(cls: type[TwilioApiError], state: dict[str, Any]) -> TwilioApiError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, str(err))
    return err


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


class TransportError(TwilioError):
    """No Twilio answer: the connection or the exchange failed."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})" if method else message)


class ConnectError(TransportError):
    """Could not connect; the request was never sent."""


class TimeoutError(TransportError):
    """A request that is safe to repeat timed out (after its retries)."""


class OutcomeUnknownError(TransportError):
    """A non-idempotent request (POST) may or may not have been processed by Twilio.

    It is not retried, because a retried "send SMS" can send the SMS twice. Check
    the resource (e.g. list recent messages) before trying again.
    """


class ResponseDecodeError(TwilioError):
    """A successful status whose body could not be decoded into the expected model."""


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
