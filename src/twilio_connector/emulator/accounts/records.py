"""The account record (what the ``accounts`` table holds; :mod:`.serialize` makes the model)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AccountRecord"]


@dataclass(slots=True)
class AccountRecord:
    sid: str
    owner_sid: str
    auth_token: str
    friendly_name: str
    status: str = "active"
    type: str = "Full"
    balance: str = "20.00"
    date_created: float = 0.0
    date_updated: float = 0.0

    @property
    def is_main(self) -> bool:
        return self.owner_sid == self.sid

    def __repr__(self) -> str:  # never show the token
        return f"AccountRecord(sid={self.sid!r}, status={self.status!r})"
