"""Voice webhooks: TwiML requests, call status and AMD callbacks (TWILIO.md 6.4-6.6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from twilio_connector.callbacks.base import RawParams, Rule, TwilioEvent, param

__all__ = [
    "CallEvent",
    "CallStatusChangeEvent",
    "DialResult",
    "EnqueueResult",
    "EnqueueWaitRequest",
    "GatherResult",
    "IncomingCall",
    "MachineDetectionResult",
    "RecordResult",
    "SmsVerbResult",
    "TwimlRequest",
]

_CALL_SID = ("CallSid",)


class CallEvent(TwilioEvent, frozen=True, kw_only=True):
    """Parameters Twilio sends with every voice request (TWILIO.md 6.4)."""

    account_sid: str | None = None
    api_version: str | None = None
    call_sid: str | None = None
    call_status: str | None = None
    called: str | None = None
    caller: str | None = None
    direction: str | None = None
    from_: str | None = None
    to: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    parent_call_sid: str | None = None
    call_token: str | None = None
    application_sid: str | None = None
    from_city: str | None = None
    from_state: str | None = None
    from_zip: str | None = None
    from_country: str | None = None
    to_city: str | None = None
    to_state: str | None = None
    to_zip: str | None = None
    to_country: str | None = None
    caller_city: str | None = None
    caller_state: str | None = None
    caller_zip: str | None = None
    caller_country: str | None = None
    called_city: str | None = None
    called_state: str | None = None
    called_zip: str | None = None
    called_country: str | None = None
    stir_verstat: str | None = None
    stir_passport_token: str | None = None
    stir_status: str | None = None
    answered_by: str | None = None
    machine_detection_duration: int | None = None


class TwimlRequest(CallEvent, frozen=True, kw_only=True):
    """A voice request answered with TwiML; a fallback URL also gets the failure."""

    error_code: int | None = None
    error_url: str | None = None


class CallStatusChangeEvent(CallEvent, frozen=True, kw_only=True):
    """A voice status callback (``call.<status>``; ``in-progress`` is ``call.answered``).

    ``status`` is the ``CallStatus`` Twilio sent (``ringing``, ``in-progress``, ``no-answer``...).
    """

    status: str = ""
    callback_source: str | None = None
    sequence_number: int | None = None
    timestamp: datetime | None = None
    call_duration: int | None = None
    duration: int | None = None
    sip_response_code: int | None = None
    recording_url: str | None = None
    recording_sid: str | None = None
    recording_duration: int | None = None

    rule = Rule(
        "call.",
        _CALL_SID,
        when=(("CallbackSource",), ("SequenceNumber", "Timestamp")),
        status=param("CallStatus"),
        ranks={
            "queued": 0,
            "initiated": 1,
            "ringing": 2,
            "answered": 3,
            "completed": 4,
            "busy": 4,
            "no_answer": 4,
            "failed": 4,
            "canceled": 4,
        },
        aliases={"in_progress": "answered"},
        rank=4,
        sequence="SequenceNumber",
        dedup=True,
    )
    _derived = TwilioEvent._derived | {"status"}

    @classmethod
    def _derive(cls, fields: dict[str, Any], raw: RawParams) -> None:
        fields["status"] = (fields.get("call_status") or "").strip().lower()


class MachineDetectionResult(TwilioEvent, frozen=True, kw_only=True):
    """The answering machine detection result of a call placed with ``AsyncAmd=true``
    (``call.amd``; sent to ``AsyncAmdStatusCallback``, acknowledged without TwiML).

    ``answered_by``: ``human``, ``machine_start``, ``machine_end_beep``,
    ``machine_end_silence``, ``machine_end_other``, ``fax`` or ``unknown``.
    """

    account_sid: str | None = None
    call_sid: str | None = None
    answered_by: str | None = None
    machine_detection_duration: int | None = None

    # A TwiML request of a call with synchronous AMD carries AnsweredBy too, and CallStatus.
    rule = Rule(
        "call.amd", _CALL_SID, when=(("AnsweredBy",),), unless=("CallStatus",), rank=3, dedup=True
    )


class DialResult(TwimlRequest, frozen=True, kw_only=True):
    """The outcome of ``<Dial>`` (``call.dial``); the reply is TwiML."""

    dial_call_status: str | None = None
    dial_call_sid: str | None = None
    dial_call_duration: int | None = None
    dial_bridged: bool | None = None
    recording_url: str | None = None

    rule = Rule("call.dial", _CALL_SID, when=(("DialCallStatus",),), replies=True)


class EnqueueResult(TwimlRequest, frozen=True, kw_only=True):
    """The outcome of ``<Enqueue>`` (``call.enqueue``); the reply is TwiML."""

    queue_result: str | None = None
    queue_sid: str | None = None
    queue_time: int | None = None

    rule = Rule("call.enqueue", _CALL_SID, when=(("QueueResult",),), replies=True)


class EnqueueWaitRequest(TwimlRequest, frozen=True, kw_only=True):
    """A caller waiting in a queue asks ``<Enqueue waitUrl>`` what to play
    (``call.enqueue_wait``); the reply is TwiML (``<Say>``, ``<Play>``, ``<Leave>``...)."""

    queue_sid: str | None = None
    queue_position: int | None = None
    queue_time: int | None = None
    avg_queue_time: int | None = None
    current_queue_size: int | None = None
    max_queue_size: int | None = None

    rule = Rule("call.enqueue_wait", _CALL_SID, when=(("QueuePosition",),), replies=True)


class RecordResult(TwimlRequest, frozen=True, kw_only=True):
    """The outcome of ``<Record>`` (``call.record``); the reply is TwiML."""

    recording_url: str | None = None
    recording_duration: int | None = None
    recording_sid: str | None = None
    digits: str | None = None

    rule = Rule("call.record", _CALL_SID, when=(("RecordingUrl",),), replies=True)


class GatherResult(TwimlRequest, frozen=True, kw_only=True):
    """Input collected by ``<Gather>`` (``call.gather``); the reply is TwiML."""

    digits: str | None = None
    finished_on_key: str | None = None
    speech_result: str | None = None
    confidence: float | None = None
    unstable_speech_result: str | None = None
    stable_speech_result: str | None = None
    sequence_number: int | None = None

    rule = Rule(
        "call.gather",
        _CALL_SID,
        when=(("Digits",), ("SpeechResult",), ("FinishedOnKey",), ("UnstableSpeechResult",)),
        replies=True,
    )


class SmsVerbResult(TwimlRequest, frozen=True, kw_only=True):
    """The outcome of the voice ``<Sms>`` verb at its ``action`` (``call.sms``); the reply is
    TwiML. ``sms_status`` is the message's status when the request is made."""

    sms_sid: str | None = None
    sms_status: str | None = None

    rule = Rule("call.sms", _CALL_SID, when=(("SmsSid",),), replies=True)


class IncomingCall(TwimlRequest, frozen=True, kw_only=True):
    """A voice URL request (``call.incoming``): an inbound call, an API call asking for its
    TwiML, a ``<Redirect>``; the reply is TwiML."""

    rule = Rule("call.incoming", _CALL_SID, replies=True)
