"""Typed webhook payloads: one struct per kind of request Twilio sends to an application.

The emulator builds them and sends :meth:`~TwilioEvent.to_params`; the listener parses a
received form with :meth:`~TwilioEvent.from_params` and hands the struct to handlers as the
event. Each kind's :class:`Rule` says what identifies it, so the listener's classification
is :data:`FORM_KINDS` tried in order; a new kind is one struct here and a line in that tuple.

=============================  ==========================  ===============================
event name                     class                       request
=============================  ==========================  ===============================
``recording.<status>``         RecordingStatusEvent        recording status callback
``call.stream.<event>``        StreamStatusEvent           Media Stream status callback
``call.<status>``              CallStatusChangeEvent       call status callback
``call.amd``                   MachineDetectionResult      async AMD callback (no TwiML)
``call.dial``                  DialResult                  ``<Dial action>``
``call.enqueue``               EnqueueResult               ``<Enqueue action>``
``call.enqueue_wait``          EnqueueWaitRequest          ``<Enqueue waitUrl>``
``call.record``                RecordResult                ``<Record action>``
``call.conversation_relay``    ConversationRelayResult     ``<Connect action>`` after a relay
``call.gather``                GatherResult                ``<Gather action>``
``call.sms``                   SmsVerbResult               voice ``<Sms action>``
``call.incoming``              IncomingCall                voice URL, redirect, fallback
``sms.<status>``               SmsStatusChangeEvent        message status callback
``sms.received``               IncomingMessage             inbound message (or fallback)
=============================  ==========================  ===============================

Every kind but the status callbacks and ``call.amd`` is answered with TwiML.
"""

from __future__ import annotations

from twilio_connector.callbacks.base import RawParams, Rule, TwilioEvent, status_name, to_int
from twilio_connector.callbacks.messages import (
    IncomingMessage,
    MessageMedia,
    SmsStatusChangeEvent,
)
from twilio_connector.callbacks.recordings import RecordingStatusEvent
from twilio_connector.callbacks.relay import ConversationRelayResult
from twilio_connector.callbacks.streams import StreamStatusEvent
from twilio_connector.callbacks.voice import (
    CallEvent,
    CallStatusChangeEvent,
    DialResult,
    EnqueueResult,
    EnqueueWaitRequest,
    GatherResult,
    IncomingCall,
    MachineDetectionResult,
    RecordResult,
    SmsVerbResult,
    TwimlRequest,
)

__all__ = [
    "EVENT_NAMES",
    "FORM_KINDS",
    "CallEvent",
    "CallStatusChangeEvent",
    "ConversationRelayResult",
    "DialResult",
    "EnqueueResult",
    "EnqueueWaitRequest",
    "GatherResult",
    "IncomingCall",
    "IncomingMessage",
    "MachineDetectionResult",
    "MessageMedia",
    "RawParams",
    "RecordResult",
    "RecordingStatusEvent",
    "Rule",
    "SmsStatusChangeEvent",
    "SmsVerbResult",
    "StreamStatusEvent",
    "TwilioEvent",
    "TwimlRequest",
    "status_name",
    "to_int",
]

FORM_KINDS: tuple[type[TwilioEvent], ...] = (
    RecordingStatusEvent,  # carries CallSid too
    StreamStatusEvent,  # carries CallSid too
    CallStatusChangeEvent,  # may carry RecordingUrl and AnsweredBy
    MachineDetectionResult,
    DialResult,  # may carry RecordingUrl
    EnqueueResult,
    EnqueueWaitRequest,
    ConversationRelayResult,
    RecordResult,  # may carry Digits
    GatherResult,
    SmsVerbResult,
    IncomingCall,
    SmsStatusChangeEvent,
    IncomingMessage,
)
"""Every form webhook kind, most specific first: a payload is the first kind it matches."""

EVENT_NAMES: frozenset[str] = frozenset(
    name for kind in FORM_KINDS if kind.rule is not None for name in kind.rule.event_names
)
"""Every event name the form webhooks are known to produce."""
