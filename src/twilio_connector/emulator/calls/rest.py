"""REST handlers: Calls (create, fetch, list, update, delete) and Recordings.

* ``/Accounts/{AC}/Calls.json`` POST/GET, ``/Calls/{CA}.json`` GET/POST/DELETE;
  list filters ``To``, ``From``, ``Status``, ``ParentCallSid``, ``StartTime[<>]``,
  ``EndTime[<>]`` (``YYYY-MM-DD``: that UTC day; ``<``/``>`` on or before/after);
* ``/Calls/{CA}/Recordings.json`` GET and ``/Calls/{CA}/Recordings/{RE}.json`` GET/DELETE
  (the call-level shape); ``/Recordings.json`` GET (filters ``CallSid``,
  ``DateCreated[<>]``) and ``/Recordings/{RE}.json`` GET/DELETE (account level);
* ``/Recordings/{RE}`` and ``/Recordings/{RE}.wav`` (no auth, like Twilio's public
  recordings): a silent WAV as long as the recording (capped at two minutes).
"""

from __future__ import annotations

import struct
from datetime import timedelta
from typing import Any

from ... import models
from ..accounts.records import AccountRecord
from ..core import EmulatorCore
from ..errors import not_found
from ..http import Request, Response, json_response, parse_iso
from ..pagination import envelope, page_request, paginate_sql
from ..router import API_PREFIX, Router
from ..serialize import call_model, recording_model
from .records import CALL_COLUMNS, RECORDING_COLUMNS, call_from_row, recording_from_row
from .requests import parse_call_request, parse_call_update
from .state import Calls

__all__ = ["install", "silent_wav"]

_AC = "{AccountSid:AC[0-9a-fA-F]{32}}"
_CA = "{Sid:CA[0-9a-fA-F]{32}}"
_PARENT = "{CallSid:CA[0-9a-fA-F]{32}}"
_RE = "{Sid:RE[0-9a-fA-F]{32}}"
CALL_STATUSES = (
    "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled",
)  # fmt: skip
WAV_RATE = 8000
MAX_WAV_SECONDS = 120


def silent_wav(seconds: int) -> bytes:
    """8 kHz 8-bit mono PCM silence of ``seconds`` (capped)."""
    size = WAV_RATE * max(0, min(seconds, MAX_WAV_SECONDS))
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, WAV_RATE, WAV_RATE, 1, 8)
    head = b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE" + b"fmt " + fmt
    return head + b"data" + struct.pack("<I", size) + b"\x80" * size


def _account(req: Request) -> AccountRecord:
    assert req.account is not None
    return req.account


def time_bounds(
    req: Request, name: str, column: str
) -> tuple[list[str], list[Any], list[tuple[str, str]]]:
    """SQL for ``Name`` (that UTC day), ``Name<`` (on or before) and ``Name>`` (on or after)."""
    where: list[str] = []
    args: list[Any] = []
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
            where.append(f"{column} >= ? AND {column} < ?")
            args.extend([day.timestamp(), (day + timedelta(days=1)).timestamp()])
        elif key.endswith("<"):
            end = (value + timedelta(days=1)).timestamp() if date_only else value.timestamp()
            where.append(f"{column} < ?" if date_only else f"{column} <= ?")
            args.append(end)
        else:
            where.append(f"{column} >= ?")
            args.append(value.timestamp())
    return where, args, filters


