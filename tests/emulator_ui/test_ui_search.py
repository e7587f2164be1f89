"""Search in the inbox: by number and by message text, bounded, escaped, never a 5xx."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
from support.emulator import OWNED
from ui_testkit import HANDSET, UI, thread_of

from twilio_connector.client import TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.emulator.ui.search import MAX_QUERY, RESULT_LIMIT, number_fragment, snippet

_HIT = re.compile(r'<a class="hit msg-hit" href="([^"]+)" data-sid="([^"]+)"')
_CONV = re.compile(r'<a class="conv hit" href="([^"]+)"')


def found(http: httpx.Client, q: str) -> tuple[str, list[str], list[str]]:
    """(page, message SIDs found, conversation links found) for the search ``q``."""
    r = http.get(UI, params={"view": "search", "q": q})
    assert r.status_code == 200, r.text
    return r.text, [sid for _, sid in _HIT.findall(r.text)], _CONV.findall(r.text)


@pytest.fixture
def bodies(emu: Emulator, client: TwilioClient) -> dict[str, str]:
    """Messages whose bodies hold the LIKE wildcards, quotes and markup; name -> SID."""
    texts = {
        "percent": "Your order is 100% paid",
        "plain": "Your order is 100 paid",
        "underscore": "ref code_A7",
        "nounderscore": "ref codeXA7",
        "backslash": "path C:\\temp\\x",
        "quotes": 'it\'s "quoted" -- ; DROP TABLE messages',
        "markup": "<script>alert(1)</script> tag",
    }
    sids = {name: client.send_sms(from_=OWNED, to=HANDSET, body=t).sid for name, t in texts.items()}
    emu.simulate_inbound_message("+15551112222", OWNED, "Call me at five")
    emu.settle()
    return sids


def test_text_search_finds_bodies_and_links_to_the_conversation(
    http: httpx.Client, bodies: dict[str, str]
) -> None:
    html, sids, _ = found(http, "order is")
    assert set(sids) == {bodies["percent"], bodies["plain"]}
    href = unescape(_HIT.search(html).group(1))  # type: ignore[union-attr]
    assert "local=%2B15017122661" in href and f"peer={HANDSET.replace('+', '%2B')}" in href
    assert "Your order is 100" in thread_of(http.get(href).text)
    assert "<mark>order is</mark>" in html
    _, upper, _ = found(http, "ORDER IS")  # case-insensitive
    assert set(upper) == set(sids)


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("100%", {"percent"}),  # % is a literal, not "anything"
        ("%", {"percent"}),
        ("code_", {"underscore"}),  # _ is a literal, not "one character"
        ("_", {"underscore"}),
        ("C:\\temp", {"backslash"}),
        ("\\", {"backslash"}),
        ("it's", {"quotes"}),
        ('"quoted"', {"quotes"}),
        ("; DROP TABLE messages", {"quotes"}),
    ],
)
def test_wildcards_and_quotes_match_themselves(
    http: httpx.Client, bodies: dict[str, str], q: str, names: set[str]
) -> None:
    _, sids, _ = found(http, q)
    assert set(sids) == {bodies[n] for n in names}


def test_results_are_escaped(http: httpx.Client, bodies: dict[str, str]) -> None:
    html, sids, _ = found(http, "<script>")
    assert sids == [bodies["markup"]]
    assert "<script>alert" not in html
    assert "<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;" in html
    evil, _, _ = found(http, '"><img src=x onerror=alert(1)>')
    assert "<img src=x" not in evil and "&lt;img src=x" in evil and "No matches" in evil


def test_number_search_ignores_separators(http: httpx.Client, bodies: dict[str, str]) -> None:
    for q in ("555 111-2222", "(555) 111 2222", "+1555111", "1112222"):
        html, _, convs = found(http, q)
        assert [unescape(c) for c in convs] == [f"{UI}?view=messages&local=%2B15017122661"
                                                "&peer=%2B15551112222"], q  # fmt: skip
        assert "Call me at five" in html  # the conversation's last message
    _, _, ours = found(http, OWNED)  # our own number: every conversation it has
    assert len(ours) == 2


def test_empty_and_no_match_states(http: httpx.Client, bodies: dict[str, str]) -> None:
    for q in ("", "   "):
        html, sids, convs = found(http, q)
        assert "Search the inbox" in html and not sids and not convs
    html, sids, convs = found(http, "zebra crossing")
    assert "No matches" in html and not sids and not convs
    assert "zebra crossing" in html  # echoed in the search box and the message


@pytest.mark.parametrize("size", [MAX_QUERY + 1, 5000])
def test_a_too_long_search_is_a_400(http: httpx.Client, size: int) -> None:
    r = http.get(UI, params={"view": "search", "q": "%" * size})
    assert r.status_code == 400
    assert "too long" in r.text and "text/html" in r.headers["content-type"]


def test_odd_inputs_never_fail_the_page(http: httpx.Client, bodies: dict[str, str]) -> None:
    for q in ("x" * MAX_QUERY, "'", "\\%_", "é", "🙂", "%%%%", "\u202e", "a\tb", "\x7f"):
        r = http.get(UI, params={"view": "search", "q": q})
        assert r.status_code == 200, q
    for raw in ("q=%00", "q=%FF%FE", "q=%", "q=%zz"):  # NUL, not UTF-8, broken escapes
        r = http.get(f"{UI}?view=search&{raw}")
        assert r.status_code == 200 or 400 <= r.status_code < 500, raw


def test_results_are_capped(emu: Emulator, client: TwilioClient, http: httpx.Client) -> None:
    for i in range(RESULT_LIMIT + 3):
        emu.simulate_inbound_message(f"+1555020{i:04d}", OWNED, f"needle {i}")
    html, sids, convs = found(http, "needle")
    assert len(sids) == RESULT_LIMIT and f"{RESULT_LIMIT}+, the newest shown" in html
    assert convs == []  # no number contains "needle"
    assert "</mark> 52<" in html and "</mark> 2<" not in html  # newest first
    _, _, numbers = found(http, "+1555020")
    assert len(numbers) == RESULT_LIMIT


def test_search_is_not_live(http: httpx.Client) -> None:
    page = http.get(UI, params={"view": "search", "q": "x"}).text
    assert 'id="live"' not in page and 'id="live-status"' not in page
    live = http.get(f"{UI}/live", params={"view": "search", "q": "x"})
    assert live.status_code == 400
    tabs = re.findall(r"<nav>(.*?)</nav>", page, re.S)[0]
    assert "Search" not in tabs  # the header box, not a tab


def test_the_search_box_is_on_every_page(http: httpx.Client) -> None:
    for view in ("messages", "calls", "webhooks", "search"):
        html = http.get(UI, params={"view": view}).text
        assert 'role="search"' in html and 'name="q"' in html and 'maxlength="100"' in html


def test_number_fragment_and_snippet() -> None:
    assert number_fragment("(555) 867-5310") == "5558675310"
    assert number_fragment("+1 555.867") == "+1555867"
    assert number_fragment("whatsapp:+1") == "whatsapp:+1"
    assert number_fragment("code 1234 ok") == "code 1234 ok"
    cut = snippet("a" * 300 + "NEEDLE" + "b" * 300, "needle", width=40)
    assert cut.match == "NEEDLE" and cut.lead.startswith("…") and cut.tail.endswith("…")
    assert len(cut.lead) + len(cut.tail) <= 40
    assert snippet("short", "zzz").lead == "short"
