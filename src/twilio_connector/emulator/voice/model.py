"""Typed voice TwiML verbs, with Twilio's attribute defaults (TWILIO.md 13.2).

:mod:`.parse` turns a document into these objects; the interpreter executes them. Every
attribute is read once here, so defaults and value checks live in one place. An attribute
value Twilio would flag (``numDigits="abc"``) becomes a warning and the default is used,
as Twilio's verb-specific 13xxx warnings do; the call goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...twiml.reader import Element, TwimlIssue  # the shared reader's types

__all__ = [
    "DEFAULT_METHOD",
    "Connect",
    "ConversationRelay",
    "Dial",
    "DialTarget",
    "Element",
    "Enqueue",
    "Gather",
    "Hangup",
    "Leave",
    "Pause",
    "Play",
    "Prompt",
    "Record",
    "Redirect",
    "Reject",
    "RelayLanguage",
    "Say",
    "SendMessage",
    "Stream",
    "StreamControl",
    "TwimlIssue",
    "Unsupported",
    "Verb",
]

DEFAULT_METHOD = "POST"


@dataclass(frozen=True)
class Say:
    text: str
    voice: str = "man"
    language: str = "en-US"
    loop: int = 1
    """Repetitions; 0 means "until hang-up" (the interpreter caps it)."""


@dataclass(frozen=True)
class Play:
    url: str = ""
    loop: int = 1
    digits: str | None = None
    """DTMF tones to play instead of audio (``w`` = 0.5 s pause, ``W`` = 1 s)."""


@dataclass(frozen=True)
class Pause:
    length: int = 1


Prompt = Say | Play | Pause
"""What ``<Gather>`` may nest."""


@dataclass(frozen=True)
class Gather:
    prompts: tuple[Prompt, ...] = ()
    input: frozenset[str] = frozenset({"dtmf"})
    action: str | None = None
    """``None``: the current document URL."""
    method: str = DEFAULT_METHOD
    timeout: int = 5
    num_digits: int | None = None
    """``None``: unlimited."""
    finish_on_key: str = "#"
    """``""`` disables it."""
    speech_timeout: str | None = None
    language: str = "en-US"
    action_on_empty_result: bool = False


@dataclass(frozen=True)
class Record:
    action: str | None = None
    method: str = DEFAULT_METHOD
    timeout: int = 5
    finish_on_key: str = "1234567890*#"
    max_length: int = 3600
    play_beep: bool = True
    trim: str = "trim-silence"
    recording_status_callback: str | None = None
    recording_status_callback_method: str = DEFAULT_METHOD
    recording_status_callback_event: frozenset[str] = frozenset({"completed"})
    transcribe: bool = False
    transcribe_callback: str | None = None


@dataclass(frozen=True)
class DialTarget:
    """One noun of ``<Dial>`` (plain text inside ``<Dial>`` is a ``number``)."""

    kind: str
    """``number``, ``client``, ``sip``, ``conference``, ``queue``, ``sim``, ``application``,
    ``whatsapp``."""
    address: str
    """What the child call's ``To`` becomes: ``+1…``, ``client:alice``, ``sip:…``, or the
    conference / queue name."""
    url: str | None = None
    method: str = DEFAULT_METHOD
    status_callback: str | None = None
    status_callback_method: str = DEFAULT_METHOD
    status_callback_event: frozenset[str] = frozenset({"completed"})
    send_digits: str | None = None
    element: Element | None = None


@dataclass(frozen=True)
class Dial:
    targets: tuple[DialTarget, ...]
    action: str | None = None
    """``None``: no action request; the document goes on after the dial."""
    method: str = DEFAULT_METHOD
    timeout: int = 30
    caller_id: str | None = None
    record: str = "do-not-record"
    trim: str = "do-not-trim"
    time_limit: int = 14400
    hangup_on_star: bool = False
    answer_on_bridge: bool = False
    sequential: bool = False
    recording_status_callback: str | None = None
    recording_status_callback_method: str = DEFAULT_METHOD
    recording_status_callback_event: frozenset[str] = frozenset({"completed"})


@dataclass(frozen=True)
class Redirect:
    url: str
    method: str = DEFAULT_METHOD


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Reject:
    reason: str = "rejected"
    """``rejected`` or ``busy``."""


@dataclass(frozen=True)
class Enqueue:
    name: str
    action: str | None = None
    method: str = DEFAULT_METHOD
    wait_url: str | None = None
    wait_url_method: str = DEFAULT_METHOD
    max_queue_size: int = 100
    workflow_sid: str | None = None


@dataclass(frozen=True)
class Leave:
    pass


@dataclass(frozen=True)
class SendMessage:
    """``<Sms>`` (deprecated voice verb) or ``<Message>`` inside voice TwiML."""

    verb: str
    body: str
    to: str | None = None
    """``None``: the other party of the call."""
    from_: str | None = None
    """``None``: the call's Twilio number."""
    action: str | None = None
    method: str = DEFAULT_METHOD
    status_callback: str | None = None


