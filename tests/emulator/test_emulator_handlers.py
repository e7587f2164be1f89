"""The handler classes of accounts, keys, numbers, rules, notifications and webhooks, called
directly with a built :class:`Request` on a real core (in-memory store, no HTTP)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from twilio_connector.emulator import Timing
from twilio_connector.emulator.accounts.records import AccountRecord
from twilio_connector.emulator.accounts.rest import AccountsApi
from twilio_connector.emulator.core import EmulatorCore
from twilio_connector.emulator.errors import EmulatorError
from twilio_connector.emulator.http import Request, Response, parse_form
from twilio_connector.emulator.keys.rest import KeysApi
from twilio_connector.emulator.notifications.control import NotificationsControl
from twilio_connector.emulator.numbers.control import NumbersControl
from twilio_connector.emulator.numbers.rest import AvailableNumbersApi, IncomingNumbersApi
from twilio_connector.emulator.router import Router
from twilio_connector.emulator.routes import build_router
from twilio_connector.emulator.rules.control import RulesControl
from twilio_connector.emulator.store import Store
from twilio_connector.emulator.webhooks.control import WebhooksControl

ACCOUNT_SID = "AC" + "1" * 32
OWNED = "+15017122661"


def _request(
    core: EmulatorCore,
    method: str,
    path: str,
    form: str = "",
    *,
    body: bytes = b"",
    path_params: dict[str, str] | None = None,
    json_body: bool = False,
) -> Request:
    params = parse_form(form)
    query = {} if method == "POST" else params
    headers = {"content-type": "application/json"} if json_body else {}
    account = core.accounts.get(ACCOUNT_SID)
    assert account is not None
    req = Request(method, path, "" if method == "POST" else form, query, headers, body,
                  params, {"AccountSid": ACCOUNT_SID, **(path_params or {})})  # fmt: skip
    req.account = req.principal = account
    return req


def _run(test: Callable[[EmulatorCore], Awaitable[None]]) -> None:
    async def main() -> None:
        store = Store(None)
        core = EmulatorCore(store, Timing.manual(), asyncio.get_running_loop(), "http://emu")
        core.seed(ACCOUNT_SID, None, [OWNED])
        try:
            await test(core)
        finally:
            await core.close()

    asyncio.run(main())


def _json(resp: Response) -> Any:
    return json.loads(resp.body)


def test_accounts_and_keys_handlers() -> None:
    async def test(core: EmulatorCore) -> None:
        accounts, keys = AccountsApi(core), KeysApi(core)
        base = f"/2010-04-01/Accounts/{ACCOUNT_SID}"
        fetched = _json(await accounts.fetch(_request(core, "GET", f"{base}.json")))
        assert fetched["sid"] == ACCOUNT_SID and "balance" in fetched["subresource_uris"]
        sub = await accounts.create(_request(core, "POST", "/2010-04-01/Accounts.json",
                                             "FriendlyName=team"))  # fmt: skip
        assert sub.status == 201 and _json(sub)["owner_account_sid"] == ACCOUNT_SID
        with pytest.raises(EmulatorError) as bad:
            await accounts.update(_request(core, "POST", f"{base}.json", "Status="))
        assert (bad.value.status, bad.value.code) == (400, 20001)
        balance = _json(await accounts.balance(_request(core, "GET", f"{base}/Balance.json")))
        assert balance == {"account_sid": ACCOUNT_SID, "balance": "20.00", "currency": "USD"}

        created = await keys.create(_request(core, "POST", f"{base}/Keys.json", "FriendlyName=ci"))
        key = _json(created)
        assert created.status == 201 and key["secret"] and key["sid"].startswith("SK")
        listed = _json(await keys.list(_request(core, "GET", f"{base}/Keys.json")))
        assert [k["sid"] for k in listed["keys"]] == [key["sid"]] and "secret" not in listed
        header = "Basic " + base64.b64encode(f"{key['sid']}:{key['secret']}".encode()).decode()
        assert core.accounts.authenticate(header)[1] is True  # the key authenticates
        one = {"Sid": key["sid"]}
        gone = await keys.delete(_request(core, "DELETE", "k", path_params=one))
        assert gone.status == 204
        with pytest.raises(EmulatorError):
            core.accounts.authenticate(header)  # ...and no longer once revoked
        with pytest.raises(EmulatorError) as missing:
            await keys.fetch(_request(core, "GET", "k", path_params=one))
        assert missing.value.status == 404

    _run(test)


def test_numbers_handlers() -> None:
    async def test(core: EmulatorCore) -> None:
        owned, available = IncomingNumbersApi(core), AvailableNumbersApi(core)
        search = _request(core, "GET", "s", "InRegion=MA&PageSize=2",
                          path_params={"CountryCode": "US", "Type": "Local"})  # fmt: skip
        found = _json(await available.search(search))["available_phone_numbers"]
        assert len(found) == 2 and {n["region"] for n in found} == {"MA"}
        form = urlencode({"PhoneNumber": found[0]["phone_number"]})
        bought = await owned.buy(_request(core, "POST", "b", form, path_params={"Type": "Local"}))
        assert bought.status == 201 and _json(bought)["type"] == "local"
        listed = _json(await owned.list(_request(core, "GET", "l", path_params={"Type": "Local"})))
        assert found[0]["phone_number"] in [
            n["phone_number"] for n in listed["incoming_phone_numbers"]
        ]
        countries = _json(await available.list_countries(_request(core, "GET", "c")))
        assert {c["country_code"] for c in countries["countries"]} == {"US", "CA", "GB"}
        configured = await NumbersControl(core).configure(
            _request(core, "POST", "n", "whatsapp=true", path_params={"number": OWNED})
        )
        assert _json(configured)["phone_number"] == OWNED
        assert core.numbers.owner_of(f"whatsapp:{OWNED}") is not None
        assert core.numbers.owner_of(OWNED).whatsapp is True  # type: ignore[union-attr]

    _run(test)


def test_rules_notifications_and_deliveries_handlers() -> None:
    async def test(core: EmulatorCore) -> None:
        rules = RulesControl(core)
        added = await rules.add(_request(core, "POST", "r", "outcome=failed&to=%2B1555*&times=2"))
        rule = _json(added)
        assert added.status == 201 and (rule["to"], rule["times"]) == ("+1555*", 2)
        for times in ("nan", "inf", "-3", "2.5"):
            with pytest.raises(EmulatorError) as bad:
                await rules.add(_request(core, "POST", "r", f"outcome=failed&times={times}"))
            assert bad.value.status == 400
        deep = b'{"outcome": "failed", "params": ' + b"[" * 40 + b"]" * 40 + b"}"
        with pytest.raises(EmulatorError) as nested:
            await rules.add(_request(core, "POST", "r", body=deep, json_body=True))
        assert "nested too deeply" in nested.value.message
        assert core.rules.match("message", "+15551234") is not None
        listed = _json(await rules.list(_request(core, "GET", "r")))["rules"]
        assert [r["times"] for r in listed] == [1]

        core.notify(ACCOUNT_SID, 11200, "HTTP retrieval failure", resource_sid="SM1")
        core.notify(ACCOUNT_SID, 12100, "Document parse failure", resource_sid="SM2")
        notes = NotificationsControl(core)
        only = _json(await notes.list(_request(core, "GET", "n", "resource_sid=SM2")))
        assert [n["error_code"] for n in only["notifications"]] == [12100]

        hooks = WebhooksControl(core)
        empty = _json(await hooks.list_deliveries(_request(core, "GET", "d", "after=5")))
        assert empty == {"deliveries": []}
        with pytest.raises(EmulatorError) as huge:
            await hooks.list_deliveries(_request(core, "GET", "d", f"after={2**70}"))
        assert (huge.value.status, huge.value.code) == (400, 20001)

    _run(test)


def test_router_answers_405_only_through_the_routes_auth() -> None:
    async def test(core: EmulatorCore) -> None:
        router: Router = build_router(core)
        path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Keys.json"
        route, handler, params = router.match("PUT", path)
        assert route.auth == "account" and params == {"AccountSid": ACCOUNT_SID}
        with pytest.raises(EmulatorError) as refused:
            await handler(_request(core, "PUT", path))
        assert (refused.value.status, refused.value.code) == (405, 20004)
        with pytest.raises(EmulatorError) as missing:
            router.match("GET", "/2010-04-01/Nope.json")
        assert missing.value.status == 404

    _run(test)


def test_a_closed_store_keeps_accounts_keys_numbers_and_rules(tmp_path: Any) -> None:
    db = tmp_path / "emu.db"

    async def first() -> None:
        core = EmulatorCore(Store(db), Timing.manual(), asyncio.get_running_loop(), "http://e")
        core.seed(ACCOUNT_SID, None, [OWNED])
        account = core.accounts.get(ACCOUNT_SID)
        assert isinstance(account, AccountRecord)
        core.keys.create(account, "kept")
        await RulesControl(core).add(_request(core, "POST", "r", "outcome=failed&times=3"))
        core.notify(ACCOUNT_SID, 11200, "kept")
        await core.close()

    async def second() -> None:
        core = EmulatorCore(Store(db), Timing.manual(), asyncio.get_running_loop(), "http://e")
        core.seed(ACCOUNT_SID, None, [OWNED])
        account = core.accounts.get(ACCOUNT_SID)
        assert account is not None and [k.friendly_name for k in core.keys.of_account(account)] == [
            "kept"
        ]
        assert [r.times for r in core.rules.all()] == [3]  # uses left survive a restart
        assert core.numbers.owner_of(OWNED) is not None
        assert [n.message for n in core.notifications()] == ["kept"]
        core.reset()
        assert core.keys.of_account(account) == [] and core.rules.all() == []
        assert core.notifications() == [] and core.accounts.get(ACCOUNT_SID) is not None
        await core.close()

    asyncio.run(first())
    asyncio.run(second())
