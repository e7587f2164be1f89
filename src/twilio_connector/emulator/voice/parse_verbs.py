"""Validated :class:`~.model.Element` trees -> typed verbs, applying TWILIO.md 13.2 defaults.

Problems here are warnings (appended to ``issues``), never fatal: an unknown attribute is
ignored, a bad value falls back to the default, a verb missing what it needs is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..._wire import format_address, parse_address
from .model import (
    DEFAULT_METHOD,
    Dial,
    DialTarget,
    Element,
    Enqueue,
    Gather,
    Hangup,
    Leave,
    Pause,
    Play,
    Prompt,
    Record,
    Redirect,
    Reject,
    Say,
    SendMessage,
    TwimlIssue,
    Unsupported,
    Verb,
)
from .parse_realtime import build_connect, build_stream_control

__all__ = ["build_verb"]

_SCHEMA = 12200
_DIAL_INVALID_TIMEOUT = 13212
_DTMF_KEYS = frozenset("0123456789*#")
_RECORD_MODES = frozenset(
    {
        "do-not-record",
        "record-from-answer",
        "record-from-ringing",
        "record-from-answer-dual",
        "record-from-ringing-dual",
    }
)
_RECORDING_EVENTS = frozenset({"in-progress", "completed", "absent"})
_CALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})

# Documented attributes the emulator accepts without simulating (no "unknown attribute" warning).
_ACCEPTED: dict[str, frozenset[str]] = {
    "Gather": frozenset(
        {
            "maxSpeechTime",
            "hints",
            "profanityFilter",
            "partialResultCallback",
            "partialResultCallbackMethod",
            "speechModel",
            "enhanced",
            "bargeIn",
            "debug",
        }
    ),
    "Record": frozenset({"recordingChannels", "recordingTrack", "storageUrl", "storageUrlMethod"}),
    "Dial": frozenset(
        {"recordingTrack", "ringTone", "referUrl", "referMethod", "events", "callReason"}
    ),
    "Enqueue": frozenset(),
}


class _Attrs:
    """Reads one element's attributes, collecting warnings; remembers what it read."""

    def __init__(self, element: Element, issues: list[TwimlIssue]) -> None:
        self._element = element
        self._issues = issues
        self._read: set[str] = set()

    def bad(self, name: str, value: str, default: object, code: int = _SCHEMA) -> None:
        self._issues.append(
            TwimlIssue(
                code,
                f"<{self._element.name}> {name}={value!r} is invalid; using {default!r}",
            )
        )

    def get(self, name: str) -> str | None:
        self._read.add(name)
        return self._element.attrs.get(name)

    def string(self, name: str, default: str) -> str:
        value = self.get(name)
        return default if value is None else value

    def integer(
        self,
        name: str,
        default: int,
        *,
        minimum: int = 0,
        maximum: int | None = None,
        code: int = _SCHEMA,
    ) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            value = minimum - 1
        if value < minimum or (maximum is not None and value > maximum):
            self.bad(name, raw, default, code)
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.get(name)
        if raw is None:
            return default
        lowered = raw.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        self.bad(name, raw, default)
        return default

    def method(self, name: str = "method") -> str:
        raw = self.get(name)
        if raw is None:
            return DEFAULT_METHOD
        upper = raw.strip().upper()
        if upper in ("GET", "POST"):
            return upper
        self.bad(name, raw, DEFAULT_METHOD)
        return DEFAULT_METHOD

    def choice(self, name: str, default: str, allowed: Iterable[str]) -> str:
        raw = self.get(name)
        if raw is None:
            return default
        if raw in allowed:
            return raw
        self.bad(name, raw, default)
        return default

    def word_set(
        self, name: str, default: frozenset[str], allowed: frozenset[str]
    ) -> frozenset[str]:
        raw = self.get(name)
        if raw is None:
            return default
        words = frozenset(raw.replace(",", " ").split())
        if words and words <= allowed:
            return words
        self.bad(name, raw, " ".join(sorted(default)))
        return default

    def finish(self, extra: frozenset[str] = frozenset()) -> None:
        """Warn about attributes nobody read (unknown to Twilio's schema for this verb)."""
        for name in self._element.attrs:
            if name not in self._read and name not in extra:
                self._issues.append(
                    TwimlIssue(_SCHEMA, f"unknown attribute {name!r} on <{self._element.name}>")
                )


