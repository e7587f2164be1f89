"""REST handlers: Accounts (+ subaccounts) and Balance.

:class:`AccountsApi` methods parse parameters, call the :mod:`.state` backend and serialize
models; :mod:`..routes` maps URLs to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..errors import EmulatorError, invalid_param
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request, paginate_list
from .records import AccountRecord
from .serialize import account_model
from .state import ACCOUNT_STATUSES

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["AccountsApi", "path_account", "principal", "refuse_api_keys"]


def path_account(req: Request) -> AccountRecord:
    """The account named in the path (set by the app's ``account`` authorization)."""
    assert req.account is not None
    return req.account


def principal(req: Request) -> AccountRecord:
    """The account whose credentials were given."""
    assert req.principal is not None
    return req.principal


def refuse_api_keys(req: Request) -> None:
    """Accounts and keys are managed with the auth token only (as with Twilio)."""
    if req.via_api_key:
        raise EmulatorError(403, 20006, "API keys cannot manage accounts or keys")


def _status(req: Request) -> str | None:
    """``Status`` if given; present but empty is refused (like any other invalid value)."""
    raw = req.get("Status")
    if raw is None:
        return None
    if not raw.strip():
        raise invalid_param("Status", raw, f"must be one of {', '.join(ACCOUNT_STATUSES)}")
    return str(req.get_choice("Status", ACCOUNT_STATUSES))


class AccountsApi:
    """``/Accounts.json``, ``/Accounts/{AC}.json`` and ``/Accounts/{AC}/Balance.json``."""

    def __init__(self, core: EmulatorCore) -> None:
        self.accounts = core.accounts

    async def list(self, req: Request) -> Response:
        preq = page_request(req)
        name = req.get("FriendlyName")
        status = req.get_choice("Status", ACCOUNT_STATUSES)
        items = [
            a
            for a in self.accounts.visible_to(principal(req))
            if (name is None or a.friendly_name == name) and (status is None or a.status == status)
        ]
        page, more = paginate_list(items, preq, lambda a: a.sid)
        filters = [(k, v) for k, v in (("FriendlyName", name), ("Status", status)) if v]
        env = envelope("accounts", [account_model(a) for a in page], req.path, filters, preq, more)
        return json_response(models.encode(env))

    async def create(self, req: Request) -> Response:
        refuse_api_keys(req)
        sub = self.accounts.create_subaccount(principal(req), req.get("FriendlyName"))
        return json_response(models.encode(account_model(sub)), 201)

    async def fetch(self, req: Request) -> Response:
        return json_response(models.encode(account_model(path_account(req))))

    async def update(self, req: Request) -> Response:
        refuse_api_keys(req)
        status = _status(req)
        updated = self.accounts.update(path_account(req), req.get("FriendlyName"), status)
        return json_response(models.encode(account_model(updated)))

    async def delete(self, req: Request) -> Response:
        raise EmulatorError(405, 20004, "Method not allowed: an account cannot be deleted")

    async def balance(self, req: Request) -> Response:
        account = path_account(req)
        owner = self.accounts.get(account.owner_sid) or account
        balance = models.Balance(account_sid=account.sid, balance=owner.balance, currency="USD")
        return json_response(models.encode(balance))
