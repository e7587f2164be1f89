"""Twilio's list envelope and keyset pagination.

``PageSize`` (1-1000, default 50; above 1000 is error 20007), ``Page`` (index the client
keeps) and ``PageToken``: ``PA<sid>`` continues after that record, ``PB<sid>`` reads the
page before it. Keyset paging costs the same on page 1 and page 10,000 and stays stable
when records are inserted meanwhile. The envelope is :func:`twilio_connector.models.page_envelope`
(the one the client decodes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .._wire import DateRange
from ..models import encode, page_envelope, page_uri, v1_page_envelope
from .errors import EmulatorError, invalid_param
from .http import Request, Response, json_response
from .store import Store

__all__ = [
    "UNBOUNDED",
    "PageRequest",
    "date_conditions",
    "envelope",
    "page_request",
    "paginate_list",
    "paginate_sql",
    "v1_envelope",
    "v1_list",
]

T = TypeVar("T")
UNBOUNDED = DateRange()
"""No date filter: every date."""
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    size: int
    page: int
    after: str | None = None  # sid from a PA token
    before: str | None = None  # sid from a PB token


def page_request(req: Request, default_size: int = 50) -> PageRequest:
    raw = req.get("PageSize")
    if raw is not None and raw.strip().isdigit() and int(raw) > MAX_PAGE_SIZE:
        raise EmulatorError(400, 20007, f"Page size too large. Maximum is {MAX_PAGE_SIZE}")
    size = req.get_int("PageSize", default_size, 1, MAX_PAGE_SIZE)
    page = req.get_int("Page", 0, 0, 10_000_000)
    token = req.get("PageToken")
    if not token:
        return PageRequest(size, page)
    if len(token) < 3 or token[:2] not in ("PA", "PB") or not token[2:].isalnum():
        raise invalid_param("PageToken", token)
    if token[:2] == "PA":
        return PageRequest(size, page, after=token[2:])
    return PageRequest(size, page, before=token[2:])


def envelope(
    list_key: str,
    items: list[Any],
    path: str,
    filters: Sequence[tuple[str, str]],
    preq: PageRequest,
    has_next: bool,
    *,
    keyset: bool = True,
) -> dict[str, Any]:
    """One page as :func:`~twilio_connector.models.page_envelope` writes it (items may be
    msgspec Structs; encode with ``models.encode``): its URIs repeat ``filters`` and carry
    ``PageSize``, ``Page`` and the ``PageToken`` of the records on either side.

    ``keyset=False`` for items without a ``sid`` (number searches): page links by index only.
    """
    size, page = str(preq.size), preq.page

    def uri(page: int, token: str | None = None) -> str:
        params = [*filters, ("PageSize", size), ("Page", str(page))]
        if token:
            params.append(("PageToken", token))
        return page_uri(path, params)

    next_uri = previous_uri = None
    if has_next and items:
        next_uri = uri(page + 1, f"PA{items[-1].sid}" if keyset else None)
    if page > 0 and items:
        previous_uri = uri(page - 1, f"PB{items[0].sid}" if keyset else None)
    current = f"PA{preq.after}" if preq.after else f"PB{preq.before}" if preq.before else None
    return page_envelope(
        list_key, items, page=page, page_size=preq.size, uri=uri(page, current),
        first_page_uri=uri(0), next_page_uri=next_uri, previous_page_uri=previous_uri,
    )  # fmt: skip


def v1_envelope(
    list_key: str, items: list[Any], url: str, preq: PageRequest, has_next: bool
) -> dict[str, Any]:
    """One page in the v1 envelope (:func:`~twilio_connector.models.v1_page_envelope`):
    ``url`` is the list's absolute URL (``{base_url}/messaging/v1/Services``); the page URLs
    carry ``PageSize``, ``Page`` and the ``PageToken`` of the records on either side."""
    size, page = str(preq.size), preq.page

    def page_url(page: int, token: str | None = None) -> str:
        params = [("PageSize", size), ("Page", str(page))]
        if token:
            params.append(("PageToken", token))
        return page_uri(url, params)

    next_url = page_url(page + 1, f"PA{items[-1].sid}") if has_next and items else None
    previous = page_url(page - 1, f"PB{items[0].sid}") if page > 0 and items else None
    current = f"PA{preq.after}" if preq.after else f"PB{preq.before}" if preq.before else None
    return v1_page_envelope(
        list_key, items, page=page, page_size=preq.size, url=page_url(page, current),
        first_page_url=page_url(0), next_page_url=next_url, previous_page_url=previous,
    )  # fmt: skip


def v1_list(
    req: Request,
    url: str,
    list_key: str,
    records: Sequence[T],
    sid_of: Callable[[T], str],
    to_model: Callable[[T], Any],
) -> Response:
    """A v1 list answer (``messaging``, ``content``, ``verify``): ``records`` (in memory, in
    order) paged by the request's ``PageSize``/``Page``/``PageToken``, each page's records
    turned into their models; ``url`` is the list's absolute URL."""
    preq = page_request(req)
    page, more = paginate_list(records, preq, sid_of)
    return json_response(
        encode(v1_envelope(list_key, [to_model(r) for r in page], url, preq, more))
    )


