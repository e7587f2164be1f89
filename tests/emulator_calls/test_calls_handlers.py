"""The Calls, Recordings and calls control-plane handlers called directly: a real core on the
test's event loop, a built :class:`Request`, no HTTP server (manual timing: nothing moves
unless the test says so)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from calls_testkit import HANDSET, MAGIC_FROM
from support.emulator import OWNED

from twilio_connector.emulator import EmulatorError, Timing
from twilio_connector.emulator.calls.control import CallsControl
from twilio_connector.emulator.calls.rest import CallsApi
from twilio_connector.emulator.core import EmulatorCore
from twilio_connector.emulator.http import Request, Response
from twilio_connector.emulator.recordings.rest import RecordingsApi
from twilio_connector.emulator.store import Store

ACCOUNT = "AC" + "c" * 32
SAY = "<Response><Say>Hello</Say><Pause length='5'/></Response>"


@pytest.fixture
async def core() -> AsyncIterator[EmulatorCore]:
    core = EmulatorCore(
        Store(None), Timing.manual(), asyncio.get_running_loop(), "http://emulator.test"
    )
    core.seed(ACCOUNT, None, (OWNED,))
    await core.start()
    yield core
    await core.close()


def _request(
    core: EmulatorCore, method: str, path_params: dict[str, str], **params: str
) -> Request:
    return Request(
        method=method, path="/2010-04-01/Accounts/.../Calls.json", query_string="", query={},
        headers={}, body=b"", params={k: [v] for k, v in params.items()},
        path_params={"AccountSid": ACCOUNT, **path_params},
        account=core.accounts.get(ACCOUNT),
    )  # fmt: skip


def _json(response: Response) -> Any:
    return msgspec.json.decode(response.body)


async def test_create_fetch_list_and_hang_up(core: EmulatorCore) -> None:
    api = CallsApi(core)
    created = await api.create(_request(core, "POST", {}, To=HANDSET, From=MAGIC_FROM, Twiml=SAY))
    assert created.status == 201
    sid = _json(created)["sid"]
    assert _json(created)["status"] == "queued"
    fetched = _json(await api.fetch(_request(core, "GET", {"Sid": sid})))
    assert fetched["sid"] == sid and fetched["status"] == "queued"  # manual: time stands still
    page = _json(await api.list(_request(core, "GET", {}, To=HANDSET, Status="queued")))
    assert [c["sid"] for c in page["calls"]] == [sid]
    assert "To=%2B14155550100" in page["uri"] and "Status=queued" in page["uri"]
    assert _json(await api.list(_request(core, "GET", {}, To="+14155550999")))["calls"] == []
    ended = _json(await api.update(_request(core, "POST", {"Sid": sid}, Status="completed")))
    assert ended["status"] == "canceled"  # hung up before it rang
    with pytest.raises(EmulatorError) as info:
        await api.update(_request(core, "POST", {"Sid": sid}, Status="completed"))
    assert (info.value.status, info.value.code) == (400, 21220)
    deleted = await api.delete(_request(core, "DELETE", {"Sid": sid}))
    assert deleted.status == 204
    with pytest.raises(EmulatorError) as info:
        await api.fetch(_request(core, "GET", {"Sid": sid}))
    assert info.value.status == 404


async def test_a_call_runs_and_leaves_its_recording(core: EmulatorCore) -> None:
    calls, recordings = CallsApi(core), RecordingsApi(core)
    created = await calls.create(
        _request(core, "POST", {}, To=HANDSET, From=OWNED, Twiml=SAY, Record="true")
    )
    sid = _json(created)["sid"]
    await core.settle()
    assert _json(await calls.fetch(_request(core, "GET", {"Sid": sid})))["status"] == "completed"
    listed = _json(await recordings.list_for_call(_request(core, "GET", {"CallSid": sid})))
    (recording,) = listed["recordings"]
    assert recording["call_sid"] == sid and recording["source"] == "OutboundAPI"
    assert recording["track"] == "both" and recording.get("media_url") is None
    account_level = _json(await recordings.fetch(_request(core, "GET", {"Sid": recording["sid"]})))
    assert account_level["media_url"] == (
        f"http://emulator.test/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording['sid']}"
    )
    audio = await recordings.audio(_request(core, "GET", {"Sid": recording["sid"]}))
    assert audio.content_type == "audio/x-wav" and audio.body[:4] == b"RIFF"
    by_call = _json(await recordings.list(_request(core, "GET", {}, CallSid=sid)))
    assert [r["sid"] for r in by_call["recordings"]] == [recording["sid"]]
    await recordings.delete_for_call(
        _request(core, "DELETE", {"CallSid": sid, "Sid": recording["sid"]})
    )
    with pytest.raises(EmulatorError) as info:
        await recordings.fetch(_request(core, "GET", {"Sid": recording["sid"]}))
    assert info.value.status == 404


async def test_recordings_of_an_unknown_call_are_404(core: EmulatorCore) -> None:
    with pytest.raises(EmulatorError) as info:
        await RecordingsApi(core).list_for_call(_request(core, "GET", {"CallSid": "CA" + "0" * 32}))
    assert info.value.status == 404


async def test_control_transcript_of_a_running_call(core: EmulatorCore) -> None:
    created = await CallsApi(core).create(
        _request(core, "POST", {}, To=HANDSET, From=MAGIC_FROM, Twiml=SAY)
    )
    sid = _json(created)["sid"]
    await core.advance(5)  # queued, initiated, ringing, answered: <Say> runs
    control = CallsControl(core)
    body = _json(await control.transcript(_request(core, "GET", {"Sid": sid})))
    assert body["call_sid"] == sid and body["status"] == "in-progress"
    assert [e["kind"] for e in body["transcript"]][:4] == ["status"] * 4
