"""Content templates (``content/v1``) on the emulator: the official SDK through its
``content`` domain (typed create requests, list/fetch/update/delete, approval create/fetch,
``content_and_approvals``, ``legacy_contents``), raw HTTP for the validation errors and the
JSON body, per account, reset, persistence and the approval control plane."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.emulator import sdk_client
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList
from twilio.rest.content.v1.content.approval_create import ApprovalCreateList

from twilio_connector.emulator import Emulator, EmulatorError

ISO = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")
ORDER = {
    "friendly_name": "order update",
    "language": "en",
    "variables": {"1": "Ada", "2": "42"},
    "types": {
        "twilio/text": {"body": "Hi {{1}}, order {{2}} has shipped."},
        "twilio/quick-reply": {
            "body": "Hi {{1}}, did order {{2}} arrive?",
            "actions": [{"title": "Yes", "id": "yes"}, {"title": "No", "id": "no"}],
        },
    },
}


def _create(twilio: Client, body: dict[str, Any] | None = None) -> Any:
    request = ContentList.ContentCreateRequest(body or ORDER)
    return twilio.content.v1.contents.create(request)


def _approve(
    twilio: Client, sid: str, name: str = "order_update", category: str = "UTILITY"
) -> Any:
    request = ApprovalCreateList.ContentApprovalRequest({"name": name, "category": category})
    return twilio.content.v1.contents(sid).approval_create.create(request)


def _http(emu: Emulator) -> httpx.Client:
    return httpx.Client(base_url=f"{emu.base_url}/content", auth=(emu.account_sid, emu.auth_token))


def test_the_sdk_creates_fetches_lists_updates_and_deletes(emu: Emulator, twilio: Client) -> None:
    created = _create(twilio)
    sid = created.sid
    assert re.fullmatch(r"HX[0-9a-f]{32}", sid)
    emu.set_content_approval(sid, "approved")
    assert (created.account_sid, created.friendly_name, created.language) == (
        emu.account_sid,
        "order update",
        "en",
    )
    assert created.variables == {"1": "Ada", "2": "42"}
    # the SDK sends null for every unset field and type: none of them is stored
    assert created.types == ORDER["types"]
    assert created.url == f"{emu.base_url}/content/v1/Content/{sid}"
    assert created.links == {
        "approval_create": f"{created.url}/ApprovalRequests/whatsapp",
        "approval_fetch": f"{created.url}/ApprovalRequests",
    }
    assert created.date_created is not None and created.date_created == created.date_updated
    fetched = twilio.content.v1.contents(sid).fetch()
    assert (fetched.sid, fetched.types) == (sid, ORDER["types"])
    update = ContentList.ContentUpdateRequest(
        {"language": "es", "types": {"twilio/text": {"body": "Hola {{1}}."}}}
    )
    updated = twilio.content.v1.contents(sid).update(update)
    assert (updated.language, updated.types, updated.friendly_name) == (
        "es",
        {"twilio/text": {"body": "Hola {{1}}."}},
        "",
    )
    # the edited content was never reviewed: its approval is gone
    assert twilio.content.v1.contents(sid).approval_fetch().fetch().whatsapp["status"] == (
        "unsubmitted"
    )
    other = _create(twilio).sid
    assert [c.sid for c in twilio.content.v1.contents.list()] == [sid, other]
    assert twilio.content.v1.contents(sid).delete() is True
    assert [c.sid for c in twilio.content.v1.contents.list()] == [other]
    with pytest.raises(TwilioRestException) as gone:
        twilio.content.v1.contents(sid).fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException):
        twilio.content.v1.contents(sid).delete()


def test_the_sdk_pages_templates_through_the_v1_envelope(emu: Emulator, twilio: Client) -> None:
    sids = [_create(twilio).sid for _ in range(5)]
    assert [c.sid for c in twilio.content.v1.contents.list(page_size=2)] == sids
    assert [c.sid for c in twilio.content.v1.contents.list(limit=3)] == sids[:3]
    with _http(emu) as http:
        page = http.get("/v1/Content", params={"PageSize": 2}).json()
    assert [c["sid"] for c in page["contents"]] == sids[:2]
    meta = page["meta"]
    assert (meta["key"], meta["page"], meta["page_size"]) == ("contents", 0, 2)
    assert meta["next_page_url"].startswith(f"{emu.base_url}/content/v1/Content?")
    assert ISO.match(page["contents"][0]["date_created"])


def test_every_known_type_round_trips(twilio: Client) -> None:
    types = {
        "twilio/media": {"body": "Your ticket", "media": ["https://example.com/{{1}}.png"]},
        "twilio/location": {"latitude": 37.78, "longitude": -122.4, "label": "HQ"},
        "twilio/call-to-action": {
            "body": "Track order {{1}} now",
            "actions": [
                {"type": "URL", "title": "Track", "url": "https://example.com/t/{{1}}"},
                {"type": "PHONE_NUMBER", "title": "Call us", "phone": "+15017122661"},
            ],
        },
        "twilio/list-picker": {
            "body": "Pick a slot",
            "button": "Slots",
            "items": [{"id": "a", "item": "9:00", "description": "morning"}],
        },
        "twilio/card": {"title": "Sale", "subtitle": "today", "media": ["https://e.com/a.jpg"]},
        "whatsapp/card": {"body": "Your order", "footer": "Thanks", "header_text": "Order"},
        "whatsapp/authentication": {
            "add_security_recommendation": True,
            "code_expiration_minutes": 5,
            "actions": [{"type": "COPY_CODE", "copy_code_text": "Copy code"}],
        },
        "twilio/carousel": {
            "body": "Our picks",
            "cards": [
                {
                    "title": "One",
                    "media": "https://e.com/1.jpg",
                    "actions": [{"type": "QUICK_REPLY", "title": "Buy", "id": "buy1"}],
                }
            ],
        },
        "twilio/catalog": {"title": "Shop", "body": "Browse", "id": "cat1"},
    }
    created = _create(twilio, {"language": "en", "variables": {"1": "x"}, "types": types})
    assert created.types == types
    assert twilio.content.v1.contents(created.sid).fetch().types == types


BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"types": {"twilio/text": {"body": "x"}}}, "language"),
    ({"language": "en"}, "types"),
    ({"language": "en", "types": {}}, "at least one"),
    ({"language": "english please", "types": {"twilio/text": {"body": "x"}}}, "language"),
    ({"language": "en", "types": {"twilio/texts": {"body": "x"}}}, "Unknown content type"),
    ({"language": "en", "types": {"twilio/text": {}}}, "body"),
    ({"language": "en", "types": {"twilio/text": {"body": 5}}}, "$.body"),
    ({"language": "en", "types": {"twilio/text": {"body": ""}}}, "body is required"),
    ({"language": "en", "types": {"twilio/text": "hi"}}, "must be an object"),
    ({"language": "en", "types": {"twilio/text": {"body": "Hi {{}}"}}}, "Malformed variable"),
    ({"language": "en", "types": {"twilio/text": {"body": "Hi {{ 1 }}"}}}, "Malformed"),
    ({"language": "en", "types": {"twilio/text": {"body": "Hi {{1}"}}}, "Malformed"),
    ({"language": "en", "types": {"twilio/text": {"body": "x" * 1601}}}, "1600"),
    ({"language": "en", "types": {"twilio/media": {"media": []}}}, "media"),
    ({"language": "en", "types": {"twilio/media": {"media": ["nope"]}}}, "not a valid URL"),
    (
        {"language": "en", "types": {"twilio/quick-reply": {"body": "x" * 1025, "actions": []}}},
        "1024",
    ),
    ({"language": "en", "types": {"twilio/quick-reply": {"body": "q", "actions": []}}}, "1 and"),
    (
        {
            "language": "en",
            "types": {"twilio/quick-reply": {"body": "q", "actions": [{"title": "a"}] * 11}},
        },
        "between 1 and 10",
    ),
    (
        {
            "language": "en",
            "types": {
                "twilio/call-to-action": {"body": "c", "actions": [{"type": "URL", "title": "t"}]}
            },
        },
        "needs 'url'",
    ),
    (
        {
            "language": "en",
            "types": {
                "twilio/call-to-action": {"body": "c", "actions": [{"type": "FAX", "title": "t"}]}
            },
        },
        "type must be one of",
    ),
    ({"language": "en", "types": {"twilio/location": {"latitude": 91, "longitude": 0}}}, "range"),
    ({"language": "en", "types": {"twilio/list-picker": {"body": "b", "items": []}}}, "button"),
    (
        {"language": "en", "variables": {"a b": "x"}, "types": {"twilio/text": {"body": "x"}}},
        "Invalid variable name",
    ),
    (
        {"language": "en", "variables": {"1": "x" * 1601}, "types": {"twilio/text": {"body": "x"}}},
        "1600",
    ),
    (
        {"language": "en", "variables": ["x"], "types": {"twilio/text": {"body": "x"}}},
        "variables must be an object",
    ),
    (
        {
            "language": "en",
            "types": {"twilio/text": {"body": " ".join(f"{{{{v{i}}}}}" for i in range(101))}},
        },
        "at most 100 variables",
    ),
    (
        {"language": "en", "friendly_name": "n" * 257, "types": {"twilio/text": {"body": "x"}}},
        "256",
    ),
]


@pytest.mark.parametrize(("body", "says"), BAD_BODIES)
def test_a_bad_template_is_a_clear_400(emu: Emulator, body: dict[str, Any], says: str) -> None:
    with _http(emu) as http:
        resp = http.post("/v1/Content", json=body)
        assert resp.status_code == 400, resp.text
        error = resp.json()
        assert (error["code"], error["status"]) == (20001, 400)
        assert says in error["message"]
        assert error["more_info"] == "https://www.twilio.com/docs/errors/20001"
        assert http.get("/v1/Content").json()["contents"] == []  # nothing half-created


def test_create_takes_a_json_body_of_bounded_size(emu: Emulator) -> None:
    with _http(emu) as http:
        form = http.post("/v1/Content", data={"language": "en"})
        assert form.status_code == 400 and "JSON body" in form.json()["message"]
        broken = http.post(
            "/v1/Content", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert broken.status_code == 400 and "not valid JSON" in broken.json()["message"]
        array = http.post("/v1/Content", json=[1])
        assert array.status_code == 400 and "must be an object" in array.json()["message"]
        big = {"language": "en", "types": {"twilio/catalog": {"body": "x" * 70_000}}}
        too_big = http.post("/v1/Content", json=big)
        assert too_big.status_code == 400 and "too large" in too_big.json()["message"]
        unknown = http.get(f"/v1/Content/HX{'0' * 32}")
        assert (unknown.status_code, unknown.json()["code"]) == (404, 20404)
        malformed_sid = http.get("/v1/Content/HXnot-a-sid")
        assert malformed_sid.status_code == 404


def test_whatsapp_approval_is_decided_at_once(twilio: Client) -> None:
    sid = _create(
        twilio,
        {
            "language": "en",
            "variables": {"1": "Ada"},
            "types": {"twilio/text": {"body": "Hello {{1}}, welcome aboard."}},
        },
    ).sid
    before = twilio.content.v1.contents(sid).approval_fetch().fetch()
    assert before.sid == sid and before.whatsapp["status"] == "unsubmitted"
    assert before.url.endswith(f"/content/v1/Content/{sid}/ApprovalRequests")
    created = _approve(twilio, sid, "welcome_v1")
    assert (created.name, created.category, created.content_type) == (
        "welcome_v1",
        "UTILITY",
        "twilio/text",
    )
    assert (created.status, created.rejection_reason, created.allow_category_change) == (
        "approved",
        "",
        True,
    )
    fetched = twilio.content.v1.contents(sid).approval_fetch().fetch()
    assert fetched.whatsapp == {
        "type": "whatsapp",
        "name": "welcome_v1",
        "category": "UTILITY",
        "content_type": "twilio/text",
        "status": "approved",
        "rejection_reason": "",
        "allow_category_change": True,
    }
    [listed] = twilio.content.v1.content_and_approvals.list()
    assert (listed.sid, listed.approval_requests["status"]) == (sid, "approved")
    assert listed.types == {"twilio/text": {"body": "Hello {{1}}, welcome aboard."}}
    assert twilio.content.v1.legacy_contents.list() == []


@pytest.mark.parametrize(
    ("body", "variables", "category", "reason"),
    [
        ("{{1}} is waiting", {"1": "x"}, "UTILITY", "start or end"),
        ("Waiting for {{1}}", {"1": "x"}, "UTILITY", "start or end"),
        ("Hi {{1}} {{2}} there", {"1": "x", "2": "y"}, "UTILITY", "next to each other"),
        ("Hi {{1}} there", {}, "UTILITY", "sample"),
        ("Your code is ready", {}, "AUTHENTICATION", "whatsapp/authentication"),
    ],
)
def test_whatsapp_rules_reject_a_template(
    twilio: Client, body: str, variables: dict[str, str], category: str, reason: str
) -> None:
    template = {"language": "en", "variables": variables, "types": {"twilio/text": {"body": body}}}
    sid = _create(twilio, template).sid
    created = _approve(twilio, sid, category=category)
    assert created.status == "rejected" and reason in created.rejection_reason
    fetched = twilio.content.v1.contents(sid).approval_fetch().fetch()
    assert fetched.whatsapp["status"] == "rejected"


def test_bad_approval_requests_are_400(emu: Emulator, twilio: Client) -> None:
    sid = _create(twilio).sid
    with _http(emu) as http:
        url = f"/v1/Content/{sid}/ApprovalRequests/whatsapp"
        for body, says in [
            ({"category": "UTILITY"}, "name"),
            ({"name": "Has Spaces", "category": "UTILITY"}, "lowercase"),
            ({"name": "ok"}, "category"),
            ({"name": "ok", "category": "SPAM"}, "one of UTILITY, MARKETING, AUTHENTICATION"),
        ]:
            resp = http.post(url, json=body)
            assert resp.status_code == 400 and says in resp.json()["message"], body
        missing = http.post(f"/v1/Content/HX{'0' * 32}/ApprovalRequests/whatsapp", json={})
        assert missing.status_code == 404
    assert twilio.content.v1.contents(sid).approval_fetch().fetch().whatsapp["status"] == (
        "unsubmitted"
    )


def test_the_control_plane_decides_the_verdict(emu: Emulator, twilio: Client) -> None:
    sid = _create(twilio).sid
    # decided before the request: the request keeps it
    emu.set_content_approval(sid, "rejected", reason="Meta says no")
    created = _approve(twilio, sid)
    assert (created.status, created.rejection_reason) == ("rejected", "Meta says no")
    # and over HTTP, at any time
    with httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token)) as http:
        ok = http.post(f"/_emulator/content/{sid}/approval", json={"status": "approved"})
        assert ok.status_code == 200 and ok.json()["status"] == "approved"
        paused = http.post(f"/_emulator/content/{sid}/approval", data={"status": "paused"})
        assert paused.json()["status"] == "paused"
        bad = http.post(f"/_emulator/content/{sid}/approval", json={"status": "maybe"})
        assert bad.status_code == 400 and "one of" in bad.json()["message"]
        none = http.post(f"/_emulator/content/{sid}/approval", json={})
        assert none.status_code == 400
        unknown = http.post(f"/_emulator/content/HX{'0' * 32}/approval", json={"status": "x"})
        assert unknown.status_code == 404
    assert twilio.content.v1.contents(sid).approval_fetch().fetch().whatsapp["status"] == "paused"
    with pytest.raises(EmulatorError):
        emu.set_content_approval("HX" + "0" * 32, "approved")


def test_templates_are_the_credentials_accounts(emu: Emulator, twilio: Client) -> None:
    mine = _create(twilio).sid
    sub = twilio.api.v2010.accounts.create(friendly_name="sub")
    theirs = sdk_client(emu, sub.sid, sub.auth_token)
    assert theirs.content.v1.contents.list() == []
    assert theirs.content.v1.content_and_approvals.list() == []
    for attempt in (
        lambda: theirs.content.v1.contents(mine).fetch(),
        lambda: theirs.content.v1.contents(mine).delete(),
        lambda: theirs.content.v1.contents(mine).approval_fetch().fetch(),
        lambda: _approve(theirs, mine),
    ):
        with pytest.raises(TwilioRestException) as caught:
            attempt()
        assert caught.value.status == 404
    with pytest.raises(TwilioException, match="20003"):
        sdk_client(emu, emu.account_sid, "wrong").content.v1.contents.list()
    twilio.api.v2010.accounts(sub.sid).update(status="suspended")
    with pytest.raises(TwilioRestException) as suspended:
        _create(theirs)
    assert (suspended.value.status, suspended.value.code) == (401, 20005)


def test_reset_forgets_templates(emu: Emulator, twilio: Client) -> None:
    _create(twilio)
    emu.reset()
    assert twilio.content.v1.contents.list() == []
    assert emu.call(lambda core: core.store.query_one("SELECT COUNT(*) FROM contents"))[0] == 0


def test_templates_and_approvals_persist_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    with Emulator(db_path=db) as first:
        sdk, token = first.sdk_client(), first.auth_token
        sid = _create(sdk).sid
        _approve(sdk, sid)
        rejected = _create(sdk).sid
        first.set_content_approval(rejected, "rejected", reason="no")
    with Emulator(db_path=db, auth_token=token) as second:
        sdk = second.sdk_client()
        kept = sdk.content.v1.contents(sid).fetch()
        assert (kept.types, kept.variables) == (ORDER["types"], ORDER["variables"])
        assert sdk.content.v1.contents(sid).approval_fetch().fetch().whatsapp["status"] == (
            "approved"
        )
        whatsapp = sdk.content.v1.contents(rejected).approval_fetch().fetch().whatsapp
        assert (whatsapp["status"], whatsapp["rejection_reason"]) == ("rejected", "no")
