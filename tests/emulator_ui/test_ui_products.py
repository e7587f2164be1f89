"""The inbox's product views over real HTTP: Messaging Services (settings and pool), Verify
(codes per number, status after a check, expiry, paging), Content templates (types,
variables, WhatsApp approval), a template message's buttons in the thread; empty states,
escaping, bounds and accounts. Data is created through the official SDK."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import pytest
from support.content import approved_template
from support.emulator import OWNED
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList
from ui_testkit import HANDSET, OWNED_WA, UI, thread_of

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.ui.queries import MAX_CHIPS, Chip, template_parts

QUICK_REPLY = {
    "twilio/text": {"body": "Hi {{1}}, your order shipped."},
    "twilio/quick-reply": {
        "body": "Hi {{1}}, did your order arrive?",
        "actions": [{"title": "Yes, thanks", "id": "yes"}, {"title": "Not yet", "id": "no"}],
    },
}


def _template(twilio: Client, types: dict[str, Any], name: str = "order update") -> str:
    request = ContentList.ContentCreateRequest(
        {"friendly_name": name, "language": "en", "variables": {"1": "Ada"}, "types": types}
    )
    sid: str = twilio.content.v1.contents.create(request).sid
    return sid


def _number_sid(twilio: Client, number: str) -> str:
    (found,) = twilio.incoming_phone_numbers.list(phone_number=number)
    sid: str = found.sid
    return sid


def _next(html: str) -> str | None:
    found = re.search(r'<a class="older" rel="next" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


# -- Messaging Services -------------------------------------------------------------------------


def test_services_view_shows_settings_and_the_pool(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    service = twilio.messaging.v1.services.create(
        friendly_name="Appointment reminders",
        inbound_request_url="https://user:s3cret@hooks.example.test/inbound",
        inbound_method="GET",
        status_callback="https://hooks.example.test/status",
        sticky_sender=False,
        use_inbound_webhook_on_number=True,
    )
    twilio.messaging.v1.services(service.sid).phone_numbers.create(
        phone_number_sid=_number_sid(twilio, OWNED)
    )
    short = emu.add_short_code("89898")
    twilio.messaging.v1.services(service.sid).short_codes.create(short_code_sid=short.sid)
    alpha = twilio.messaging.v1.services(service.sid).alpha_senders.create(alpha_sender="Clinic")
    twilio.messaging.v1.services.create(friendly_name="Empty pool")

    r = http.get(UI, params={"view": "services"})
    assert r.status_code == 200
    html = r.text
    card = html.split(f'id="s-{service.sid}"', 1)[1].split("</article>", 1)[0]
    assert "Appointment reminders" in html and service.sid in card
    assert "<b>GET</b> <code>https://user:***@hooks.example.test/inbound</code>" in card
    assert "s3cret" not in html  # passwords in URLs are never shown
    assert "https://hooks.example.test/status" in card
    assert re.search(r"<dt>Sticky sender</dt><dd>off</dd>", card)
    assert re.search(r"<dt>Area code geomatch</dt><dd>on</dd>", card)
    assert re.search(r"<dt>Inbound webhook of the number</dt><dd>used</dd>", card)
    # the pool, every kind in one list: the numbers linked to their conversations
    kinds = re.findall(r'data-kind="([a-z-]+)"', card)
    assert kinds == ["phone-number", "short-code", "alpha-sender"] and "3 senders<" in card
    links = re.findall(r'<a class="pooled" href="([^"]+)"[^>]*>([^<]+)</a>', card)
    assert [address for _, address in links] == [OWNED, "89898"]
    assert '<span class="pooled">Clinic</span>' in card and alpha.sid in card
    assert short.sid in card
    link = re.search(r'<a class="pooled" href="([^"]+)"[^>]*>([^<]+)</a>', card)
    assert link
    assert "No senders in the pool yet" in html  # the other service
    assert html.index("Empty pool") < html.index("Appointment reminders")  # newest first
    # the link opens the number's conversations
    twilio.messages.create(from_=OWNED, to=HANDSET, body="See you at 3 pm")
    emu.settle()
    found = http.get(unescape(link.group(1)))
    assert found.status_code == 200 and "See you at 3 pm" in found.text


def test_services_view_shows_sticky_senders_linked_to_their_conversations(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    service = twilio.messaging.v1.services.create(friendly_name="Sticky", sticky_sender=True)
    twilio.messaging.v1.services(service.sid).phone_numbers.create(
        phone_number_sid=_number_sid(twilio, OWNED)
    )
    html = http.get(UI, params={"view": "services"}).text
    assert "Sticky senders" not in html  # nothing sent yet
    twilio.messages.create(messaging_service_sid=service.sid, to=HANDSET, body="via the pool")
    emu.settle()
    html = http.get(UI, params={"view": "services"}).text
    assert "Sticky senders <small>1 recipient</small>" in html
    link = re.search(r'<ul class="sticky">\s*<li><a href="([^"]+)">([^<]+)<', html)
    assert link and link.group(2).strip() == HANDSET
    thread = thread_of(http.get(unescape(link.group(1))).text)
    assert "via the pool" in thread


def test_services_view_empty_state_and_live_fragment(http: httpx.Client) -> None:
    page = http.get(UI, params={"view": "services"})
    assert "No Messaging Services" in page.text
    assert 'aria-current="page">Services<' in page.text
    live = http.get(f"{UI}/live", params={"view": "services"})
    assert live.status_code == 200 and "No Messaging Services" in live.text
    assert "<html" not in live.text
    digest = live.headers["x-ui-hash"]
    again = http.get(f"{UI}/live", params={"view": "services", "h": digest})
    assert again.status_code == 204


def test_services_view_pages_at_a_bound(emu: Emulator, http: httpx.Client) -> None:
    def create(core: Any) -> None:
        account = core.accounts.get(emu.account_sid)
        for i in range(55):
            core.services.create(account, f"Service {i:02d}", {})

    emu.call(create)
    first = http.get(UI, params={"view": "services"}).text
    assert first.count('class="card service"') == 50
    more = _next(first)
    assert more and "after=MG" in more
    second = http.get(more).text
    assert second.count('class="card service"') == 5
    assert "Service 00" in second and "Service 00" not in first
    assert _next(second) is None and 'class="newest"' in second


# -- Verify -------------------------------------------------------------------------------------


def test_verify_view_shows_codes_per_number_and_the_check(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    va = twilio.verify.v2.services.create(friendly_name="Acme Login")
    started = twilio.verify.v2.services(va.sid).verifications.create(to=HANDSET, channel="sms")
    other = "+15550001111"
    twilio.verify.v2.services(va.sid).verifications.create(to=other, channel="whatsapp")
    code = emu.verification_code(HANDSET)
    page = http.get(UI, params={"view": "verify"}).text
    row = page.split(f'id="v-{started.sid}"', 1)[1].split("</li>", 1)[0]
    assert f'<span class="code" title="Code">{code}</span>' in row
    assert 'data-status="pending"' in page and ">pending<" in row
    assert "Acme Login" in row and "sms" in row and "1 send" in row and "0 checks" in row
    assert page.index(f'data-to="{other}"') < page.index(f'data-to="{HANDSET}"')  # newest first

    check = twilio.verify.v2.services(va.sid).verification_checks.create(to=HANDSET, code=code)
    assert check.status == "approved"
    page = http.get(UI, params={"view": "verify"}).text
    row = page.split(f'id="v-{started.sid}"', 1)[1].split("</li>", 1)[0]
    assert '<span class="badge ok">approved</span>' in row and "1 check" in row

    # one number only (an unencoded "+" in the URL is read as meant)
    only = http.get(f"{UI}?view=verify&to={HANDSET}").text
    assert f'data-to="{HANDSET}"' in only and f'data-to="{other}"' not in only
    # the other one expires with the simulated clock
    emu.advance(11 * 60)
    page = http.get(UI, params={"view": "verify", "to": other}).text
    assert '<span class="badge bad">expired</span>' in page


def test_verify_view_empty_states(http: httpx.Client) -> None:
    assert "No verifications yet" in http.get(UI, params={"view": "verify"}).text
    one = http.get(UI, params={"view": "verify", "to": HANDSET}).text
    assert f"No verifications for {HANDSET}" in one


def test_verify_view_pages_newest_first_through_a_keyset(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    va = twilio.verify.v2.services.create(friendly_name="Paging")
    sids = [
        twilio.verify.v2.services(va.sid).verifications.create(to=f"+1555020{i:04d}", channel="sms")
        .sid
        for i in range(105)
    ]  # fmt: skip
    first = http.get(UI, params={"view": "verify"}).text
    assert first.count('class="verification"') == 100
    assert f'id="v-{sids[-1]}"' in first and f'id="v-{sids[4]}"' not in first
    more = _next(first)
    assert more is not None
    second = http.get(more).text
    shown = re.findall(r'id="v-(VE[0-9a-f]{32})"', second)
    assert shown == list(reversed(sids[:5]))
    assert _next(second) is None


@pytest.mark.parametrize(
    "params",
    [
        {"view": "verify", "after": "VE123"},
        {"view": "services", "after": "12"},
        {"view": "calls", "after": "12"},
        {"view": "verify", "account": "nope"},
    ],
)
def test_bad_cursors_are_a_clear_400(http: httpx.Client, params: dict[str, str]) -> None:
    for path in (UI, f"{UI}/live"):
        r = http.get(path, params=params)
        assert r.status_code == 400, (path, r.text)


# -- Content templates --------------------------------------------------------------------------


def test_templates_view_shows_types_variables_and_approval(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    approved = approved_template(emu, QUICK_REPLY)
    rejected = _template(twilio, {"twilio/text": {"body": "Flash sale {{1}}!"}}, name="promo")
    emu.set_content_approval(rejected, "rejected", reason="Promotional content in UTILITY")
    draft = _template(twilio, {"twilio/text": {"body": "Draft"}}, name="draft")

    html = http.get(UI, params={"view": "templates"}).text
    card = html.split(f'id="t-{approved}"', 1)[1].split("</article>", 1)[0]
    assert "test template" in card and approved in card and '"lang" title="Language">en<' in card
    assert '<span class="badge ok">approved</span>' in card
    assert "twilio/quick-reply" in card and "Hi {{1}}, did your order arrive?" in card
    assert '<li class="tpl-chip">Yes, thanks</li>' in card
    assert "<th>{{1}}</th><td>Ada</td>" in card  # the variable and its default
    promo = html.split(f'id="t-{rejected}"', 1)[1].split("</article>", 1)[0]
    assert '<span class="badge bad">rejected</span>' in promo
    assert "Promotional content in UTILITY" in promo
    plain = html.split(f'id="t-{draft}"', 1)[1].split("</article>", 1)[0]
    assert ">unsubmitted<" in plain
    assert html.index(draft) < html.index(rejected) < html.index(approved)  # newest first


def test_templates_view_empty_state(http: httpx.Client) -> None:
    html = http.get(UI, params={"view": "templates"}).text
    assert "No Content templates" in html


def test_template_bodies_are_escaped(emu: Emulator, twilio: Client, http: httpx.Client) -> None:
    evil = '<script>alert("x")</script>'
    sid = _template(twilio, {"twilio/text": {"body": f"Hi {evil}"}}, name=f"<b>{evil}</b>")
    emu.set_content_approval(sid, "rejected", reason=f"<img src=x onerror=alert(1)>{evil}")
    twilio.messaging.v1.services.create(friendly_name=evil)
    for view in ("templates", "services"):
        for path in (UI, f"{UI}/live"):
            html = http.get(path, params={"view": view}).text
            assert "<script>alert" not in html and "<img src=x" not in html, (view, path)
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html, (view, path)


# -- a template message in the thread ------------------------------------------------------------


def test_thread_shows_a_template_messages_buttons_and_name(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    sid = approved_template(emu, QUICK_REPLY)
    sent = twilio.messages.create(
        from_=f"whatsapp:{OWNED_WA}", to=f"whatsapp:{HANDSET}", content_sid=sid,
        content_variables='{"1": "Bo"}',
    )  # fmt: skip
    twilio.messages.create(from_=OWNED, to=HANDSET, body="plain message")
    emu.settle()
    params = {"local": f"whatsapp:{OWNED_WA}", "peer": f"whatsapp:{HANDSET}"}
    thread = thread_of(http.get(UI, params=params).text)
    msg = thread.split(f'id="m-{sent.sid}"', 1)[1].split("</article>", 1)[0]
    assert "Hi Bo, did your order arrive?" in msg
    chips = re.findall(r'<li class="tpl-chip k-quick-reply"[^>]*>([^<]+)</li>', msg)
    assert chips == ["Yes, thanks", "Not yet"]
    assert f'data-content-sid="{sid}"' in msg and "test template" in msg
    assert "twilio/quick-reply" in msg
    assert f"#t-{sid}" in msg  # links to the template
    plain = thread_of(http.get(UI, params={"local": OWNED, "peer": HANDSET}).text)
    assert "plain message" in plain and "template-parts" not in plain


def test_thread_shows_list_items_and_call_to_action_urls(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    types = {
        "twilio/list-picker": {
            "body": "Pick a slot",
            "button": "See slots",
            "items": [
                {"item": "Monday 9 am", "id": "mon", "description": "with Dr. Ada"},
                {"item": "Tuesday 2 pm", "id": "tue"},
            ],
        }
    }
    sid = approved_template(emu, types)
    sent = twilio.messages.create(
        from_=f"whatsapp:{OWNED_WA}", to=f"whatsapp:{HANDSET}", content_sid=sid
    )
    emu.settle()
    params = {"local": f"whatsapp:{OWNED_WA}", "peer": f"whatsapp:{HANDSET}"}
    msg = http.get(UI, params=params).text.split(f'id="m-{sent.sid}"', 1)[1].split("</article>")[0]
    assert '<span class="tpl-button">See slots</span>' in msg
    assert "Monday 9 am <small>with Dr. Ada</small>" in msg and "Tuesday 2 pm" in msg

    cta = {
        "twilio/call-to-action": {
            "body": "Your parcel is on its way",
            "actions": [
                {"type": "URL", "title": "Track it", "url": "https://track.example.test/1"},
                {"type": "PHONE_NUMBER", "title": "Call us", "phone": "+15551230000"},
            ],
        }
    }
    sent = twilio.messages.create(
        from_=f"whatsapp:{OWNED_WA}", to=f"whatsapp:{HANDSET}",
        content_sid=approved_template(emu, cta),
    )  # fmt: skip
    emu.settle()
    msg = http.get(UI, params=params).text.split(f'id="m-{sent.sid}"', 1)[1].split("</article>")[0]
    assert re.search(r'class="tpl-chip k-url" title="url: https://track.example.test/1">Track', msg)
    assert re.search(r'class="tpl-chip k-phone-number" title="[^"]*\+15551230000">Call us', msg)


# -- accounts -----------------------------------------------------------------------------------


def test_a_subaccounts_data_is_marked_and_can_be_left_out(
    emu: Emulator, twilio: Client, http: httpx.Client
) -> None:
    """The inbox shows the signed-in main account and its subaccounts (like every view);
    a subaccount's rows carry its SID, and ``account=`` narrows a view to one account."""
    sub = twilio.api.v2010.accounts.create(friendly_name="tenant")
    theirs = emu.sdk_client(sub.sid, sub.auth_token)
    theirs.messaging.v1.services.create(friendly_name="Tenant service")
    _template(theirs, {"twilio/text": {"body": "tenant"}}, name="tenant template")
    va = theirs.verify.v2.services.create(friendly_name="Tenant Verify")
    theirs.verify.v2.services(va.sid).verifications.create(to=HANDSET, channel="sms")
    twilio.messaging.v1.services.create(friendly_name="Main service")
    _template(twilio, {"twilio/text": {"body": "main"}}, name="main template")

    expected = {
        "services": "Tenant service",
        "templates": "tenant template",
        "verify": "Tenant Verify",
    }
    for view, needle in expected.items():
        both = http.get(UI, params={"view": view}).text
        assert needle in both and f'title="Subaccount">{sub.sid}<' in both, view
        mine = http.get(UI, params={"view": view, "account": emu.account_sid}).text
        assert needle not in mine and sub.sid not in mine.split("<main", 1)[1], view
        only = http.get(f"{UI}/live", params={"view": view, "account": sub.sid}).text
        assert needle in only, view
    assert "Main service" in http.get(UI, params={"view": "services"}).text
    foreign = http.get(UI, params={"view": "services", "account": "AC" + "0" * 32})
    assert foreign.status_code == 404 and "No account" in foreign.text
    # the subaccount's credentials do not open the inbox
    with httpx.Client(base_url=emu.base_url, auth=(sub.sid, sub.auth_token)) as other:
        assert other.get(UI, params={"view": "verify"}).status_code in (401, 403)


