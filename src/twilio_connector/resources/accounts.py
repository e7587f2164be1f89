"""``client.accounts``: the account, its subaccounts, and their status."""

from __future__ import annotations

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import form
from ..enums import AccountStatus
from ..models import Account
from ..specs import ACCOUNTS

__all__ = ["Accounts"]


class Accounts(Resource[Mode]):
    """Accounts: ``/2010-04-01/Accounts``."""

    def _path(self, sid: str | None) -> str:
        if not sid:  # the account these credentials act for
            return self._core.instance_path(ACCOUNTS)
        return self._core.instance_path(ACCOUNTS, AccountSid=sid)

    def _fetch(self, sid: str | None = None) -> Op[Account]:
        """Fetch an account (default: the one these credentials act for)."""
        return (yield from self._core.call("GET", self._path(sid), ACCOUNTS.model))

    fetch = operation(_fetch)

    def _iter(
        self,
        *,
        friendly_name: str | None = None,
        status: AccountStatus | None = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> PageFlow[Account]:
        """Lazily iterate the account and its subaccounts."""
        query = form(FriendlyName=friendly_name, Status=status)
        return self._core.list_pages(ACCOUNTS, query, limit=limit, page_size=page_size)

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def create(self, *, friendly_name: str | None = None) -> Op[Account]:
        """Create a subaccount (it gets its own auth token, returned in ``auth_token``)."""
        data = form(FriendlyName=friendly_name)
        path = self._core.list_path(ACCOUNTS)
        return (yield from self._core.call("POST", path, ACCOUNTS.model, data=data))

    @operation
    def update(
        self, sid: str, *, status: AccountStatus | None = None, friendly_name: str | None = None
    ) -> Op[Account]:
        """Rename an account or change its status: ``active``, ``suspended`` or ``closed``."""
        data = form(Status=status, FriendlyName=friendly_name)
        return (yield from self._core.call("POST", self._path(sid), ACCOUNTS.model, data=data))
