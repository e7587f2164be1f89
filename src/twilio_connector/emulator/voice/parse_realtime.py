"""``<Connect>``, ``<Start>`` and ``<Stop>``: their ``<Stream>`` and ``<ConversationRelay>``
nouns as typed values (TWILIO.md §22.1, §23.1), with Twilio's defaults.

Like :mod:`.parse_verbs`, a problem is a warning: an unknown attribute is reported, a bad
value falls back to its default, a noun without its ``url`` is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from ...enums import StreamTrack
from .model import (
    Connect,
    ConversationRelay,
    Element,
    RelayLanguage,
    Stream,
    StreamControl,
    TwimlIssue,
)

__all__ = ["build_connect", "build_stream_control"]

_SCHEMA = 12200
_TRACKS: tuple[str, ...] = get_args(StreamTrack)
_INPUT_KINDS = ("none", "dtmf", "speech", "any")
_LEGACY_INPUT = {"true": "any", "false": "none"}

# Documented attributes accepted without being simulated (no "unknown attribute" warning).
_STREAM_ACCEPTED = frozenset({"connectorName", "audioFormat", "sampleRate"})
_RELAY_ACCEPTED = frozenset(
    {
        "profanityFilter", "ignoreBackchannel", "deepgramSmartFormat", "asrSmartFormat",
        "turnDetection", "echoPromptFiltering", "applicationReconnect", "partialPromptOnHangup",
        "backgroundNoiseReduction", "speechTimeout", "eotThreshold", "eagerEotThreshold",
        "events", "debug", "elevenlabsTextNormalization", "ttsTextNormalization",
        "intelligenceService", "conversationConfiguration", "customerName", "includeInPrompt",
        "preemptible", "interruptSensitivity",
    }
)  # fmt: skip
_LANGUAGE_ATTRS = ("code", "ttsProvider", "voice", "transcriptionProvider", "speechModel")


class _Reader:
    """One element's attributes: reads them, warns about bad values and unknown names."""

    def __init__(self, element: Element, issues: list[TwimlIssue]) -> None:
        self.element = element
        self.issues = issues
        self.read: set[str] = set()

    def warn(self, message: str) -> None:
        self.issues.append(TwimlIssue(_SCHEMA, f"<{self.element.name}> {message}"))

    def get(self, name: str) -> str | None:
        self.read.add(name)
        value = self.element.attrs.get(name)
        return None if value is None else value.strip()

    def choice(self, name: str, default: str, allowed: tuple[str, ...]) -> str:
        raw = self.get(name)
        if raw is None:
            return default
        if raw in allowed:
            return raw
        self.warn(f"{name}={raw!r} is invalid; using {default!r}")
        return default

    def input_kind(self, name: str, default: str) -> str:
        raw = self.get(name)
        if raw is None:
            return default
        value = _LEGACY_INPUT.get(raw.lower(), raw)
        if value in _INPUT_KINDS:
            return value
        self.warn(f"{name}={raw!r} is invalid; using {default!r}")
        return default

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.get(name)
        if raw is None:
            return default
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        self.warn(f"{name}={raw!r} is invalid; using {str(default).lower()!r}")
        return default

    def method(self, name: str) -> str:
        raw = self.get(name)
        if raw is None:
            return "POST"
        if raw.upper() in ("GET", "POST"):
            return raw.upper()
        self.warn(f"{name}={raw!r} is invalid; using 'POST'")
        return "POST"

    def finish(self, accepted: frozenset[str] = frozenset()) -> None:
        for name in self.element.attrs:
            if name not in self.read and name not in accepted:
                self.warn(f"has an unknown attribute {name!r}")


