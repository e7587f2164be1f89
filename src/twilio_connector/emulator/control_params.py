"""Values of control-plane bodies (``/_emulator/...``): JSON objects or flattened forms.

Keys are snake_case; a value of the wrong shape is a 400/20001 naming the key.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import invalid_param

__all__ = ["number", "text"]


def text(data: dict[str, Any], key: str, default: str | None = None) -> str | None:
    """A single value as a string (``None`` if absent)."""
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        raise invalid_param(key, None, "expected a single value")
    return str(value)


def number(data: dict[str, Any], key: str, default: float | None = None) -> float | None:
    """A finite number (``default`` if absent or empty); NaN and infinities are refused."""
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, (bool, list, dict)):
        raise invalid_param(key, None, "expected a number")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise invalid_param(key, value, "expected a number") from None
    if not math.isfinite(out):
        raise invalid_param(key, value, "expected a finite number")
    return out
