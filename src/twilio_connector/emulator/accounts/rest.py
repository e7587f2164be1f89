"""REST handlers: Accounts (+ subaccounts), Balance and Keys.

Each handler parses parameters, calls the :mod:`.state` backend and serializes models.
"""

from __future__ import annotations

from ... import models
from ..core import EmulatorCore
from ..errors import EmulatorError, not_found
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request, paginate_list
from ..records import AccountRecord
from ..router import API_PREFIX, Router
from ..serialize import account_model, key_model
from .state import ACCOUNT_STATUSES

__all__ = ["install"]

_AC = "{AccountSid:AC[0-9a-fA-F]{32}}"
_SK = "{Sid:SK[0-9a-fA-F]{32}}"


def _account(req: Request) -> AccountRecord:
    assert req.account is not None
    return req.account


def _principal(req: Request) -> AccountRecord:
    assert req.principal is not None
    return req.principal


def _no_keys(req: Request) -> None:
    if req.via_api_key:
        raise EmulatorError(403, 20006, "API keys cannot manage accounts or keys")


def install(core: EmulatorCore, router: Router) -> None:
    accounts = core.accounts

    async def list_accounts(req: Request) -> Response:
        preq = page_request(req)
        name = req.get("FriendlyName")
        status = req.get_choice("Status", ACCOUNT_STATUSES)
        items = [
            a
            for a in accounts.visible_to(_principal(req))
            if (name is None or a.friendly_name == name) and (status is None or a.status == status)
        ]
        page, more = paginate_list(items, preq, lambda a: a.sid)
        filters = [(k, v) for k, v in (("FriendlyName", name), ("Status", status)) if v]
        env = envelope("accounts", [account_model(a) for a in page], req.path, filters, preq, more)
        return json_response(models.encode(env))

    async def create_account(req: Request) -> Response:
        _no_keys(req)
        sub = accounts.create_subaccount(_principal(req), req.get("FriendlyName"))
        return json_response(models.encode(account_model(sub)), 201)

    async def fetch_account(req: Request) -> Response:
        return json_response(models.encode(account_model(_account(req))))

    async def update_account(req: Request) -> Response:
        _no_keys(req)
        status = req.get_choice("Status", ACCOUNT_STATUSES)
        updated = accounts.update(_account(req), req.get("FriendlyName"), status)
        return json_response(models.encode(account_model(updated)))

    async def delete_account(req: Request) -> Response:
        raise EmulatorError(405, 20004, "Method not allowed: an account cannot be deleted")

    async def fetch_balance(req: Request) -> Response:
        account = _account(req)
        owner = accounts.get(account.owner_sid) or account
        balance = models.Balance(account_sid=account.sid, balance=owner.balance, currency="USD")
        return json_response(models.encode(balance))

    async def list_keys(req: Request) -> Response:
        _no_keys(req)
        preq = page_request(req)
        page, more = paginate_list(accounts.keys_of(_account(req)), preq, lambda k: k.sid)
        env = envelope("keys", [key_model(k) for k in page], req.path, [], preq, more)
        return json_response(models.encode(env))

    async def create_key(req: Request) -> Response:
        _no_keys(req)
        key, secret = accounts.create_key(_account(req), req.get("FriendlyName"))
        return json_response(models.encode(key_model(key, secret)), 201)

    async def fetch_key(req: Request) -> Response:
        _no_keys(req)
        key = accounts.get_key(_account(req), req.path_params["Sid"])
        if key is None:
            raise not_found(req.path)
        return json_response(models.encode(key_model(key)))

    async def update_key(req: Request) -> Response:
        _no_keys(req)
        key = accounts.get_key(_account(req), req.path_params["Sid"])
        if key is None:
            raise not_found(req.path)
        return json_response(
            models.encode(key_model(accounts.update_key(key, req.get("FriendlyName"))))
        )

    async def delete_key(req: Request) -> Response:
        _no_keys(req)
        key = accounts.get_key(_account(req), req.path_params["Sid"])
        if key is None:
            raise not_found(req.path)
        accounts.delete_key(key)
        return Response(204, b"")

    base = f"{API_PREFIX}/Accounts"
    router.add("GET", f"{base}.json", list_accounts, auth="principal")
    router.add("POST", f"{base}.json", create_account, auth="principal")
    router.add("GET", f"{base}/{_AC}.json", fetch_account, auth="account-admin")
    router.add("POST", f"{base}/{_AC}.json", update_account, auth="account-admin")
    router.add("DELETE", f"{base}/{_AC}.json", delete_account, auth="account-admin")
    router.add("GET", f"{base}/{_AC}/Balance.json", fetch_balance)
    router.add("GET", f"{base}/{_AC}/Keys.json", list_keys)
    router.add("POST", f"{base}/{_AC}/Keys.json", create_key)
    router.add("GET", f"{base}/{_AC}/Keys/{_SK}.json", fetch_key)
    router.add("POST", f"{base}/{_AC}/Keys/{_SK}.json", update_key)
    router.add("DELETE", f"{base}/{_AC}/Keys/{_SK}.json", delete_key)
