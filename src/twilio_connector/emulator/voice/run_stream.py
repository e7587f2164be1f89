"""Media Streams: ``<Connect><Stream>`` (bidirectional) and ``<Start>``/``<Stop><Stream>``.

A stream is a loop of 20 ms *ticks* (TWILIO.md §22): each sends one frame of the caller's
audio (``media``, inbound track) and plays one frame of what the app sent (queued ``media``,
then its ``mark`` echoes). The caller's audio comes from the call's
:mod:`.caller_script` steps (speech synthesised by the environment, keys as ``dtmf``
messages, WAV files), silence between them. The app's audio, as the caller heard it, is
kept as a Recording at the end (its first 10 minutes: :data:`MAX_RECORDED`).

Pacing (:attr:`InterpreterOptions.stream_pacing`): ``realtime`` sends tick *n* at
``t0 + n * 20 ms`` (absolute deadlines: no drift); ``fast`` runs ticks back to back while
there is something to exchange (caller steps left, app audio queued), and in real time
otherwise, since frames always flow on a real call; also in real time while the caller waits
for the agent's answer and for a second after a barge-in (the agent's reactions take real
time). The default is ``realtime`` in
realistic timing and ``fast`` otherwise. The stream's time is added to the call's clock.

``<Start><Stream>`` forks are one-way: the same loop, reading no caller steps (the
``<Connect>`` or relay owns the caller) and ignoring the app's messages (31951), for the rest
of the call or until ``<Stop><Stream name>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

import msgspec

from ...callbacks.streams import StreamStatusEvent
from ...enums import StreamStatus
from ...realtime import audio, tones
from ...realtime import media_streams as ms
from ...realtime.errors import InvalidMessageError
from .caller_script import CallerStep
from .environment import RealtimeSocket, RecordingRequest, SocketClosed, SocketError
from .lifecycle import CallbackRequest
from .model import Connect, Stream, StreamControl
from .params import whole_seconds
from .run_context import CallRuntime, DocumentRequest, End, Flow, Goto, Interrupted
from .transcript import (
    AgentAudio,
    AgentRecording,
    CallerPlayed,
    CallerPressed,
    CallerSaid,
    HungUp,
    MarkReturned,
    StreamEnded,
    StreamStarted,
)

__all__ = [
    "REPLY_TIMEOUT",
    "Fork",
    "StreamRefused",
    "find_fork",
    "run_connect_stream",
    "run_stream_control",
    "start_fork",
    "stop_fork",
]

TICK = audio.FRAME_MS / 1000
REPLY_TIMEOUT = 5.0
"""Stream seconds a caller waits for the agent's answer before its next step."""
GRACE_TICKS = 2
"""Fast pacing: before the caller takes a turn, this many ticks (40 ms) go in real time, so
that what the app sent meanwhile (an answer's last audio, its mark) is read first."""
QUIET_SECONDS = 1.0
"""Seconds of silence on both sides after the script before the call counts as quiet
(``settle`` returns; the stream goes on until either side ends it)."""
REACTION_TICKS = 50
"""Fast pacing: after a barge-in, this many ticks (1 s) go in real time, so that the agent's
reaction (``clear``) lands where it would on a real call."""
MAX_QUEUED = 600 * audio.SAMPLE_RATE
"""Agent audio buffered beyond 10 minutes is discarded (31931)."""
MAX_RECORDED = 600 * audio.SAMPLE_RATE
"""The agent's recording keeps the first 10 minutes of the stream (8 kHz μ-law bytes)."""
MAX_FORKS = 4
"""One-way streams a call runs at once (more: 31960)."""
KEPT_FORKS = 32
"""Stopped streams a live call remembers (a REST stop of one answers ``stopped``); older
ones are forgotten (404)."""
_KEY_MS, _KEY_GAP_MS = 100, 50
_ANSWERED = ("say", "play", "press")
"""Steps the caller expects the agent to answer before the next turn."""
_TRACKS: dict[str, list[ms.Track]] = {
    "inbound_track": ["inbound"],
    "outbound_track": ["outbound"],
    "both_tracks": ["inbound", "outbound"],
}


