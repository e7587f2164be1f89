"""The per-call execution context shared by the verb handlers.

:class:`CallRuntime` holds the call's state (progress, clock, caller input, transcript, the
current document URL) and the effects every verb needs: interruptible waiting, status
changes, and loading a TwiML document the way Twilio does (HTTP checks, parsing, fallback).
Handlers return a :data:`Flow` telling the session what comes next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

from ..._wire import resolve_url
from ...callbacks import IncomingCall
from ..timing import Timing
from .caller_input import CallerInput
from .environment import FetchError, VoiceClock, VoiceEnvironment
from .lifecycle import IN_PROGRESS, RINGING, CallProgress
from .model import DEFAULT_METHOD, Play
from .params import voice_request_params
from .parse import TwimlDocument, TwimlError, parse_voice_twiml
from .queues import QueueEntry
from .transcript import Fetched, Problem, StatusChanged, Transcript

if TYPE_CHECKING:
    from .run_stream import Fork

__all__ = [
    "LEAVE_QUEUE",
    "CallRuntime",
    "DocumentRequest",
    "End",
    "Flow",
    "Goto",
    "InlineTwiml",
    "InterpreterOptions",
    "Interrupted",
    "LegControl",
    "TwimlSource",
]

T = TypeVar("T")

ERROR_INVALID_URL = 11100
ERROR_RETRIEVAL = 11200
ERROR_TOO_LARGE = 11750
ERROR_CONTENT_TYPE = 12300
_TWIML_TYPES = frozenset({"text/xml", "application/xml", "text/html"})


@dataclass(frozen=True)
class InterpreterOptions:
    """Knobs of the interpreter (all have Twilio-like defaults)."""

    timing: Timing = field(default_factory=Timing)
    unknown_verbs: Literal["fail", "skip"] = "fail"
    """``fail``: an unknown verb fails the document (12200); ``skip``: warn and skip it."""
    max_idle_documents: int = 100
    """Emulator guard against endless zero-time loops (``<Redirect>`` to itself, ...): more
    TwiML requests than this in a row without simulated time passing end the call (reported
    as a problem without a Twilio code). Loops that take time run until ``time_limit``."""
    max_document_bytes: int = 64 * 1024
    time_limit: float = 14400.0
    """Longest answered time in simulated seconds (the call's ``TimeLimit``)."""
    stream_pacing: Literal["realtime", "fast"] | None = None
    """Media Streams frames: ``realtime`` (20 ms apart) or ``fast`` (back to back while
    there is audio to exchange); ``None``: realtime in realistic timing, else fast."""


@dataclass(frozen=True)
class DocumentRequest:
    """A TwiML document to fetch (``extra``: verb parameters on top of the voice ones)."""

    url: str
    method: str = DEFAULT_METHOD
    extra: Mapping[str, str] = field(default_factory=dict)
    purpose: str = "initial"
    fallback_url: str | None = None
    fallback_method: str = DEFAULT_METHOD


@dataclass(frozen=True)
class InlineTwiml:
    """A TwiML document given inline (``Twiml`` parameter, REST update)."""

    twiml: str
    fallback_url: str | None = None
    fallback_method: str = DEFAULT_METHOD


TwimlSource = DocumentRequest | InlineTwiml


@dataclass(frozen=True)
class Goto:
    """Leave the current document and run this one (action, redirect)."""

    source: TwimlSource


@dataclass(frozen=True)
class End:
    """The call ends: ``reason`` is ``hangup``, ``rejected``, ``time-limit``, ..."""

    reason: str


class _LeaveQueue:
    def __repr__(self) -> str:
        return "LEAVE_QUEUE"


LEAVE_QUEUE = _LeaveQueue()
"""``<Leave>`` ran inside an ``<Enqueue>`` wait document."""

Flow = Goto | End | _LeaveQueue | None
"""What a verb handler returns; ``None`` = go on with the next verb."""


class Interrupted(Exception):
    """Raised out of a wait when the call is hung up or redirected from outside."""


@dataclass(eq=False)
class LegControl:
    """A ``<Dial>`` leg being dialed: hang it up from outside, learn when it has ended."""

    hangup: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Event = field(default_factory=asyncio.Event)


def _cancelling() -> bool:
    """Whether the running task itself has a pending cancellation (Python 3.11+)."""
    task = asyncio.current_task()
    cancelling = getattr(task, "cancelling", None)
    return bool(cancelling()) if cancelling is not None else False


class CallRuntime:
    """State and effects of one running call (used by the handlers, not by the emulator)."""

    def __init__(
        self,
        progress: CallProgress,
        env: VoiceEnvironment,
        clock: VoiceClock,
        caller: CallerInput,
        options: InterpreterOptions,
        transcript: Transcript,
    ) -> None:
        self.progress = progress
        self.env = env
        self.clock = clock
        self.caller = caller
        self.options = options
        self.timing = options.timing
        self.transcript = transcript
        self.document_url: str | None = None
        self._idle_documents = 0
        self._last_document_at = -1.0
        self.rejected: str | None = None
        self.fatal_error: int | None = None
        self.queue_entry: QueueEntry | None = None
        self.answered_at_elapsed: float | None = None
        self.interrupt_event = asyncio.Event()
        self.pending: TwimlSource | None = None
        """What an interruption asks for: ``None`` = hang up, else redirect there."""
        self.legs: dict[str, LegControl] = {}
        """The ``<Dial>`` legs being dialed, by call SID."""
        self._guarded: set[asyncio.Future[Any]] = set()
        self.forks: dict[str, Fork] = {}
        """One-way streams (``<Start><Stream>``, REST), by stream SID: the running ones and
        the last stopped ones (:mod:`.run_stream`)."""

    # -- time and interruption -----------------------------------------------------------

    @property
    def at(self) -> float:
        return self.clock.elapsed

    def interrupt(self, pending: TwimlSource | None) -> None:
        """Stop what the call is waiting for: hang up (``None``) or redirect to ``pending``."""
        self.pending = pending
        self.interrupt_event.set()
        for task in list(self._guarded):
            task.cancel()

    async def guard(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable`` unless the call is interrupted first (then :class:`Interrupted`).

        One task per wait: :meth:`interrupt` cancels it (cheaper than racing the awaitable
        against the interrupt event, which matters with thousands of calls at once).
        """
        task = asyncio.ensure_future(awaitable)
        if self.interrupt_event.is_set():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            raise Interrupted
        self._guarded.add(task)
        try:
            return await task
        except asyncio.CancelledError:
            if not self.interrupt_event.is_set() or _cancelling():
                raise  # the call itself is being cancelled (emulator reset or shutdown)
            raise Interrupted from None
        finally:
            self._guarded.discard(task)

    async def sleep(self, seconds: float) -> None:
        await self.guard(self.clock.sleep(seconds))

    def over_time_limit(self) -> bool:
        start = self.answered_at_elapsed
        return start is not None and self.clock.elapsed - start >= self.options.time_limit

    # -- status ----------------------------------------------------------------------------

    async def set_status(
        self, progress: CallProgress, status: str, sip_response_code: int | None = None
    ) -> None:
        """Advance a call (this one or a dialed leg) and let the environment know."""
        update = progress.advance(
            status, self.clock.now(), sip_response_code=sip_response_code,
            elapsed=self.clock.elapsed,
        )  # fmt: skip
        if progress is self.progress:
            self.transcript.add(StatusChanged(at=self.at, status=status))
            if status == IN_PROGRESS:
                self.answered_at_elapsed = self.clock.elapsed
        await self.env.call_status_changed(progress, update)

    async def answer(self) -> None:
        if self.progress.status == RINGING:
            await self.set_status(self.progress, IN_PROGRESS)

    # -- parameters and URLs -----------------------------------------------------------------

    def request_params(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return voice_request_params(self.progress.info, self.progress.status, extra)

    def resolve(self, url: str | None) -> str | None:
        """A URL from TwiML, made absolute against the current document URL."""
        if url is None:
            return None
        url = url.strip()
        return resolve_url(self.document_url, url) if self.document_url else url

    def problem(
        self, code: int | None, message: str, url: str | None = None, *, fatal: bool
    ) -> None:
        if fatal:
            self.fatal_error = code
        level = "error" if fatal else "warning"
        self.transcript.add(Problem(at=self.at, code=code, level=level, message=message, url=url))

    # -- documents ------------------------------------------------------------------------

    async def load(self, source: TwimlSource) -> TwimlDocument | None:
        """The document to run next, or ``None`` (problem recorded) if the call must end.

        On failure the fallback URL, if any, is requested with the same parameters plus
        ``ErrorCode`` and ``ErrorUrl``.
        """
        if isinstance(source, InlineTwiml):
            failure = self._parse(source.twiml, None)
            failed_url = None
        else:
            failure = await self._fetch(source.url, source.method, source.extra, source.purpose)
            failed_url = source.url
        if isinstance(failure, TwimlDocument):
            return failure
        self.problem(failure[0], failure[1], failed_url, fatal=True)
        if source.fallback_url is None or failure[0] is None:  # no fallback for emulator guards
            return None
        extra = dict(source.extra) if isinstance(source, DocumentRequest) else {}
        extra.update(IncomingCall(error_code=failure[0], error_url=failed_url).to_params())
        fallback = await self._fetch(source.fallback_url, source.fallback_method, extra, "fallback")
        if isinstance(fallback, TwimlDocument):
            self.fatal_error = None
            return fallback
        self.problem(fallback[0], fallback[1], source.fallback_url, fatal=True)
        return None

    async def _fetch(
        self, url: str, method: str, extra: Mapping[str, str], purpose: str
    ) -> TwimlDocument | tuple[int | None, str]:
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            return ERROR_INVALID_URL, f"invalid URL {url!r}"
        if self.clock.elapsed > self._last_document_at:
            self._last_document_at, self._idle_documents = self.clock.elapsed, 0
        self._idle_documents += 1
        if self._idle_documents > self.options.max_idle_documents:
            limit = self.options.max_idle_documents
            return None, f"more than {limit} TwiML requests in a row without any call time"
        try:
            response = await self.guard(self.env.fetch(url, method, self.request_params(extra)))
        except FetchError as exc:
            self.transcript.add(Fetched(at=self.at, url=url, method=method, purpose=purpose))
            return exc.code, exc.message
        self.transcript.add(
            Fetched(at=self.at, url=url, method=method, purpose=purpose, status=response.status)
        )
        if not 200 <= response.status < 300:
            return ERROR_RETRIEVAL, f"HTTP {response.status} from {method} {url}"
        media_type = (response.content_type or "").split(";")[0].strip().lower()
        if not media_type:
            return ERROR_CONTENT_TYPE, "the TwiML response has no Content-Type"
        if len(response.body) > self.options.max_document_bytes:
            return (
                ERROR_TOO_LARGE,
                f"the TwiML response is larger than {self.options.max_document_bytes} bytes",
            )
        if media_type.startswith("audio/"):
            self.document_url = url
            return TwimlDocument((Play(url),))
        if media_type not in _TWIML_TYPES:
            return ERROR_CONTENT_TYPE, f"unsupported Content-Type {media_type!r} for TwiML"
        return self._parse(response.body, url)

    def _parse(self, body: str | bytes, url: str | None) -> TwimlDocument | tuple[int | None, str]:
        try:
            document = parse_voice_twiml(body, unknown_verbs=self.options.unknown_verbs)
        except TwimlError as exc:
            return exc.code, exc.message
        self.document_url = url
        for issue in document.issues:
            self.problem(issue.code, issue.message, url, fatal=False)
        return document
