"""The inbox pages over plain HTTP: auth, content, escaping, live fragment, bad input."""

from __future__ import annotations

import re

import httpx
import pytest
from support.emulator import OWNED
from support.receiver import Receiver
from ui_testkit import HANDSET, OWNED_WA, UI, thread_of

from twilio_connector.client import TwilioClient
from twilio_connector.emulator import Emulator


def test_every_route_needs_the_main_account_credentials(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.base_url) as anon:
        for path in (UI, f"{UI}/live", f"{UI}/static/ui.js"):
            r = anon.get(path)
            assert r.status_code == 401, path
            assert r.headers["www-authenticate"].startswith("Basic")
        wrong = anon.get(UI, auth=(emu.account_sid, "0" * 32))
        assert wrong.status_code == 401
        assert anon.post(f"{UI}/inbound", data={"from": HANDSET}).status_code == 401


def test_conversation_thread_and_its_webhooks(
    emu: Emulator, client: TwilioClient, receiver: Receiver, http: httpx.Client
) -> None:
    sent = client.send_sms(
        from_=OWNED, to=HANDSET, body="Your code is 1234", status_callback=receiver.url("/status")
    )
    emu.simulate_inbound_message(HANDSET, OWNED, "Thanks!", media_urls=["https://ex.test/a.png"])
    emu.settle()
    receiver.wait_for(lambda hits: any(h.form.get("MessageStatus") == "delivered" for h in hits))

    page = http.get(UI, params={"view": "messages", "local": OWNED, "peer": HANDSET})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    thread = thread_of(html)
    assert thread.index("Your code is 1234") < thread.index("Thanks!")  # in order
    assert f'id="m-{sent.sid}"' in html
    assert re.search(rf'id="m-{sent.sid}" data-sid="[^"]+" data-status="delivered"', html)
    assert 'href="https://ex.test/a.png"' in html and "a.png" in html
    # the status callbacks of that message, with status, latency and signature
    delivered = [h for h in receiver.at("/status") if h.form["MessageStatus"] == "delivered"]
    assert delivered[0].headers["X-Twilio-Signature"] in html
    assert "message-status" in html and receiver.url("/status") in html
    assert re.search(r"\d+(\.\d)? ms", html)
    # the sidebar lists the owned numbers, WhatsApp one included, and the conversation
    assert OWNED in html and OWNED_WA in html and "WhatsApp" in html
    assert emu.auth_token not in html


def test_default_selection_is_the_latest_conversation(
    emu: Emulator, client: TwilioClient, http: httpx.Client
) -> None:
    client.send_sms(from_=OWNED, to="+15550000001", body="first conversation")
    client.send_sms(from_=OWNED, to="+15550000002", body="second conversation")
    emu.settle()
    html = http.get(UI).text
    assert "second conversation" in thread_of(html)
    assert "first conversation" not in thread_of(html)
    assert "first conversation" in html  # still listed in the sidebar


def test_whatsapp_conversation_is_its_own_thread(
    emu: Emulator, client: TwilioClient, http: httpx.Client
) -> None:
    client.send_whatsapp_message(from_=OWNED_WA, to=HANDSET, body="outside the window")
    emu.simulate_inbound_message(f"whatsapp:{HANDSET}", f"whatsapp:{OWNED_WA}", "WA question")
    emu.settle()
    client.send_whatsapp_message(from_=OWNED_WA, to=HANDSET, body="WhatsApp answer")
    client.send_sms(from_=OWNED, to=HANDSET, body="SMS hello")
    emu.settle()
    wa = http.get(UI, params={"local": f"whatsapp:{OWNED_WA}", "peer": f"whatsapp:{HANDSET}"})
    thread = thread_of(wa.text)
    assert "WA question" in thread and "WhatsApp answer" in thread
    assert "SMS hello" not in thread
    assert re.search(r'data-status="read"', thread)
    assert "63016" in thread  # the first one failed: shown with its error code