def _parameters(element: Element, issues: list[TwimlIssue]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for child in element.children:
        if child.name != "Parameter":
            continue
        name = child.attrs.get("name")
        if not name:
            issues.append(TwimlIssue(_SCHEMA, "<Parameter> without a name; skipped"))
            continue
        out.append((name, child.attrs.get("value", "")))
    return tuple(out)


def _stream(element: Element, issues: list[TwimlIssue], *, fork: bool, stop: bool) -> Stream | None:
    a = _Reader(element, issues)
    url = a.get("url") or ""
    name = a.get("name") or None
    if stop:
        a.finish(_STREAM_ACCEPTED | {"track", "statusCallback", "statusCallbackMethod"})
        if name is None:
            a.warn("needs a name to stop a stream; skipped")
            return None
        return Stream(url, name)
    track = a.choice("track", "inbound_track", _TRACKS)
    if not fork and track != "inbound_track":
        a.warn(f"track={track!r}: a bidirectional stream carries the inbound track only")
        track = "inbound_track"
    stream = Stream(
        url,
        name,
        track,
        a.get("statusCallback") or None,
        a.method("statusCallbackMethod"),
        _parameters(element, issues),
    )
    a.finish(_STREAM_ACCEPTED)
    if not url:
        a.warn("has no url; skipped")
        return None
    return stream


def _language(element: Element, issues: list[TwimlIssue]) -> RelayLanguage | None:
    a = _Reader(element, issues)
    values = [a.get(name) for name in _LANGUAGE_ATTRS]
    a.finish(frozenset({"hints", "speechTimeout", "eotThreshold", "eagerEotThreshold"}))
    code = values[0]
    if not code:
        a.warn("has no code; skipped")
        return None
    return RelayLanguage(code, *values[1:])


def _relay(element: Element, issues: list[TwimlIssue]) -> ConversationRelay | None:
    a = _Reader(element, issues)
    url = a.get("url") or ""
    language = a.get("language") or "en-US"
    relay = ConversationRelay(
        url,
        welcome_greeting=a.get("welcomeGreeting") or None,
        welcome_greeting_interruptible=a.input_kind("welcomeGreetingInterruptible", "any"),
        interruptible=a.input_kind("interruptible", "any"),
        language=language,
        tts_language=a.get("ttsLanguage") or None,
        transcription_language=a.get("transcriptionLanguage") or None,
        tts_provider=a.get("ttsProvider") or "ElevenLabs",
        voice=a.get("voice") or None,
        transcription_provider=a.get("transcriptionProvider") or "Deepgram",
        speech_model=a.get("speechModel") or None,
        dtmf_detection=a.boolean("dtmfDetection", False),
        partial_prompts=a.boolean("partialPrompts", False),
        report_input_during_agent_speech=a.input_kind("reportInputDuringAgentSpeech", "none"),
        hints=a.get("hints") or None,
        languages=tuple(
            lang
            for child in element.children
            if child.name == "Language" and (lang := _language(child, issues)) is not None
        ),
        parameters=_parameters(element, issues),
    )
    a.finish(_RELAY_ACCEPTED)
    if not url:
        a.warn("has no url; skipped")
        return None
    return relay


def build_connect(
    element: Element, action: str | None, method: str, issues: list[TwimlIssue]
) -> Connect:
    """``<Connect>``: its first ``<Stream>`` or ``<ConversationRelay>`` is what runs."""
    stream: Stream | None = None
    relay: ConversationRelay | None = None
    for child in element.children:
        if stream is not None or relay is not None:
            issues.append(TwimlIssue(_SCHEMA, f"<Connect> runs one noun; <{child.name}> ignored"))
            continue
        if child.name == "Stream":
            stream = _stream(child, issues, fork=False, stop=False)
        elif child.name == "ConversationRelay":
            relay = _relay(child, issues)
    return Connect(element.children, action, method, stream=stream, relay=relay)


def build_stream_control(element: Element, issues: list[TwimlIssue]) -> StreamControl:
    """``<Start>`` / ``<Stop>``: the ``<Stream>`` nouns to fork or stop."""
    stop = element.name == "Stop"
    build: Callable[[Element], Stream | None] = lambda child: _stream(  # noqa: E731
        child, issues, fork=True, stop=stop
    )
    streams = tuple(
        stream
        for child in element.children
        if child.name == "Stream" and (stream := build(child)) is not None
    )
    return StreamControl(element.name, element.children, streams)
