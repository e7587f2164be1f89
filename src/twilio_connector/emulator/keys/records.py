"""The API key record (the ``api_keys`` table; the secret is kept only as a SHA-256 hash)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeyRecord"]


@dataclass(slots=True)
class KeyRecord:
    sid: str
    account_sid: str
    secret_hash: str
    friendly_name: str
    date_created: float = 0.0
    date_updated: float = 0.0