def _say(el: Element, a: _Attrs) -> Say:
    return Say(
        el.full_text.strip(),
        voice=a.string("voice", "man"),
        language=a.string("language", "en-US"),
        loop=a.integer("loop", 1),
    )


def _play(el: Element, a: _Attrs) -> Play | None:
    digits = a.get("digits")
    if digits is not None and (not digits or set(digits) - _DTMF_KEYS - set("ABCDwW")):
        a.bad("digits", digits, None)
        digits = None
    play = Play(el.text, loop=a.integer("loop", 1), digits=digits)
    return play if play.url or play.digits else None


def _pause(el: Element, a: _Attrs) -> Pause:
    return Pause(a.integer("length", 1))


def _gather(el: Element, a: _Attrs, issues: list[TwimlIssue]) -> Gather:
    prompts: list[Prompt] = []
    for child in el.children:
        prompt = build_verb(child, issues)
        if isinstance(prompt, (Say, Play, Pause)):
            prompts.append(prompt)
    finish = a.get("finishOnKey")
    if finish is None:
        finish = "#"
    elif len(finish) > 1 or (finish and finish not in _DTMF_KEYS):
        a.bad("finishOnKey", finish, "#")
        finish = "#"
    num_digits = a.integer("numDigits", 0, minimum=1)
    return Gather(
        tuple(prompts),
        input=a.word_set("input", frozenset({"dtmf"}), frozenset({"dtmf", "speech"})),
        action=a.get("action"),
        method=a.method(),
        timeout=a.integer("timeout", 5),
        num_digits=num_digits or None,
        finish_on_key=finish,
        speech_timeout=a.get("speechTimeout"),
        language=a.string("language", "en-US"),
        action_on_empty_result=a.boolean("actionOnEmptyResult", False),
    )


def _record(el: Element, a: _Attrs) -> Record:
    finish = a.get("finishOnKey")
    if finish is None:
        finish = Record.finish_on_key
    elif set(finish) - _DTMF_KEYS:
        a.bad("finishOnKey", finish, Record.finish_on_key)
        finish = Record.finish_on_key
    return Record(
        action=a.get("action"),
        method=a.method(),
        timeout=a.integer("timeout", 5),
        finish_on_key=finish,
        max_length=a.integer("maxLength", 3600, minimum=1),
        play_beep=a.boolean("playBeep", True),
        trim=a.choice("trim", "trim-silence", ("trim-silence", "do-not-trim")),
        recording_status_callback=a.get("recordingStatusCallback"),
        recording_status_callback_method=a.method("recordingStatusCallbackMethod"),
        recording_status_callback_event=a.word_set(
            "recordingStatusCallbackEvent", frozenset({"completed"}), _RECORDING_EVENTS
        ),
        transcribe=a.boolean("transcribe", False),
        transcribe_callback=a.get("transcribeCallback"),
    )


def _child_text(el: Element, name: str) -> str:
    for child in el.children:
        if child.name == name:
            return child.text
    return ""


def _dial_target(noun: Element, issues: list[TwimlIssue]) -> DialTarget | None:
    a = _Attrs(noun, issues)
    kind = noun.name.lower()
    address = noun.text
    if noun.name == "Client":
        identity = noun.text or _child_text(noun, "Identity")
        if identity and parse_address(identity).channel != "client":
            identity = format_address("client", identity)
        address = identity
    elif noun.name == "Sip":
        address = noun.text or _child_text(noun, "Uri")
    elif noun.name == "Sim":
        address = format_address("sim", noun.text) if noun.text else ""
    elif noun.name == "Application":
        sid = _child_text(noun, "ApplicationSid") or noun.text
        address = f"app:{sid}" if sid else ""
    if not address:
        issues.append(
            TwimlIssue(_SCHEMA, f"<{noun.name}> inside <Dial> has no destination; skipped")
        )
        return None
    return DialTarget(
        kind,
        address,
        url=a.get("url"),
        method=a.method(),
        status_callback=a.get("statusCallback"),
        status_callback_method=a.method("statusCallbackMethod"),
        status_callback_event=a.word_set(
            "statusCallbackEvent", frozenset({"completed"}), _CALL_EVENTS
        ),
        send_digits=a.get("sendDigits"),
        element=noun,
    )


