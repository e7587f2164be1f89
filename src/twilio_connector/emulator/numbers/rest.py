"""REST handlers: IncomingPhoneNumbers (list, buy, fetch, update, release) and the
AvailablePhoneNumbers search (countries; Local / Mobile / TollFree ... with Twilio's filters).

A search is one page of a deterministic result list: ``Page`` and ``PageSize`` pick the
slice (validated like every list), links carry no ``PageToken`` and there is no next page
(Twilio's search is not a cursor either). ``InLata`` is accepted but narrows nothing: the
emulator has no LATA data (:mod:`.geography`).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from ... import models
from ..._wire import is_e164
from ..accounts.rest import path_account, principal
from ..errors import invalid_param, not_found
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request, paginate_list
from .inventory import COUNTRIES, TYPE_NAMES, ContainsPattern, SearchQuery
from .records import NumberRecord
from .serialize import (
    SEARCH_TYPES,
    available_model,
    country_model,
    number_model,
    short_code_model,
)
from .short_codes import SHORT_CODE_PARAMS, ShortCodeRecord
from .state import NUMBER_CONFIG_PARAMS, check_config_value

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["AvailableNumbersApi", "IncomingNumbersApi", "ShortCodesApi"]

_SEARCH_FILTERS = (
    "AreaCode", "Contains", "SmsEnabled", "MmsEnabled", "VoiceEnabled", "FaxEnabled",
    "ExcludeAllAddressRequired", "ExcludeLocalAddressRequired", "ExcludeForeignAddressRequired",
    "Beta", "NearNumber", "NearLatLong", "Distance", "InPostalCode", "InRegion",
    "InRateCenter", "InLata", "InLocality",
)  # fmt: skip
_LAT_LONG = re.compile(r"\s*(-?[0-9]{1,3}(?:\.[0-9]+)?)\s*,\s*(-?[0-9]{1,3}(?:\.[0-9]+)?)\s*\Z")


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


class IncomingNumbersApi:
    """``/Accounts/{AC}/IncomingPhoneNumbers[/{Type}].json`` and ``/{PN}.json``."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self.numbers = core.numbers

    def _owned(self, req: Request) -> NumberRecord:
        number = self.numbers.get(path_account(req), req.path_params["Sid"])
        if number is None:
            raise not_found(req.path)
        return number

    async def list(self, req: Request) -> Response:
        """Every owned number, or those of the ``{Type}`` in the path."""
        type_name = TYPE_NAMES.get(req.path_params.get("Type", ""))
        preq = page_request(req)
        phone = req.get("PhoneNumber")
        name = req.get("FriendlyName")
        regex = _number_filter(phone) if phone else None
        items = [
            n
            for n in self.numbers.of_account(path_account(req).sid)
            if (type_name is None or n.number_type == type_name)
            and (regex is None or regex.search(n.phone_number))
            and (name is None or n.friendly_name == name)
        ]
        page, more = paginate_list(items, preq, lambda n: n.sid)
        filters = [(k, v) for k, v in (("PhoneNumber", phone), ("FriendlyName", name)) if v]
        env = envelope("incoming_phone_numbers", [number_model(n) for n in page], req.path,
                       filters, preq, more)  # fmt: skip
        return json_response(models.encode(env))

    async def buy(self, req: Request) -> Response:
        """Buy ``PhoneNumber`` or a number in ``AreaCode`` (of the ``{Type}`` in the path)."""
        number = self.numbers.purchase(
            path_account(req),
            req.get("PhoneNumber"),
            req.get("AreaCode"),
            TYPE_NAMES.get(req.path_params.get("Type", ""), "local"),
            req.get("FriendlyName"),
            _config(req),
        )
        return json_response(models.encode(number_model(number)), 201)

    async def fetch(self, req: Request) -> Response:
        return json_response(models.encode(number_model(self._owned(req))))

    async def update(self, req: Request) -> Response:
        number = self._owned(req)
        new_owner = None
        target = req.get("AccountSid")
        if target and target != number.account_sid:
            new_owner = self.core.accounts.authorize(principal(req), target)
        updated = self.numbers.update(number, req.get("FriendlyName"), _config(req), new_owner)
        if new_owner is not None:  # a pool is one account's: out of it, sticky mappings too
            self.core.services.forget_number(updated)
        return json_response(models.encode(number_model(updated)))

    async def release(self, req: Request) -> Response:
        number = self._owned(req)
        self.core.services.forget_number(number)  # out of its pool, sticky mappings dropped
        self.numbers.release(number)
        return Response(204, b"")