def _wake(waker: asyncio.Future[None]) -> None:
    if not waker.done():
        waker.set_result(None)


def _key_audio(key: str) -> bytes:
    """The caller's line while a key is pressed: its tone, then a gap (``w``/``W``: a pause)."""
    if key in "wW":
        return audio.silence(500 if key == "w" else 1000)
    return tones.dtmf_tone(key, _KEY_MS) + audio.silence(_KEY_GAP_MS)


@dataclass(eq=False)
class _Agent:
    """What the app sent to play: audio chunks and marks, in order."""

    queue: deque[bytes | str] = field(default_factory=deque)
    """``bytes``: audio; ``str``: a mark's name."""
    queued: int = 0
    sent_audio: bool = False
    overflowed: bool = False
    clear: bool = False
    closed: SocketClosed | None = None


class StreamRun:
    """One stream's socket and loop (see the module docstring)."""

    def __init__(self, rt: CallRuntime, stream: Stream, *, bidirectional: bool) -> None:
        self.rt = rt
        self.stream = stream
        self.bidirectional = bidirectional
        self.sid = "MZ" + secrets.token_hex(16)
        self.socket: RealtimeSocket | None = None
        self.agent = _Agent()
        self.sequence = 0
        self.tick = 0
        self.started_at = rt.at
        self.chunks = {"inbound": 0, "outbound": 0}
        self.media_sent = 0
        self.played = bytearray()
        self.agent_ms = 0
        self.stretch: tuple[int, int] | None = None  # (first tick, ticks) of agent audio
        self.stopped = asyncio.Event()
        self._waker: asyncio.Future[None] | None = None
        track = stream.track if not bidirectional else "inbound_track"
        self.tracks: list[ms.Track] = _TRACKS.get(track, ["inbound"])

    @property
    def at(self) -> float:
        return self.started_at + self.tick * TICK

    async def sleep_until(self, deadline: float) -> None:
        """Until ``deadline`` (loop time) or the app closing: one timer, no task per tick."""
        loop = asyncio.get_running_loop()
        waker = self._waker = loop.create_future()
        timer = loop.call_at(deadline, _wake, waker)
        try:
            await waker
        finally:
            timer.cancel()
            self._waker = None

    # -- the wire ------------------------------------------------------------------------

    async def _send(self, message: ms.TwilioMessage) -> None:
        assert self.socket is not None
        await self.socket.send(ms.encode(message))

    def _next(self) -> str:
        self.sequence += 1
        return str(self.sequence)

    async def _media(self, track: ms.Track, frame: bytes) -> None:
        self.chunks[track] += 1
        self.media_sent += 1
        chunk = ms.MediaChunk(
            track=track, chunk=str(self.chunks[track]), timestamp=str(self.tick * audio.FRAME_MS),
            payload=frame,
        )  # fmt: skip
        await self._send(ms.Media(sequence_number=self._next(), stream_sid=self.sid, media=chunk))

    async def _mark(self, name: str, cleared: bool) -> None:
        label = ms.MarkLabel(name=name)
        await self._send(ms.Mark(sequence_number=self._next(), stream_sid=self.sid, mark=label))
        self.rt.transcript.add(MarkReturned(at=self.at, stream_sid=self.sid, name=name,
                                            cleared=cleared))  # fmt: skip

    async def _callback(self, event: str, error: str | None = None) -> None:
        url = self.rt.resolve(self.stream.status_callback)
        if url is None:
            return
        info = self.rt.progress.info
        params = StreamStatusEvent(
            account_sid=info.account_sid, call_sid=info.call_sid, stream_sid=self.sid,
            stream_name=self.stream.name or self.sid, stream_event=event, stream_error=error,
            timestamp=self.rt.clock.now(),
        ).to_params()  # fmt: skip
        request = CallbackRequest(url, self.stream.status_callback_method, params, "stream-status")
        await self.rt.env.notify(request)

    # -- opening and closing ----------------------------------------------------------------

    async def open(self) -> bool:
        """Connect and send ``connected`` + ``start``; False (warning, callback) on failure."""
        rt, stream = self.rt, self.stream
        try:
            self.socket = await rt.guard(rt.env.open_socket(rt.progress, stream.url))
        except SocketError as exc:
            rt.problem(exc.code, f"<Stream> {exc.message}", stream.url, fatal=False)
            await self._callback("stream-error", exc.message)
            return False
        info = rt.progress.info
        meta = ms.StartMetadata(
            account_sid=info.account_sid, stream_sid=self.sid, call_sid=info.call_sid,
            tracks=list(self.tracks), custom_parameters=dict(stream.parameters),
            name=stream.name if stream.name else msgspec.UNSET,
        )  # fmt: skip
        try:
            await self._send(ms.Connected())
            await self._send(
                ms.Start(sequence_number=self._next(), stream_sid=self.sid, start=meta)
            )
        except SocketClosed:
            rt.problem(31921, "<Stream> the app closed the socket at once", stream.url, fatal=False)
            return False
        rt.transcript.add(
            StreamStarted(
                at=rt.at, stream_sid=self.sid, url=stream.url, name=stream.name,
                track=stream.track, bidirectional=self.bidirectional,
                parameters=dict(stream.parameters),
            )
        )  # fmt: skip
        await self._callback("stream-started")
        return True

    async def close(self, reason: str, error_code: int | None = None) -> None:
        """Send ``stop`` (unless the app closed), close, keep the agent's audio, report."""
        self._end_stretch(cleared=False)
        rt = self.rt
        if self.socket is not None:
            if self.agent.closed is None:
                info = rt.progress.info
                stop = ms.StopMetadata(account_sid=info.account_sid, call_sid=info.call_sid)
                with contextlib.suppress(SocketClosed):
                    await self._send(
                        ms.Stop(sequence_number=self._next(), stream_sid=self.sid, stop=stop)
                    )
            await self.socket.close()
        rt.transcript.add(
            StreamEnded(
                at=self.at, stream_sid=self.sid, reason=reason, error_code=error_code,
                media_sent=self.media_sent, agent_audio_ms=self.agent_ms,
            )
        )  # fmt: skip
        rt.clock.count(self.tick * TICK)
        await self._callback("stream-stopped")
        if self.agent.sent_audio:
            await self._keep_recording()

    async def _keep_recording(self) -> None:
        rt, info = self.rt, self.rt.progress.info
        duration = whole_seconds(len(self.played) / audio.SAMPLE_RATE)
        request = RecordingRequest(
            info.call_sid, duration, "StartCallRecordingAPI", rt.clock.now(),
            audio=bytes(self.played),
        )  # fmt: skip
        recording = await rt.env.create_recording(rt.progress, request)
        rt.transcript.add(
            AgentRecording(
                at=self.at, stream_sid=self.sid, recording_sid=recording.sid,
                recording_url=recording.url, duration=duration,
            )
        )  # fmt: skip

    # -- the app's messages -----------------------------------------------------------------

    async def receive(self) -> None:
        """Read the app's messages until it closes the socket."""
        assert self.socket is not None
        agent, rt = self.agent, self.rt
        while True:
            try:
                text = await self.socket.recv()
            except SocketClosed as closed:
                agent.closed = closed
                self.stopped.set()
                if self._waker is not None:
                    _wake(self._waker)
                return
            try:
                message = ms.decode_app_message(text)
            except InvalidMessageError as exc:
                rt.problem(exc.code, f"<Stream> {exc}", self.stream.url, fatal=False)
                continue
            if isinstance(message, ms.Unknown):
                rt.problem(31951, f"<Stream> unknown event {message.event[:40]!r}", None,
                           fatal=False)  # fmt: skip
                continue
            if not self.bidirectional:
                rt.problem(31951, "<Stream> a one-way stream takes no messages", None, fatal=False)
                continue
            if message.stream_sid != self.sid:
                rt.problem(31951, "<Stream> message for another streamSid", None, fatal=False)
                continue
            if isinstance(message, ms.SendMedia):
                payload = message.media.payload
                agent.sent_audio = True
                if agent.queued + len(payload) > MAX_QUEUED:
                    if not agent.overflowed:
                        agent.overflowed = True
                        rt.problem(31931, "<Stream> over 10 minutes of audio buffered: media "
                                   "discarded", None, fatal=False)  # fmt: skip
                    continue
                agent.queue.append(payload)
                agent.queued += len(payload)
            elif isinstance(message, ms.SendMark):
                agent.queue.append(message.mark.name)
            else:
                agent.clear = True

    # -- playing ------------------------------------------------------------------------------

    def _end_stretch(self, *, cleared: bool) -> None:
        if self.stretch is not None:
            first, ticks = self.stretch
            self.rt.transcript.add(
                AgentAudio(at=self.started_at + first * TICK, stream_sid=self.sid,
                           duration=round(ticks * TICK, 3), cleared=cleared)
            )  # fmt: skip
            self.stretch = None

    async def play_tick(self) -> bytes:
        """One frame of the app's audio (silence if none), marks whose audio has played."""
        agent = self.agent
        if agent.clear:
            agent.clear = False
            marks = [item for item in agent.queue if isinstance(item, str)]
            agent.queue.clear()
            agent.queued = 0
            self._end_stretch(cleared=True)
            for name in marks:
                await self._mark(name, cleared=True)
        frame = bytearray()
        while agent.queue and len(frame) < audio.BYTES_PER_FRAME:
            head = agent.queue[0]
            if isinstance(head, str):
                if frame:
                    break
                agent.queue.popleft()
                await self._mark(head, cleared=False)
                continue
            need = audio.BYTES_PER_FRAME - len(frame)
            frame += head[:need]
            agent.queued -= min(need, len(head))
            if len(head) > need:
                agent.queue[0] = head[need:]
            else:
                agent.queue.popleft()
        if frame:
            if self.stretch is None:
                self.stretch = (self.tick, 0)
            self.stretch = (self.stretch[0], self.stretch[1] + 1)
            self.agent_ms += audio.FRAME_MS
            frame += bytes([audio.SILENCE_BYTE]) * (audio.BYTES_PER_FRAME - len(frame))
        else:
            self._end_stretch(cleared=False)
            frame += audio.SILENCE_FRAME
        while agent.queue and isinstance(agent.queue[0], str):  # marks right after the audio
            await self._mark(str(agent.queue.popleft()), cleared=False)
        return bytes(frame)

    @property
    def agent_busy(self) -> bool:
        return bool(self.agent.queue)


