"""The timing profile: how long each simulated step lasts, and how fast simulated time runs.

Every duration in the emulator is in *simulated seconds*: a message takes ``message_send``
to be sent, a call rings ``call_ring``, a ``<Say>`` of 30 characters lasts 2 s. ``scale``
maps them to real time (real seconds per simulated second):

* ``Timing.fast()`` (the default): ``scale=0.001``, a 5 s ``<Pause>`` runs in 5 ms;
* ``Timing.realistic()``: ``scale=1.0``, real pacing;
* ``Timing.manual()``: ``scale=None``, nothing moves until ``advance``/``settle``.

One profile serves messages, call lifecycles and the voice interpreter (verb lengths);
override any delay with ``Timing(call_ring=10.0)`` or ``dataclasses.replace``. How
simulated seconds become timestamps is explained in :mod:`.scheduler`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

__all__ = ["Timing"]


@dataclass(frozen=True)
class Timing:
    """Delays of each lifecycle step and verb, in simulated seconds, and the time scale."""

    scale: float | None = 0.001
    """Real seconds per simulated second; ``None`` = manual (only ``advance``/``settle``)."""
    # -- messages ------------------------------------------------------------------------
    message_queue: float = 0.5
    message_send: float = 0.5
    message_deliver: float = 2.0
    message_read: float = 3.0
    schedule_min_ahead: float = 300.0
    """A scheduled message's ``SendAt`` must be more than this after the request (35114)."""
    schedule_max_ahead: float = 35 * 86400.0
    """... and at most this (35 days; TWILIO.md §18)."""
    # -- calls, before they are answered --------------------------------------------------
    call_queue: float = 0.5
    """``queued`` -> ``initiated``."""
    call_connect: float = 1.0
    """``initiated`` -> ``ringing``."""
    call_fail: float = 0.5
    """``initiated`` -> ``failed`` (a ``failed`` rule)."""
    call_ring: float = 3.0
    """Ringing before the callee answers (a rule's ``ring`` param overrides it)."""
    call_busy: float = 1.0
    """Ringing before a ``busy`` rule ends the call."""
    # -- during a call: how long the voice verbs last --------------------------------------
    say_chars_per_second: float = 15.0
    """Text-to-speech rate (~150 words a minute)."""
    minimum_say: float = 0.5
    play: float = 5.0
    """Length assumed for any audio file."""
    dtmf_tone: float = 0.2
    beep: float = 0.5
    key_press: float = 0.3
    """Time the caller takes per key of ``<Gather>`` input."""
    speech_per_word: float = 0.4
    recording: float = 3.0
    """Speech length assumed for ``<Record>`` when the caller input gives none."""
    dial_ring: float = 2.0
    """Ring time before a ``<Dial>`` leg answers."""
    dial_talk: float = 5.0
    """Talk time of a bridged ``<Dial>`` leg or dequeued caller."""
    hold_chunk: float = 30.0
    """Hold music between queue checks when ``<Enqueue>`` has no ``waitUrl``."""
    loop_cap: int = 1000
    """``loop="0"`` (repeat until hang-up) plays this many times."""

    def __post_init__(self) -> None:
        if self.scale is not None and not (math.isfinite(self.scale) and self.scale >= 0):
            raise ValueError(f"scale must be a finite number >= 0 or None, got {self.scale!r}")

    # -- presets -------------------------------------------------------------------------

    @classmethod
    def fast(cls) -> Timing:
        return cls()

    @classmethod
    def realistic(cls) -> Timing:
        return cls(scale=1.0)

    @classmethod
    def manual(cls) -> Timing:
        return cls(scale=None)

    @classmethod
    def of(cls, value: Timing | str | None) -> Timing:
        """Accept a Timing, or one of the names ``"fast"``, ``"realistic"``, ``"manual"``."""
        if value is None:
            return cls.fast()
        if isinstance(value, Timing):
            return value
        presets = {"fast": cls.fast, "realistic": cls.realistic, "manual": cls.manual}
        try:
            return presets[value]()
        except KeyError:
            raise ValueError(f"timing must be one of {sorted(presets)}, got {value!r}") from None

    def with_scale(self, scale: float | None) -> Timing:
        return replace(self, scale=scale)

    # -- verb lengths ----------------------------------------------------------------------

    def say(self, text: str, loop: int) -> float:
        once = max(self.minimum_say, len(text) / self.say_chars_per_second)
        return once * self.loops(loop)

    def play_audio(self, loop: int) -> float:
        return self.play * self.loops(loop)

    def dtmf(self, digits: str) -> float:
        total = 0.0
        for key in digits:
            total += 0.5 if key == "w" else 1.0 if key == "W" else self.dtmf_tone
        return total

    def speech(self, text: str) -> float:
        return max(1, len(text.split())) * self.speech_per_word

    def loops(self, loop: int) -> int:
        return self.loop_cap if loop <= 0 else loop
