"""Unreachable URLs and invalid TwiML end the call as Twilio does; fallback URLs are tried."""

from __future__ import annotations

import asyncio

import pytest
from voice_testkit import FakeVoiceEnv, kinds, make_call, run, session

from twilio_connector.emulator.voice import (
    CANCELED,
    COMPLETED,
    IN_PROGRESS,
    RINGING,
    CallerInput,
    DocumentRequest,
    FetchError,
    FetchResponse,
    InlineTwiml,
)
from twilio_connector.emulator.voice.transcript import Fetched, Problem, Said

APP = "https://app.example.com"
GOOD = "<Response><Say>from fallback</Say></Response>"


def problems(outcome: object) -> list[tuple[int | None, str]]:
    transcript = outcome.transcript  # type: ignore[attr-defined]
    return [(p.code, p.level) for p in transcript.of(Problem)]


@pytest.mark.parametrize(
    ("served", "code"),
    [
        (FetchError(11205, "connection refused"), 11205),
        (FetchResponse(500, "text/xml", b"<Response/>"), 11200),
        (FetchResponse(404, "text/html", b"not found"), 11200),
        (FetchResponse(200, None, b"<Response/>"), 12300),
        (FetchResponse(200, "application/json", b"{}"), 12300),
        (
            FetchResponse(
                200, "text/xml", b"<Response><Say>" + b"x" * 70000 + b"</Say></Response>"
            ),
            11750,
        ),
        ("this is not xml", 12100),
        (" <?xml version='1.0'?><Response/>", 12100),
        ("<Reply><Say>x</Say></Reply>", 12102),
        ("<Response><Sayy>x</Sayy></Response>", 12200),
        ("<Response><Gather><Dial>+1</Dial></Gather></Response>", 12200),
    ],
)
async def test_failure_then_fallback(served: object, code: int) -> None:
    env = FakeVoiceEnv(documents={f"{APP}/main": served, f"{APP}/fallback": GOOD})  # type: ignore[dict-item]
    call = make_call()
    outcome = await run(
        env,
        DocumentRequest(f"{APP}/main", fallback_url=f"{APP}/fallback", fallback_method="GET"),
        call,
    )
    assert [f.url for f in env.fetches] == [f"{APP}/main", f"{APP}/fallback"]
    fallback = env.fetches[1]
    assert fallback.method == "GET"
    assert fallback.params["ErrorCode"] == str(code)
    assert fallback.params["ErrorUrl"] == f"{APP}/main"
    assert fallback.params["CallSid"] == call.call_sid
    assert problems(outcome) == [(code, "error")]
    assert [s.text for s in outcome.transcript.of(Said)] == ["from fallback"]
    assert outcome.reason == "end" and outcome.error_code is None


async def test_without_fallback_the_call_ends_with_the_error() -> None:
    env = FakeVoiceEnv(documents={f"{APP}/main": FetchResponse(503, "text/plain", b"down")})
    call = make_call()
    outcome = await run(env, DocumentRequest(f"{APP}/main"), call)
    assert outcome.reason == "application-error" and outcome.error_code == 11200
    assert outcome.status == COMPLETED
    assert kinds(outcome) == ["fetch", "problem", "status", "end"]
    fetched = outcome.transcript.of(Fetched)[0]
    assert fetched.status == 503
    problem = outcome.transcript.of(Problem)[0]
    assert problem.url == f"{APP}/main" and "503" in problem.message


async def test_failing_fallback_is_recorded_too() -> None:
    env = FakeVoiceEnv(documents={f"{APP}/main": "<nope"})
    outcome = await run(env, DocumentRequest(f"{APP}/main", fallback_url=f"{APP}/missing"))
    assert problems(outcome) == [(12100, "error"), (11205, "error")]
    assert outcome.error_code == 11205 and outcome.reason == "application-error"


async def test_invalid_inline_twiml_and_unknown_verb_fail_the_inbound_call() -> None:
    env = FakeVoiceEnv()
    call = make_call(direction="inbound", status=RINGING)
    outcome = await run(env, InlineTwiml("<Response><Say>hi</Say><Foo/></Response>"), call)
    assert outcome.error_code == 12200 and outcome.reason == "application-error"
    assert outcome.transcript.of(Said) == []  # nothing of the document ran
    # the caller hears Twilio's application error message: the call is answered, then ends
    assert env.statuses(call.call_sid) == [IN_PROGRESS, COMPLETED]


async def test_action_url_failure_ends_the_call_without_fallback() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{APP}/main": "<Response><Gather action='/gone'/></Response>",
            f"{APP}/fallback": GOOD,
        }
    )
    outcome = await run(
        env,
        DocumentRequest(f"{APP}/main", fallback_url=f"{APP}/fallback"),
        caller=CallerInput(digits="5#"),
    )
    assert [f.url for f in env.fetches] == [f"{APP}/main", f"{APP}/gone"]
    assert outcome.error_code == 11205


async def test_warnings_do_not_stop_the_call() -> None:
    env = FakeVoiceEnv(
        documents={
            f"{APP}/main": "<Response><Say colour='red'>hi</Say><Pause length='x'/></Response>"
        }
    )
    outcome = await run(env, DocumentRequest(f"{APP}/main"))
    assert problems(outcome) == [(12200, "warning"), (12200, "warning")]
    assert outcome.reason == "end" and outcome.error_code is None
    assert outcome.transcript.of(Said)[0].text == "hi"


async def test_audio_response_is_played() -> None:
    env = FakeVoiceEnv(documents={f"{APP}/a.mp3": FetchResponse(200, "audio/mpeg", b"ID3...")})
    outcome = await run(env, DocumentRequest(f"{APP}/a.mp3", "GET"))
    assert kinds(outcome)[:2] == ["fetch", "play"]


async def test_relative_url_in_inline_twiml_is_11100() -> None:
    env = FakeVoiceEnv()
    outcome = await run(env, InlineTwiml("<Response><Redirect>/next</Redirect></Response>"))
    assert outcome.error_code == 11100 and env.fetches == []


async def test_hangup_before_answer_cancels_an_inbound_call() -> None:
    release = asyncio.Event()
    env = FakeVoiceEnv()

    async def fetch(url: str, method: str, params: object) -> FetchResponse:
        await release.wait()
        return FetchResponse(200, "text/xml", b"<Response/>")

    env.fetch = fetch  # type: ignore[method-assign]
    call = make_call(direction="inbound", status=RINGING)
    call_session = session(env, call)
    task = asyncio.create_task(call_session.run(DocumentRequest(f"{APP}/slow")))
    await asyncio.sleep(0.01)
    call_session.hangup()
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.status == CANCELED and outcome.reason == "api-hangup"
    assert env.statuses(call.call_sid) == [CANCELED]
    assert outcome.duration is None


async def test_run_refuses_calls_that_are_not_live() -> None:
    env = FakeVoiceEnv()
    with pytest.raises(ValueError, match="queued"):
        await run(env, InlineTwiml("<Response/>"), make_call(status="queued"))
    call_session = session(env)
    await call_session.run(InlineTwiml("<Response/>"))
    with pytest.raises(RuntimeError):
        await call_session.run(InlineTwiml("<Response/>"))