class AvailableNumbersApi:
    """``/Accounts/{AC}/AvailablePhoneNumbers[/{CC}[/{Type}]].json``."""

    def __init__(self, core: EmulatorCore) -> None:
        self.numbers = core.numbers

    async def list_countries(self, req: Request) -> Response:
        sid = path_account(req).sid
        body = {"countries": [country_model(sid, code) for code in COUNTRIES], "uri": req.path}
        return json_response(models.encode(body))

    async def fetch_country(self, req: Request) -> Response:
        code = req.path_params["CountryCode"]
        if code not in COUNTRIES:
            raise not_found(req.path)
        return json_response(models.encode(country_model(path_account(req).sid, code)))

    async def search(self, req: Request) -> Response:
        code = req.path_params["CountryCode"]
        if code not in COUNTRIES or req.path_params["Type"] not in SEARCH_TYPES:
            raise not_found(req.path)
        preq = page_request(req)
        query = search_query(req, code, req.path_params["Type"])
        found = self.numbers.search(query, preq.page * preq.size, preq.size)
        filters = [(k, v) for k in _SEARCH_FILTERS if (v := req.get(k))]
        items = [available_model(f) for f in found]
        env = envelope("available_phone_numbers", items, req.path, filters, preq, False,
                       keyset=False)  # fmt: skip
        return json_response(models.encode(env))


def search_query(req: Request, country: str, type_name: str) -> SearchQuery:
    """The search filters of ``req``, validated (400/20001 for a malformed one)."""
    area = req.get("AreaCode") or None
    if area is not None and not re.fullmatch(r"[0-9]{3}", area):
        raise invalid_param("AreaCode", area, "expected 3 digits")
    contains = req.get("Contains") or None
    for name in ("ExcludeAllAddressRequired", "ExcludeLocalAddressRequired",
                 "ExcludeForeignAddressRequired", "Beta"):  # fmt: skip
        req.get_bool(name)  # no number needs an address, none is beta: nothing to exclude
    near_number = req.get("NearNumber") or None
    if near_number is not None and not is_e164(near_number):
        raise invalid_param("NearNumber", near_number, "expected an E.164 number")
    if req.get("InRateCenter") and not req.get("InLata"):
        raise invalid_param("InRateCenter", None, "needs InLata too")
    return SearchQuery(
        country,
        type_name,
        area_code=area,
        contains=None if contains is None else ContainsPattern.parse(contains),
        sms=req.get_bool("SmsEnabled"),
        mms=req.get_bool("MmsEnabled"),
        voice=req.get_bool("VoiceEnabled"),
        fax=req.get_bool("FaxEnabled"),
        in_region=req.get("InRegion") or None,
        in_postal_code=req.get("InPostalCode") or None,
        in_locality=req.get("InLocality") or None,
        in_rate_center=req.get("InRateCenter") or None,
        near_number=near_number,
        near=_lat_long(req.get("NearLatLong") or None),
        distance=float(req.get_int("Distance", 25, 0, 500)),
    )


def _lat_long(raw: str | None) -> tuple[float, float] | None:
    if raw is None:
        return None
    m = _LAT_LONG.match(raw)
    lat, lon = (float(m[1]), float(m[2])) if m else (math.nan, math.nan)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise invalid_param("NearLatLong", raw, "expected 'latitude,longitude'")
    return lat, lon


class ShortCodesApi:
    """``/Accounts/{AC}/SMS/ShortCodes.json`` (list, filters ``FriendlyName`` and
    ``ShortCode``) and ``/{SC}.json`` (fetch, update). Short codes are provisioned through
    the control plane (:mod:`.short_codes`)."""

    def __init__(self, core: EmulatorCore) -> None:
        self.short_codes = core.short_codes

    def _owned(self, req: Request) -> ShortCodeRecord:
        sc = self.short_codes.by_sid(req.path_params["Sid"])
        if sc is None or sc.account_sid != path_account(req).sid:
            raise not_found(req.path)
        return sc

    async def list(self, req: Request) -> Response:
        preq = page_request(req)
        records = self.short_codes.of_account(path_account(req).sid)
        filters: list[tuple[str, str]] = []
        for param, attr in (("FriendlyName", "friendly_name"), ("ShortCode", "short_code")):
            value = req.get(param)
            if value:
                filters.append((param, value))
                records = [r for r in records if getattr(r, attr) == value]
        page, more = paginate_list(records, preq, lambda r: r.sid)
        items = [short_code_model(r) for r in page]
        return json_response(
            models.encode(envelope("short_codes", items, req.path, filters, preq, more))
        )

    async def fetch(self, req: Request) -> Response:
        return json_response(models.encode(short_code_model(self._owned(req))))

    async def update(self, req: Request) -> Response:
        sc = self._owned(req)
        config: dict[str, Any] = {}
        for param, (key, kind) in SHORT_CODE_PARAMS.items():
            raw = req.get(param)
            if raw is not None:
                config[key] = check_config_value(param, kind, raw)
        updated = self.short_codes.update(sc, req.get("FriendlyName"), config)
        return json_response(models.encode(short_code_model(updated)))
