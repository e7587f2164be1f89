"""What every resource's serialization shares: :func:`dt` and :data:`API_VERSION`.

Records become :mod:`twilio_connector.models` (the one definition of Twilio's JSON shapes)
next to their handlers: :mod:`.accounts.serialize`, :mod:`.keys.rest`,
:mod:`.numbers.serialize`, :mod:`.messages.serialize`, :mod:`.calls.serialize`.
"""

from __future__ import annotations

from datetime import timezone

from .. import models
from .._wire import API_VERSION

__all__ = ["API_VERSION", "dt"]


def dt(ts: float | None) -> models.Rfc2822Datetime | None:
    """Epoch seconds to the models' datetime (whole seconds, as Twilio shows them)."""
    if ts is None:
        return None
    return models.Rfc2822Datetime.fromtimestamp(int(ts), tz=timezone.utc)