def test_nav_has_the_new_views(http: httpx.Client) -> None:
    html = http.get(UI).text
    for label in ("Services", "Verify", "Templates"):
        assert re.search(rf'<a href="[^"]*view={label.lower()}"[^>]*>{label}</a>', html), label


def test_verify_view_updates_live(emu: Emulator, twilio: Client, http: httpx.Client) -> None:
    first = http.get(f"{UI}/live", params={"view": "verify"})
    digest = first.headers["x-ui-hash"]
    va = twilio.verify.v2.services.create(friendly_name="Live")
    twilio.verify.v2.services(va.sid).verifications.create(to=HANDSET, channel="sms")
    changed = http.get(f"{UI}/live", params={"view": "verify", "h": digest})
    assert changed.status_code == 200
    assert emu.verification_code(HANDSET) in changed.text


def test_template_parts_of_cards_and_of_odd_extras() -> None:
    """The pure reading of ``MessageRecord.extra``: carousel cards with their buttons,
    non-template messages, malformed content (stored JSON of any shape) and the bound."""
    carousel = {
        "content_sid": "HX" + "1" * 32,
        "content_type": "twilio/carousel",
        "content": {
            "body": "Our picks",
            "cards": [
                {"title": "Red shoes", "actions": [{"type": "URL", "title": "Buy", "url": "x"}]},
                {"body": "Blue hat", "actions": [{"type": "QUICK_REPLY", "title": "Later"}]},
            ],
        },
    }
    parts = template_parts(carousel, lambda sid: "picks")
    assert parts is not None and parts.name == "picks" and parts.content_type == "twilio/carousel"
    assert parts.chips == [
        Chip("card", "Red shoes"), Chip("url", "Buy", "x"),
        Chip("card", "Blue hat"), Chip("quick-reply", "Later"),
    ]  # fmt: skip
    assert not parts.chips[1].linkable  # "x" is no http(s) URL
    assert template_parts(None) is None and template_parts({"send_at": 1.0}) is None
    odd = template_parts({"content_sid": "HX" + "2" * 32, "content": ["not", "a", "dict"]})
    assert odd is not None and odd.chips == [] and odd.name == ""
    junk = {"actions": [1, "x", {"title": 5}], "items": [None, {"item": "ok"}]}
    weird = template_parts({"content_sid": "HX" + "3" * 32, "content": junk})
    assert weird is not None and weird.chips == [
        Chip("quick-reply", "quick-reply"),
        Chip("item", "ok"),
    ]
    many = {"actions": [{"title": f"b{i}"} for i in range(100)]}
    capped = template_parts({"content_sid": "HX" + "4" * 32, "content": many})
    assert capped is not None and len(capped.chips) == MAX_CHIPS
