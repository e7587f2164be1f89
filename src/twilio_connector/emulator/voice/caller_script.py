"""The caller's side of a realtime call (Media Streams, ConversationRelay): a script of steps.

A step is something the caller does, in order: say words, press keys, play a WAV file into
the call, stay silent, hang up. Each waits ``after`` seconds of call time first and, unless
``barge_in``, until the agent has stopped talking (and, after the caller spoke, or on a Media
Stream also pressed keys, until it has answered or the reply timeout passed): that is
turn-taking. A ``barge_in`` step talks over the agent
(on ConversationRelay an ``interrupt``): it waits for the agent to start answering, then
``after`` seconds into the answer. Given as Python objects or as JSON-like mappings::

    [{"say": "I need help with my order"}, {"press": "42#", "after": 1},
     {"say": "stop", "barge_in": true, "after": 0.3}, {"pause": 2}, {"hangup": true}]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "ACTIONS",
    "DEFAULT_GAP",
    "MAX_SCRIPT_STEPS",
    "CallerStep",
    "parse_caller_script",
]

Action = Literal["say", "press", "play", "pause", "hangup"]
ACTIONS: tuple[Action, ...] = ("say", "press", "play", "pause", "hangup")
DEFAULT_GAP = 0.5
"""Seconds of silence before a step, unless it says otherwise."""
MAX_SCRIPT_STEPS = 1000
_MAX_TEXT = 2000
_KEYS = frozenset("0123456789*#ABCDabcdwW")
_OPTIONS = frozenset({"after", "barge_in", "confidence", "language"})


@dataclass(frozen=True)
class CallerStep:
    """One thing the caller does (see the module docstring)."""

    action: Action
    value: str = ""
    """``say``: the words; ``press``: the keys (``w`` = 0.5 s pause); ``play``: a WAV path."""
    seconds: float = 0.0
    """``pause``: how long the caller stays silent."""
    after: float = DEFAULT_GAP
    barge_in: bool = False
    confidence: float = 0.9
    """``say``: the speech recognition confidence reported."""
    language: str | None = None
    """``say``: the language spoken (``None``: the session's)."""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown caller action {self.action!r} (one of {', '.join(ACTIONS)})")
        for name, number in (("after", self.after), ("seconds", self.seconds)):
            if not (math.isfinite(number) and 0 <= number <= 3600):
                raise ValueError(f"{name} must be 0 to 3600 seconds, got {number!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be between 0.0 and 1.0")
        if len(self.value) > _MAX_TEXT:
            raise ValueError(f"a caller step's value is limited to {_MAX_TEXT} characters")
        if self.action == "say" and not self.value.strip():
            raise ValueError("say needs words")
        if self.action == "press":
            bad = sorted(set(self.value) - _KEYS)
            if not self.value or bad:
                raise ValueError(f"press needs DTMF keys (0-9 * # A-D, w W), got {self.value!r}")
        if self.action == "play" and not self.value:
            raise ValueError("play needs the path of a WAV file")

    @classmethod
    def say(cls, text: str, *, after: float = DEFAULT_GAP, barge_in: bool = False,
            confidence: float = 0.9, language: str | None = None) -> CallerStep:  # fmt: skip
        return cls("say", text, after=after, barge_in=barge_in, confidence=confidence,
                   language=language)  # fmt: skip

    @classmethod
    def press(
        cls, digits: str, *, after: float = DEFAULT_GAP, barge_in: bool = False
    ) -> CallerStep:
        return cls("press", digits, after=after, barge_in=barge_in)

    @classmethod
    def play(cls, path: str, *, after: float = DEFAULT_GAP, barge_in: bool = False) -> CallerStep:
        return cls("play", path, after=after, barge_in=barge_in)

    @classmethod
    def pause(cls, seconds: float) -> CallerStep:
        return cls("pause", seconds=seconds, after=0.0, barge_in=True)

    @classmethod
    def hangup(cls, *, after: float = DEFAULT_GAP, barge_in: bool = False) -> CallerStep:
        return cls("hangup", after=after, barge_in=barge_in)

    def to_builtins(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.action: self.seconds if self.action == "pause" else
                               (self.value or True)}  # fmt: skip
        out["after"] = self.after
        if self.barge_in:
            out["barge_in"] = True
        return out


def _step(item: Mapping[str, Any]) -> CallerStep:
    actions = [key for key in item if key in ACTIONS]
    unknown = sorted(set(item) - set(ACTIONS) - _OPTIONS)
    if len(actions) != 1 or unknown:
        raise ValueError(
            f"a caller step has exactly one of {', '.join(ACTIONS)} (plus after, barge_in, "
            f"confidence, language); got keys {sorted(item)}"
        )
    action: Action = actions[0]
    value = item[action]
    options: dict[str, Any] = {}
    for key, kind in (("after", float), ("confidence", float)):
        if key in item:
            try:
                options[key] = kind(item[key])
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number, got {item[key]!r}") from None
    if "barge_in" in item:
        if not isinstance(item["barge_in"], bool):
            raise ValueError("barge_in must be true or false")
        options["barge_in"] = item["barge_in"]
    if "language" in item:
        options["language"] = str(item["language"])
    if action == "pause":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"pause must be seconds, got {value!r}") from None
        options.setdefault("after", 0.0)
        options.setdefault("barge_in", True)
        return CallerStep("pause", seconds=seconds, **options)
    if action == "hangup":
        if value is not True:
            raise ValueError("hangup must be true")
        return CallerStep("hangup", **options)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"{action} must be text, got {value!r}")
    return CallerStep(action, str(value), **options)


def parse_caller_script(items: Iterable[CallerStep | Mapping[str, Any]]) -> tuple[CallerStep, ...]:
    """Steps from objects or mappings; ``ValueError`` naming the step that is wrong."""
    steps: list[CallerStep] = []
    for index, item in enumerate(items):
        if len(steps) >= MAX_SCRIPT_STEPS:
            raise ValueError(f"a caller script has at most {MAX_SCRIPT_STEPS} steps")
        if isinstance(item, CallerStep):
            steps.append(item)
            continue
        if not isinstance(item, Mapping):
            raise ValueError(f"caller step {index + 1}: expected an object, got {item!r}")
        try:
            steps.append(_step(item))
        except ValueError as exc:
            raise ValueError(f"caller step {index + 1}: {exc}") from None
    return tuple(steps)
