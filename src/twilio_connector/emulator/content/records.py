"""The template record: its definition and its WhatsApp approval (times are epoch s)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ContentRecord"]


@dataclass(slots=True)
class ContentRecord:
    """A template. ``types`` maps a content type (``twilio/text``) to its JSON object;
    ``variables`` are the defaults used when a send omits a key; ``approval`` is the WhatsApp
    approval (``name``, ``category``, ``status``, ``rejection_reason``), ``None`` until
    requested or set by the control plane."""

    sid: str
    account_sid: str
    friendly_name: str
    language: str
    variables: dict[str, str] = field(default_factory=dict)
    types: dict[str, Any] = field(default_factory=dict)
    approval: dict[str, Any] | None = None
    date_created: float = 0.0
    date_updated: float = 0.0