class _Caller:
    """The caller's side of a bidirectional stream: script steps become frames and keys."""

    def __init__(self, run: StreamRun) -> None:
        self.run = run
        self.rt = run.rt
        self.pending: deque[bytes | str] = deque()  # frames, or a DTMF key to send
        self.last_tick = 0
        self.step: CallerStep | None = None
        self.step_tick = 0
        self.heard_since = True
        self.listening = False  # the next step waits for the agent to answer
        self.react_until = 0  # tick: real-time pacing until then (after a barge-in)
        self.grace_until: int | None = None  # tick: a turn waits in real time until then
        self.quiet_ticks = 0
        self.idle_since = asyncio.get_running_loop().time()

    @property
    def busy(self) -> bool:
        """Whether the caller has something to send: audio, or a step only waiting on time
        (not on the agent's answer, which takes real time to come)."""
        return bool(self.pending) or (self.rt.caller.steps_left > 0 and not self.listening)

    def quiet(self) -> bool:
        """Called once a tick: whether the script is played out and answered (or
        ``REPLY_TIMEOUT`` passed) and both sides have been silent for ``QUIET_SECONDS`` in a
        row (real time: such ticks are paced so): nothing happens until steps are added."""
        run = self.run
        if self.pending or self.rt.caller.steps_left or run.agent_busy:
            self.quiet_ticks = 0
            return False
        self.quiet_ticks += 1
        if self.step is not None and self.step.action in _ANSWERED and not self.heard_since:
            return (run.tick - self.last_tick) * TICK >= REPLY_TIMEOUT
        return self.quiet_ticks * TICK >= QUIET_SECONDS

    @property
    def reacting(self) -> bool:
        """Right after a barge-in: the agent gets real time to react (clear, stop talking)."""
        return self.run.tick < self.react_until

    def _ready(self, step: CallerStep) -> bool:
        run = self.run
        waited = (run.tick - self.last_tick) * TICK
        self.listening = False
        if step.barge_in and step.action in ("say", "press"):
            # over the agent's audio: ``after`` counts from when it started
            if run.stretch is None:
                self.listening = waited < REPLY_TIMEOUT
                return not self.listening
            return (run.tick - max(self.last_tick, run.stretch[0])) * TICK >= step.after
        if waited < step.after:
            return False
        if step.barge_in:
            return True
        spoke = self.step is not None and self.step.action in _ANSWERED
        replied = self.heard_since and not run.agent_busy
        if run.agent_busy or (spoke and not replied and waited < REPLY_TIMEOUT):
            self.listening, self.grace_until = True, None
            return False
        if _pacing(self.rt) == "fast":  # the app's messages in flight arrive first
            if self.grace_until is None:
                self.grace_until = run.tick + GRACE_TICKS
            if run.tick < self.grace_until:
                self.listening = True
                return False
        self.grace_until = None
        return True

    async def next_frame(self) -> bytes | None:
        """The caller's frame for this tick; ``None`` when the caller hangs up."""
        run, rt = self.run, self.rt
        if run.agent_busy:  # audio or a mark: the agent answered
            self.heard_since = True
        if not self.pending:
            if self.step is not None and self.step_tick >= 0:
                self.last_tick, self.step_tick = run.tick, -1
            upcoming = rt.caller.take_step() if rt.caller.steps_left else None
            if upcoming is not None:
                if not self._ready(upcoming):
                    rt.caller.push_back(upcoming)
                elif not await self._start(upcoming):
                    return None
        if self.pending:
            self.idle_since = asyncio.get_running_loop().time()
        while self.pending and isinstance(self.pending[0], str):
            key = str(self.pending.popleft())
            digit = ms.DtmfDigit(digit=key)
            await run._send(ms.Dtmf(sequence_number=run._next(), stream_sid=run.sid, dtmf=digit))
        if self.pending:
            frame = self.pending.popleft()
            assert isinstance(frame, bytes)
            return frame
        return audio.SILENCE_FRAME

    async def _start(self, step: CallerStep) -> bool:
        run, rt = self.run, self.rt
        self.step, self.step_tick, self.heard_since = step, run.tick, False
        if not run.agent_busy:  # the agent's audio so far is over: in the transcript first
            run._end_stretch(cleared=False)
        if step.barge_in:
            self.react_until = run.tick + REACTION_TICKS
        at = run.at
        if step.action == "hangup":
            rt.transcript.add(HungUp(at=at, by="caller"))
            return False
        if step.action == "say":
            sound = await rt.env.synthesize(step.value, step.language or "en-US")
            self.pending.extend(audio.split_frames(sound))
            seconds = round(len(sound) / audio.SAMPLE_RATE, 3)
            rt.transcript.add(CallerSaid(at=at, text=step.value, duration=seconds,
                                         barge_in=step.barge_in))  # fmt: skip
        elif step.action == "press":
            for key in step.value:
                if key not in "wW":
                    self.pending.append(key)
                self.pending.extend(audio.split_frames(_key_audio(key)))
            rt.transcript.add(CallerPressed(at=at, digits=step.value))
        elif step.action == "play":
            try:
                sound = await asyncio.to_thread(audio.wav_to_mulaw, step.value)
            except (OSError, audio.AudioFormatError) as exc:
                rt.problem(None, f"caller play {step.value!r}: {exc}", None, fatal=False)
                return True
            self.pending.extend(audio.split_frames(sound))
            seconds = round(len(sound) / audio.SAMPLE_RATE, 3)
            rt.transcript.add(CallerPlayed(at=at, path=step.value, duration=seconds))
        else:  # pause
            self.pending.extend(audio.split_frames(audio.silence(int(step.seconds * 1000))))
        return True


