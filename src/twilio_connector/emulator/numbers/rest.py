"""REST handlers: IncomingPhoneNumbers (list, buy, fetch, update, release) and the
AvailablePhoneNumbers search (countries, Local / Mobile / TollFree ...)."""

from __future__ import annotations

import re
from typing import Any

from ... import models
from ..core import EmulatorCore
from ..errors import EmulatorError, invalid_param, not_found
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request, paginate_list
from ..records import AccountRecord, NumberRecord
from ..router import API_PREFIX, Router
from ..serialize import number_model
from .state import (
    COUNTRIES,
    NUMBER_CONFIG_PARAMS,
    AvailableNumber,
    check_config_value,
    format_friendly,
)

__all__ = ["install"]

_AC = "{AccountSid:AC[0-9a-fA-F]{32}}"
_PN = "{Sid:PN[0-9a-fA-F]{32}}"
_TYPES = {"Local": "local", "Mobile": "mobile", "TollFree": "tollfree"}
_SEARCH_TYPES = (
    "Local",
    "Mobile",
    "TollFree",
    "National",
    "Voip",
    "SharedCost",
    "MachineToMachine",
)
_SUBRESOURCE_KEYS = {
    "Local": "local", "TollFree": "toll_free", "Mobile": "mobile", "National": "national",
    "Voip": "voip", "SharedCost": "shared_cost", "MachineToMachine": "machine_to_machine",
}  # fmt: skip


def _account(req: Request) -> AccountRecord:
    assert req.account is not None
    return req.account