def test_everything_user_supplied_is_escaped(
    emu: Emulator, client: TwilioClient, http: httpx.Client
) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.send_sms(from_=OWNED, to=HANDSET, body=evil)
    emu.simulate_inbound_message(HANDSET, OWNED, evil, media_urls=["javascript:alert(1)"])
    emu.settle()
    for view in ("messages", "webhooks"):
        html = http.get(UI, params={"view": view}).text
        assert "<script>alert" not in html and "<img src=x" not in html
    html = http.get(UI).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html  # unsafe media URLs are shown, never linked
    assert "javascript:alert(1)" in html
    fragment = http.get(f"{UI}/live", params={"view": "messages"}).text
    assert "<script>alert" not in fragment and "&lt;script&gt;" in fragment


def test_webhooks_view_lists_every_attempt(
    emu: Emulator, client: TwilioClient, receiver: Receiver, http: httpx.Client
) -> None:
    dead = "http://127.0.0.1:9/gone"  # nothing listens there: a failed attempt
    client.send_sms(from_=OWNED, to=HANDSET, body="one", status_callback=receiver.url("/cb"))
    client.send_sms(from_=OWNED, to=HANDSET, body="two", status_callback=dead)
    emu.settle()
    log = emu.delivery_log()
    html = http.get(UI, params={"view": "webhooks"}).text
    for d in log:
        assert f'id="d-{d.id}"' in html
        assert d.signature in html and d.idempotency_token in html
    failed = [d for d in log if d.url == dead]
    assert failed and failed[0].error
    assert ">error<" in html and failed[0].error in html
    assert re.search(r"<th>MessageStatus</th><td>delivered</td>", html)
    only = http.get(UI, params={"view": "webhooks", "kind": "incoming-message"}).text
    assert 'id="d-' not in only and "No webhook deliveries yet" in only


def test_calls_view_without_calls_says_so(http: httpx.Client) -> None:
    r = http.get(UI, params={"view": "calls"})
    assert r.status_code == 200
    assert "No calls" in r.text


def test_live_fragment_answers_204_until_something_changes(
    emu: Emulator, client: TwilioClient, http: httpx.Client
) -> None:
    params = {"view": "messages", "local": OWNED, "peer": HANDSET}
    first = http.get(f"{UI}/live", params=params)
    assert first.status_code == 200 and "<html" not in first.text
    digest = first.headers["x-ui-hash"]
    same = http.get(f"{UI}/live", params={**params, "h": digest})
    assert same.status_code == 204 and same.content == b""
    client.send_sms(from_=OWNED, to=HANDSET, body="news")
    emu.settle()
    changed = http.get(f"{UI}/live", params={**params, "h": digest})
    assert changed.status_code == 200 and "news" in changed.text
    assert changed.headers["x-ui-hash"] != digest


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"view": "inbox"}, "Unknown view"),
        ({"view": "messages", "peer": "+1" * 60}, "too long"),
        ({"view": "webhooks", "kind": "k" * 101}, "too long"),
    ],
)
def test_bad_query_parameters_are_a_clear_400(
    http: httpx.Client, params: dict[str, str], needle: str
) -> None:
    for path in (UI, f"{UI}/live"):
        r = http.get(path, params=params)
        assert r.status_code == 400, path
        assert needle in r.text and r.headers["content-type"].startswith("text/html")


def test_pages_send_protective_headers_and_static_files(http: httpx.Client) -> None:
    page = http.get(UI)
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    js = http.get(f"{UI}/static/ui.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "setInterval" in js.text
    css = http.get(f"{UI}/static/ui.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert http.get(f"{UI}/static/other.js").status_code == 404
    assert http.get(f"{UI}/static/..%2Fui.py").status_code == 404


def test_plus_sign_sent_unencoded_in_the_query_still_selects_the_thread(
    emu: Emulator, client: TwilioClient, http: httpx.Client
) -> None:
    client.send_sms(from_=OWNED, to=HANDSET, body="plus test")
    client.send_sms(from_=OWNED, to="+15550000009", body="other one")
    emu.settle()
    raw = f"{UI}?view=messages&local={OWNED}&peer={HANDSET}"  # '+' decodes as a space
    html = http.get(raw).text
    thread = thread_of(html)
    assert "plus test" in thread and "other one" not in thread