def _pacing(rt: CallRuntime) -> str:
    chosen = rt.options.stream_pacing
    if chosen is not None:
        return chosen
    return "realtime" if rt.timing.scale == 1.0 else "fast"


async def _loop(run: StreamRun, caller: _Caller | None) -> str:
    """Tick until the app closes, the caller hangs up or the call's time is up."""
    rt = run.rt
    loop = asyncio.get_running_loop()
    fast = _pacing(rt) == "fast"
    base = loop.time()
    limit = rt.options.time_limit - (rt.at - (rt.answered_at_elapsed or 0.0))
    while True:
        if run.stopped.is_set():
            return "app-closed" if run.agent.closed is not None else "stopped"
        if run.tick * TICK >= limit:
            return "time-limit"
        frame = audio.SILENCE_FRAME
        if caller is not None:
            got = await caller.next_frame()
            if got is None:
                return "caller-hangup"
            frame = got
            idle = rt.caller.idle_timeout
            if (
                idle is not None and not caller.busy and not run.agent_busy
                and loop.time() - caller.idle_since > idle
            ):  # fmt: skip
                rt.transcript.add(HungUp(at=run.at, by="caller"))
                return "caller-hangup"
        try:
            if "inbound" in run.tracks:
                await run._media("inbound", frame)
            played = await run.play_tick()
            if len(run.played) < MAX_RECORDED:
                run.played += played
            if "outbound" in run.tracks:
                await run._media("outbound", played)
        except SocketClosed as closed:
            run.agent.closed = closed
            return "app-closed"
        run.tick += 1
        busy = run.agent_busy or (caller is not None and caller.busy)
        if caller is not None:
            rt.caller.quiet(caller.quiet())
        if caller is not None and caller.reacting:
            busy = False
        if fast and busy:
            base = loop.time() - run.tick * TICK  # real-time pacing resumes from here
            await asyncio.sleep(0)
            continue
        deadline = base + run.tick * TICK
        if deadline > loop.time() and not run.stopped.is_set():
            await run.sleep_until(deadline)


