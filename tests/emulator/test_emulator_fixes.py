"""Fixes found by running Twilio's OpenAPI spec and hostile input against the emulator:
no 500s, 401 before 405, AvailablePhoneNumbers paging and filters, account Status, and
``subresource_uris`` that lead somewhere. Everything goes over HTTP to a real emulator."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from twilio_connector.emulator import Emulator

OWNED = "+15017122661"
BAD_URL = "http://[::1"  # an unclosed IPv6 literal: urlsplit raises ValueError on it


@pytest.fixture
def api(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token), timeout=10
    ) as client:
        yield client


def _account(emu: Emulator) -> str:
    return f"/2010-04-01/Accounts/{emu.account_sid}"


def _error(resp: httpx.Response, status: int, code: int | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["status"] == status and isinstance(body["code"], int)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
    if code is not None:
        assert body["code"] == code, body
    return dict(body)


def _search(api: httpx.Client, emu: Emulator, path: str, **params: Any) -> list[dict[str, Any]]:
    resp = api.get(f"{_account(emu)}/AvailablePhoneNumbers/{path}.json", params=params)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["available_phone_numbers"])


# -- no 500s -------------------------------------------------------------------------------


def test_available_numbers_page_1_is_a_page(api: httpx.Client, emu: Emulator) -> None:
    url = f"{_account(emu)}/AvailablePhoneNumbers/US/Local.json"
    first = api.get(url, params={"PageSize": 3})
    second = api.get(url, params={"PageSize": 3, "Page": 1})
    assert first.status_code == second.status_code == 200, second.text
    page0, page1 = first.json(), second.json()
    numbers0 = [n["phone_number"] for n in page0["available_phone_numbers"]]
    numbers1 = [n["phone_number"] for n in page1["available_phone_numbers"]]
    assert len(numbers0) == len(numbers1) == 3 and not set(numbers0) & set(numbers1)
    assert page1["page"] == 1 and page1["start"] == 3 and page1["end"] == 5
    assert page1["previous_page_uri"].endswith("PageSize=3&Page=0")
    assert page0["next_page_uri"] is None and "PageToken" not in page1["uri"]
    assert api.get(url, params={"PageSize": 3, "Page": 1}).json() == page1  # deterministic


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"PageSize": 1001}, 400, 20007),
        ({"PageSize": 0}, 400, 20001),
        ({"PageSize": "ten"}, 400, 20001),
        ({"Page": -1}, 400, 20001),
        ({"PageToken": "XX"}, 400, 20001),
    ],
)
def test_available_numbers_validate_paging(
    api: httpx.Client, emu: Emulator, query: dict[str, Any], status: int, code: int
) -> None:
    resp = api.get(f"{_account(emu)}/AvailablePhoneNumbers/US/Local.json", params=query)
    _error(resp, status, code)


@pytest.mark.parametrize("times", ["nan", "NaN", "inf", "-inf", "1e400", "-1", "0", "1.5"])
def test_rule_times_must_be_a_whole_positive_number(api: httpx.Client, times: str) -> None:
    _error(api.post("/_emulator/rules", data={"outcome": "failed", "times": times}), 400, 20001)
    assert api.get("/_emulator/rules").json()["rules"] == []


def test_rule_numbers_refuse_nan_in_json_too(api: httpx.Client) -> None:
    for body in ({"outcome": "failed", "error_code": "nan"}, {"outcome": "failed", "times": [1]}):
        _error(api.post("/_emulator/rules", json=body), 400, 20001)
    good = api.post("/_emulator/rules", json={"outcome": "failed", "times": 2, "error_code": 30003})
    assert good.status_code == 201 and good.json()["times"] == 2


@pytest.mark.parametrize("after", [str(2**70), str(2**63), "-1", "x"])
def test_deliveries_after_out_of_range_is_400(api: httpx.Client, after: str) -> None:
    _error(api.get("/_emulator/deliveries", params={"after": after}), 400, 20001)


def test_deliveries_after_the_largest_id_is_empty(api: httpx.Client) -> None:
    resp = api.get("/_emulator/deliveries", params={"after": str(2**63 - 1)})
    assert resp.status_code == 200 and resp.json() == {"deliveries": []}


_CONTROL_POSTS = [
    "/_emulator/rules",
    "/_emulator/settle",
    "/_emulator/advance",
    "/_emulator/messages/inbound",
    f"/_emulator/numbers/{OWNED}",
    "/_emulator/webhook-signing",
    "/_emulator/calls/inbound",
]


@pytest.mark.parametrize("path", _CONTROL_POSTS)
def test_deep_json_on_control_posts_is_400(api: httpx.Client, path: str) -> None:
    headers = {"Content-Type": "application/json"}
    deep = b"[" * 100_000 + b"]" * 100_000
    _error(api.post(path, content=deep, headers=headers), 400, 20001)
    nested = b'{"params": ' + b"[" * 100 + b"]" * 100 + b', "to": ' + b"[" * 50 + b"]" * 50 + b"}"
    body = _error(api.post(path, content=nested, headers=headers), 400, 20001)
    assert "nested too deeply" in body["message"]


def test_deep_json_in_a_form_field_is_400(api: httpx.Client) -> None:
    params = "[" * 5000 + "]" * 5000
    resp = api.post("/_emulator/rules", data={"outcome": "failed", "params": params})
    _error(resp, 400, 20001)


@pytest.mark.parametrize(
    ("path", "form", "code"),
    [
        ("Messages", {"MediaUrl": BAD_URL}, 21620),
        ("Messages", {"StatusCallback": BAD_URL}, 21609),
        ("Calls", {"Url": BAD_URL}, 21205),
        ("Calls", {"Twiml": "<Response/>", "StatusCallback": BAD_URL}, 21609),
        ("Calls", {"Url": "http://127.0.0.1:9/a", "FallbackUrl": BAD_URL}, 21205),
        (
            "Calls",
            {"Url": "http://127.0.0.1:9/a", "Record": "true", "RecordingStatusCallback": BAD_URL},
            21609,
        ),
        ("Calls", {"Url": "http://127.0.0.1:99999/a"}, 21205),  # a port that is not one
        ("IncomingPhoneNumbers", {"PhoneNumber": "+15005550006", "SmsUrl": BAD_URL}, 21502),
        ("IncomingPhoneNumbers", {"PhoneNumber": "+15005550006", "VoiceUrl": BAD_URL}, 21502),
    ],
)
def test_unparsable_urls_are_400(
    api: httpx.Client, emu: Emulator, path: str, form: dict[str, str], code: int
) -> None:
    base = {"To": "+15558675310", "From": OWNED}
    if path == "Messages":
        base["Body"] = "hi"
    elif path == "IncomingPhoneNumbers":
        base = {}
    _error(api.post(f"{_account(emu)}/{path}.json", data=base | form), 400, code)


def test_unparsable_url_on_a_number_update_and_a_call_update(
    api: httpx.Client, emu: Emulator
) -> None:
    numbers = api.get(f"{_account(emu)}/IncomingPhoneNumbers.json").json()
    sid = numbers["incoming_phone_numbers"][0]["sid"]
    resp = api.post(f"{_account(emu)}/IncomingPhoneNumbers/{sid}.json", data={"SmsUrl": BAD_URL})
    _error(resp, 400, 21502)
    twiml = "<Response><Pause length='60'/></Response>"
    form = {"To": "+15558675310", "From": OWNED, "Twiml": twiml}
    call = api.post(f"{_account(emu)}/Calls.json", data=form)
    assert call.status_code == 201, call.text
    update = api.post(f"{_account(emu)}/Calls/{call.json()['sid']}.json", data={"Url": BAD_URL})
    _error(update, 400, 21205)


# -- 401 before 405 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "{account}/Messages.json"),
        ("DELETE", "/2010-04-01/Accounts.json"),
        ("PATCH", "{account}/IncomingPhoneNumbers.json"),
        ("GET", "/_emulator/reset"),
        ("PUT", "/_emulator/rules"),
    ],
)
def test_wrong_method_without_credentials_is_401(
    api: httpx.Client, emu: Emulator, method: str, path: str
) -> None:
    url = emu.base_url + path.format(account=_account(emu))
    anonymous = httpx.request(method, url, timeout=10)
    _error(anonymous, 401, 20003)
    wrong = httpx.request(method, url, auth=(emu.account_sid, "not-the-token"), timeout=10)
    _error(wrong, 401, 20003)
    _error(api.request(method, url), 405, 20004)


# -- AvailablePhoneNumbers filters ----------------------------------------------------------


def test_search_results_carry_the_area_codes_place(api: httpx.Client, emu: Emulator) -> None:
    for area, region, city in (("212", "NY", "New York"), ("415", "CA", "San Francisco"),
                               ("617", "MA", "Boston")):  # fmt: skip
        found = _search(api, emu, "US/Local", AreaCode=area, PageSize=5)
        assert len(found) == 5
        for n in found:
            assert n["phone_number"].startswith(f"+1{area}")
            assert (n["region"], n["locality"], n["iso_country"]) == (region, city, "US")
            assert isinstance(n["latitude"], float) and isinstance(n["longitude"], float)
    regions = {n["region"] for n in _search(api, emu, "US/Local", PageSize=40)}
    assert len(regions) > 5 and None not in regions  # not always "CA"
    canada = _search(api, emu, "CA/Local", PageSize=10)
    assert {n["region"] for n in canada} <= {"AB", "BC", "MB", "NB", "NL", "NS", "ON", "QC",
                                             "SK", "YT"}  # fmt: skip
    assert _search(api, emu, "CA/Local", AreaCode="212") == []  # a US area code
    assert all(n["region"] is None for n in _search(api, emu, "US/TollFree", PageSize=3))


def test_search_by_region_postal_code_locality(api: httpx.Client, emu: Emulator) -> None:
    in_texas = _search(api, emu, "US/Local", InRegion="TX", PageSize=20)
    assert len(in_texas) == 20 and {n["region"] for n in in_texas} == {"TX"}
    assert {n["phone_number"][2:5] for n in in_texas} <= {"214", "512", "713"}
    by_zip = _search(api, emu, "US/Local", InPostalCode="94102", PageSize=5)
    assert len(by_zip) == 5 and {n["postal_code"] for n in by_zip} == {"94102"}
    boston = _search(api, emu, "US/Local", InLocality="boston", PageSize=5)
    assert len(boston) == 5 and {n["locality"] for n in boston} == {"Boston"}
    same_region = _search(api, emu, "US/Local", InRegion="+16175550100", PageSize=5)
    assert {n["region"] for n in same_region} == {"MA"}
    assert _search(api, emu, "US/Local", InRegion="ZZ") == []
    assert _search(api, emu, "US/Local", AreaCode="212", InRegion="CA") == []
    rate = _search(api, emu, "US/Local", InRateCenter="AUSTIN", InLata="999", PageSize=3)
    assert len(rate) == 3 and {n["rate_center"] for n in rate} == {"AUSTIN"}


def _miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    cos = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 3958.8 * math.acos(min(1.0, cos))


def test_search_near_a_number_or_a_point(api: httpx.Client, emu: Emulator) -> None:
    near_sf = _search(api, emu, "US/Local", NearNumber="+14155550100", Distance=30, PageSize=30)
    assert len(near_sf) == 30
    assert {n["phone_number"][2:5] for n in near_sf} <= {"415", "510", "650"}
    assert len({n["phone_number"][2:5] for n in near_sf}) > 1  # Oakland is 8 miles away
    manhattan = (40.75, -73.99)
    near_point = _search(api, emu, "US/Local", NearLatLong="40.75,-73.99", Distance=10,
                         PageSize=30)  # fmt: skip
    assert near_point and all(
        _miles(*manhattan, n["latitude"], n["longitude"]) <= 10 for n in near_point
    )
    assert {n["region"] for n in near_point} <= {"NY", "NJ"}
    assert _search(api, emu, "US/Local", NearNumber="+15005550006") == []  # no place known


def test_search_contains_patterns(api: httpx.Client, emu: Emulator) -> None:
    def numbers(contains: str, **more: Any) -> list[str]:
        found = _search(api, emu, "US/Local", Contains=contains, PageSize=10, **more)
        assert len(found) == 10, contains
        return [n["phone_number"] for n in found]

    assert all("5551234" in n for n in numbers("5551234"))  # long patterns are made, not found
    assert all("78673" in n for n in numbers("STORE"))  # letters are keypad digits
    assert all(n.startswith("+1212") for n in numbers("+1212"))
    assert all(n.endswith("99") for n in numbers("99$"))
    assert all(n[8:10] == "42" for n in numbers("+1415***42", AreaCode="415"))
    assert all(n.startswith("+1617") and "88" in n for n in numbers("+1617%88"))
    for bad in ("1", "*", "1+2", "12$3", "+*12", "12#", "1" * 17):
        resp = api.get(f"{_account(emu)}/AvailablePhoneNumbers/US/Local.json",
                       params={"Contains": bad})  # fmt: skip
        _error(resp, 400, 20001)


def test_search_capability_filters(api: httpx.Client, emu: Emulator) -> None:
    faxable = _search(api, emu, "US/Local", FaxEnabled="true", PageSize=10)
    assert len(faxable) == 10 and all(n["capabilities"]["fax"] is True for n in faxable)
    no_fax = _search(api, emu, "US/Local", FaxEnabled="false", PageSize=10)
    assert len(no_fax) == 10 and all(n["capabilities"]["fax"] is False for n in no_fax)
    assert _search(api, emu, "US/Local", SmsEnabled="false") == []  # every US number texts
    assert len(_search(api, emu, "US/Local", SmsEnabled="true", MmsEnabled="true",
                       VoiceEnabled="true", PageSize=4)) == 4  # fmt: skip
    assert _search(api, emu, "GB/Local", SmsEnabled="true") == []  # UK landlines do not
    mobiles = _search(api, emu, "GB/Mobile", SmsEnabled="true", PageSize=3)
    assert len(mobiles) == 3 and all(n["capabilities"]["sms"] for n in mobiles)
    for key in ("SmsEnabled", "Beta", "ExcludeAllAddressRequired"):
        resp = api.get(f"{_account(emu)}/AvailablePhoneNumbers/US/Local.json",
                       params={key: "maybe"})  # fmt: skip
        _error(resp, 400, 20001)


@pytest.mark.parametrize(
    "query",
    [
        {"NearLatLong": "north"},
        {"NearLatLong": "91,0"},
        {"NearLatLong": "1,2,3"},
        {"Distance": "501"},
        {"Distance": "-1"},
        {"NearNumber": "nearby"},
        {"InRateCenter": "AUSTIN"},  # needs InLata
        {"AreaCode": "41"},
    ],
)
def test_search_refuses_malformed_filters(
    api: httpx.Client, emu: Emulator, query: dict[str, str]
) -> None:
    resp = api.get(f"{_account(emu)}/AvailablePhoneNumbers/US/Local.json", params=query)
    _error(resp, 400, 20001)


def test_capabilities_have_the_specs_four_keys(api: httpx.Client, emu: Emulator) -> None:
    found = _search(api, emu, "US/Local", AreaCode="415", PageSize=20)
    owned = api.get(f"{_account(emu)}/IncomingPhoneNumbers.json").json()
    for item in [*found, *owned["incoming_phone_numbers"]]:
        assert set(item["capabilities"]) == {"voice", "sms", "mms", "fax"}, item
        assert all(isinstance(v, bool) for v in item["capabilities"].values())
    bought = api.post(
        f"{_account(emu)}/IncomingPhoneNumbers.json",
        data={"PhoneNumber": found[0]["phone_number"]},
    )
    assert bought.status_code == 201
    assert bought.json()["capabilities"] == found[0]["capabilities"]  # a property of the number


def test_search_links_carry_the_filters(api: httpx.Client, emu: Emulator) -> None:
    resp = api.get(
        f"{_account(emu)}/AvailablePhoneNumbers/US/Local.json",
        params={"InRegion": "NY", "SmsEnabled": "true", "PageSize": 2, "Page": 1},
    )
    page = resp.json()
    assert "InRegion=NY" in page["first_page_uri"] and "SmsEnabled=true" in page["uri"]
    follow = api.get(page["first_page_uri"]).json()
    assert {n["region"] for n in follow["available_phone_numbers"]} == {"NY"}


# -- accounts --------------------------------------------------------------------------------


def test_account_update_refuses_an_empty_or_unknown_status(
    api: httpx.Client, emu: Emulator
) -> None:
    sub = api.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sub"}).json()
    url = f"/2010-04-01/Accounts/{sub['sid']}.json"
    for status in ("", " ", "paused"):
        _error(api.post(url, data={"Status": status, "FriendlyName": "renamed"}), 400, 20001)
    assert api.get(url).json()["friendly_name"] == "sub"  # nothing applied
    resp = api.post(url, data={"Status": "Suspended"})
    assert resp.status_code == 200 and resp.json()["status"] == "suspended"


# -- subresource_uris ------------------------------------------------------------------------


def _subresource_uris(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "subresource_uris" and isinstance(item, dict):
                yield from item.values()
            else:
                yield from _subresource_uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _subresource_uris(item)


def test_every_subresource_uri_is_served(api: httpx.Client, emu: Emulator) -> None:
    sub = api.post("/2010-04-01/Accounts.json", data={"FriendlyName": "sub"}).json()
    api.post(f"{_account(emu)}/IncomingPhoneNumbers/TollFree.json",
             data={"PhoneNumber": "+18335550100"})  # fmt: skip
    message = api.post(f"{_account(emu)}/Messages.json",
                       data={"To": "+15558675310", "From": OWNED, "Body": "hi"})  # fmt: skip
    call = api.post(f"{_account(emu)}/Calls.json",
                    data={"To": "+15558675310", "From": OWNED, "Twiml": "<Response/>"})  # fmt: skip
    assert message.status_code == 201 and call.status_code == 201, (message.text, call.text)
    documents = [
        message.json(),
        call.json(),
        api.get(f"{_account(emu)}/Messages.json").json(),
        api.get(f"{_account(emu)}/Calls.json").json(),
        api.get(f"{_account(emu)}.json").json(),
        api.get(f"/2010-04-01/Accounts/{sub['sid']}.json").json(),
        api.get("/2010-04-01/Accounts.json").json(),
        api.get(f"{_account(emu)}/IncomingPhoneNumbers.json").json(),
        api.get(f"{_account(emu)}/AvailablePhoneNumbers.json").json(),
        api.get(f"{_account(emu)}/AvailablePhoneNumbers/GB.json").json(),
    ]
    uris = sorted(set(_subresource_uris(documents)))
    assert len(uris) > 15, uris
    for uri in uris:
        resp = api.get(uri)
        assert resp.status_code == 200, (uri, resp.text)
        json.loads(resp.text)


@pytest.mark.parametrize("kind", ["verfy", "messages", "Call"])
def test_an_unknown_rule_kind_is_refused_everywhere(emu: Emulator, kind: str) -> None:
    """A typo in ``kind`` would make a rule that silently matches nothing: refused (400 on
    the control plane, ValueError from Python), the table unchanged."""
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as api:
        answer = api.post("/_emulator/rules", json={"kind": kind, "outcome": "failed"})
    assert answer.status_code == 400 and answer.json()["code"] == 20001
    assert "unknown rule kind" in answer.json()["message"]
    with pytest.raises(ValueError, match="unknown rule kind"):
        emu.set_rule("failed", kind=kind)
    assert emu.rules() == []
