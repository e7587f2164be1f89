"""One ConversationRelay session: the caller's script against the app's agent, in call time.

The session sends ``setup``, speaks the welcome greeting, then runs two parties on one
timeline of simulated call seconds (``rt.at``):

* the **agent** performs the :mod:`.relay_agent` items the app sent, one at a time: an
  utterance lasts ``timing.say(text, 1)``, a ``play`` ``timing.play_audio(loop)``, a
  ``sendDigits`` ``timing.dtmf(digits)``; ``language`` and ``end`` take no time; a
  ``preemptible`` utterance or play is cut short (recorded ``interrupted``) as soon as a
  newer one is waiting;
* the **caller** performs the script's steps (:mod:`.caller_script`): ``say`` lasts
  ``timing.speech(text)`` and its ``prompt`` is sent when the caller stops talking (with
  ``partialPrompts`` a partial one half way); ``press`` lasts ``timing.dtmf(keys)``, then one
  ``dtmf`` per key (only with ``dtmfDetection``); ``play`` lasts the WAV file's length (no
  prompt: the emulator does not transcribe audio); ``pause`` is silence; ``hangup`` ends the
  call.

Turn-taking. A step that is not ``barge_in`` waits until the agent is silent and, after a
``say`` the app was told about, until the agent completed a turn (an utterance or a play
finished) or :data:`REPLY_TIMEOUT` real seconds passed; then ``after`` seconds of silence,
then it happens. A ``barge_in`` step happens ``after`` seconds after the previous step ended
(a ``say`` or ``press`` right after a ``say``: counted from when the agent started
answering, so that talking over the answer is deterministic), even while the agent speaks.
If the agent's current utterance (or play) is interruptible by that input
(``speech``/``any`` for ``say``, ``dtmf``/``any`` for ``press``), it is cut: ``interrupt``
is sent with the whole words spoken so far (elapsed time x ``timing.say_chars_per_second``
characters), the rest of it and of any queued speech or play is dropped, and so are the
tokens of a talk cycle being streamed up to its ``last``. Input over speech that is not
interruptible is reported to the app only if ``reportInputDuringAgentSpeech`` covers its
kind (TWILIO.md §23.1: which input is reported while the agent speaks), and dropped
otherwise (the transcript still shows it).

Time. Only the simulated durations above pass in fast and manual timing: the app's think
time is not counted, so transcripts are deterministic. There, call time runs far ahead of
the app, so before the caller takes a turn (a step that is not ``barge_in``) the app's
messages in flight get :data:`TURN_GRACE` real seconds to arrive: an agent that speaks
unprompted (right after ``setup``) is heard before the caller, as on a real call. In
realistic timing (``scale`` 1.0) the real time spent waiting for the app counts, and the
agent starts an answer that arrives while it is silent at once. When the script is exhausted
the caller waits silently; steps added meanwhile run; after ``rt.caller.idle_timeout`` real
seconds with nothing from either side the caller hangs up.

End. The app's ``end`` (after the items sent before it) ends the session ``ended``; the app
closing the socket without ``end`` ends it ``ended`` too, with warning 64105 and
``ErrorCode`` 64105 in the action request (Twilio's value is unconfirmed, TWILIO.md §25).
An invalid or unknown app message gets an ``error`` message back and a 64107 warning; the
session goes on.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import wave
from collections import deque
from dataclasses import dataclass

from ...realtime import conversation_relay as cr
from ...realtime.errors import InvalidMessageError
from .caller_script import CallerStep
from .environment import RealtimeSocket, SocketClosed
from .model import ConversationRelay
from .params import whole_seconds
from .relay_agent import (
    MAX_QUEUED_ITEMS,
    AgentEnd,
    AgentItem,
    AgentPlay,
    AppClosed,
    DigitsItem,
    LanguageItem,
    TurnBuilder,
    Utterance,
    input_allowed,
)
from .run_context import CallRuntime
from .transcript import (
    AgentDigits,
    AgentPlayed,
    AgentSaid,
    CallerPlayed,
    CallerPressed,
    CallerSaid,
    Entry,
    LanguageChanged,
    Problem,
)

__all__ = [
    "ERROR_APP_CLOSED",
    "ERROR_CONNECT",
    "ERROR_INVALID_MESSAGE",
    "REPLY_TIMEOUT",
    "SEND_TIMEOUT",
    "TURN_GRACE",
    "RelaySession",
    "SessionEnd",
    "new_session_id",
]

log = logging.getLogger("twilio_connector.emulator")

REPLY_TIMEOUT = 10.0
"""Real seconds a waiting caller gives the app to answer before going on."""
SEND_TIMEOUT = 10.0
"""Real seconds for one message to the app (a stuck socket is closed)."""
TURN_GRACE = 0.02
"""Real seconds the app's messages in flight get to arrive before the caller takes a turn
(fast and manual timing, where call time runs ahead of the app), unless the app has just
completed its answer to the caller's last prompt: then only what is already read counts."""
ERROR_CONNECT = 64102
ERROR_APP_CLOSED = 64105
ERROR_INVALID_MESSAGE = 64107
_QUEUE_SIZE = 1000
_EPSILON = 1e-9
_MAX_PLAY_SECONDS = 3600.0