async def run_connect_stream(rt: CallRuntime, verb: Connect, stream: Stream) -> Flow:
    """The call stays in the stream until the app closes it (then ``action`` or the next
    verb), the caller hangs up, or the call is ended from outside."""
    run = StreamRun(rt, stream, bidirectional=True)
    rt.caller.attach()
    try:
        if await run.open():
            reason = await _run(run, _Caller(run))
            if reason == "caller-hangup":
                return End("hangup")
            if reason == "time-limit":
                return End("time-limit")
    finally:
        rt.caller.quiet(False)
        rt.caller.detach()
    if verb.action is None:
        return None
    action = rt.resolve(verb.action) or verb.action
    return Goto(DocumentRequest(action, verb.method, purpose="action"))


async def _run(run: StreamRun, caller: _Caller | None) -> str:
    """The loop with the app's reader beside it; ``stop`` and cleanup however it ends."""
    rt = run.rt
    reader = asyncio.ensure_future(run.receive())
    reason = "call-ended"
    try:
        reason = await rt.guard(_loop(run, caller))
    except Interrupted:
        await run.close("call-ended")
        raise
    except asyncio.CancelledError:  # the emulator is resetting or stopping: just hang up
        if run.socket is not None:
            await run.socket.close()
        raise
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
    await run.close(reason)
    return reason


