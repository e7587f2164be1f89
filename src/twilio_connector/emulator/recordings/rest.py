"""REST handlers of Recordings (:class:`RecordingsApi`).

* call level: ``GET /Calls/{CA}/Recordings.json`` lists a call's recordings (404 for an
  unknown call), ``/Calls/{CA}/Recordings/{RE}.json`` ``GET``/``DELETE``;
* account level: ``GET /Recordings.json`` (filters ``CallSid``, ``DateCreated[<>]``),
  ``/Recordings/{RE}.json`` ``GET``/``DELETE``;
* media: ``GET /Recordings/{RE}`` and ``/Recordings/{RE}.wav`` (no auth, like Twilio's
  public recording URLs), ``audio/x-wav``: the recording's real audio when it has some (an
  8 kHz 16-bit PCM WAV), else a silent WAV as long as the recording (capped at two minutes).
  ``.mp3`` (Twilio's other format) has no route here: 404, with or without audio; were it
  routed to :meth:`RecordingsApi.audio`, it would get the same WAV.

The routes are in :mod:`..routes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..accounts.rest import path_account
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request
from .records import RecordingRecord
from .serialize import recording_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["RecordingsApi"]


class RecordingsApi:
    """``/Recordings`` handlers over the core's :class:`~.state.Recordings`."""

    def __init__(self, core: EmulatorCore) -> None:
        self.recordings = core.recordings
        self.calls = core.calls

    # -- call level -------------------------------------------------------------------------

    async def list_for_call(self, req: Request) -> Response:
        account, call_sid = path_account(req), req.path_params["CallSid"]
        self.calls.get(account, call_sid, req.path)  # 404 for an unknown call
        preq = page_request(req)
        records, more = self.recordings.repository.page(account.sid, preq, call_sid=call_sid)
        items = [recording_model(r, call_level=True) for r in records]
        return json_response(models.encode(envelope("recordings", items, req.path, [], preq, more)))

    async def fetch_for_call(self, req: Request) -> Response:
        found = self.recordings.get(
            path_account(req).sid, req.path_params["Sid"], req.path, req.path_params["CallSid"]
        )
        return json_response(models.encode(recording_model(found, call_level=True)))

    async def delete_for_call(self, req: Request) -> Response:
        self.recordings.delete(
            path_account(req).sid, req.path_params["Sid"], req.path, req.path_params["CallSid"]
        )
        return Response(204, b"")

    # -- account level ----------------------------------------------------------------------

    async def list(self, req: Request) -> Response:
        account = path_account(req)
        preq = page_request(req)
        filters: list[tuple[str, str]] = []
        call_sid = req.get("CallSid") or None
        if call_sid:
            filters.append(("CallSid", call_sid))
        created = req.get_date_range("DateCreated")
        records, more = self.recordings.repository.page(
            account.sid, preq, call_sid=call_sid, date_created=created
        )
        items = [self._model(r) for r in records]
        env = envelope("recordings", items, req.path, [*filters, *created.filters], preq, more)
        return json_response(models.encode(env))

    async def fetch(self, req: Request) -> Response:
        found = self.recordings.get(path_account(req).sid, req.path_params["Sid"], req.path)
        return json_response(models.encode(self._model(found)))

    async def delete(self, req: Request) -> Response:
        self.recordings.delete(path_account(req).sid, req.path_params["Sid"], req.path)
        return Response(204, b"")

    def _model(self, record: RecordingRecord) -> models.Recording:
        media_url = self.recordings.media_url(record.account_sid, record.sid)
        return recording_model(record, media_url=media_url)

    # -- media (no auth) --------------------------------------------------------------------

    async def audio(self, req: Request) -> Response:
        """The recording's media: always a WAV (``audio/x-wav``), whatever the extension."""
        wav = self.recordings.audio(req.path_params["AccountSid"], req.path_params["Sid"], req.path)
        return Response(200, wav, content_type="audio/x-wav")
