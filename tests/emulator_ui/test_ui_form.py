"""The inbound form: the same path as ``simulate_inbound_message``, and clear 4xx on bad input."""

from __future__ import annotations

import httpx
import pytest
from support.emulator import OWNED
from support.receiver import Receiver
from ui_testkit import HANDSET, OWNED_WA, UI, csrf_of, thread_of

from twilio_connector.emulator import Emulator
from twilio_connector.signature import validate_signature

JSON = {"accept": "application/json"}


def _form(http: httpx.Client, **fields: str) -> dict[str, str]:
    return {"csrf": csrf_of(http.get(UI).text), **fields}


def test_form_message_runs_the_inbound_webhook_and_the_twiml_reply(
    emu: Emulator, http: httpx.Client, receiver: Receiver, sms_number: str
) -> None:
    data = _form(http, **{"from": HANDSET, "to": sms_number, "body": "Hi from the form"})
    r = http.post(f"{UI}/inbound", data=data, headers=JSON)
    assert r.status_code == 201
    answer = r.json()
    assert answer["sid"].startswith("SM") and answer["peer"] == HANDSET
    assert answer["local"] == OWNED
    receiver.wait_for(lambda hits: bool([h for h in hits if h.path == "/sms"]))
    (hook,) = receiver.at("/sms")
    assert hook.form["Body"] == "Hi from the form" and hook.form["MessageSid"] == answer["sid"]
    assert validate_signature(
        emu.auth_token, receiver.url("/sms"), hook.form, hook.headers["X-Twilio-Signature"]
    )
    emu.settle()
    thread = thread_of(http.get(answer["url"]).text)
    assert "Hi from the form" in thread and "Thanks, got it!" in thread  # the TwiML reply
    assert thread.index("Hi from the form") < thread.index("Thanks, got it!")


def test_whatsapp_form_message_gets_the_prefix_and_media(emu: Emulator, http: httpx.Client) -> None:
    fields = {"from": HANDSET, "to": f"whatsapp:{OWNED_WA}", "body": "",
              "media_url": "https://cdn.example.test/photo.jpg"}  # fmt: skip
    r = http.post(f"{UI}/inbound", data=_form(http, **fields), headers=JSON)
    assert r.status_code == 201, r.text
    assert r.json()["peer"] == f"whatsapp:{HANDSET}"
    sid = r.json()["sid"]
    (message,) = emu.call(lambda core: core.messaging.repository.media_of(sid))
    assert message.url == "https://cdn.example.test/photo.jpg"
    page = http.get(r.json()["url"]).text
    assert 'href="https://cdn.example.test/photo.jpg"' in thread_of(page)


def test_plain_html_form_post_redirects_to_the_conversation(http: httpx.Client) -> None:
    data = _form(http, **{"from": HANDSET, "to": OWNED, "body": "no javascript"})
    r = http.post(f"{UI}/inbound", data=data)
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith(f"{UI}?view=messages") and "peer=%2B15558675310" in target
    assert "no javascript" in thread_of(http.get(target).text)


@pytest.mark.parametrize(
    ("fields", "status", "field", "needle"),
    [
        ({"from": "", "to": OWNED, "body": "x"}, 400, "from", "sender"),
        ({"from": "12ab", "to": OWNED, "body": "x"}, 400, "from", "not a valid phone number"),
        ({"from": HANDSET, "to": "", "body": "x"}, 400, "to", "Choose"),
        ({"from": HANDSET, "to": "+15550001111", "body": "x"}, 400, "to", "not one of your"),
        ({"from": HANDSET, "to": f"whatsapp:{OWNED}", "body": "x"}, 400, "to", "WhatsApp"),
        ({"from": HANDSET, "to": OWNED, "body": "  "}, 400, "body", "body or a media URL"),
        ({"from": HANDSET, "to": OWNED, "body": "x" * 1601}, 400, None, "1600"),
        ({"from": f"whatsapp:{HANDSET}", "to": OWNED, "body": "x"}, 400, None, "same channel"),
        ({"from": HANDSET, "to": OWNED, "body": "x", "media_url": "javascript:alert(1)"},
         400, "media_url", "http"),
        ({"from": HANDSET, "to": OWNED, "body": "x", "media_url": "h" * 2001},
         400, "media_url", "too long"),
        ({"from": "+" + "1" * 120, "to": OWNED, "body": "x"}, 400, "from", "too long"),
    ],
)  # fmt: skip
def test_bad_form_input_is_a_clear_4xx(
    emu: Emulator,
    http: httpx.Client,
    fields: dict[str, str],
    status: int,
    field: str | None,
    needle: str,
) -> None:
    r = http.post(f"{UI}/inbound", data=_form(http, **fields), headers=JSON)
    assert r.status_code == status
    assert needle in r.json()["error"]
    assert r.json()["field"] == field
    # the same without JavaScript: the page again, with the message and the values typed
    page = http.post(f"{UI}/inbound", data=_form(http, **fields))
    assert page.status_code == status
    assert 'role="alert"' in page.text and "inbound-form" in page.text
    assert emu.call(lambda core: core.messaging.repository.count()) == 0


def test_form_without_the_page_token_is_refused(emu: Emulator, http: httpx.Client) -> None:
    fields = {"from": HANDSET, "to": OWNED, "body": "forged"}
    for token in ("", "0" * 32, emu.auth_token, "é" * 32):
        r = http.post(f"{UI}/inbound", data={**fields, "csrf": token}, headers=JSON)
        assert r.status_code == 403 and "reload the page" in r.json()["error"]
    assert emu.call(lambda core: core.messaging.repository.count()) == 0


def test_non_form_bodies_are_a_400_not_a_crash(http: httpx.Client) -> None:
    r = http.post(f"{UI}/inbound", content=b'{"from": "x"}', headers={"content-type": "text/json"})
    assert r.status_code == 403  # no form fields at all: not even the token
    bad = http.post(
        f"{UI}/inbound",
        content=b"body=%ff%fe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert bad.status_code == 400


def test_the_page_never_contains_the_auth_token(emu: Emulator, http: httpx.Client) -> None:
    token = emu.auth_token
    bodies = [http.get(UI, params={"view": v}).text for v in ("messages", "calls", "webhooks")]
    bodies.append(http.post(f"{UI}/inbound", data=_form(http, **{"from": "x"})).text)
    for body in bodies:
        assert token not in body


def test_form_posted_from_another_origin_is_refused(emu: Emulator, http: httpx.Client) -> None:
    page = http.get(UI)
    # same-origin referrers: the browser's plain form post carries its real Origin, not "null"
    assert page.headers["referrer-policy"] == "same-origin"
    data = {"csrf": csrf_of(page.text), "from": HANDSET, "to": OWNED, "body": "forged"}
    for origin in (f"http://127.0.0.1:{emu.port + 1}", "null", "https://evil.example"):
        r = http.post(f"{UI}/inbound", data=data, headers={**JSON, "Origin": origin})
        assert r.status_code == 403 and r.json()["code"] == 20403, r.text
    assert emu.call(lambda core: core.messaging.repository.count()) == 0
    own = http.post(f"{UI}/inbound", data=data, headers={**JSON, "Origin": emu.base_url})
    assert own.status_code == 201, own.text