def new_session_id() -> str:
    return "VX" + secrets.token_hex(16)


@dataclass(frozen=True)
class SessionEnd:
    """How the session ended: ``reason`` is ``app-end``, ``app-closed``, ``caller-hangup`` or
    ``time-limit``."""

    status: str
    reason: str
    handoff_data: str | None = None
    error_code: int | None = None
    error_message: str | None = None


@dataclass
class _Performing:
    """The agent item being performed since ``started`` (call seconds)."""

    item: Utterance | AgentPlay | DigitsItem
    started: float
    duration: float

    @property
    def ends(self) -> float:
        return self.started + self.duration


@dataclass
class _Acting:
    """The caller step being performed."""

    step: CallerStep
    started: float
    duration: float
    partial_at: float | None = None

    @property
    def ends(self) -> float:
        return self.started + self.duration


def _whole_words(text: str, chars: int) -> str:
    """The words of ``text`` fully spoken within its first ``chars`` characters."""
    if chars >= len(text):
        return text
    head = text[:chars]
    if not text[chars].isspace() and head and not head[-1].isspace():
        words = head.split()
        head = " ".join(words[:-1]) if len(words) > 1 else ""
    return head.rstrip()


class RelaySession:
    """Run with :meth:`converse` once the socket is open and ``setup`` sent."""

    def __init__(
        self,
        rt: CallRuntime,
        relay: ConversationRelay,
        socket: RealtimeSocket,
        session_id: str,
        *,
        reply_timeout: float = REPLY_TIMEOUT,
    ) -> None:
        self.rt = rt
        self.relay = relay
        self.socket = socket
        self.session_id = session_id
        self.reply_timeout = reply_timeout
        self.transcription_language = relay.transcription_language or relay.language
        self.started_at = rt.at
        self._queue: asyncio.Queue[cr.AppMessage | AppClosed] = asyncio.Queue(_QUEUE_SIZE)
        self._arrived = asyncio.Event()
        self._send_lock = asyncio.Lock()
        self._builder = TurnBuilder(relay.interruptible)
        self._items: deque[AgentItem] = deque()
        self._current: _Performing | None = None
        self._held: list[Entry] = []
        self._acting: _Acting | None = None
        self._step: CallerStep | None = None
        self._ready_at: float | None = None
        self._graced = False
        self._last_caller_end = rt.at
        self._last_agent_end = rt.at
        self._awaiting_reply = False
        self._reply_started_at: float | None = None
        self._reply_done = True
        self._answered = False  # the app completed its answer to the caller's last prompt
        self._reply_deadline: float | None = None
        self._truncation_reported = False
        self._reader: asyncio.Task[None] | None = None

    @property
    def _realistic(self) -> bool:
        return self.rt.timing.scale == 1.0

    # -- the socket -------------------------------------------------------------------------

    async def send(self, message: cr.TwilioMessage) -> None:
        """Send one message; a closed socket is left to the reader to report."""
        async with self._send_lock:
            try:
                await asyncio.wait_for(self.socket.send(cr.encode(message)), SEND_TIMEOUT)
            except SocketClosed:
                pass
            except asyncio.TimeoutError:
                await self.socket.close(1011)

    def start_reading(self) -> None:
        self._reader = asyncio.ensure_future(self._read())

    async def stop(self) -> None:
        """Close the socket and stop reading (idempotent)."""
        await self.socket.close(1000)
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None

    async def _read(self) -> None:
        try:
            while True:
                try:
                    text = await self.socket.recv()
                except SocketClosed as exc:
                    await self._queue.put(AppClosed(exc.code))
                    self._arrived.set()
                    return
                try:
                    message = cr.decode_app_message(text)
                except InvalidMessageError as exc:
                    await self._invalid(exc.detail + (f" (field {exc.field})" if exc.field else ""))
                    continue
                if isinstance(message, cr.Unknown):
                    await self._invalid(f"unknown message type {message.type[:40]!r}")
                    continue
                await self._queue.put(message)
                self._arrived.set()
        except asyncio.CancelledError:
            raise
        except Exception:  # never leave the session waiting on a dead reader
            log.exception("reading a ConversationRelay socket failed")
            await self._queue.put(AppClosed(None))
            self._arrived.set()

    async def _invalid(self, detail: str) -> None:
        await self.send(cr.ErrorMessage(description=f"Invalid message received: {detail}"))
        self.warn(ERROR_INVALID_MESSAGE, f"invalid ConversationRelay message: {detail}")

    # -- the transcript ----------------------------------------------------------------------

    def add(self, entry: Entry) -> None:
        """Record ``entry``, after the agent's current item (recorded when it ends)."""
        if self._current is not None:
            self._held.append(entry)
        else:
            self.rt.transcript.add(entry)

    def warn(self, code: int | None, message: str) -> None:
        self.add(Problem(at=self.rt.at, code=code, level="warning", message=message))

    # -- the agent ----------------------------------------------------------------------------

    def greet(self) -> None:
        if self.relay.welcome_greeting:
            greeting = Utterance(
                self.relay.welcome_greeting,
                self.relay.tts_language or self.relay.language,
                self.relay.welcome_greeting_interruptible,
                greeting=True,
            )
            self._items.append(greeting)

    def _drain(self) -> None:
        while len(self._items) < MAX_QUEUED_ITEMS and not self._queue.empty():
            message = self._queue.get_nowait()
            if isinstance(message, AppClosed):
                self._items.append(message)
            else:
                self._builder.add(message, self._items)
            if self._builder.truncated and not self._truncation_reported:
                self._truncation_reported = True
                self.warn(ERROR_INVALID_MESSAGE, "a talk cycle longer than the limit was cut")
        if self._queue.empty():
            self._arrived.clear()

    def _finish_current(self, *, interrupted: bool) -> float:
        """Record the agent's current item (cut short if ``interrupted``): seconds performed."""
        current = self._current
        assert current is not None
        now = self.rt.at
        spent = max(0.0, min(current.duration, now - current.started))
        spent = current.duration if not interrupted else round(spent, 3)
        item = current.item
        entry: Entry
        if isinstance(item, Utterance):
            spoken = None
            if interrupted:
                chars = int(spent * self.rt.timing.say_chars_per_second)
                spoken = _whole_words(item.text, chars)
            entry = AgentSaid(
                at=current.started,
                text=item.text,
                duration=spent,
                language=item.language,
                greeting=item.greeting,
                interrupted=interrupted,
                spoken=spoken,
            )
        elif isinstance(item, AgentPlay):
            entry = AgentPlayed(
                at=current.started, source=item.source, loop=item.loop, interrupted=interrupted
            )
        else:
            entry = AgentDigits(at=current.started, digits=item.digits)
        self._current = None
        self._last_agent_end = now
        self.rt.transcript.add(entry)
        held, self._held = self._held, []
        for later in held:
            self.rt.transcript.add(later)
        greeting = isinstance(item, Utterance) and item.greeting
        if not interrupted and isinstance(item, Utterance | AgentPlay) and not greeting:
            self._reply_done = True
            self._answered = self._awaiting_reply
        return spent

    def _start_items(self) -> SessionEnd | None:
        """Start the next agent items until one takes time (or the session ends)."""
        timing = self.rt.timing
        while self._current is None and self._items:
            item = self._items.popleft()
            if isinstance(item, AgentEnd):
                return SessionEnd("ended", "app-end", handoff_data=item.handoff_data)
            if isinstance(item, AppClosed):
                message = "the app closed the ConversationRelay socket without an end message"
                self.warn(ERROR_APP_CLOSED, message)
                return SessionEnd(
                    "ended", "app-closed", error_code=ERROR_APP_CLOSED, error_message=message
                )
            if isinstance(item, LanguageItem):
                if item.transcription_language:
                    self.transcription_language = item.transcription_language
                self.add(
                    LanguageChanged(
                        at=self.rt.at,
                        tts_language=item.tts_language,
                        transcription_language=item.transcription_language,
                    )
                )
                continue
            if isinstance(item, Utterance) and not item.text.strip():
                self._reply_done = True  # an empty closing token ends the turn, says nothing
                self._answered = self._awaiting_reply
                continue
            if isinstance(item, Utterance):
                duration = timing.say(item.text, 1)
            elif isinstance(item, AgentPlay):
                duration = timing.play_audio(item.loop)
            else:
                duration = timing.dtmf(item.digits)
            self._current = _Performing(item, self.rt.at, duration)
            if isinstance(item, Utterance | AgentPlay) and self._reply_started_at is None:
                self._reply_started_at = self.rt.at
        return None

    async def _interrupt(self) -> None:
        """The caller talks over the current (interruptible) item: cut it, tell the app."""
        current = self._current
        assert current is not None
        spent = self._finish_current(interrupted=True)
        utterance = ""
        if isinstance(current.item, Utterance):
            chars = int(spent * self.rt.timing.say_chars_per_second)
            utterance = _whole_words(current.item.text, chars)
        self._items = deque(i for i in self._items if not isinstance(i, Utterance | AgentPlay))
        self._builder.drop_current()
        await self.send(
            cr.Interrupt(
                utterance_until_interrupt=utterance,
                duration_until_interrupt_ms=round(spent * 1000),
            )
        )

    def _interruptible_by(self, kind: str) -> bool:
        current = self._current
        if current is None or isinstance(current.item, DigitsItem):
            return False
        return input_allowed(kind, current.item.interruptible)

    # -- the caller ---------------------------------------------------------------------------

    def _play_seconds(self, path: str) -> float:
        try:
            with wave.open(path, "rb") as wav:
                rate = wav.getframerate()
                seconds = wav.getnframes() / rate if rate > 0 else 0.0
        except (OSError, EOFError, wave.Error) as exc:
            self.warn(None, f"caller play: cannot read WAV file ({type(exc).__name__})")
            return self.rt.timing.play
        return min(seconds, _MAX_PLAY_SECONDS)

    async def _start_step(self, step: CallerStep) -> SessionEnd | None:
        rt = self.rt
        now = rt.at
        self._step, self._ready_at = None, None
        if step.action == "hangup":
            return SessionEnd("ended", "caller-hangup")
        kind = {"say": "speech", "press": "dtmf"}.get(step.action)
        if kind is not None and self._interruptible_by(kind):
            await self._interrupt()
        if step.action == "say":
            duration = rt.timing.speech(step.value)
            acting = _Acting(step, now, duration)
            if self.relay.partial_prompts and len(step.value.split()) > 1:
                acting.partial_at = now + duration / 2
            self.add(CallerSaid(at=now, text=step.value, duration=duration, barge_in=step.barge_in))
        elif step.action == "press":
            acting = _Acting(step, now, rt.timing.dtmf(step.value))
            self.add(CallerPressed(at=now, digits=step.value))
        elif step.action == "play":
            seconds = self._play_seconds(step.value)
            acting = _Acting(step, now, seconds)
            self.add(CallerPlayed(at=now, path=step.value, duration=round(seconds, 3)))
        else:
            acting = _Acting(step, now, step.seconds)
        self._acting = acting
        return None

    def _reported(self, kind: str) -> bool:
        """Whether caller input of ``kind`` reaches the app now (not over agent speech)."""
        current = self._current
        if current is None or isinstance(current.item, DigitsItem):
            return True
        return input_allowed(kind, self.relay.report_input_during_agent_speech)

    def _prompt_language(self, step: CallerStep) -> str:
        return step.language or self.transcription_language

    async def _partial(self, acting: _Acting) -> None:
        acting.partial_at = None
        if self._reported("speech"):
            words = acting.step.value.split()
            partial = " ".join(words[: len(words) // 2])
            lang = self._prompt_language(acting.step)
            await self.send(cr.Prompt(voice_prompt=partial, lang=lang, last=False))

    async def _finish_step(self, acting: _Acting) -> None:
        self._acting = None
        self._last_caller_end = self.rt.at
        step = acting.step
        if step.action == "say" and self._reported("speech"):
            lang = self._prompt_language(step)
            await self.send(cr.Prompt(voice_prompt=step.value, lang=lang, last=True))
            self._awaiting_reply, self._reply_done, self._answered = True, False, False
            self._reply_started_at, self._reply_deadline = None, None
        elif step.action == "press" and self.relay.dtmf_detection and self._reported("dtmf"):
            for key in step.value:
                if key not in "wW":
                    await self.send(cr.Dtmf(digit=key))

    def _step_ready_at(self, step: CallerStep) -> float | None:
        """When the pending step may happen (``None``: not yet known: waiting on the agent)."""
        waiting_reply = self._awaiting_reply and not self._reply_done
        if step.barge_in:
            if step.action not in ("say", "press"):  # cannot interrupt: no need to wait
                return self._last_caller_end + step.after
            if waiting_reply and self._reply_started_at is None:
                return None
            base = self._last_caller_end
            if waiting_reply and self._reply_started_at is not None:
                base = max(base, self._reply_started_at)
            return base + step.after
        if self._current is not None or waiting_reply:
            return None
        if self._ready_at is not None:
            return self._ready_at
        quiet_since = max(self._last_caller_end, self._last_agent_end)
        return max(self.rt.at, quiet_since + step.after)

    # -- the timeline ---------------------------------------------------------------------------

    def _limit_at(self) -> float | None:
        answered = self.rt.answered_at_elapsed
        return None if answered is None else answered + self.rt.options.time_limit

    async def converse(self) -> SessionEnd:
        """Run until the app ends the session, the caller hangs up or the time limit."""
        rt = self.rt
        limit = self._limit_at()
        while True:
            self._drain()
            if limit is not None and rt.at + _EPSILON >= limit:
                return SessionEnd("ended", "time-limit")
            now = rt.at + _EPSILON
            current = self._current
            if current is not None and current.ends <= now:
                self._finish_current(interrupted=False)
            elif current is not None and self._preempted(current):
                self._finish_current(interrupted=True)
            acting = self._acting
            if acting is not None:  # the caller's words end before the agent starts again
                if acting.partial_at is not None and acting.partial_at <= now:
                    await self._partial(acting)
                    continue
                if acting.ends <= now:
                    await self._finish_step(acting)
                    continue
            ended = self._start_items()
            if ended is not None:
                return ended
            if acting is None and self._step is None:
                self._step = rt.caller.take_step()
                self._graced = False
            if acting is None and self._step is not None:
                self._ready_at = self._step_ready_at(self._step)
                if self._ready_at is None:
                    self._graced = False
                elif self._ready_at <= now:
                    if not (self._step.barge_in or self._graced or self._realistic):
                        self._graced = True  # let the app's messages in flight arrive first
                        if self._answered:  # it just answered: only what is already read
                            await asyncio.sleep(0)
                        else:
                            await rt.guard(self._wait_arrival(TURN_GRACE))
                        continue
                    ended = await self._start_step(self._step)
                    if ended is not None:
                        return ended
                    continue
            due = self._next_due()
            if due is not None:
                await self._pass(max(0.0, due - rt.at))
                continue
            if not await self._wait_for_app_or_caller():
                return SessionEnd("ended", "caller-hangup")

    def _preempted(self, current: _Performing) -> bool:
        item = current.item
        if isinstance(item, DigitsItem) or not item.preemptible:
            return False
        return any(isinstance(i, Utterance | AgentPlay) for i in self._items)

    def _next_due(self) -> float | None:
        times = []
        if self._current is not None:
            times.append(self._current.ends)
        if self._acting is not None:
            times.append(self._acting.ends)
            if self._acting.partial_at is not None:
                times.append(self._acting.partial_at)
        elif self._step is not None and self._ready_at is not None:
            times.append(self._ready_at)
        if not times:
            return None
        due = min(times)
        limit = self._limit_at()
        return due if limit is None else min(due, limit)

    async def _pass(self, seconds: float) -> None:
        """Let call time pass; an app message may cut it short when the agent could act on it
        at once (realistic timing and a silent agent, or a preemptible item)."""
        current = self._current
        wakeable = (self._realistic and current is None) or (
            current is not None and self._preempted_soon(current)
        )
        if wakeable:
            await self.rt.guard(self.rt.clock.wait(self._arrived, seconds))
        else:
            await self.rt.sleep(seconds)

    @staticmethod
    def _preempted_soon(current: _Performing) -> bool:
        item = current.item
        return not isinstance(item, DigitsItem) and item.preemptible

    async def _wait_for_app_or_caller(self) -> bool:
        """Nothing is timed: wait (real seconds) for the app or for new caller steps.
        ``False``: the caller gives up (idle timeout)."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        try:
            if self._step is not None:  # waiting for the agent's answer
                if self._reply_deadline is None:
                    self._reply_deadline = began + self.reply_timeout
                left = max(0.0, self._reply_deadline - began)
                fired = await self.rt.guard(self._wait_arrival(left))
                if not fired:
                    self._reply_done = True  # the caller goes on without an answer
                    self._reply_started_at = self._reply_started_at or self.rt.at
                return True
            # the script is played out and answered: the call is quiet (``settle`` returns)
            quiet = not (self._awaiting_reply and not self._reply_done)
            self.rt.caller.quiet(quiet)
            return await self.rt.guard(self._wait_idle(self.rt.caller.idle_timeout))
        finally:
            self.rt.caller.quiet(False)
            if self._realistic:
                self.rt.clock.count(loop.time() - began)

    async def _wait_arrival(self, timeout: float | None) -> bool:
        try:
            await asyncio.wait_for(self._arrived.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def _wait_idle(self, timeout: float | None) -> bool:
        caller = self.rt.caller
        if caller.closed:  # no more steps will come: only the app can end the silence
            return await self._wait_arrival(timeout)
        app = asyncio.ensure_future(self._arrived.wait())
        steps = asyncio.ensure_future(caller.wait_for_input(timeout))
        try:
            await asyncio.sleep(0)  # let the caller wait start before looking again
            if caller.steps_left or self._arrived.is_set():
                return True
            done, _ = await asyncio.wait(
                {app, steps}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if app in done or caller.steps_left:
                return True
            return steps in done and steps.result()
        finally:
            for task in (app, steps):
                task.cancel()
            await asyncio.gather(app, steps, return_exceptions=True)

    async def abandon(self) -> None:
        """The call ends or moves on from outside: record what the agent had said."""
        if self._current is not None:
            self._finish_current(interrupted=True)

    def duration(self) -> int:
        return whole_seconds(self.rt.at - self.started_at)
