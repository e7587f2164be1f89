"""REST Streams of a live call: one-way Media Streams started and stopped by the API.

* ``POST /Accounts/{AC}/Calls/{CA}/Streams.json`` (``Url`` required, ``Name``, ``Track``,
  ``StatusCallback``, ``StatusCallbackMethod``, ``Parameter{N}.Name``/``.Value`` for N up
  to 99) starts a stream beside the call's TwiML, as ``<Start><Stream>`` does, and answers
  200 once ``start`` is sent (``stopped`` if the app could not be reached: the
  ``stream-error`` callback says why);
* ``POST .../Streams/{MZ or name}.json`` with ``Status=stopped`` stops it, whether REST or
  TwiML started it (TWILIO.md 22.1).

The call must be in progress (21220); at most four streams at once (31960); a name is unique
among the call's running streams. The streams themselves run in :mod:`..voice.run_stream`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast, get_args

from ... import models
from ..._wire import MAX_NUMBERED, numbered_field
from ...enums import StreamTrack
from ...specs import CALL_STREAMS
from ..accounts.rest import path_account
from ..errors import bad_request, invalid_param
from ..http import Request, Response, json_response
from ..messages.requests import check_callback_url
from ..realtime.socket import check_socket_url
from ..serialize import dt
from ..voice import SocketError, Stream

if TYPE_CHECKING:
    from ...enums import StreamStatusValue
    from ..core import EmulatorCore
    from ..voice import Fork

__all__ = ["StreamsApi", "parse_stream_request", "stream_model"]

_TRACKS: tuple[str, ...] = get_args(StreamTrack)
assert CALL_STREAMS.instance_path
_STREAM = CALL_STREAMS.instance_path


def parse_stream_request(req: Request) -> Stream:
    """The stream a ``POST .../Streams.json`` asks for (400 for what the sender can fix)."""
    url = req.get("Url") or ""
    if not url:
        raise bad_request(20001, "Missing required parameter Url in the post body")
    try:
        check_socket_url(url)
    except SocketError as exc:
        raise bad_request(exc.code, f"Url: {exc.message}") from None
    callback = req.get("StatusCallback") or None
    if callback is not None:
        check_callback_url(callback, 21609, "StatusCallback")
    parameters: list[tuple[str, str]] = []
    for n in range(1, MAX_NUMBERED + 1):
        name = req.get(numbered_field("Parameter", n, "Name"))
        value = req.get(numbered_field("Parameter", n, "Value"))
        if name:
            parameters.append((name, value or ""))
        elif value:
            raise invalid_param(numbered_field("Parameter", n, "Name"), None,
                                "a parameter value needs a name")  # fmt: skip
    return Stream(
        url=url,
        name=req.get("Name") or None,
        track=req.get_choice("Track", _TRACKS, "inbound_track"),
        status_callback=callback,
        status_callback_method=req.get_choice("StatusCallbackMethod", ("GET", "POST"), "POST"),
        parameters=tuple(parameters),
    )


def stream_model(account_sid: str, call_sid: str, fork: Fork) -> models.CallStream:
    return models.CallStream(
        sid=fork.sid,
        account_sid=account_sid,
        call_sid=call_sid,
        name=fork.name,
        status=cast("StreamStatusValue", fork.status),
        date_updated=dt(fork.updated.timestamp()),
        uri=_STREAM.fill(account_sid, call_sid, fork.sid),
    )


class StreamsApi:
    """``/Calls/{CA}/Streams`` handlers over the core's :class:`~.state.Calls`."""

    def __init__(self, core: EmulatorCore) -> None:
        self.calls = core.calls

    async def create(self, req: Request) -> Response:
        account, call_sid = path_account(req), req.path_params["CallSid"]
        self.calls.get(account, call_sid, req.path)  # 404 before the form's checks
        stream = parse_stream_request(req)
        fork = await self.calls.start_stream(account, call_sid, stream)
        return json_response(models.encode(stream_model(account.sid, call_sid, fork)))

    async def update(self, req: Request) -> Response:
        account, call_sid = path_account(req), req.path_params["CallSid"]
        self.calls.get(account, call_sid, req.path)
        if req.get_choice("Status", ("stopped",)) is None:
            raise bad_request(20001, "Missing required parameter Status in the post body")
        fork = await self.calls.stop_stream(account, call_sid, req.path_params["Sid"], req.path)
        return json_response(models.encode(stream_model(account.sid, call_sid, fork)))
