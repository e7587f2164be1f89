"""What the simulated caller presses and says: answers ``<Gather>`` and ends ``<Record>``.

Two ways to feed a call (both may be mixed):

* pre-supplied: ``CallerInput(digits="1234#", speech=["yes"])``; keys sit in a DTMF buffer
  like on a real phone, each ``<Gather>`` takes what it needs (up to ``numDigits`` or
  ``finishOnKey``), speech utterances are taken one per speech ``<Gather>``. When nothing is
  left the ``<Gather>`` times out at once (simulated ``timeout`` seconds);
* step by step (``interactive=True``): a ``<Gather>`` with nothing buffered waits until
  :meth:`press` / :meth:`speak` add input, :meth:`silence` lets the current wait time out,
  :meth:`close` ends all input, or ``idle_timeout`` real seconds pass (``None``: no limit).

* realtime (``<Connect><Stream>``, ``<ConversationRelay>``, ``<Start><Stream>``): the
  session reads the caller's :mod:`.caller_script` steps (``script=`` or :meth:`add_steps`);
  while a realtime session is attached (:meth:`attach`), :meth:`press` and :meth:`speak`
  become steps of it (said or pressed at once) instead of filling the ``<Gather>`` buffers.

All methods must be called on the event loop running the call (from another thread use
``loop.call_soon_threadsafe``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .caller_script import CallerStep, parse_caller_script

__all__ = ["DTMF_KEYS", "CallerInput", "Speech"]

DTMF_KEYS = frozenset("0123456789*#")


@dataclass(frozen=True)
class Speech:
    """One utterance, as speech recognition would report it."""

    text: str
    confidence: float = 0.9


class CallerInput:
    """The caller's keys and words for one call."""

    def __init__(
        self,
        digits: str = "",
        speech: str | Iterable[str | Speech] | None = None,
        *,
        interactive: bool = False,
        idle_timeout: float | None = 30.0,
        recording_seconds: float | None = None,
        script: Iterable[CallerStep | Mapping[str, Any]] = (),
    ) -> None:
        self._keys: deque[str] = deque()
        self._steps: deque[CallerStep] = deque(parse_caller_script(script))
        self._realtime = 0
        self._speech: deque[Speech] = deque()
        self._silences = 0
        self._closed = False
        self._changed: asyncio.Event | None = None
        self.interactive = interactive
        self.idle_timeout = idle_timeout
        self.recording_seconds = recording_seconds
        """Speech length of each ``<Record>`` (``None``: the timing default)."""
        if digits:
            self.press(digits)
        if isinstance(speech, str):
            speech = [speech]
        for item in speech or ():
            if isinstance(item, Speech):
                self._speech.append(item)
            else:
                self.speak(item)

    # -- feeding ---------------------------------------------------------------------------

    def press(self, digits: str) -> None:
        """Press keys (``0-9``, ``*``, ``#``; ``w``/``W`` pauses are ignored)."""
        keys = [key for key in digits if key not in "wW"]
        bad = sorted(set(keys) - DTMF_KEYS)
        if bad:
            raise ValueError(f"not DTMF keys: {''.join(bad)!r} (allowed: 0-9 * #)")
        if self._realtime:
            self.add_steps([CallerStep.press(digits, after=0.0, barge_in=True)])
            return
        self._keys.extend(keys)
        self._wake()

    def speak(self, text: str, confidence: float = 0.9) -> None:
        """Say something (one utterance)."""
        if not 0.0 <= confidence <= 1.0:
            raise ValueError("confidence must be between 0.0 and 1.0")
        if self._realtime:
            step = CallerStep.say(text, after=0.0, barge_in=True, confidence=confidence)
            self.add_steps([step])
            return
        self._speech.append(Speech(text, confidence))
        self._wake()

    def add_steps(self, steps: Iterable[CallerStep | Mapping[str, Any]]) -> None:
        """Append realtime steps (validated first: nothing is added if one is wrong)."""
        self._steps.extend(parse_caller_script(steps))
        self._wake()

    def silence(self) -> None:
        """Stay silent: the next wait for input (once buffered keys are used) times out."""
        self._silences += 1
        self._wake()

    def close(self) -> None:
        """No more input will come: waits end and later reads never wait."""
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()

    # -- realtime sessions -------------------------------------------------------------------

    def attach(self) -> None:
        """A realtime session starts reading the caller (nestable: forks and a connect)."""
        self._realtime += 1

    def detach(self) -> None:
        self._realtime = max(0, self._realtime - 1)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def steps_left(self) -> int:
        return len(self._steps)

    def quiet(self, quiet: bool) -> None:
        """A realtime session says whether the call is quiet: the script done, the agent
        silent, only waiting for steps to be added (a live call then lets ``settle`` return)."""

    def push_back(self, step: CallerStep) -> None:
        """Put a step taken too early back at the front."""
        self._steps.appendleft(step)

    def take_step(self) -> CallerStep | None:
        """Without waiting: the next realtime step, if any (consumed)."""
        return self._steps.popleft() if self._steps else None

    async def wait_for_input(self, timeout: float | None) -> bool:
        """Wait (real seconds) until something is added; ``False`` on timeout or if the
        input is closed."""
        if self._closed:
            return False
        if self._changed is None:
            self._changed = asyncio.Event()
        self._changed.clear()
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    # -- reading (by the interpreter) ------------------------------------------------------

    @property
    def pending_digits(self) -> str:
        return "".join(self._keys)

    def take_key_in(self, keys: str) -> str | None:
        """Without waiting: the next buffered key if it is one of ``keys`` (consumed)."""
        if self._keys and self._keys[0] in keys:
            return self._keys.popleft()
        return None

    async def next_input(self, *, dtmf: bool, speech: bool) -> str | Speech | None:
        """The next key (``str``) or utterance; ``None`` means the caller stayed silent."""
        while True:
            if dtmf and self._keys:
                return self._keys.popleft()
            if speech and self._speech:
                return self._speech.popleft()
            if self._silences:
                self._silences -= 1
                return None
            if not self.interactive or self._closed:
                return None
            if self._changed is None:
                self._changed = asyncio.Event()
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), self.idle_timeout)
            except asyncio.TimeoutError:
                return None