# -- forks ------------------------------------------------------------------------------------


class StreamRefused(Exception):
    """A one-way stream that cannot start on this call: ``code`` is Twilio's (31960: too
    many at once, 21220: the call ended), ``None`` for a name already in use."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(eq=False)
class Fork:
    """A one-way stream beside the call (``<Start><Stream>`` or REST), as REST shows it."""

    sid: str
    name: str | None
    updated: datetime
    status: StreamStatus = "in-progress"
    task: asyncio.Future[None] | None = None

    @property
    def running(self) -> bool:
        return self.status == "in-progress"


def find_fork(rt: CallRuntime, key: str) -> Fork | None:
    """The call's stream with SID or name ``key``: the running one of that name, else the
    last one that had it."""
    fork = rt.forks.get(key)
    if fork is not None:
        return fork
    named = [f for f in rt.forks.values() if f.name == key]
    running = [f for f in named if f.running]
    last = running or named
    return last[-1] if last else None


async def start_fork(rt: CallRuntime, stream: Stream) -> Fork:
    """Open a one-way stream (``connected`` and ``start`` are sent before this returns) and
    run it in the background; a stream that cannot connect comes back ``stopped`` (with its
    warning and ``stream-error`` callback). :class:`StreamRefused` before any connection."""
    running = [f for f in rt.forks.values() if f.running]
    if len(running) >= MAX_FORKS:
        raise StreamRefused(31960, f"more than {MAX_FORKS} streams on one call")
    if stream.name and any(f.name == stream.name for f in running):
        raise StreamRefused(None, "a stream of this call already has that name")
    run = StreamRun(rt, stream, bidirectional=False)
    fork = Fork(run.sid, stream.name, rt.clock.now())
    _keep(rt, fork)
    if await run.open():
        fork.task = asyncio.ensure_future(_run_fork(run, fork))
    else:
        _stopped(rt, fork)
    return fork


async def stop_fork(rt: CallRuntime, fork: Fork) -> None:
    """End a running stream (``stop`` to the app, its callback) and wait for it."""
    task = fork.task
    if task is None or task.done():
        return
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def _keep(rt: CallRuntime, fork: Fork) -> None:
    """Record ``fork``; stopped forks beyond :data:`KEPT_FORKS` are forgotten, oldest first."""
    rt.forks[fork.sid] = fork
    stopped = [sid for sid, f in rt.forks.items() if not f.running]
    for sid in stopped[: max(0, len(stopped) - KEPT_FORKS)]:
        del rt.forks[sid]


def _stopped(rt: CallRuntime, fork: Fork) -> None:
    if fork.running:
        fork.status = "stopped"
        fork.updated = rt.clock.now()


async def run_stream_control(rt: CallRuntime, verb: StreamControl) -> Flow:
    """``<Start>``: fork each stream in the background; ``<Stop>``: end the named ones."""
    for stream in verb.streams:
        if verb.verb == "Stop":
            fork = find_fork(rt, stream.name or "")
            if fork is None or not fork.running:
                rt.problem(None, f"<Stop><Stream name={stream.name!r}>: no such stream",
                           rt.document_url, fatal=False)  # fmt: skip
                continue
            await stop_fork(rt, fork)
            continue
        try:
            await start_fork(rt, stream)
        except StreamRefused as exc:
            rt.problem(exc.code, f"<Start><Stream name={stream.name!r}>: {exc.message}",
                       stream.url, fatal=False)  # fmt: skip
    return None


async def _run_fork(run: StreamRun, fork: Fork) -> None:
    reader = asyncio.ensure_future(run.receive())
    reason = "stopped"
    try:
        reason = await _loop(run, None)
    except asyncio.CancelledError:
        reason = "stopped"
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        _stopped(run.rt, fork)
    await run.close(reason)


async def stop_forks(rt: CallRuntime) -> None:
    """The call ended: every fork gets ``stop`` (called by the session when it finishes)."""
    await asyncio.gather(*(stop_fork(rt, f) for f in list(rt.forks.values()) if f.running))
