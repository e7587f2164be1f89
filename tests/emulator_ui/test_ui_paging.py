"""The sidebar pages through every conversation (keyset cursor on the last activity)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import httpx
import pytest
from support.emulator import OWNED
from ui_testkit import HANDSET, UI, thread_of, ui_http

from twilio_connector.client import TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.emulator.ui.queries import PAGE_SIZE, THREAD_LIMIT

_PEER = re.compile(r'<a class="conv[^"]*" href="([^"]+)" data-peer="([^"]+)"')
_OLDER = re.compile(r'<a class="older" rel="next" href="([^"]+)"')


def handset(i: int) -> str:
    return f"+1555010{i:04d}"


@pytest.fixture
def manual_emu() -> Iterator[Emulator]:
    """The manual clock: every message has the same time, only the tie-breaker orders them."""
    with Emulator(phone_numbers=(OWNED,), timing="manual") as e:
        yield e


def sidebar(html: str) -> tuple[list[str], str | None]:
    """The peers listed in the sidebar and the "older" link (None on the last page)."""
    side = html.split('class="sidebar"', 1)[1].split('id="thread"', 1)[0]
    older = _OLDER.search(side)
    return [p for _, p in _PEER.findall(side)], unescape(older.group(1)) if older else None


def walk(http: httpx.Client) -> tuple[list[list[str]], str]:
    """Every page of the sidebar, following the "older" links; and the last page's URL."""
    pages: list[list[str]] = []
    url: str | None = UI
    while url is not None:
        last = url
        r = http.get(url)
        assert r.status_code == 200, r.text
        peers, url = sidebar(r.text)
        pages.append(peers)
        assert len(pages) < 20, "the older links never end"
    return pages, last


def test_every_conversation_is_reachable_through_older_links(manual_emu: Emulator) -> None:
    count = 2 * PAGE_SIZE + 7
    for i in range(count):
        manual_emu.simulate_inbound_message(handset(i), OWNED, f"hello {i}")
    with ui_http(manual_emu) as http:
        pages, last = walk(http)
        assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 7]
        seen = [peer for page in pages for peer in page]
        assert seen == [handset(i) for i in reversed(range(count))]  # newest first, none twice
        # the oldest conversation opens from its link on the last page
        links = {peer: unescape(href) for href, peer in _PEER.findall(http.get(last).text)}
        assert "hello 0" in thread_of(http.get(links[handset(0)]).text)


def test_a_cursor_stays_valid_while_new_messages_arrive(manual_emu: Emulator) -> None:
    for i in range(PAGE_SIZE + 5):
        manual_emu.simulate_inbound_message(handset(i), OWNED, f"hello {i}")
    with ui_http(manual_emu) as http:
        first, older = sidebar(http.get(UI).text)
        assert older is not None and handset(PAGE_SIZE + 4) == first[0]
        # a new conversation and new activity in an old one: page 2 neither repeats
        # a conversation of page 1 nor skips one (an OFFSET would shift by two)
        manual_emu.simulate_inbound_message("+15559990000", OWNED, "brand new")
        manual_emu.simulate_inbound_message(handset(0), OWNED, "back again")
        second, end = sidebar(http.get(older).text)
        assert end is None
        assert second == [handset(i) for i in reversed(range(1, 5))]
        # and the fresh activity is on top of the first page
        top, _ = sidebar(http.get(UI).text)
        assert top[:2] == [handset(0), "+15559990000"]


def test_newest_link_and_empty_older_page(manual_emu: Emulator) -> None:
    for i in range(PAGE_SIZE + 1):
        manual_emu.simulate_inbound_message(handset(i), OWNED, f"hello {i}")
    with ui_http(manual_emu) as http:
        _, older = sidebar(http.get(UI).text)
        assert older is not None
        page = http.get(older).text
        assert 'class="newest"' in page and handset(0) in page
        oldest = http.get(UI, params={"before": "0.0_1"}).text
        assert "No older conversations." in oldest and 'class="older"' not in oldest


