"""``client.accounts``: the account, its subaccounts, and their status."""

from __future__ import annotations

from .._base_client import Op, PageFlow, form
from .._operation import Mode, Resource, collector, operation, paginator
from ..models import Account

__all__ = ["Accounts"]


class Accounts(Resource[Mode]):
    """Accounts: ``/2010-04-01/Accounts``."""

    def _path(self, sid: str | None) -> str:
        return f"/2010-04-01/Accounts/{self._core.sid(sid or self._core.config.account_sid)}.json"

    def _fetch(self, sid: str | None = None) -> Op[Account]:
        """Fetch an account (default: the one these credentials act for)."""
        return (yield from self._core.call("GET", self._path(sid), Account))

    fetch = operation(_fetch)

    def _iter(
        self,
        *,
        friendly_name: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> PageFlow[Account]:
        """Lazily iterate the account and its subaccounts."""
        query = form(FriendlyName=friendly_name, Status=status)
        return self._core.pages(
            "/2010-04-01/Accounts.json",
            Account,
            "accounts",
            query,
            limit=limit,
            page_size=page_size,
        )

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def create(self, *, friendly_name: str | None = None) -> Op[Account]:
        """Create a subaccount (it gets its own auth token, returned in ``auth_token``)."""
        data = form(FriendlyName=friendly_name)
        return (yield from self._core.call("POST", "/2010-04-01/Accounts.json", Account, data=data))

    @operation
    def update(
        self, sid: str, *, status: str | None = None, friendly_name: str | None = None
    ) -> Op[Account]:
        """Rename an account or change its status: ``active``, ``suspended`` or ``closed``."""
        data = form(Status=status, FriendlyName=friendly_name)
        return (yield from self._core.call("POST", self._path(sid), Account, data=data))
