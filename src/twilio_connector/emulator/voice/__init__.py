"""Voice calls for the emulator: TwiML in, call behaviour out (pure logic, no I/O).

* model: :mod:`.model` typed verbs; :mod:`.lifecycle` the call status machine
  (:class:`CallProgress`), :mod:`.params` the webhook parameters it produces;
* parse: :mod:`.parse` (:func:`parse_voice_twiml`, Twilio's 12100/12102/12200 checks) and
  :mod:`.parse_verbs` (elements -> verbs, with Twilio's defaults);
* run: :mod:`.run` (:class:`CallSession`) executes a call's TwiML verb by verb with the
  ``run_*`` handlers over :mod:`.run_context`, keeping a :class:`Transcript` and answering
  ``<Gather>`` from a :class:`CallerInput`.

HTTP, storage, signing and time are the emulator's, reached through :class:`VoiceEnvironment`
and :class:`VoiceClock` (:mod:`.environment`); verb lengths come from the emulator's
:class:`~twilio_connector.emulator.Timing`.
"""

from .caller_input import CallerInput, Speech
from .caller_script import CallerStep, parse_caller_script
from .environment import (
    ChildCallPlan,
    FetchError,
    FetchResponse,
    OutgoingMessage,
    RealtimeSocket,
    RecordingInfo,
    RecordingRequest,
    SentMessage,
    SocketClosed,
    SocketError,
    VoiceClock,
    VoiceEnvironment,
)
from .lifecycle import (
    BUSY,
    CANCELED,
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INITIATED,
    NO_ANSWER,
    QUEUED,
    RINGING,
    TERMINAL_STATUSES,
    CallbackRequest,
    CallProgress,
    InvalidStatusCallbackEvent,
    InvalidTransition,
    StatusUpdate,
    callback_statuses,
    event_for_status,
    parse_status_callback_events,
)
from .model import Stream
from .params import (
    CallInfo,
    billed_minutes,
    recording_status_params,
    status_callback_params,
    voice_request_params,
)
from .parse import TwimlDocument, TwimlError, parse_voice_twiml
from .queues import CallQueues, QueueEntry, QueueFull
from .run import CallOutcome, CallSession
from .run_context import DocumentRequest, InlineTwiml, InterpreterOptions, TwimlSource
from .run_stream import Fork, StreamRefused
from .transcript import Transcript

__all__ = [
    "BUSY",
    "CANCELED",
    "COMPLETED",
    "FAILED",
    "INITIATED",
    "IN_PROGRESS",
    "NO_ANSWER",
    "QUEUED",
    "RINGING",
    "TERMINAL_STATUSES",
    "CallInfo",
    "CallOutcome",
    "CallProgress",
    "CallQueues",
    "CallSession",
    "CallbackRequest",
    "CallerInput",
    "CallerStep",
    "ChildCallPlan",
    "DocumentRequest",
    "FetchError",
    "FetchResponse",
    "Fork",
    "InlineTwiml",
    "InterpreterOptions",
    "InvalidStatusCallbackEvent",
    "InvalidTransition",
    "OutgoingMessage",
    "QueueEntry",
    "QueueFull",
    "RealtimeSocket",
    "RecordingInfo",
    "RecordingRequest",
    "SentMessage",
    "SocketClosed",
    "SocketError",
    "Speech",
    "StatusUpdate",
    "Stream",
    "StreamRefused",
    "Transcript",
    "TwimlDocument",
    "TwimlError",
    "TwimlSource",
    "VoiceClock",
    "VoiceEnvironment",
    "billed_minutes",
    "callback_statuses",
    "event_for_status",
    "parse_caller_script",
    "parse_status_callback_events",
    "parse_voice_twiml",
    "recording_status_params",
    "status_callback_params",
    "voice_request_params",
]