@dataclass(frozen=True)
class Stream:
    """A ``<Stream>`` noun (TWILIO.md §22.1): bidirectional in ``<Connect>``, a one-way fork
    in ``<Start>``, a name to stop in ``<Stop>``."""

    url: str = ""
    """``wss://`` (the emulator also accepts ``ws://``, for local agents); ``""`` in ``<Stop>``."""
    name: str | None = None
    track: str = "inbound_track"
    """``inbound_track``, ``outbound_track`` or ``both_tracks`` (forks only)."""
    status_callback: str | None = None
    status_callback_method: str = DEFAULT_METHOD
    parameters: tuple[tuple[str, str], ...] = ()
    """The ``<Parameter>`` children: ``start.customParameters``."""


@dataclass(frozen=True)
class RelayLanguage:
    """A ``<Language>`` child of ``<ConversationRelay>``: per-language voice settings."""

    code: str
    tts_provider: str | None = None
    voice: str | None = None
    transcription_provider: str | None = None
    speech_model: str | None = None


@dataclass(frozen=True)
class ConversationRelay:
    """A ``<ConversationRelay>`` noun (TWILIO.md §23.1), with Twilio's defaults."""

    url: str
    welcome_greeting: str | None = None
    welcome_greeting_interruptible: str = "any"
    """``none``, ``dtmf``, ``speech`` or ``any`` (``true``/``false`` = ``any``/``none``)."""
    interruptible: str = "any"
    language: str = "en-US"
    tts_language: str | None = None
    transcription_language: str | None = None
    tts_provider: str = "ElevenLabs"
    voice: str | None = None
    transcription_provider: str = "Deepgram"
    speech_model: str | None = None
    dtmf_detection: bool = False
    partial_prompts: bool = False
    report_input_during_agent_speech: str = "none"
    hints: str | None = None
    languages: tuple[RelayLanguage, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    """The ``<Parameter>`` children: ``setup.customParameters``."""


@dataclass(frozen=True)
class Connect:
    """``<Connect>``: a bidirectional ``<Stream>`` or a ``<ConversationRelay>`` runs until it
    ends, then ``action`` (if any) is requested; other nouns (Room, ...) are logged."""

    nouns: tuple[Element, ...]
    action: str | None = None
    method: str = DEFAULT_METHOD
    stream: Stream | None = None
    relay: ConversationRelay | None = None


@dataclass(frozen=True)
class StreamControl:
    """``<Start>`` / ``<Stop>``: forked ``<Stream>``s run (``streams``); SIPREC and
    transcriptions are logged."""

    verb: str
    nouns: tuple[Element, ...]
    streams: tuple[Stream, ...] = ()


@dataclass(frozen=True)
class Unsupported:
    """A valid verb the emulator does not simulate (``<Pay>``, ``<Refer>``, ``<Echo>``)."""

    element: Element


Verb = (
    Say
    | Play
    | Pause
    | Gather
    | Record
    | Dial
    | Redirect
    | Hangup
    | Reject
    | Enqueue
    | Leave
    | SendMessage
    | Connect
    | StreamControl
    | Unsupported
)