def install(core: EmulatorCore, router: Router) -> None:
    calls = Calls.of(core)
    store = calls.store

    async def create_call(req: Request) -> Response:
        record = calls.create(_account(req), parse_call_request(req))
        return json_response(models.encode(call_model(record)), 201)

    async def list_calls(req: Request) -> Response:
        account = _account(req)
        preq = page_request(req)
        where, args = ["account_sid = ?"], [account.sid]
        filters: list[tuple[str, str]] = []
        for key, column in (("To", "to_"), ("From", "from_"), ("ParentCallSid", "parent_call_sid")):
            value = req.get(key)
            if value:
                where.append(f"{column} = ?")
                args.append(value)
                filters.append((key, value))
        status = req.get_choice("Status", CALL_STATUSES)
        if status:
            where.append("status = ?")
            args.append(status)
            filters.append(("Status", status))
        for name, column in (("StartTime", "start_time"), ("EndTime", "end_time")):
            more_where, more_args, more_filters = time_bounds(req, name, column)
            where += more_where
            args += more_args
            filters += more_filters
        rows, more = paginate_sql(
            store.store, table="calls", columns=CALL_COLUMNS, where=where, args=args, preq=preq,
            seq_of=lambda sid: store.seq_of(account.sid, sid),
        )  # fmt: skip
        items = []
        for row in rows:
            stored = call_from_row(row)
            items.append(call_model(calls.effects.records.get(stored.sid, stored)))
        env = envelope("calls", items, req.path, filters, preq, more)
        return json_response(models.encode(env))

    async def fetch_call(req: Request) -> Response:
        record = calls.get(_account(req), req.path_params["Sid"], req.path)
        return json_response(models.encode(call_model(record)))

    async def update_call(req: Request) -> Response:
        account, sid = _account(req), req.path_params["Sid"]
        ended = calls.update(account, sid, parse_call_update(req), req.path)
        if ended is not None:
            await calls.wait_ended(ended)
        return json_response(models.encode(call_model(calls.get(account, sid, req.path))))

    async def delete_call(req: Request) -> Response:
        calls.delete(_account(req), req.path_params["Sid"], req.path)
        return Response(204, b"")

    def _recordings_page(req: Request, where: list[str], args: list[Any]) -> Any:
        account = _account(req)
        preq = page_request(req)
        rows, more = paginate_sql(
            store.store, table="recordings", columns=RECORDING_COLUMNS, where=where, args=args,
            preq=preq, seq_of=lambda sid: store.recording_seq(account.sid, sid),
        )  # fmt: skip
        return preq, [recording_from_row(r) for r in rows], more

    async def list_call_recordings(req: Request) -> Response:
        account, call_sid = _account(req), req.path_params["CallSid"]
        calls.get(account, call_sid, req.path)  # 404 for an unknown call
        where = ["account_sid = ?", "call_sid = ?"]
        preq, records, more = _recordings_page(req, where, [account.sid, call_sid])
        items = [recording_model(r, call_level=True) for r in records]
        env = envelope("recordings", items, req.path, [], preq, more)
        return json_response(models.encode(env))

    async def list_recordings(req: Request) -> Response:
        account = _account(req)
        where, args = ["account_sid = ?"], [account.sid]
        filters: list[tuple[str, str]] = []
        call_sid = req.get("CallSid")
        if call_sid:
            where.append("call_sid = ?")
            args.append(call_sid)
            filters.append(("CallSid", call_sid))
        more_where, more_args, more_filters = time_bounds(req, "DateCreated", "date_created")
        preq, records, more = _recordings_page(req, where + more_where, args + more_args)
        items = [recording_model(r, base_url=core.base_url) for r in records]
        env = envelope("recordings", items, req.path, filters + more_filters, preq, more)
        return json_response(models.encode(env))

    def _recording(req: Request, call_level: bool) -> Any:
        call_sid = req.path_params["CallSid"] if call_level else None
        found = store.get_recording(_account(req).sid, req.path_params["Sid"], call_sid)
        if found is None:
            raise not_found(req.path)
        return found

    async def fetch_call_recording(req: Request) -> Response:
        model = recording_model(_recording(req, True), call_level=True)
        return json_response(models.encode(model))

    async def fetch_recording(req: Request) -> Response:
        model = recording_model(_recording(req, False), base_url=core.base_url)
        return json_response(models.encode(model))

    async def delete_call_recording(req: Request) -> Response:
        store.delete_recording(_recording(req, True).sid)
        return Response(204, b"")

    async def delete_recording(req: Request) -> Response:
        store.delete_recording(_recording(req, False).sid)
        return Response(204, b"")

    async def recording_audio(req: Request) -> Response:
        found = store.get_recording(req.path_params["AccountSid"], req.path_params["Sid"])
        if found is None:
            raise not_found(req.path)
        return Response(200, silent_wav(found.duration), content_type="audio/x-wav")

    base = f"{API_PREFIX}/Accounts/{_AC}"
    router.add("POST", f"{base}/Calls.json", create_call)
    router.add("GET", f"{base}/Calls.json", list_calls)
    router.add("GET", f"{base}/Calls/{_CA}.json", fetch_call)
    router.add("POST", f"{base}/Calls/{_CA}.json", update_call)
    router.add("DELETE", f"{base}/Calls/{_CA}.json", delete_call)
    router.add("GET", f"{base}/Calls/{_PARENT}/Recordings.json", list_call_recordings)
    router.add("GET", f"{base}/Calls/{_PARENT}/Recordings/{_RE}.json", fetch_call_recording)
    router.add("DELETE", f"{base}/Calls/{_PARENT}/Recordings/{_RE}.json", delete_call_recording)
    router.add("GET", f"{base}/Recordings.json", list_recordings)
    router.add("GET", f"{base}/Recordings/{_RE}.json", fetch_recording)
    router.add("DELETE", f"{base}/Recordings/{_RE}.json", delete_recording)
    router.add("GET", f"{base}/Recordings/{_RE}", recording_audio, auth=None)
    router.add("GET", f"{base}/Recordings/{_RE}.wav", recording_audio, auth=None)