def _config(req: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for param, (key, kind) in NUMBER_CONFIG_PARAMS.items():
        raw = req.get(param)
        if raw is not None:
            out[key] = check_config_value(param, kind, raw)
    return out


def _number_filter(pattern: str) -> re.Pattern[str]:
    if not re.fullmatch(r"[0-9+*() -]{1,20}", pattern):
        raise invalid_param("PhoneNumber", pattern)
    digits = re.sub(r"[^0-9*]", "", pattern)
    return re.compile(digits.replace("*", "[0-9]"))


def _available_model(item: AvailableNumber) -> models.AvailablePhoneNumber:
    caps = models.PhoneNumberCapabilities(voice=True, sms=True, mms=True, fax=False)
    return models.AvailablePhoneNumber(
        phone_number=item.phone_number,
        friendly_name=format_friendly(item.phone_number),
        lata=None,
        locality=item.locality or None,
        rate_center=None,
        latitude=None,
        longitude=None,
        region=item.region or None,
        postal_code=item.postal_code or None,
        iso_country=item.country,
        address_requirements="none",
        beta=False,
        capabilities=caps,
    )


def _country_json(account_sid: str, code: str) -> dict[str, Any]:
    name, types = COUNTRIES[code]
    base = f"{API_PREFIX}/Accounts/{account_sid}/AvailablePhoneNumbers/{code}"
    return {
        "country_code": code,
        "country": name,
        "uri": f"{base}.json",
        "beta": False,
        "subresource_uris": {_SUBRESOURCE_KEYS[t]: f"{base}/{t}.json" for t in types},
    }


def install(core: EmulatorCore, router: Router) -> None:
    numbers = core.numbers

    def _owned(req: Request) -> NumberRecord:
        number = numbers.get(_account(req), req.path_params["Sid"])
        if number is None:
            raise not_found(req.path)
        return number

    def list_numbers(type_name: str | None) -> Any:
        async def handler(req: Request) -> Response:
            preq = page_request(req)
            phone = req.get("PhoneNumber")
            name = req.get("FriendlyName")
            regex = _number_filter(phone) if phone else None
            items = [
                n
                for n in numbers.of_account(_account(req).sid)
                if (type_name is None or n.number_type == type_name)
                and (regex is None or regex.search(n.phone_number))
                and (name is None or n.friendly_name == name)
            ]
            page, more = paginate_list(items, preq, lambda n: n.sid)
            filters = [(k, v) for k, v in (("PhoneNumber", phone), ("FriendlyName", name)) if v]
            env = envelope("incoming_phone_numbers", [number_model(n) for n in page], req.path,
                           filters, preq, more)  # fmt: skip
            return json_response(models.encode(env))

        return handler

    def buy(type_name: str) -> Any:
        async def handler(req: Request) -> Response:
            number = numbers.purchase(
                _account(req),
                req.get("PhoneNumber"),
                req.get("AreaCode"),
                type_name,
                req.get("FriendlyName"),
                _config(req),
            )
            return json_response(models.encode(number_model(number)), 201)

        return handler

    async def fetch_number(req: Request) -> Response:
        return json_response(models.encode(number_model(_owned(req))))

    async def update_number(req: Request) -> Response:
        number = _owned(req)
        new_owner = None
        target = req.get("AccountSid")
        if target and target != number.account_sid:
            assert req.principal is not None
            new_owner = core.accounts.authorize(req.principal, target)
        updated = numbers.update(number, req.get("FriendlyName"), _config(req), new_owner)
        return json_response(models.encode(number_model(updated)))

    async def release_number(req: Request) -> Response:
        numbers.release(_owned(req))
        return Response(204, b"")

    async def list_countries(req: Request) -> Response:
        sid = _account(req).sid
        body = {
            "countries": [_country_json(sid, code) for code in COUNTRIES],
            "uri": req.path,
        }
        return json_response(body)

    async def fetch_country(req: Request) -> Response:
        code = req.path_params["CountryCode"]
        if code not in COUNTRIES:
            raise not_found(req.path)
        return json_response(_country_json(_account(req).sid, code))

    def search(type_name: str) -> Any:
        async def handler(req: Request) -> Response:
            code = req.path_params["CountryCode"]
            if code not in COUNTRIES:
                raise EmulatorError(404, 20404, f"The requested resource {req.path} was not found")
            preq = page_request(req)
            area = req.get("AreaCode")
            if area is not None and not re.fullmatch(r"[0-9]{3}", area):
                raise invalid_param("AreaCode", area, "expected 3 digits")
            found = numbers.search(code, type_name, area_code=area, contains=req.get("Contains"),
                                   limit=preq.size)  # fmt: skip
            filters = [
                (k, v) for k, v in (("AreaCode", area), ("Contains", req.get("Contains"))) if v
            ]
            items = [_available_model(f) for f in found]
            env = envelope("available_phone_numbers", items, req.path, filters, preq, False)
            return json_response(models.encode(env))

        return handler

    base = f"{API_PREFIX}/Accounts/{_AC}"
    router.add("GET", f"{base}/IncomingPhoneNumbers.json", list_numbers(None))
    router.add("POST", f"{base}/IncomingPhoneNumbers.json", buy("local"))
    for path_type, type_name in _TYPES.items():
        router.add("GET", f"{base}/IncomingPhoneNumbers/{path_type}.json", list_numbers(type_name))
        router.add("POST", f"{base}/IncomingPhoneNumbers/{path_type}.json", buy(type_name))
    router.add("GET", f"{base}/IncomingPhoneNumbers/{_PN}.json", fetch_number)
    router.add("POST", f"{base}/IncomingPhoneNumbers/{_PN}.json", update_number)
    router.add("DELETE", f"{base}/IncomingPhoneNumbers/{_PN}.json", release_number)
    router.add("GET", f"{base}/AvailablePhoneNumbers.json", list_countries)
    router.add(
        "GET", f"{base}/AvailablePhoneNumbers/{{CountryCode:[A-Z]{{2}}}}.json", fetch_country
    )
    for type_name in _SEARCH_TYPES:
        router.add(
            "GET", f"{base}/AvailablePhoneNumbers/{{CountryCode:[A-Z]{{2}}}}/{type_name}.json",
            search(type_name),
        )  # fmt: skip
