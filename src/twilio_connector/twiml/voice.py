"""Voice TwiML: :class:`VoiceResponse` and its verbs (Dial and its nouns live in ``dial``)."""

from __future__ import annotations

from ._core import AttrValue, Redirect, SpaceSeparated, TwiML, nested
from .dial import Dial, Parameter
from .ssml import SsmlContainer

__all__ = [
    "Config",
    "Connect",
    "ConversationRelay",
    "Enqueue",
    "Gather",
    "Hangup",
    "Language",
    "Leave",
    "Pause",
    "Play",
    "Record",
    "Recording",
    "Reject",
    "Room",
    "Say",
    "Siprec",
    "Sms",
    "Start",
    "Stop",
    "Stream",
    "Task",
    "Transcription",
    "VoiceMessage",
    "VoiceResponse",
]


class Say(SsmlContainer):
    """``<Say>``: speak ``message`` with text-to-speech; SSML children via ``break_()`` etc."""

    __slots__ = ()
    tag = "Say"

    def __init__(
        self,
        message: str | None = None,
        *,
        voice: str | None = None,
        language: str | None = None,
        loop: int | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(message, locals(), extra)


class Play(TwiML):
    """``<Play>``: play the audio at ``url`` (or send DTMF ``digits``; ``w`` = half a second)."""

    __slots__ = ()
    tag = "Play"

    def __init__(
        self,
        url: str | None = None,
        *,
        loop: int | None = None,
        digits: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(url, locals(), extra)


class Pause(TwiML):
    """``<Pause>``: wait ``length`` seconds (default 1)."""

    __slots__ = ()
    tag = "Pause"

    def __init__(self, *, length: int | None = None, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)


class Gather(TwiML):
    """``<Gather>``: collect digits and/or speech; may contain only Say, Play and Pause."""

    __slots__ = ()
    tag = "Gather"

    def __init__(
        self,
        *,
        input: SpaceSeparated | None = None,
        action: str | None = None,
        method: str | None = None,
        timeout: int | None = None,
        num_digits: int | None = None,
        finish_on_key: str | None = None,
        speech_timeout: int | str | None = None,
        max_speech_time: int | None = None,
        language: str | None = None,
        hints: str | None = None,
        profanity_filter: bool | None = None,
        partial_result_callback: str | None = None,
        partial_result_callback_method: str | None = None,
        action_on_empty_result: bool | None = None,
        speech_model: str | None = None,
        enhanced: bool | None = None,
        barge_in: bool | None = None,
        debug: bool | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)

    say = nested(Say)
    play = nested(Play)
    pause = nested(Pause)


class Record(TwiML):
    """``<Record>``: record the caller; the recording is posted to ``action``."""

    __slots__ = ()
    tag = "Record"

    def __init__(
        self,
        *,
        action: str | None = None,
        method: str | None = None,
        timeout: int | None = None,
        finish_on_key: str | None = None,
        max_length: int | None = None,
        play_beep: bool | None = None,
        trim: str | None = None,
        recording_status_callback: str | None = None,
        recording_status_callback_method: str | None = None,
        recording_status_callback_event: SpaceSeparated | None = None,
        transcribe: bool | None = None,
        transcribe_callback: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)


class Hangup(TwiML):
    """``<Hangup>``: end the call."""

    __slots__ = ()
    tag = "Hangup"

    def __init__(self, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)

    parameter = nested(Parameter)


class Reject(TwiML):
    """``<Reject>``: refuse the call without answering (``reason``: rejected or busy)."""

    __slots__ = ()
    tag = "Reject"

    def __init__(self, *, reason: str | None = None, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)

    parameter = nested(Parameter)


class Task(TwiML):
    """``<Task>``: TaskRouter task attributes (JSON text) inside ``<Enqueue>``."""

    __slots__ = ()
    tag = "Task"

    def __init__(
        self,
        body: str,
        *,
        priority: int | None = None,
        timeout: int | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(body, locals(), extra)


class Enqueue(TwiML):
    """``<Enqueue>``: put the caller in the named queue."""

    __slots__ = ()
    tag = "Enqueue"

    def __init__(
        self,
        name: str | None = None,
        *,
        action: str | None = None,
        method: str | None = None,
        wait_url: str | None = None,
        wait_url_method: str | None = None,
        workflow_sid: str | None = None,
        max_queue_size: int | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(name, locals(), extra)

    task = nested(Task)


class Leave(TwiML):
    """``<Leave>``: take the caller out of the queue (used in the wait URL's TwiML)."""

    __slots__ = ()
    tag = "Leave"

    def __init__(self, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)


class Sms(TwiML):
    """``<Sms>``: send a text during a call (deprecated by Twilio, still accepted)."""

    __slots__ = ()
    tag = "Sms"

    def __init__(
        self,
        message: str,
        *,
        to: str | None = None,
        from_: str | None = None,
        action: str | None = None,
        method: str | None = None,
        status_callback: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(message, locals(), extra)


class VoiceMessage(Sms):
    """``<Message>`` in voice TwiML: like ``<Sms>``.

    Not in Twilio's voice TwiML reference nor in the official SDK's VoiceResponse; provided
    because our emulator accepts it. Prefer the REST API to text a caller on real Twilio.
    """

    __slots__ = ()
    tag = "Message"


class Room(TwiML):
    """``<Room>``: connect to a Programmable Video room."""

    __slots__ = ()
    tag = "Room"

    def __init__(
        self, name: str, *, participant_identity: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(name, locals(), extra)


class Stream(TwiML):
    """``<Stream>``: media stream over WebSocket (``url`` is ``wss://...``)."""

    __slots__ = ()
    tag = "Stream"

    def __init__(
        self,
        *,
        url: str | None = None,
        name: str | None = None,
        track: str | None = None,
        connector_name: str | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)

    parameter = nested(Parameter)


class Siprec(TwiML):
    """``<Siprec>``: fork the call's media to a SIPREC recorder."""

    __slots__ = ()
    tag = "Siprec"

    def __init__(
        self,
        *,
        name: str | None = None,
        connector_name: str | None = None,
        track: str | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)

    parameter = nested(Parameter)


class Config(TwiML):
    """``<Config name value>``: a setting of ``<Transcription>``."""

    __slots__ = ()
    tag = "Config"

    def __init__(self, *, name: str, value: str, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)


class Transcription(TwiML):
    """``<Transcription>``: real-time transcription of the call."""

    __slots__ = ()
    tag = "Transcription"

    def __init__(
        self,
        *,
        name: str | None = None,
        track: str | None = None,
        status_callback_url: str | None = None,
        status_callback_method: str | None = None,
        language_code: str | None = None,
        transcription_engine: str | None = None,
        speech_model: str | None = None,
        partial_results: bool | None = None,
        profanity_filter: bool | None = None,
        hints: str | None = None,
        enable_automatic_punctuation: bool | None = None,
        inbound_track_label: str | None = None,
        outbound_track_label: str | None = None,
        intelligence_service: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)

    config = nested(Config)
    parameter = nested(Parameter)


class Recording(TwiML):
    """``<Recording>`` inside ``<Start>``: record the call in the background."""

    __slots__ = ()
    tag = "Recording"

    def __init__(
        self,
        *,
        recording_status_callback: str | None = None,
        recording_status_callback_method: str | None = None,
        recording_status_callback_event: SpaceSeparated | None = None,
        trim: str | None = None,
        track: str | None = None,
        channels: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)


class Language(TwiML):
    """``<Language code>`` inside ``<ConversationRelay>``: the voices for one language."""

    __slots__ = ()
    tag = "Language"

    def __init__(
        self,
        *,
        code: str,
        tts_provider: str | None = None,
        voice: str | None = None,
        transcription_provider: str | None = None,
        speech_model: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)


class ConversationRelay(TwiML):
    """``<ConversationRelay>``: Twilio speaks and transcribes; your agent exchanges text over
    a WebSocket at ``url`` (``wss://...``)."""

    __slots__ = ()
    tag = "ConversationRelay"

    def __init__(
        self,
        *,
        url: str,
        welcome_greeting: str | None = None,
        welcome_greeting_interruptible: str | bool | None = None,
        language: str | None = None,
        tts_language: str | None = None,
        tts_provider: str | None = None,
        voice: str | None = None,
        transcription_language: str | None = None,
        transcription_provider: str | None = None,
        speech_model: str | None = None,
        interruptible: str | bool | None = None,
        interrupt_sensitivity: str | None = None,
        dtmf_detection: bool | None = None,
        report_input_during_agent_speech: str | None = None,
        preemptible: bool | None = None,
        profanity_filter: bool | None = None,
        partial_prompts: bool | None = None,
        hints: str | None = None,
        debug: str | None = None,
        intelligence_service: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(None, locals(), extra)

    language = nested(Language)
    parameter = nested(Parameter)


class Connect(TwiML):
    """``<Connect>``: hand the call to a Stream, Room, ... (blocks until it ends)."""

    __slots__ = ()
    tag = "Connect"

    def __init__(
        self, *, action: str | None = None, method: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(None, locals(), extra)

    stream = nested(Stream)
    room = nested(Room)
    conversation_relay = nested(ConversationRelay)


class Start(TwiML):
    """``<Start>``: begin something in the background (Stream, Siprec, Transcription, ...)."""

    __slots__ = ()
    tag = "Start"

    def __init__(
        self, *, action: str | None = None, method: str | None = None, **extra: AttrValue | None
    ) -> None:
        self._init(None, locals(), extra)

    stream = nested(Stream)
    siprec = nested(Siprec)
    transcription = nested(Transcription)
    recording = nested(Recording)


class Stop(TwiML):
    """``<Stop>``: stop a background Stream, Siprec or Transcription (by ``name``)."""

    __slots__ = ()
    tag = "Stop"

    def __init__(self, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)

    stream = nested(Stream)
    siprec = nested(Siprec)
    transcription = nested(Transcription)


class VoiceResponse(TwiML):
    """The ``<Response>`` of a voice webhook. Verbs run top to bottom."""

    __slots__ = ()
    tag = "Response"

    def __init__(self, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)

    say = nested(Say)
    play = nested(Play)
    pause = nested(Pause)
    gather = nested(Gather)
    dial = nested(Dial)
    record = nested(Record)
    redirect = nested(Redirect)
    hangup = nested(Hangup)
    reject = nested(Reject)
    enqueue = nested(Enqueue)
    leave = nested(Leave)
    sms = nested(Sms)
    message = nested(VoiceMessage)
    connect = nested(Connect)
    start = nested(Start)
    stop = nested(Stop)
