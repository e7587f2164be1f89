"""The emulator the ``emu`` fixture starts, and SDK clients pointed at one."""

from __future__ import annotations

from twilio.rest import Client

from twilio_connector.emulator import Emulator

__all__ = ["OWNED", "OWNED_2", "sdk_client"]

OWNED = "+15017122661"
OWNED_2 = "+15017122662"
"""The numbers the ``emu`` fixture's account owns (``emulator_numbers`` overrides them)."""


def sdk_client(
    emu: Emulator, username: str, password: str, account_sid: str | None = None
) -> Client:
    """The official SDK signed in as ``username``/``password``, pointed at ``emu``."""
    client: Client = emu.sdk_client(username, password, account_sid=account_sid)
    return client
