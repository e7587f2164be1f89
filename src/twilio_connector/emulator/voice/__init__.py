"""Voice calls for the emulator: TwiML interpreter and call status machine (pure logic).

Nothing here does I/O: HTTP, storage, signing and scheduling are the emulator's, reached
through the :class:`VoiceEnvironment` protocol. Entry points:

* :func:`parse_voice_twiml` - TwiML text -> typed verbs (Twilio's 12100/12102/12200 checks);
* :class:`CallSession` - runs a call's TwiML against an environment, keeps a
  :class:`Transcript`, answers ``<Gather>`` from a :class:`CallerInput`;
* :class:`CallProgress` - the call status machine; its :meth:`~CallProgress.advance` builds
  the status callback (``SequenceNumber``, ``Timestamp``, ``CallDuration``, ...);
* :mod:`.params` builders - voice request, status callback and recording callback params.
"""

from .caller_input import CallerInput, Speech
from .clock import FAST, INSTANT, REALTIME, SimulatedClock, Timing, VoiceClock
from .environment import (
    ChildCallPlan,
    FetchError,
    FetchResponse,
    OutgoingMessage,
    RecordingInfo,
    RecordingRequest,
    SentMessage,
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
from .transcript import Transcript

__all__ = [
    "BUSY",
    "CANCELED",
    "COMPLETED",
    "FAILED",
    "FAST",
    "INITIATED",
    "INSTANT",
    "IN_PROGRESS",
    "NO_ANSWER",
    "QUEUED",
    "REALTIME",
    "RINGING",
    "TERMINAL_STATUSES",
    "CallInfo",
    "CallOutcome",
    "CallProgress",
    "CallQueues",
    "CallSession",
    "CallbackRequest",
    "CallerInput",
    "ChildCallPlan",
    "DocumentRequest",
    "FetchError",
    "FetchResponse",
    "InlineTwiml",
    "InterpreterOptions",
    "InvalidStatusCallbackEvent",
    "InvalidTransition",
    "OutgoingMessage",
    "QueueEntry",
    "QueueFull",
    "RecordingInfo",
    "RecordingRequest",
    "SentMessage",
    "SimulatedClock",
    "Speech",
    "StatusUpdate",
    "Timing",
    "Transcript",
    "TwimlDocument",
    "TwimlError",
    "TwimlSource",
    "VoiceClock",
    "VoiceEnvironment",
    "billed_minutes",
    "callback_statuses",
    "event_for_status",
    "parse_status_callback_events",
    "parse_voice_twiml",
    "recording_status_params",
    "status_callback_params",
    "voice_request_params",
]