def _dial(el: Element, a: _Attrs, issues: list[TwimlIssue]) -> Dial | None:
    targets = [DialTarget("number", el.text, element=None)] if el.text else []
    for noun in el.children:
        target = _dial_target(noun, issues)
        if target is not None:
            targets.append(target)
    dial = Dial(
        tuple(targets),
        action=a.get("action"),
        method=a.method(),
        timeout=a.integer("timeout", 30, minimum=5, maximum=600, code=_DIAL_INVALID_TIMEOUT),
        caller_id=a.get("callerId"),
        record=a.choice("record", "do-not-record", _RECORD_MODES),
        trim=a.choice("trim", "do-not-trim", ("trim-silence", "do-not-trim")),
        time_limit=a.integer("timeLimit", 14400, minimum=1),
        hangup_on_star=a.boolean("hangupOnStar", False),
        answer_on_bridge=a.boolean("answerOnBridge", False),
        sequential=a.boolean("sequential", False),
        recording_status_callback=a.get("recordingStatusCallback"),
        recording_status_callback_method=a.method("recordingStatusCallbackMethod"),
        recording_status_callback_event=a.word_set(
            "recordingStatusCallbackEvent", frozenset({"completed"}), _RECORDING_EVENTS
        ),
    )
    return dial if dial.targets else None


def _redirect(el: Element, a: _Attrs) -> Redirect | None:
    return Redirect(el.text, a.method()) if el.text else None


def _enqueue(el: Element, a: _Attrs) -> Enqueue | None:
    name = el.text or _child_text(el, "Task")
    enqueue = Enqueue(
        name,
        action=a.get("action"),
        method=a.method(),
        wait_url=a.get("waitUrl"),
        wait_url_method=a.method("waitUrlMethod"),
        max_queue_size=a.integer("maxQueueSize", 100, minimum=1),
        workflow_sid=a.get("workflowSid"),
    )
    return enqueue if name else None


def _send_message(el: Element, a: _Attrs) -> SendMessage | None:
    message = SendMessage(
        el.name,
        el.text,
        to=a.get("to"),
        from_=a.get("from"),
        action=a.get("action"),
        method=a.method(),
        status_callback=a.get("statusCallback"),
    )
    return message if message.body else None


_Builder = Callable[[Element, _Attrs], "Verb | None"]
_SIMPLE: dict[str, _Builder] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Record": _record,
    "Redirect": _redirect,
    "Hangup": lambda el, a: Hangup(),
    "Reject": lambda el, a: Reject(a.choice("reason", "rejected", ("rejected", "busy"))),
    "Enqueue": _enqueue,
    "Leave": lambda el, a: Leave(),
    "Sms": _send_message,
    "Message": _send_message,
}


def build_verb(element: Element, issues: list[TwimlIssue]) -> Verb | None:
    """The typed verb for ``element`` (a child of ``<Response>`` or ``<Gather>``), or ``None``
    (with a warning in ``issues``) when the verb lacks what it needs to run."""
    attrs = _Attrs(element, issues)
    name = element.name
    verb: Verb | None
    if name == "Gather":
        verb = _gather(element, attrs, issues)
    elif name == "Dial":
        verb = _dial(element, attrs, issues)
    elif name in _SIMPLE:
        verb = _SIMPLE[name](element, attrs)
    elif name == "Connect":
        verb = build_connect(element, attrs.get("action"), attrs.method(), issues)
    elif name in ("Start", "Stop"):
        return build_stream_control(element, issues)
    else:
        return Unsupported(element)
    attrs.finish(_ACCEPTED.get(name, frozenset()))
    if verb is None:
        issues.append(TwimlIssue(_SCHEMA, f"<{name}> is missing its content; skipped"))
    return verb
