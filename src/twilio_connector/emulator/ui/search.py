"""Search in the web inbox (``view=search&q=...``): conversations by number, messages by text.

Both are bounded: the term is at most :data:`MAX_QUERY` characters (longer is a 400), ``%``,
``_`` and ``\\`` in it match themselves (``LIKE ... ESCAPE``), each list stops at
:data:`RESULT_LIMIT` rows, and the text search reads at most the latest :data:`SEARCH_WINDOW`
messages (the page says so when older ones were not searched). Numbers are matched on the
``conversations`` table (one row per conversation); a term that looks like a phone number
(digits with spaces, dashes, dots or brackets) is matched without its separators, so
``555 867-5310`` finds ``+15558675310``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .queries import Conversation, with_last_message

if TYPE_CHECKING:
    from ..messages.repository import MessageRepository

__all__ = [
    "MAX_QUERY",
    "RESULT_LIMIT",
    "SEARCH_WINDOW",
    "MessageHit",
    "SearchResults",
    "Snippet",
    "number_fragment",
    "search",
    "snippet",
]

MAX_QUERY = 100
RESULT_LIMIT = 50
SEARCH_WINDOW = 100_000
_SNIPPET = 140  # characters of body shown around the match
_PHONE_LIKE = re.compile(r"\+?[\d\s().-]+")
_SEPARATORS = re.compile(r"[\s().-]")


@dataclass(frozen=True)
class Snippet:
    """A piece of a body around the first match (rendered escaped, the match in ``<mark>``)."""

    lead: str
    match: str
    tail: str


@dataclass(frozen=True)
class MessageHit:
    local: str
    peer: str
    sid: str
    direction: str
    status: str
    created: float
    snippet: Snippet


@dataclass(frozen=True)
class SearchResults:
    query: str
    conversations: list[Conversation]
    messages: list[MessageHit]
    more_conversations: bool
    more_messages: bool
    window_reached: bool  # older messages exist that the text search did not read


def number_fragment(query: str) -> str:
    """The part of a number to look for: ``(555) 867-5310`` -> ``5558675310``; other terms
    (``whatsapp:``, a name) as typed."""
    if _PHONE_LIKE.fullmatch(query) and any(c.isdigit() for c in query):
        return _SEPARATORS.sub("", query)
    return query


def snippet(body: str, term: str, width: int = _SNIPPET) -> Snippet:
    """``body`` cut to about ``width`` characters around the first case-insensitive ``term``."""
    found = re.search(re.escape(term), body, re.IGNORECASE) if term else None
    if found is None:
        return Snippet(body[:width] + ("…" if len(body) > width else ""), "", "")
    start, end = found.span()
    room = max(0, width - (end - start)) // 2
    lo, hi = max(0, start - room), min(len(body), end + room)
    lead = ("…" if lo > 0 else "") + body[lo:start]
    tail = body[end:hi] + ("…" if hi < len(body) else "")
    return Snippet(lead, body[start:end], tail)


def search(messages: MessageRepository, account_sids: Sequence[str], query: str) -> SearchResults:
    """Conversations whose number contains the term and messages whose body does."""
    if not query:
        return SearchResults(query, [], [], False, False, False)
    rows = messages.conversations.matching_number(
        account_sids, number_fragment(query), RESULT_LIMIT + 1
    )
    found, window_reached = messages.search_bodies(
        account_sids, query, SEARCH_WINDOW, RESULT_LIMIT + 1
    )
    hits = [
        MessageHit(
            local, peer, m.sid, m.direction, m.status, m.date_created, snippet(m.body, query)
        )
        for local, peer, m in found[:RESULT_LIMIT]
    ]
    return SearchResults(
        query,
        with_last_message(messages, rows[:RESULT_LIMIT]),
        hits,
        len(rows) > RESULT_LIMIT,
        len(found) > RESULT_LIMIT,
        window_reached,
    )
