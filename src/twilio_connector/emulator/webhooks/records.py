"""Webhook records: one attempt of the delivery log (``deliveries``) and a shared-key
signing rule (``webhook_signing``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ...signature import HMAC_SHA256

__all__ = ["DeliveryRecord", "SigningRule"]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One webhook attempt as the dispatcher made it (the delivery log).

    ``status`` is the HTTP status received (``None`` if no response), ``error`` a short
    reason when the attempt failed (connect error, timeout, non-2xx ...), ``error_code``
    the Twilio debugger code (11200, 11205, ...). ``params`` are the form fields sent.
    """

    id: int
    timestamp: float
    kind: str
    account_sid: str
    resource_sid: str | None
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    status: int | None
    latency_ms: float
    error: str | None
    error_code: int | None
    signature: str
    idempotency_token: str
    attempt: int
    response_body: str | None = None

    def param(self, name: str) -> str | None:
        """The first value sent for ``name``."""
        for key, value in self.params:
            if key == name:
                return value
        return None

    def to_dict(self) -> dict[str, Any]:
        """The control plane's JSON shape (``params`` as ``[name, value]`` lists)."""
        out = asdict(self)
        out["params"] = [list(p) for p in self.params]
        return out


@dataclass(frozen=True)
class SigningRule:
    """Sign webhooks under ``url_prefix`` (or to exactly ``url``) with a shared key."""

    key_id: str
    secret: str = field(repr=False)
    algorithm: str = HMAC_SHA256
    url_prefix: str | None = None
    url: str | None = None
    id: int = 0

    @property
    def signing_key(self) -> tuple[str, str]:
        """``(secret, algorithm)`` to sign with."""
        return self.secret, self.algorithm

    @property
    def settings_header(self) -> str:
        """The ``X-Twilio-Webhooks-Signature-Settings`` value."""
        return f"key={self.key_id},algorithm={self.algorithm}"

    def to_dict(self) -> dict[str, Any]:
        """The control plane's JSON shape (never the secret)."""
        return {
            "id": self.id,
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "url_prefix": self.url_prefix,
            "url": self.url,
        }
