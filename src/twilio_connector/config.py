"""Client configuration: credentials, base URL, timeouts and the retry policy.

A :class:`TwilioConfig` is validated when it is built, so a missing or malformed
credential fails at start-up rather than at the first request. Secrets are kept
out of ``repr`` and out of every error message.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ._wire.urls import redact_userinfo
from .errors import ConfigurationError

__all__ = ["DEFAULT_BASE_URL", "RetryPolicy", "TwilioConfig"]

DEFAULT_BASE_URL = "https://api.twilio.com"
_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")


def check_sid(value: str, prefix: str, what: str) -> str:
    """Return ``value`` if it is a SID with ``prefix`` (two letters + 32 hex), else raise."""
    if not isinstance(value, str) or not _SID.fullmatch(value) or not value.startswith(prefix):
        # Never echo the value: a secret pasted into the wrong field must not reach logs.
        shown = f"{value[:2]!r}... ({len(value)} characters)" if isinstance(value, str) else "?"
        raise ConfigurationError(
            f"{what} must be '{prefix}' followed by 32 hex digits, got {shown}"
        )
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """How failed requests are retried.

    ``max_retries`` extra attempts at most; the delay before retry *n* (0-based) is
    ``uniform(0, min(max_backoff, base_backoff * 2**n))`` ("full jitter"), or the
    server's ``Retry-After`` when it sent one (capped at ``max_retry_after``).
    """

    max_retries: int = 3
    base_backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    retry_statuses: frozenset[int] = frozenset({429, 503})
    """Statuses retried for every method (Twilio did not process the request)."""
    idempotent_retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    """Extra statuses retried for GET and DELETE, which are safe to repeat."""
    final_error_codes: frozenset[int] = frozenset({60202, 60203})
    """Twilio error codes never retried whatever the status: limits that a retry cannot clear
    (Verify's 429s: 60202 max check attempts, 60203 max send attempts)."""
    jitter: Callable[[float], float] | None = None
    """``jitter(cap)`` returns a delay in ``[0, cap]``; default ``random.uniform(0, cap)``.
    Pin it (e.g. ``lambda cap: cap``) for deterministic tests."""

    def __post_init__(self) -> None:
        if not _is_count(self.max_retries):
            raise ConfigurationError("max_retries must be an integer >= 0")
        delays = (self.base_backoff, self.max_backoff, self.max_retry_after)
        if not all(_is_seconds(d) for d in delays):
            raise ConfigurationError("backoffs and max_retry_after must be numbers >= 0")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_seconds(value: object) -> bool:
    """A finite number of seconds >= 0 (not a bool, not NaN)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0 <= value < float("inf")
    )


@dataclass(frozen=True)
class TwilioConfig:
    """Everything a client needs to talk to Twilio (or to a Twilio-compatible server).

    Authenticate either with the account's auth token, or with an API key
    (``api_key`` = ``SK...`` and ``api_secret``); the account SID always stays in
    the request path.

    Retries: ``max_retries=n`` is shorthand for ``retry=RetryPolicy(max_retries=n)``; give
    one or the other (both with different counts raise :class:`ConfigurationError`). Neither
    given: ``RetryPolicy()`` (3 retries). :attr:`retry_policy` is the policy in effect.
    """

    account_sid: str
    auth_token: str | None = field(default=None, repr=False)
    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_retries: int | None = None
    """``None``: the policy's (``RetryPolicy().max_retries`` = 3 unless ``retry`` is given)."""
    retry: RetryPolicy | None = None
    user_agent: str | None = None

    def __post_init__(self) -> None:
        check_sid(self.account_sid, "AC", "account_sid")
        if self.api_key is not None or self.api_secret is not None:
            if self.api_key is None or not self.api_secret:
                raise ConfigurationError("API-key auth needs both api_key and api_secret")
            check_sid(self.api_key, "SK", "api_key")
        elif not self.auth_token:
            raise ConfigurationError(
                "no credentials: give auth_token, or api_key and api_secret "
                "(TWILIO_AUTH_TOKEN or TWILIO_API_KEY/TWILIO_API_SECRET)"
            )
        if not re.match(r"^https?://[^/\s]+", self.base_url):
            shown = redact_userinfo(self.base_url[:200])
            raise ConfigurationError(f"base_url must be an http(s) URL, got {shown!r}")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if not all(_is_seconds(t) and t > 0 for t in (self.timeout, self.connect_timeout)):
            raise ConfigurationError("timeouts must be positive numbers of seconds")
        if self.max_retries is not None and not _is_count(self.max_retries):
            raise ConfigurationError("max_retries must be an integer >= 0")
        # The fields keep what was given (so dataclasses.replace() re-decides); the policy in
        # effect is derived once.
        policy = self.retry
        if policy is not None and not isinstance(policy, RetryPolicy):
            raise ConfigurationError("retry must be a twilio_connector.RetryPolicy")
        if self.max_retries is not None:
            if policy is None:
                policy = RetryPolicy(max_retries=self.max_retries)  # validates the count
            elif self.max_retries != policy.max_retries:
                raise ConfigurationError(
                    f"max_retries={self.max_retries} conflicts with "
                    f"retry=RetryPolicy(max_retries={policy.max_retries}): give one of them"
                )
        object.__setattr__(self, "_policy", policy or RetryPolicy())

    @property
    def retry_policy(self) -> RetryPolicy:
        """The retry policy in effect (from ``retry``, ``max_retries`` or the defaults)."""
        policy: RetryPolicy = self.__dict__["_policy"]
        return policy

    @property
    def username(self) -> str:
        """The Basic-auth user name: the API key SID if one is set, else the account SID."""
        return self.api_key or self.account_sid

    def authorization_header(self) -> str:
        """The ``Authorization`` header value. Never log it."""
        secret = self.api_secret if self.api_key else self.auth_token
        raw = f"{self.username}:{secret}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in messages or logs: the token or API secret and
        the base64 Basic credentials that carry it (which a server or proxy might echo)."""
        encoded = self.authorization_header().removeprefix("Basic ")
        return tuple(s for s in (self.auth_token, self.api_secret, encoded) if s)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> TwilioConfig:
        """Build a config from ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``,
        ``TWILIO_API_KEY``, ``TWILIO_API_SECRET`` and ``TWILIO_BASE_URL``."""
        env = os.environ if env is None else env
        sid = env.get("TWILIO_ACCOUNT_SID")
        if not sid:
            raise ConfigurationError("TWILIO_ACCOUNT_SID is not set")
        kwargs: dict[str, object] = {
            "account_sid": sid,
            "auth_token": env.get("TWILIO_AUTH_TOKEN") or None,
            "api_key": env.get("TWILIO_API_KEY") or None,
            "api_secret": env.get("TWILIO_API_SECRET") or None,
        }
        if env.get("TWILIO_BASE_URL"):
            kwargs["base_url"] = env["TWILIO_BASE_URL"]
        kwargs.update(overrides)
        return cls(**kwargs)  # type: ignore[arg-type]
