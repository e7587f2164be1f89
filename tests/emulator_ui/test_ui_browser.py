"""The inbox in a real headless Chromium (Playwright): rows appear, the form posts, the page
updates live without a reload; the layout holds from 1280 down to 390 px wide; search, paging
and the favicon work. With UPDATE_SCREENSHOT=1 it rewrites ``docs/emulator-ui.png`` (1280 px)
and ``docs/emulator-ui-390.png`` (a phone).

Skipped when Playwright for Python or a Chromium binary is missing (``make test`` installs
both where it can). ``CHROMIUM`` may name the binary; default: ``chromium`` on the PATH.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.content import approved_template
from support.emulator import OWNED
from support.receiver import Receiver
from ui_testkit import HANDSET, OWNED_WA, UI

from twilio_connector.client import TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.inputs import VoiceCallInput

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install playwright)"
)
CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
if not CHROMIUM or not os.access(CHROMIUM, os.X_OK):
    pytest.skip(
        f"no Chromium binary ({CHROMIUM or 'none on PATH'}); Debian: apt-get install chromium",
        allow_module_level=True,
    )

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "emulator-ui.png"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TIMEOUT_MS = 15_000


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def signed_in(browser: Any, emu: Emulator, **options: Any) -> Any:
    """A browser context that sends the main account's credentials (Basic auth)."""
    credentials = {"username": emu.account_sid, "password": emu.auth_token}
    return browser.new_context(http_credentials=credentials, **options)


def _populate(emu: Emulator, client: TwilioClient, receiver: Receiver) -> None:
    status = receiver.url("/status")
    client.send_sms(from_=OWNED, to="+15550100200", body="Your table for 2 is ready.",
                    status_callback=status)  # fmt: skip
    emu.simulate_inbound_message(f"whatsapp:{HANDSET}", f"whatsapp:{OWNED_WA}", "Is it open today?")
    emu.settle()
    client.send_whatsapp_message(from_=OWNED_WA, to=HANDSET, body="Yes, until 10 pm!",
                                 status_callback=status)  # fmt: skip
    client.send_sms(from_=OWNED, to=HANDSET, body="Your verification code is 482913",
                    status_callback=status)  # fmt: skip
    emu.simulate_inbound_message(HANDSET, OWNED, "Got it, thanks. Here is the receipt",
                                 media_urls=["https://files.example.test/receipt.pdf"])  # fmt: skip
    client.make_voice_call(from_=OWNED, to="+15550100200",
                           voice_input=VoiceCallInput.text("Your table is ready."),
                           status_callback=receiver.url("/call-status"))  # fmt: skip
    emu.settle()
    receiver.wait_for(lambda hits: len([h for h in hits if h.path == "/sms"]) >= 1)
    emu.settle()


