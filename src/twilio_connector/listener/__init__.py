"""Verified, typed, durable Twilio webhooks.

::

    from twilio_connector.listener import TwilioListener
    from twilio_connector.twiml import MessagingResponse

    listener = TwilioListener(auth_token, public_url="https://example.ngrok.app")

    @listener.on_sms_delivered
    async def delivered(event):            # SmsStatusChangeEvent
        print(event.message_sid, event.status)

    @listener.on_sms_received
    def reply(event):                      # IncomingMessage; sync handlers run in threads
        response = MessagingResponse()
        response.message(f"You said {event.body}")
        return response                    # the TwiML Twilio gets back

A handler may also return a verb (``return MessagingResponse().message("hi")`` sends the
``<Response>`` that ``<Message>`` belongs to) or a ``<Response>`` document as a string; the
listener never sends TwiML whose root is not ``<Response>``
(:mod:`twilio_connector.listener.replies`).

    listener.run("0.0.0.0", 8080)          # or mount listener.app in Starlette/FastAPI

Every request's ``X-Twilio-Signature`` is checked (403 otherwise); a verified callback is
committed to the inbox (a SQLite file, or PostgreSQL shared by replicas:
``TwilioListener(..., inbox="postgresql://...")``) before the 2xx; handlers run from the
inbox at least once, in order per resource SID, each attempt within a timeout, with
retries, dead letters and replay. Event names and classes
are listed in :mod:`twilio_connector.listener.events`.
"""

from twilio_connector._extras import require

require("listener")

from twilio_connector.listener.adapters import django_view, flask_view, make_wsgi_app
from twilio_connector.listener.app import TwilioListener
from twilio_connector.listener.classify import KNOWN_EVENTS
from twilio_connector.listener.core import EMPTY_TWIML, WebhookRequest, WebhookResponse
from twilio_connector.listener.dispatch import HandlerTimeout, RedeliveryPolicy
from twilio_connector.listener.events import (
    CallStatusChangeEvent,
    ConversationRelayResult,
    DialResult,
    EnqueueResult,
    EnqueueWaitRequest,
    GatherResult,
    IncomingCall,
    IncomingMessage,
    MachineDetectionResult,
    MessageMedia,
    RawParams,
    RecordingStatusEvent,
    RecordResult,
    SmsStatusChangeEvent,
    SmsVerbResult,
    StreamEvent,
    StreamStatusEvent,
    TwilioEvent,
    UnknownEvent,
)
from twilio_connector.listener.inbox import Inbox, InboxBusyError, InboxRecord, InboxStore
from twilio_connector.listener.registry import METHOD_EVENTS, TwilioService
from twilio_connector.listener.replies import InvalidReply

__all__ = [
    "EMPTY_TWIML",
    "KNOWN_EVENTS",
    "METHOD_EVENTS",
    "CallStatusChangeEvent",
    "ConversationRelayResult",
    "DialResult",
    "EnqueueResult",
    "EnqueueWaitRequest",
    "GatherResult",
    "HandlerTimeout",
    "Inbox",
    "InboxBusyError",
    "InboxRecord",
    "InboxStore",
    "IncomingCall",
    "IncomingMessage",
    "InvalidReply",
    "MachineDetectionResult",
    "MessageMedia",
    "RawParams",
    "RecordResult",
    "RecordingStatusEvent",
    "RedeliveryPolicy",
    "SmsStatusChangeEvent",
    "SmsVerbResult",
    "StreamEvent",
    "StreamStatusEvent",
    "TwilioEvent",
    "TwilioListener",
    "TwilioService",
    "UnknownEvent",
    "WebhookRequest",
    "WebhookResponse",
    "django_view",
    "flask_view",
    "make_wsgi_app",
]
