"""Account records to :class:`twilio_connector.models.Account`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ... import models, specs
from ..serialize import dt
from .records import AccountRecord

if TYPE_CHECKING:  # the stored values are the emulator's own: Twilio's values
    from ...enums import AccountStatusValue, AccountTypeValue

__all__ = ["account_model"]

# Twilio links twenty subresources; only those the emulator serves are linked, at the paths
# of the resource table (each is fetched by tests/emulator/test_emulator_fixes.py).
_LINKED = (
    specs.AVAILABLE_PHONE_NUMBER_COUNTRIES, specs.CALLS, specs.INCOMING_PHONE_NUMBERS,
    specs.RECORDINGS, specs.KEYS, specs.MESSAGES, specs.BALANCE,
)  # fmt: skip
_SUBRESOURCES = tuple(
    (spec.name, path)
    for spec in _LINKED
    if (path := spec.list_path or spec.instance_path) is not None
)


def account_model(a: AccountRecord) -> models.Account:
    assert specs.ACCOUNTS.instance_path is not None
    return models.Account(
        sid=a.sid,
        friendly_name=a.friendly_name,
        status=cast("AccountStatusValue", a.status),
        type=cast("AccountTypeValue", a.type),
        owner_account_sid=a.owner_sid,
        auth_token=a.auth_token,
        date_created=dt(a.date_created),
        date_updated=dt(a.date_updated),
        uri=specs.ACCOUNTS.instance_path.format(AccountSid=a.sid),
        subresource_uris={name: path.format(AccountSid=a.sid) for name, path in _SUBRESOURCES},
    )