def paginate_list(
    items: Sequence[T], preq: PageRequest, sid_of: Callable[[T], str]
) -> tuple[list[T], bool]:
    """Page through an in-memory, already ordered sequence. Returns (page, has_next)."""
    if preq.after is not None or preq.before is not None:
        sids = [sid_of(x) for x in items]
        anchor = preq.after if preq.after is not None else preq.before
        try:
            idx = sids.index(anchor or "")
        except ValueError:
            raise invalid_param("PageToken", anchor, "unknown or expired token") from None
        if preq.after is not None:
            chunk = list(items[idx + 1 : idx + 1 + preq.size])
            return chunk, idx + 1 + preq.size < len(items)
        begin = max(0, idx - preq.size)
        return list(items[begin:idx]), True
    begin = preq.page * preq.size
    return list(items[begin : begin + preq.size]), begin + preq.size < len(items)


def paginate_sql(
    store: Store,
    *,
    table: str,
    columns: str,
    where: list[str],
    args: list[Any],
    preq: PageRequest,
    seq_of: Callable[[str], int | None],
    newest_first: bool = True,
) -> tuple[list[Any], bool]:
    """Keyset pagination over a table with an increasing ``seq`` column. (rows, has_next)."""
    where = list(where)
    args = list(args)
    forward = "DESC" if newest_first else "ASC"
    backward = "ASC" if newest_first else "DESC"
    anchor = preq.after if preq.after is not None else preq.before
    offset = 0
    order = forward
    if anchor is not None:
        seq = seq_of(anchor)
        if seq is None:
            raise invalid_param("PageToken", anchor, "unknown or expired token")
        past = (preq.after is not None) == newest_first  # moving towards smaller seq
        where.append("seq < ?" if past else "seq > ?")
        args.append(seq)
        if preq.before is not None:
            order = backward
    else:
        offset = preq.page * preq.size
    clause = " AND ".join(where) if where else "1"
    rows = store.query(
        f"SELECT {columns} FROM {table} WHERE {clause} ORDER BY seq {order} LIMIT ? OFFSET ?",
        (*args, preq.size + 1, offset),
    )
    more = len(rows) > preq.size
    rows = rows[: preq.size]
    if preq.before is not None:
        rows.reverse()
        return rows, True
    return rows, more


def date_conditions(column: str, selected: DateRange) -> tuple[list[str], list[float]]:
    """SQL conditions on ``column`` (epoch seconds) for a list's date filters, for
    :func:`paginate_sql` (``column`` is the repository's own name, never a parameter)."""
    where: list[str] = []
    args: list[float] = []
    if selected.start is not None:
        where.append(f"{column} >= ?")
        args.append(selected.start)
    if selected.end is not None:
        where.append(f"{column} <= ?" if selected.end_inclusive else f"{column} < ?")
        args.append(selected.end)
    return where, args
