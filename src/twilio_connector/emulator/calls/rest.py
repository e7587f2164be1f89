"""REST handlers of Calls: create, fetch, list, update, delete (:class:`CallsApi`).

* ``POST /Accounts/{AC}/Calls.json`` creates, ``GET`` lists (filters ``To``, ``From``,
  ``Status``, ``ParentCallSid``, ``StartTime[<>]``, ``EndTime[<>]``: ``YYYY-MM-DD`` is that
  UTC day, ``<``/``>`` on or before/after);
* ``/Calls/{CA}.json``: ``GET`` fetches, ``POST`` updates (``Status``, ``Url``/``Twiml``,
  ``StatusCallback``), ``DELETE`` deletes an ended call.

The routes are in :mod:`..routes`; recordings of a call are in :mod:`..recordings.rest`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ... import models
from ..accounts.records import AccountRecord
from ..http import Request, Response, json_response, parse_iso
from ..pagination import envelope, page_request
from .repository import CallFilter, TimeBound
from .requests import parse_call_request, parse_call_update
from .serialize import call_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["CALL_STATUSES", "CallsApi", "time_bounds"]

CALL_STATUSES = (
    "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled",
)  # fmt: skip


def account_of(req: Request) -> AccountRecord:
    """The account the route authenticated (every ``auth="account"`` route has one)."""
    assert req.account is not None
    return req.account


def time_bounds(req: Request, name: str) -> tuple[tuple[TimeBound, ...], list[tuple[str, str]]]:
    """``Name`` (that UTC day), ``Name<`` (on or before) and ``Name>`` (on or after) as
    bounds, and the filters given (for the page URIs)."""
    bounds: list[TimeBound] = []
    filters: list[tuple[str, str]] = []
    for key in (name, f"{name}<", f"{name}>"):
        raw = req.get(key)
        if not raw:
            continue
        value = parse_iso(key, raw)
        date_only = len(raw.strip()) == 10
        filters.append((key, raw))
        if key == name:
            day = value.replace(hour=0, minute=0, second=0, microsecond=0)
            bounds += [(">=", day.timestamp()), ("<", (day + timedelta(days=1)).timestamp())]
        elif key.endswith("<"):
            if date_only:
                bounds.append(("<", (value + timedelta(days=1)).timestamp()))
            else:
                bounds.append(("<=", value.timestamp()))
        else:
            bounds.append((">=", value.timestamp()))
    return tuple(bounds), filters


class CallsApi:
    """``/Calls`` handlers over the core's :class:`~.state.Calls`."""

    def __init__(self, core: EmulatorCore) -> None:
        self.calls = core.calls

    async def create(self, req: Request) -> Response:
        record = self.calls.create(account_of(req), parse_call_request(req))
        return json_response(models.encode(call_model(record)), 201)

    async def list(self, req: Request) -> Response:
        preq = page_request(req)
        filters: list[tuple[str, str]] = []
        values: dict[str, str | None] = {}
        for key in ("To", "From", "ParentCallSid"):
            value = values[key] = req.get(key) or None
            if value:
                filters.append((key, value))
        status = req.get_choice("Status", CALL_STATUSES)
        if status:
            filters.append(("Status", status))
        start, start_filters = time_bounds(req, "StartTime")
        end, end_filters = time_bounds(req, "EndTime")
        where = CallFilter(
            to=values["To"], from_=values["From"], parent_call_sid=values["ParentCallSid"],
            status=status, start_time=start, end_time=end,
        )  # fmt: skip
        records, more = self.calls.page(account_of(req), where, preq)
        items = [call_model(r) for r in records]
        env = envelope("calls", items, req.path, filters + start_filters + end_filters, preq, more)
        return json_response(models.encode(env))

    async def fetch(self, req: Request) -> Response:
        record = self.calls.get(account_of(req), req.path_params["Sid"], req.path)
        return json_response(models.encode(call_model(record)))

    async def update(self, req: Request) -> Response:
        account, sid = account_of(req), req.path_params["Sid"]
        await self.calls.update(account, sid, parse_call_update(req), req.path)
        return json_response(models.encode(call_model(self.calls.get(account, sid, req.path))))

    async def delete(self, req: Request) -> Response:
        self.calls.delete(account_of(req), req.path_params["Sid"], req.path)
        return Response(204, b"")
