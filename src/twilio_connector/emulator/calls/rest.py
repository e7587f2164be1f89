"""REST handlers of Calls: create, fetch, list, update, delete (:class:`CallsApi`).

* ``POST /Accounts/{AC}/Calls.json`` creates, ``GET`` lists (filters ``To``, ``From``,
  ``Status``, ``ParentCallSid``, ``StartTime[<>]``, ``EndTime[<>]``: ``YYYY-MM-DD`` is that
  UTC day, ``<``/``>`` on or before/after);
* ``/Calls/{CA}.json``: ``GET`` fetches, ``POST`` updates (``Status``, ``Url``/``Twiml``,
  ``StatusCallback``), ``DELETE`` deletes an ended call.

The routes are in :mod:`..routes`; recordings of a call are in :mod:`..recordings.rest`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..accounts.rest import path_account
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request
from .repository import CallFilter
from .requests import parse_call_request, parse_call_update
from .serialize import call_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["CALL_STATUSES", "CallsApi"]

CALL_STATUSES = (
    "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled",
)  # fmt: skip


class CallsApi:
    """``/Calls`` handlers over the core's :class:`~.state.Calls`."""

    def __init__(self, core: EmulatorCore) -> None:
        self.calls = core.calls

    async def create(self, req: Request) -> Response:
        record = self.calls.create(path_account(req), parse_call_request(req))
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
        start, end = req.get_date_range("StartTime"), req.get_date_range("EndTime")
        where = CallFilter(
            to=values["To"], from_=values["From"], parent_call_sid=values["ParentCallSid"],
            status=status, start_time=start, end_time=end,
        )  # fmt: skip
        records, more = self.calls.page(path_account(req), where, preq)
        items = [call_model(r) for r in records]
        filters += (*start.filters, *end.filters)
        env = envelope("calls", items, req.path, filters, preq, more)
        return json_response(models.encode(env))

    async def fetch(self, req: Request) -> Response:
        record = self.calls.get(path_account(req), req.path_params["Sid"], req.path)
        return json_response(models.encode(call_model(record)))

    async def update(self, req: Request) -> Response:
        account, sid = path_account(req), req.path_params["Sid"]
        await self.calls.update(account, sid, parse_call_update(req), req.path)
        return json_response(models.encode(call_model(self.calls.get(account, sid, req.path))))

    async def delete(self, req: Request) -> Response:
        self.calls.delete(path_account(req), req.path_params["Sid"], req.path)
        return Response(204, b"")
