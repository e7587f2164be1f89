"""Account records to :class:`twilio_connector.models.Account`."""

from __future__ import annotations

from ... import models
from ..router import API_PREFIX
from ..serialize import dt
from .records import AccountRecord

__all__ = ["account_model"]

# Twilio lists twenty subresources; only those the emulator serves are linked (each one is
# fetched by tests/emulator/test_emulator_fixes.py).
_SUBRESOURCES = (
    ("available_phone_numbers", "AvailablePhoneNumbers"),
    ("calls", "Calls"),
    ("incoming_phone_numbers", "IncomingPhoneNumbers"),
    ("recordings", "Recordings"),
    ("keys", "Keys"),
    ("messages", "Messages"),
    ("balance", "Balance"),
)


def account_model(a: AccountRecord) -> models.Account:
    base = f"{API_PREFIX}/Accounts/{a.sid}"
    return models.Account(
        sid=a.sid,
        friendly_name=a.friendly_name,
        status=a.status,
        type=a.type,
        owner_account_sid=a.owner_sid,
        auth_token=a.auth_token,
        date_created=dt(a.date_created),
        date_updated=dt(a.date_updated),
        uri=f"{base}.json",
        subresource_uris={name: f"{base}/{path}.json" for name, path in _SUBRESOURCES},
    )