def test_inbox_in_a_real_browser(
    browser: Any,
    emu: Emulator,
    client: TwilioClient,
    receiver: Receiver,
    sms_number: str,
    tmp_path: Path,
) -> None:
    _populate(emu, client, receiver)
    context = signed_in(browser, emu, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{emu.base_url}{UI}")
        expect = sync_api.expect
        expect.set_options(timeout=TIMEOUT_MS)

        # the newest conversation is open: both directions, in order, with badges and media
        thread = page.locator("#thread")
        expect(thread.locator(".msg.out .bubble")).to_contain_text(["verification code is 482913"])
        expect(thread.locator(".msg.in .bubble").first).to_contain_text("Got it, thanks")
        expect(thread.locator(".msg.out .badge")).to_have_text(["delivered", "delivered"])
        expect(thread.locator(".msg.out").last).to_contain_text("Thanks, got it!")  # TwiML reply
        expect(thread.locator(".media a")).to_have_attribute(
            "href", "https://files.example.test/receipt.pdf"
        )
        sidebar = page.locator(".sidebar")
        expect(sidebar).to_contain_text("+15550100200")
        expect(sidebar).to_contain_text("Yes, until 10 pm!")
        # the conversation's webhook deliveries, with status and latency
        hooks = page.locator(".side-hooks .hook")
        expect(hooks.filter(has_text="message-status").first).to_contain_text("200")
        expect(hooks.filter(has_text="incoming-message").first).to_contain_text("/sms")
        page.evaluate("window.__noReload = 'still here'")

        # something happens elsewhere (our client): it shows up without a reload
        client.send_sms(from_=OWNED, to=HANDSET, body="Live update check",
                        status_callback=receiver.url("/status"))  # fmt: skip
        expect(thread.locator(".msg.out").last).to_contain_text("Live update check")
        expect(thread.locator(".msg.out").last.locator(".badge")).to_have_text("delivered")

        # the inbound form: the message, the webhook and the TwiML reply appear live
        form = page.locator("#inbound-form")
        form.locator("input[name=from]").fill(HANDSET)
        form.locator("select[name=to]").select_option(OWNED)
        form.locator("textarea[name=body]").fill("Sent from the browser form")
        form.locator("button[type=submit]").click()
        expect(page.locator("#form-msg")).to_contain_text("Received as SM")
        expect(thread.locator(".msg.in").last).to_contain_text("Sent from the browser form")
        expect(thread.locator(".msg.out").last).to_contain_text("Thanks, got it!")
        receiver.wait_for(
            lambda hits: any(h.form.get("Body") == "Sent from the browser form" for h in hits)
        )

        # bad input: a clear message next to the form, nothing sent
        form.locator("input[name=from]").fill("not-a-number")
        form.locator("textarea[name=body]").fill("x")
        form.locator("button[type=submit]").click()
        expect(page.locator("#form-msg")).to_contain_text("not a valid phone number")
        expect(page.locator("#form-msg")).to_have_class("form-msg error")
        assert page.evaluate("window.__noReload") == "still here"
        form.locator("input[name=from]").fill(HANDSET)
        form.locator("textarea[name=body]").fill("")

        # the full delivery log, one attempt opened: signature and parameters
        page.locator("nav a", has_text="Webhooks").click()
        first = page.locator(".deliveries .hook").first
        expect(first).to_be_visible()
        first.locator("summary").click()
        expect(first.locator("dl")).to_contain_text("X-Twilio-Signature")
        page.locator("nav a", has_text="Calls").click()
        call = page.locator("details.call").first
        expect(call.locator(".transcript")).to_contain_text("Your table is ready.")
        expect(call.locator(".hook").filter(has_text="call-status").first).to_contain_text("200")
        assert not errors, errors

        # the screenshot: the messages view with one delivery opened
        page.goto(f"{emu.base_url}{UI}")
        opened = page.locator(".side-hooks .hook").filter(has_text="incoming-message").last
        opened.locator("summary").click()
        expect(opened.locator("dl")).to_be_visible()
        # docs/emulator-ui.png is refreshed only on request (`make screenshot`), so that
        # `make test` leaves the work tree clean.
        shot = DOCS_SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "ui.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        context.close()


def test_plain_form_without_javascript_posts_from_its_own_origin(
    browser: Any, emu: Emulator, receiver: Receiver, sms_number: str
) -> None:
    """Without JavaScript the browser submits the form itself, with its Origin header: the
    emulator's cross-origin guard lets it through (it would refuse ``Origin: null``)."""
    context = signed_in(browser, emu, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{emu.base_url}{UI}")
        form = page.locator("#inbound-form")
        form.locator("input[name=from]").fill(HANDSET)
        form.locator("select[name=to]").select_option(sms_number)
        form.locator("textarea[name=body]").fill("Posted without JavaScript")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "view=messages" in page.url
        sync_api.expect(page.locator("#thread")).to_contain_text("Posted without JavaScript")
    finally:
        context.close()


WIDTHS = ((1280, 800), (1024, 768), (820, 1180), (390, 844))  # desktop .. phone
LONG_BODY = "Tracking https://carrier.example.test/" + "x" * 160 + " and a long word " + "y" * 90


def _fill_for_layout(emu: Emulator, client: TwilioClient, receiver: Receiver) -> None:
    _populate(emu, client, receiver)
    client.send_sms(
        from_=OWNED, to=HANDSET, body=LONG_BODY, status_callback=receiver.url("/s" * 60)
    )
    for i in range(55):  # more conversations than one sidebar page
        emu.simulate_inbound_message(f"+1555030{i:04d}", OWNED, f"Older customer {i}")
    emu.simulate_inbound_message(HANDSET, OWNED, "Latest from the handset")
    emu.settle()


def _fill_products(emu: Emulator, receiver: Receiver) -> None:
    """A service with a pooled number and long settings, Verify codes (one approved),
    templates (approved, rejected with a long reason) and a template message with buttons."""
    twilio = emu.sdk_client()
    service = twilio.messaging.v1.services.create(
        friendly_name="Appointment reminders for the downtown clinic",
        inbound_request_url=receiver.url("/inbound/" + "x" * 150),
        status_callback=receiver.url("/status"),
    )
    (number,) = twilio.incoming_phone_numbers.list(phone_number=OWNED)
    twilio.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=number.sid)
    short = emu.add_short_code("89898")
    twilio.messaging.v1.services(service.sid).short_codes.create(short_code_sid=short.sid)
    twilio.messaging.v1.services(service.sid).alpha_senders.create(alpha_sender="Clinic")
    twilio.messages.create(messaging_service_sid=service.sid, to=HANDSET, body="via the pool")
    va = twilio.verify.v2.services.create(friendly_name="Acme Login")
    for to in ("+15550100200", HANDSET):
        twilio.verify.v2.services(va.sid).verifications.create(to=to, channel="sms")
    code = emu.verification_code(HANDSET)
    twilio.verify.v2.services(va.sid).verification_checks.create(to=HANDSET, code=code)
    types = {
        "twilio/text": {"body": "Hi {{1}}, your order shipped."},
        "twilio/quick-reply": {
            "body": "Hi {{1}}, did your order " + "z" * 120 + " arrive?",
            "actions": [{"title": "Yes, it arrived", "id": "y"}, {"title": "Not yet", "id": "n"}],
        },
    }
    sid = approved_template(emu, types)
    rejected = approved_template(emu, {"twilio/text": {"body": "Sale " + "w" * 200}})
    emu.set_content_approval(rejected, "rejected", reason="Promotional " + "r" * 200)
    twilio.messages.create(from_=f"whatsapp:{OWNED_WA}", to=f"whatsapp:{HANDSET}", content_sid=sid)
    emu.settle()


def _overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the viewport (0: no sideways scroll)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_layout_from_desktop_to_phone(
    browser: Any,
    emu: Emulator,
    client: TwilioClient,
    receiver: Receiver,
    sms_number: str,
    tmp_path: Path,
) -> None:
    """The inbox, a conversation, the search page, calls and webhooks from 1280 down to 390
    px: screenshots of each (``UPDATE_SCREENSHOT=1`` also writes ``docs/emulator-ui-390.png``),
    no sideways scrolling at any width, tap targets at least 44 px high on a phone."""
    _fill_for_layout(emu, client, receiver)
    _fill_products(emu, receiver)
    conversation = f"{UI}?view=messages&local=%2B{OWNED[1:]}&peer=%2B{HANDSET[1:]}"
    template_thread = (
        f"{UI}?view=messages&local=whatsapp%3A%2B{OWNED_WA[1:]}&peer=whatsapp%3A%2B{HANDSET[1:]}"
    )
    pages = {
        "inbox": UI,
        "conversation": conversation,
        "search": f"{UI}?view=search&q=order",
        "search-hits": f"{UI}?view=search&q=customer",
        "calls": f"{UI}?view=calls",
        "webhooks": f"{UI}?view=webhooks",
        "services": f"{UI}?view=services",
        "verify": f"{UI}?view=verify",
        "templates": f"{UI}?view=templates",
        "template-thread": template_thread,
    }
    shots: list[Path] = []
    for width, height in WIDTHS:
        context = signed_in(browser, emu, viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            for label, path in pages.items():
                page.goto(f"{emu.base_url}{path}")
                assert _overflow(page) <= 0, (label, width, _overflow(page))
                shot = tmp_path / f"{label}-{width}.png"
                page.screenshot(path=str(shot))
                shots.append(shot)
            if width < 500:
                page.goto(f"{emu.base_url}{conversation}")
                _assert_tap_targets(page)
                _assert_product_tap_targets(page, emu)
                if os.environ.get("UPDATE_SCREENSHOT"):
                    page.screenshot(path=str(DOCS_SCREENSHOT.with_name("emulator-ui-390.png")))
        finally:
            context.close()
    assert all(s.stat().st_size > 5_000 for s in shots)


def _assert_tap_targets(page: Any) -> None:
    for selector in ("nav a", ".sidebar .conv", ".pager a", "input[name=q]",
                     "#inbound-form button", "#inbound-form input[name=from]"):  # fmt: skip
        boxes = page.locator(selector).evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert boxes and min(boxes) >= 44, (selector, boxes)


def _assert_product_tap_targets(page: Any, emu: Emulator) -> None:
    """The links and toggles of the Services, Verify and Templates views at 390 px."""
    targets = {
        "services": (".pool-entry a.pooled", ".sticky a"),
        "verify": (".verify-number h2 a",),
        "templates": (".ctype summary",),
    }
    for view, selectors in targets.items():
        page.goto(f"{emu.base_url}{UI}?view={view}")
        for selector in ("nav a", *selectors):
            boxes = page.locator(selector).evaluate_all(
                "els => els.map(e => e.getBoundingClientRect().height)"
            )
            assert boxes and min(boxes) >= 44, (view, selector, boxes)


def test_search_paging_and_icon_in_a_real_browser(
    browser: Any, emu: Emulator, client: TwilioClient, receiver: Receiver, sms_number: str
) -> None:
    """Search from the header box, open a hit, walk to the oldest conversation, and the
    icon decodes in Chromium."""
    _fill_for_layout(emu, client, receiver)
    context = signed_in(browser, emu, viewport={"width": 390, "height": 844})
    expect = sync_api.expect
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{emu.base_url}{UI}")
        box = page.locator("input[name=q]")
        box.fill("verification code")
        box.press("Enter")
        page.wait_for_url("**view=search**")
        hits = page.locator(".msg-hit")
        expect(hits).to_have_count(1)
        expect(hits.locator("mark")).to_have_text("verification code")
        hits.first.click()
        page.wait_for_url("**view=messages**")
        expect(page.locator("#thread")).to_contain_text("Your verification code is 482913")

        page.goto(f"{emu.base_url}{UI}")
        older = page.locator(".pager a.older")
        expect(older).to_be_visible()
        older.click()
        page.wait_for_url("**before=**")
        expect(page.locator(".sidebar")).to_contain_text("+15550300000")
        expect(page.locator(".pager a.newest")).to_be_visible()
        assert _overflow(page) <= 0

        width = page.evaluate(
            """() => new Promise(done => {
                 const img = new Image();
                 img.onload = () => done(img.naturalWidth);
                 img.onerror = () => done(-1);
                 img.src = "/favicon.ico";
               })"""
        )
        assert width == 32
    finally:
        context.close()