def test_activity_moves_a_conversation_to_the_top(emu: Emulator, client: TwilioClient) -> None:
    client.send_sms(from_=OWNED, to=handset(1), body="one")
    client.send_sms(from_=OWNED, to=handset(2), body="two")
    emu.settle()
    client.send_sms(from_=OWNED, to=handset(1), body="one again")
    emu.settle()
    with ui_http(emu) as http:
        peers, older = sidebar(http.get(UI).text)
    assert peers == [handset(1), handset(2)] and older is None


def test_deleting_messages_updates_the_sidebar(emu: Emulator, client: TwilioClient) -> None:
    keep = client.send_sms(from_=OWNED, to=handset(1), body="kept")
    gone = client.send_sms(from_=OWNED, to=handset(2), body="deleted")
    emu.settle()
    client.messages.delete(gone.sid)
    with ui_http(emu) as http:
        peers, _ = sidebar(http.get(UI).text)
        assert peers == [handset(1)]
        html = http.get(UI).text
    assert keep.sid in html and "deleted" not in html


@pytest.mark.parametrize(
    "before",
    ["abc", "1.0", "1.0_", "_3", "nan_3", "inf_3", "1e999_3", "1.0_-3", "1.0_٣", "9" * 101],
)
def test_a_bad_cursor_is_a_400(http: httpx.Client, before: str) -> None:
    for path in (UI, f"{UI}/live"):
        r = http.get(path, params={"before": before})
        assert r.status_code == 400, (path, before)
        assert "text/html" in r.headers["content-type"]


_OLDER_MESSAGES = re.compile(r'<a class="older-messages" href="([^"]+)"')


def bubbles(html: str) -> list[str]:
    return re.findall(r'<div class="bubble">([^<]*)', thread_of(html))


def test_a_long_conversation_pages_back_to_its_first_message(manual_emu: Emulator) -> None:
    count = THREAD_LIMIT + 5
    for i in range(count):
        manual_emu.simulate_inbound_message(HANDSET, OWNED, f"line {i}")
    with ui_http(manual_emu) as http:
        latest = http.get(UI).text
        assert bubbles(latest) == [f"line {i}" for i in range(5, count)]  # oldest first
        assert 'class="newest-messages"' not in latest
        older = _OLDER_MESSAGES.search(latest)
        assert older
        first = http.get(unescape(older.group(1))).text
        assert bubbles(first) == [f"line {i}" for i in range(5)]
        assert _OLDER_MESSAGES.search(first) is None and 'class="newest-messages"' in first


def test_a_search_hit_opens_the_thread_at_its_message(manual_emu: Emulator) -> None:
    for i in range(THREAD_LIMIT + 20):
        body = "the oldest clue" if i == 2 else f"line {i}"
        manual_emu.simulate_inbound_message(HANDSET, OWNED, body)
    with ui_http(manual_emu) as http:
        assert "the oldest clue" not in http.get(UI).text  # beyond the latest THREAD_LIMIT
        results = http.get(UI, params={"view": "search", "q": "oldest clue"}).text
        ((href, sid),) = re.findall(r'class="hit msg-hit" href="([^"]+)" data-sid="([^"]+)"',
                                    results)  # fmt: skip
        assert unescape(href).endswith(f"#m-{sid}")
        page = http.get(unescape(href).split("#")[0]).text
        assert bubbles(page)[-3:] == ["line 0", "line 1", "the oldest clue"]  # ends at the hit
        assert f'id="m-{sid}"' in page and 'class="newest-messages"' in page


@pytest.mark.parametrize(
    ("upto", "status"), [("SM123", 400), ("XX" + "0" * 32, 400), ("SM" + "0" * 32, 404)]
)
def test_a_bad_or_unknown_message_cursor_is_a_4xx(
    http: httpx.Client, upto: str, status: int
) -> None:
    for path in (UI, f"{UI}/live"):
        r = http.get(path, params={"local": OWNED, "peer": HANDSET, "upto": upto})
        assert r.status_code == status, (path, upto)
