"""Run one call's TwiML, verb by verb: :class:`CallSession`.

Typical use by the emulator (outbound API call, after its rules decided it is answered)::

    progress = CallProgress(info, created_at=now, status_callback=url, events=events)
    ...  # queued -> initiated -> ringing -> in-progress, via progress.advance()
    session = CallSession(progress, env, clock=clock, caller=CallerInput())
    outcome = await session.run(DocumentRequest(url, method, fallback_url=fallback))

``clock`` is the call's :class:`~.environment.VoiceClock` (the emulator's ``CallClock``).

For an inbound call ``progress`` starts ``ringing``: the first verb other than ``<Reject>``
answers it. :meth:`CallSession.run` returns when the call has ended; the call is then in a
final status (``completed``, or ``busy``/``no-answer`` after ``<Reject>``, or ``canceled``
when hung up from outside before answering). :meth:`CallSession.hangup` and
:meth:`CallSession.redirect` act on a running call (REST update, control plane).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from .caller_input import CallerInput
from .environment import VoiceClock, VoiceEnvironment
from .lifecycle import BUSY, CANCELED, COMPLETED, IN_PROGRESS, NO_ANSWER, RINGING, CallProgress
from .model import (
    Connect,
    Dial,
    Enqueue,
    Gather,
    Hangup,
    Leave,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Say,
    SendMessage,
    Stream,
    StreamControl,
    Unsupported,
    Verb,
)
from .parse import TwimlDocument
from .run_bridge import run_dial, run_enqueue
from .run_context import (
    CallRuntime,
    DocumentRequest,
    End,
    Flow,
    Goto,
    InterpreterOptions,
    Interrupted,
    TwimlSource,
)
from .run_input import run_gather, run_record
from .run_simple import (
    run_connect,
    run_hangup,
    run_leave,
    run_pause,
    run_play,
    run_redirect,
    run_reject,
    run_say,
    run_send_message,
    run_unsupported,
)
from .run_stream import Fork, StreamRefused, find_fork, start_fork, stop_fork, stop_forks
from .transcript import Ended, HungUp, Redirected, Transcript

__all__ = ["CallOutcome", "CallSession"]

_REJECT_SIP = {"busy": 486, "rejected": 603}
_WAIT_VERBS = (Say, Play, Pause, Gather, Hangup, Redirect, Leave)
"""What an ``<Enqueue>`` waitUrl document may use."""


@dataclass(frozen=True)
class CallOutcome:
    """How a call ended."""

    status: str
    """Final status: ``completed``, ``busy``, ``no-answer`` or ``canceled``."""
    reason: str
    """``end`` (verbs ran out), ``hangup`` (``<Hangup>``), ``api-hangup``, ``rejected``,
    ``application-error``, ``time-limit``."""
    duration: int | None
    """Answered seconds (``CallDuration``); ``None`` if never answered."""
    error_code: int | None
    """The debugger code that ended the call (12100, 11200, ...), if one did."""
    transcript: Transcript


class CallSession:
    """The interpreter for one call. Create it, then ``await run(source)`` once."""

    def __init__(
        self,
        progress: CallProgress,
        env: VoiceEnvironment,
        *,
        clock: VoiceClock,
        caller: CallerInput | None = None,
        options: InterpreterOptions | None = None,
        transcript: Transcript | None = None,
    ) -> None:
        self._rt = CallRuntime(
            progress,
            env,
            clock,
            caller if caller is not None else CallerInput(),
            options if options is not None else InterpreterOptions(),
            transcript if transcript is not None else Transcript(),
        )
        self._started = False
        self._finishing = False
        self.outcome: CallOutcome | None = None

    @property
    def progress(self) -> CallProgress:
        return self._rt.progress

    @property
    def transcript(self) -> Transcript:
        return self._rt.transcript

    @property
    def caller(self) -> CallerInput:
        """Feed it (``press``, ``speak``, ``silence``) to answer ``<Gather>`` step by step."""
        return self._rt.caller

    @property
    def clock(self) -> VoiceClock:
        return self._rt.clock

    # -- control from outside -------------------------------------------------------------

    def hangup(self) -> None:
        """End the call now (REST ``Status=completed``/``canceled``); ``run`` then returns."""
        self._rt.interrupt(None)

    def hangup_leg(self, call_sid: str) -> asyncio.Event | None:
        """Hang up a ``<Dial>`` leg (REST ``Status`` on the child call): a ringing leg ends
        ``canceled``, an answered one ``completed``; the ``<Dial>`` goes on as if the callee
        had done it. Returns an event set once the leg has ended, ``None`` if ``call_sid`` is
        not a leg being dialed now."""
        leg = self._rt.legs.get(call_sid)
        if leg is None:
            return None
        leg.hangup.set()
        return leg.ended

    def redirect(self, source: TwimlSource) -> None:
        """Stop the current verb and continue with other TwiML (REST ``Url``/``Twiml``)."""
        self._rt.interrupt(source)

    async def start_stream(self, stream: Stream) -> Fork:
        """Start a one-way stream beside the call now (REST ``POST /Calls/{CA}/Streams``);
        returns once ``start`` is sent (or the connection failed: then ``stopped``).
        :class:`StreamRefused` when the call has too many, the name is taken or the call
        ended meanwhile."""
        if self._finishing:
            raise StreamRefused(21220, "Call is not in-progress")
        try:
            fork = await start_fork(self._rt, stream)
        except Interrupted:
            raise StreamRefused(21220, "Call is not in-progress") from None
        if self._finishing:  # the call ended while the stream connected: it ends too
            await stop_fork(self._rt, fork)
        return fork

    async def stop_stream(self, key: str) -> Fork | None:
        """Stop the stream with SID or name ``key`` (REST ``Status=stopped``; a stopped one
        stays stopped); ``None`` if the call has no such stream."""
        fork = find_fork(self._rt, key)
        if fork is not None:
            await stop_fork(self._rt, fork)
        return fork

    # -- running --------------------------------------------------------------------------

    async def run(self, source: TwimlSource) -> CallOutcome:
        rt = self._rt
        if self._started:
            raise RuntimeError("a CallSession runs once")
        self._started = True
        if rt.progress.status not in (RINGING, IN_PROGRESS):
            raise ValueError(
                f"call {rt.progress.call_sid} is {rt.progress.status}: run() needs a ringing "
                "(inbound) or in-progress call"
            )
        if rt.progress.status == IN_PROGRESS and rt.answered_at_elapsed is None:
            rt.answered_at_elapsed = rt.clock.elapsed
        current: TwimlSource | None = source
        reason = "end"
        while current is not None:
            try:
                reason = await self._run_documents(current)
                current = None
            except Interrupted:
                current = rt.pending
                rt.pending = None
                rt.interrupt_event.clear()
                if current is None:
                    rt.transcript.add(HungUp(at=rt.at, by="api"))
                    reason = "api-hangup"
                else:
                    url = current.url if isinstance(current, DocumentRequest) else "(inline)"
                    method = current.method if isinstance(current, DocumentRequest) else "-"
                    rt.transcript.add(Redirected(at=rt.at, url=url, method=method))
        await self._finish(reason)
        assert self.outcome is not None
        return self.outcome

    async def _run_documents(self, source: TwimlSource) -> str:
        rt = self._rt
        current = source
        while True:
            if rt.over_time_limit():
                return "time-limit"
            document = await rt.load(current)
            if document is None:
                return "application-error"
            flow = await self._execute(document)
            if isinstance(flow, Goto):
                current = flow.source
            elif isinstance(flow, End):
                return flow.reason
            else:
                return "end"

    async def _execute(self, document: TwimlDocument, *, waiting: bool = False) -> Flow:
        rt = self._rt
        for verb in document.verbs:
            if waiting and not isinstance(verb, _WAIT_VERBS):
                message = f"{type(verb).__name__} is not allowed in a queue wait document"
                rt.problem(None, message, rt.document_url, fatal=False)
                continue
            if not isinstance(verb, Reject) and rt.progress.status == RINGING:
                await rt.answer()
            flow = await self._run_verb(verb)
            if flow is not None:
                return flow
            if rt.over_time_limit():
                return End("time-limit")
        return None

    async def _run_wait_document(self, request: DocumentRequest) -> Flow:
        document = await self._rt.load(request)
        if document is None:
            return None
        return await self._execute(document, waiting=True)

    async def _run_verb(self, verb: Verb) -> Flow:
        rt = self._rt
        if isinstance(verb, Say):
            return await run_say(rt, verb)
        if isinstance(verb, Play):
            return await run_play(rt, verb)
        if isinstance(verb, Pause):
            return await run_pause(rt, verb)
        if isinstance(verb, Gather):
            return await run_gather(rt, verb)
        if isinstance(verb, Record):
            return await run_record(rt, verb)
        if isinstance(verb, Dial):
            return await run_dial(rt, verb)
        if isinstance(verb, Enqueue):
            return await run_enqueue(rt, verb, self._run_wait_document)
        if isinstance(verb, Redirect):
            return await run_redirect(rt, verb)
        if isinstance(verb, Hangup):
            return await run_hangup(rt, verb)
        if isinstance(verb, Reject):
            return await run_reject(rt, verb)
        if isinstance(verb, Leave):
            return await run_leave(rt, verb)
        if isinstance(verb, SendMessage):
            return await run_send_message(rt, verb)
        if isinstance(verb, Connect):
            return await run_connect(rt, verb)
        if isinstance(verb, (StreamControl, Unsupported)):
            return await run_unsupported(rt, verb)
        raise AssertionError(f"unhandled verb {verb!r}")  # pragma: no cover

    async def _finish(self, reason: str) -> None:
        rt = self._rt
        self._finishing = True
        await stop_forks(rt)
        progress = rt.progress
        if not progress.is_terminal:
            if rt.rejected is not None and progress.status == RINGING:
                status = BUSY if rt.rejected == "busy" else NO_ANSWER
                await rt.set_status(progress, status, _REJECT_SIP[rt.rejected])
            elif progress.status == RINGING and reason == "api-hangup":
                await rt.set_status(progress, CANCELED)
            else:
                await rt.answer()  # e.g. an empty <Response/>: answered, then hung up
                await rt.set_status(progress, COMPLETED)
        rt.transcript.add(
            Ended(
                at=rt.at, status=progress.status, reason=reason, duration=progress.duration_seconds
            )
        )
        self.outcome = CallOutcome(
            status=progress.status,
            reason=reason,
            duration=progress.duration_seconds,
            error_code=rt.fatal_error if reason == "application-error" else None,
            transcript=rt.transcript,
        )
