"""Pagination across pages: lazy ``for`` / ``async for``, ``limit``, ``list(limit=N)``."""

from __future__ import annotations

from typing import Any

import pytest
from client_testkit import (
    ROOT,
    FakeTwilio,
    collect,
    make_config,
    maybe,
    message,
    page,
)

from twilio_connector import AsyncTwilioClient, ResponseDecodeError, TwilioClient

MESSAGES = f"{ROOT}/Messages.json"


def sid(n: int) -> str:
    return f"SM{n:032x}"


def next_uri(n: int) -> str:
    return f"{MESSAGES}?To=%2B1555&PageSize=2&Page={n}&PageToken=PASM{n:032x}"


def three_pages(server: FakeTwilio, *, last_next: str | None = None) -> None:
    """Pages of 2, 2 and 1 messages (sids 0..4), linked by ``next_page_uri``."""
    server.on(
        "GET",
        MESSAGES,
        page(
            "messages",
            [message(sid(0)), message(sid(1))],
            MESSAGES,
            page_size=2,
            next_page_uri=next_uri(1),
        ),
        page(
            "messages",
            [message(sid(2)), message(sid(3))],
            MESSAGES,
            page=1,
            page_size=2,
            next_page_uri=next_uri(2),
        ),
        page("messages", [message(sid(4))], MESSAGES, page=2, page_size=2, next_page_uri=last_next),
    )


async def test_list_follows_next_page_uri_verbatim(server: FakeTwilio, client: Any) -> None:
    three_pages(server)
    msgs = await maybe(client.messages.list(to="+1555", page_size=2))
    assert [m.sid for m in msgs] == [sid(n) for n in range(5)]
    assert [r.query for r in server.requests] == [
        [("To", "+1555"), ("PageSize", "2")],
        [("To", "+1555"), ("PageSize", "2"), ("Page", "1"), ("PageToken", f"PASM{1:032x}")],
        [("To", "+1555"), ("PageSize", "2"), ("Page", "2"), ("PageToken", f"PASM{2:032x}")],
    ]
    assert all(r.path == MESSAGES for r in server.requests)
    assert all(r.headers["authorization"].startswith("Basic ") for r in server.requests)


def test_sync_for_loop_is_lazy(server: FakeTwilio) -> None:
    three_pages(server)
    seen: list[str] = []
    requests_seen_at: list[int] = []
    with TwilioClient(make_config(server.url)) as client:
        for msg in client.messages.iter(to="+1555", page_size=2):
            seen.append(msg.sid)
            requests_seen_at.append(len(server.requests))
    assert seen == [sid(n) for n in range(5)]
    # page 2 is fetched only once the first two items have been consumed
    assert requests_seen_at == [1, 1, 2, 2, 3]


async def test_async_for_loop_is_lazy(server: FakeTwilio) -> None:
    three_pages(server)
    seen: list[str] = []
    requests_seen_at: list[int] = []
    async with AsyncTwilioClient(make_config(server.url)) as client:
        async for msg in client.messages.iter(to="+1555", page_size=2):
            seen.append(msg.sid)
            requests_seen_at.append(len(server.requests))
    assert seen == [sid(n) for n in range(5)]
    assert requests_seen_at == [1, 1, 2, 2, 3]


async def test_limit_stops_without_fetching_more_pages(server: FakeTwilio, client: Any) -> None:
    three_pages(server)
    msgs = await collect(client.messages.iter(to="+1555", page_size=2, limit=3))
    assert [m.sid for m in msgs] == [sid(0), sid(1), sid(2)]
    assert len(server.requests) == 2


async def test_breaking_out_early_fetches_nothing_more(server: FakeTwilio, client: Any) -> None:
    three_pages(server)
    msgs = await collect(client.messages.iter(to="+1555", page_size=2), limit=2)
    assert [m.sid for m in msgs] == [sid(0), sid(1)]
    assert len(server.requests) == 1


async def test_list_limit_sets_page_size_and_stops(server: FakeTwilio, client: Any) -> None:
    three_pages(server)
    msgs = await maybe(client.messages.list(limit=2))
    assert [m.sid for m in msgs] == [sid(0), sid(1)]
    assert server.only().query == [("PageSize", "2")]


async def test_list_limit_across_pages(server: FakeTwilio, client: Any) -> None:
    three_pages(server)
    msgs = await maybe(client.messages.list(to="+1555", limit=4, page_size=2))
    assert [m.sid for m in msgs] == [sid(n) for n in range(4)]
    assert len(server.requests) == 2


async def test_limit_zero_sends_nothing(server: FakeTwilio, client: Any) -> None:
    three_pages(server)
    assert await maybe(client.messages.list(limit=0)) == []
    assert server.requests == []


async def test_large_limit_caps_page_size_at_1000(server: FakeTwilio, client: Any) -> None:
    server.on("GET", MESSAGES, page("messages", [message()], MESSAGES))
    await maybe(client.messages.list(limit=5000))
    assert server.only().query == [("PageSize", "1000")]


async def test_empty_page_ends_iteration_even_with_next_uri(
    server: FakeTwilio, client: Any
) -> None:
    server.on(
        "GET",
        MESSAGES,
        page("messages", [message(sid(0))], MESSAGES, next_page_uri=next_uri(1)),
        page("messages", [], MESSAGES, page=1, next_page_uri=next_uri(2)),
    )
    msgs = await collect(client.messages.iter())
    assert [m.sid for m in msgs] == [sid(0)]
    assert len(server.requests) == 2


async def test_error_on_a_later_page_propagates(server: FakeTwilio, client: Any) -> None:
    from twilio_connector import NotFoundError

    server.on(
        "GET",
        MESSAGES,
        page("messages", [message(sid(0))], MESSAGES, next_page_uri=f"{ROOT}/Gone.json"),
    )
    got: list[Any] = []
    with pytest.raises(NotFoundError):
        iterator = client.messages.iter()
        if hasattr(iterator, "__aiter__"):
            async for m in iterator:
                got.append(m)
        else:
            for m in iterator:
                got.append(m)
    assert [m.sid for m in got] == [sid(0)]


async def test_a_next_page_on_another_origin_is_refused(server: FakeTwilio, client: Any) -> None:
    # The credentials go with every page request: a page naming another host (a proxy's
    # rewrite, a hostile answer) must not receive them.
    elsewhere = FakeTwilio()
    elsewhere.start()
    try:
        elsewhere.on("GET", MESSAGES, page("messages", [message(sid(9))], MESSAGES))
        server.on(
            "GET",
            MESSAGES,
            page("messages", [message(sid(0))], MESSAGES, next_page_uri=elsewhere.url + MESSAGES),
        )
        with pytest.raises(ResponseDecodeError, match="another origin"):
            await maybe(client.messages.list(to="+1555"))
        assert elsewhere.requests == []
        # an absolute next_page_uri on the same origin is followed
        server.on(
            "GET",
            MESSAGES,
            page("messages", [message(sid(1))], MESSAGES, next_page_uri=server.url + next_uri(1)),
            page("messages", [message(sid(2))], MESSAGES),
        )
        assert [m.sid for m in await maybe(client.messages.list(to="+1555"))] == [sid(1), sid(2)]
    finally:
        elsewhere.stop()
