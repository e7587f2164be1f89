"""Every kind of webhook the emulator sends reaches a real listener as the right typed event.

Real parts over real sockets: the emulator (driven through our ``TwilioClient`` and its
control methods) posts signed webhooks to a ``TwilioListener`` served by uvicorn. Each
delivery in the emulator's log is matched to the event the listener handled (by the
``I-Twilio-Idempotency-Token``) and checked: the expected event name and class, every
parameter typed by an attribute, and ``to_params()`` of the event reproducing exactly the
parameters sent (so no value was lost or mistyped on the way).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from support.content import approved_template

from twilio_connector import StatusCallback, TwilioClient
from twilio_connector.callbacks import (
    CallStatusChangeEvent,
    DialResult,
    EnqueueResult,
    EnqueueWaitRequest,
    GatherResult,
    IncomingCall,
    IncomingMessage,
    MachineDetectionResult,
    RecordingStatusEvent,
    RecordResult,
    SmsStatusChangeEvent,
    SmsVerbResult,
    TwilioEvent,
)
from twilio_connector.emulator import Emulator
from twilio_connector.listener import RedeliveryPolicy, TwilioListener

NUMBER = "+15017122661"
HANDSET = "+15558675310"
OTHER = "+15558675311"
HANGUP = "<Response><Hangup/></Response>"


def _wait(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class _Served:
    """An ASGI app under uvicorn on 127.0.0.1:<free port>, in a background thread."""

    def __init__(self, app: Any) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        _wait(lambda: self._server.started or not self._thread.is_alive())
        assert self._server.started, "uvicorn did not start"

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()


@dataclass
class Hub:
    """The emulator, our client, and a listener recording every event it handles."""

    emu: Emulator
    client: TwilioClient
    base: str
    events: list[TwilioEvent] = field(default_factory=list)
    replies: dict[str, str | list[str]] = field(default_factory=dict)
    """Event name -> the TwiML the listener answers with (inline kinds); a list is used up
    in order, its last document then answering every further request."""

    def url(self, path: str) -> str:
        return self.base + path

    def handle(self, event: TwilioEvent) -> str:
        self.events.append(event)
        reply = self.replies.get(event.name, "<Response/>")
        if isinstance(reply, list):
            return reply.pop(0) if len(reply) > 1 else reply[0]
        return reply

    def number_sid(self, number: str = NUMBER) -> str:
        return self.client.incoming_phone_numbers.list(phone_number=number)[0].sid

    def checked(self) -> list[tuple[type[TwilioEvent], str]]:
        """Settle, pair every delivery to the listener with its event, check the round trip.

        Returns ``(class, name)`` of each event, in delivery order.
        """
        self.emu.settle()
        sent = [d for d in self.emu.delivery_log() if d.url.startswith(self.base)]
        assert sent and all(d.status == 200 for d in sent), [(d.url, d.error) for d in sent]
        _wait(lambda: len(self.events) >= len(sent))
        by_token = {e.idempotency_token: e for e in self.events}
        seen = []
        for delivery in sent:
            event = by_token[delivery.idempotency_token]
            params = dict(delivery.params)
            assert dict(event.raw.multi_items()) == params
            assert event.unmapped_params() == [], (event.name, event.unmapped_params())
            assert event.to_params() == params, event.name
            assert type(event).from_params(params, name=event.name) == type(event).from_params(
                event.raw, name=event.name
            )
            seen.append((type(event), event.name))
        return seen

    def deliveries(self, path: str) -> list[Any]:
        return [d for d in self.emu.delivery_log() if d.url == self.url(path)]

    def one(self, kind: type[TwilioEvent], name: str) -> Any:
        found = [e for e in self.events if isinstance(e, kind) and e.name == name]
        assert len(found) == 1, (name, [e.name for e in self.events])
        return found[0]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    with Emulator(phone_numbers=(NUMBER,)) as emu:
        listener = TwilioListener(
            emu.auth_token,
            inbox_path=tmp_path / "inbox.sqlite3",
            retry=RedeliveryPolicy(max_attempts=1),
            poll_interval=0.05,
        )
        client = TwilioClient(
            account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
        )
        served = _Served(listener)
        h = Hub(emu, client, served.url)
        listener.on("*")(h.handle)
        try:
            yield h
        finally:
            served.close()
            client.close()
            listener.close()


# -- messaging ----------------------------------------------------------------------------------


def test_inbound_sms_mms_whatsapp_and_reply_status(hub: Hub) -> None:
    hub.client.incoming_phone_numbers.update(hub.number_sid(), sms_url=hub.url("/sms"))
    hub.emu.enable_whatsapp(NUMBER)
    reply = f'<Response><Message action="{hub.url("/reply")}">thanks</Message></Response>'
    hub.replies["sms.received"] = reply
    hub.emu.simulate_inbound_message(HANDSET, NUMBER, "hello")
    hub.emu.simulate_inbound_message(HANDSET, NUMBER, "look", ["https://example.com/cat.png"])
    hub.emu.simulate_inbound_message(
        f"whatsapp:{HANDSET}", f"whatsapp:{NUMBER}", "hi", ProfileName="Ada", ButtonPayload="yes"
    )
    seen = hub.checked()
    inbound = [e for e in hub.events if isinstance(e, IncomingMessage)]
    assert sorted(e.channel for e in inbound) == ["mms", "sms", "whatsapp"]
    mms = next(e for e in inbound if e.channel == "mms")
    assert mms.num_media == 1 and len(mms.media) == 1 and mms.media[0].content_type == "image/png"
    whatsapp = next(e for e in inbound if e.channel == "whatsapp")
    assert (whatsapp.profile_name, whatsapp.wa_id) == ("Ada", HANDSET[1:])
    assert (whatsapp.button_payload, whatsapp.message_type) == ("yes", "text")
    assert {name for kind, name in seen if kind is SmsStatusChangeEvent} >= {
        "sms.sent",
        "sms.delivered",
        "sms.read",  # the WhatsApp reply
    }
    assert {kind for kind, _ in seen} == {IncomingMessage, SmsStatusChangeEvent}


def test_message_status_callbacks_with_errors_and_channels(hub: Hub) -> None:
    hub.emu.set_rule("undelivered", to=OTHER, error_code=30003)
    status = StatusCallback(hub.url("/status"))
    hub.client.send_sms(from_=NUMBER, to=HANDSET, body="one", status_callback=status)
    hub.client.send_sms(from_=NUMBER, to=OTHER, body="two", status_callback=status)
    hub.client.send_whatsapp_message(  # a template: no open session needed
        from_="+14155238886",
        to=HANDSET,
        content_sid=approved_template(hub.emu),
        status_callback=status,
    )
    seen = hub.checked()
    assert {kind for kind, _ in seen} == {SmsStatusChangeEvent}
    assert {name for _, name in seen} == {
        "sms.sent",
        "sms.delivered",
        "sms.undelivered",
        "sms.read",
    }
    failed = hub.one(SmsStatusChangeEvent, "sms.undelivered")
    assert (failed.error_code, failed.status, failed.to) == (30003, "undelivered", OTHER)
    read = hub.one(SmsStatusChangeEvent, "sms.read")
    assert (read.channel, read.event_type, read.channel_to_address) == ("whatsapp", "READ", HANDSET)
    delivered = [e for e in hub.events if e.name == "sms.delivered"]
    assert any(isinstance(e, SmsStatusChangeEvent) and e.raw_dlr_done_date for e in delivered)


def test_inbound_message_fallback_carries_the_error(hub: Hub) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/sms"
    hub.client.incoming_phone_numbers.update(
        hub.number_sid(), sms_url=dead, sms_fallback_url=hub.url("/sms-fallback")
    )
    hub.emu.simulate_inbound_message(HANDSET, NUMBER, "anyone?")
    hub.emu.settle()
    sent = [d for d in hub.emu.delivery_log() if d.url.startswith(hub.base)]
    assert len(sent) == 1
    _wait(lambda: len(hub.events) == 1)
    event = hub.events[0]
    assert isinstance(event, IncomingMessage) and event.name == "sms.received"
    assert (event.error_code, event.error_url) == (11205, dead)
    assert event.to_params() == dict(sent[0].params) and event.unmapped_params() == []


# -- voice ------------------------------------------------------------------------------------


def test_outbound_call_status_and_whole_call_recording(hub: Hub) -> None:
    hub.replies["call.incoming"] = "<Response><Say>hello</Say></Response>"
    events = ["initiated", "ringing", "answered", "completed"]
    call = hub.client.calls.create(
        to=HANDSET,
        from_=NUMBER,
        url=hub.url("/voice"),
        status_callback=StatusCallback(hub.url("/call-status"), events=events),
        record=True,
        recording_status_callback=hub.url("/recording"),
        extra_params={"RecordingStatusCallbackEvent": "in-progress completed"},
    )
    seen = hub.checked()
    assert sorted(seen, key=lambda s: s[1]) == sorted(
        [
            (IncomingCall, "call.incoming"),
            (CallStatusChangeEvent, "call.initiated"),
            (CallStatusChangeEvent, "call.ringing"),
            (CallStatusChangeEvent, "call.answered"),
            (CallStatusChangeEvent, "call.completed"),
            (RecordingStatusEvent, "recording.in_progress"),
            (RecordingStatusEvent, "recording.completed"),
        ],
        key=lambda s: s[1],
    )
    request = hub.one(IncomingCall, "call.incoming")
    assert (request.call_sid, request.direction, request.call_status) == (
        call.sid,
        "outbound-api",
        "in-progress",
    )
    assert request.to_country == request.called_country == "US"
    done = hub.one(CallStatusChangeEvent, "call.completed")
    assert done.callback_source == "call-progress-events" and done.timestamp is not None
    assert done.recording_sid is not None and done.call_duration is not None
    assert done.duration is not None and done.duration >= 1
    recording = hub.one(RecordingStatusEvent, "recording.completed")
    assert (recording.recording_sid, recording.recording_source) == (
        done.recording_sid,
        "OutboundAPI",
    )
    assert recording.recording_start_time is not None and recording.error_code == 0


def test_gather_with_digits_and_with_speech(hub: Hub) -> None:
    hub.emu.set_rule("completed", to=HANDSET, kind="call", digits="1234#")
    hub.emu.set_rule("completed", to=OTHER, kind="call", speech="talk to sales")
    gather = (
        f'<Response><Gather action="{hub.url("/gather")}" input="dtmf speech">'
        "<Say>press or say</Say></Gather></Response>"
    )
    hub.replies.update({"call.incoming": gather, "call.gather": HANGUP})
    for to in (HANDSET, OTHER):
        hub.client.calls.create(to=to, from_=NUMBER, url=hub.url("/voice"))
    seen = hub.checked()
    assert sorted(name for _, name in seen) == ["call.gather"] * 2 + ["call.incoming"] * 2
    results = [e for e in hub.events if isinstance(e, GatherResult)]
    digits = next(e for e in results if e.digits is not None)
    assert (digits.digits, digits.finished_on_key, digits.speech_result) == ("1234", "#", None)
    speech = next(e for e in results if e.speech_result is not None)
    assert (speech.speech_result, speech.confidence) == ("talk to sales", 0.9)


def test_record_action_and_its_recording_status(hub: Hub) -> None:
    record = (
        f'<Response><Record action="{hub.url("/recorded")}" maxLength="5" '
        f'recordingStatusCallback="{hub.url("/recording")}"/></Response>'
    )
    hub.replies.update({"call.incoming": record, "call.record": HANGUP})
    hub.client.calls.create(to=HANDSET, from_=NUMBER, url=hub.url("/voice"))
    seen = hub.checked()
    assert sorted(name for _, name in seen) == [
        "call.incoming",
        "call.record",
        "recording.completed",
    ]
    result = hub.one(RecordResult, "call.record")
    status = hub.one(RecordingStatusEvent, "recording.completed")
    assert result.recording_sid == status.recording_sid and result.recording_url
    assert result.recording_duration == status.recording_duration
    assert status.recording_source == "RecordVerb"


def test_async_amd_is_its_own_event_acknowledged_without_twiml(hub: Hub) -> None:
    hub.emu.set_rule("completed", to=HANDSET, kind="call", answered_by="machine_start")
    hub.emu.set_rule("completed", to=OTHER, kind="call", answered_by="human")
    hub.replies["call.incoming"] = "<Response><Say>hi</Say></Response>"
    hub.replies["call.amd"] = "<Response><Say>never sent</Say></Response>"
    asynchronous = hub.client.calls.create(
        to=HANDSET,
        from_=NUMBER,
        url=hub.url("/voice"),
        machine_detection="Enable",
        extra_params={"AsyncAmd": "true", "AsyncAmdStatusCallback": hub.url("/amd")},
    )
    hub.client.calls.create(  # synchronous AMD: AnsweredBy comes with the TwiML request
        to=OTHER, from_=NUMBER, url=hub.url("/voice-sync"), machine_detection="Enable"
    )
    seen = hub.checked()
    assert sorted(seen, key=lambda s: s[1]) == [
        (MachineDetectionResult, "call.amd"),
        (IncomingCall, "call.incoming"),
        (IncomingCall, "call.incoming"),
    ]
    amd = hub.one(MachineDetectionResult, "call.amd")
    assert (amd.call_sid, amd.answered_by, amd.machine_detection_duration) == (
        asynchronous.sid,
        "machine_start",
        2000,
    )
    (acknowledged,) = hub.deliveries("/amd")
    assert acknowledged.status == 200 and not acknowledged.response_body
    (sync_request,) = [e for e in hub.events if isinstance(e, IncomingCall) and e.to == OTHER]
    assert sync_request.answered_by == "human"
    (answered,) = hub.deliveries("/voice-sync")
    assert "<Say>hi</Say>" in (answered.response_body or "")


def test_dial_action_leg_status_and_dial_recording(hub: Hub) -> None:
    dial = (
        f'<Response><Dial action="{hub.url("/dialed")}" record="record-from-answer" '
        f'recordingStatusCallback="{hub.url("/recording")}">'
        f'<Number statusCallback="{hub.url("/leg")}" '
        f'statusCallbackEvent="initiated ringing answered completed">{OTHER}</Number>'
        "</Dial></Response>"
    )
    hub.replies.update({"call.incoming": dial, "call.dial": HANGUP})
    call = hub.client.calls.create(to=HANDSET, from_=NUMBER, url=hub.url("/voice"))
    seen = hub.checked()
    names = sorted(name for _, name in seen)
    legs = ["call.initiated", "call.ringing", "call.answered", "call.completed"]
    assert names == sorted(["call.incoming", "call.dial", "recording.completed", *legs])
    result = hub.one(DialResult, "call.dial")
    assert (result.dial_call_status, result.dial_bridged) == ("completed", True)
    assert result.dial_call_sid and result.recording_url and result.dial_call_duration is not None
    leg = hub.one(CallStatusChangeEvent, "call.completed")
    assert (leg.parent_call_sid, leg.call_sid, leg.direction) == (
        call.sid,
        result.dial_call_sid,
        "outbound-dial",
    )
    assert hub.one(RecordingStatusEvent, "recording.completed").recording_source == "DialVerb"


def test_enqueue_wait_url_and_action(hub: Hub) -> None:
    enqueue = (
        f'<Response><Enqueue action="{hub.url("/enqueued")}" waitUrl="{hub.url("/wait")}">'
        "support</Enqueue></Response>"
    )
    hub.replies.update(
        {
            "call.incoming": enqueue,
            "call.enqueue_wait": "<Response><Leave/></Response>",
            "call.enqueue": HANGUP,
        }
    )
    hub.client.calls.create(to=HANDSET, from_=NUMBER, url=hub.url("/voice"))
    seen = hub.checked()
    assert seen == [
        (IncomingCall, "call.incoming"),
        (EnqueueWaitRequest, "call.enqueue_wait"),
        (EnqueueResult, "call.enqueue"),
    ]
    wait = hub.one(EnqueueWaitRequest, "call.enqueue_wait")
    assert (wait.queue_position, wait.current_queue_size) == (1, 1)
    assert wait.queue_sid and wait.queue_time is not None and wait.max_queue_size
    result = hub.one(EnqueueResult, "call.enqueue")
    assert (result.queue_result, result.queue_sid) == ("leave", wait.queue_sid)


def test_sms_verb_action_redirect_and_voice_fallback(hub: Hub) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/voice"
    first = (
        f'<Response><Sms action="{hub.url("/sms-verb")}">on my way</Sms>'
        f"<Say>unreached</Say></Response>"
    )
    hub.replies.update(
        {
            "call.incoming": [first, HANGUP],  # the fallback document, then the redirected one
            "call.sms": f"<Response><Redirect>{hub.url('/next')}</Redirect></Response>",
        }
    )
    hub.client.calls.create(to=HANDSET, from_=NUMBER, url=dead, fallback_url=hub.url("/fallback"))
    seen = hub.checked()
    assert seen == [
        (IncomingCall, "call.incoming"),
        (SmsVerbResult, "call.sms"),
        (IncomingCall, "call.incoming"),
    ]
    fallback, redirected = (e for e in hub.events if isinstance(e, IncomingCall))
    assert (fallback.error_code, fallback.error_url) == (11205, dead)
    assert redirected.error_code is None
    sms = hub.one(SmsVerbResult, "call.sms")
    assert sms.sms_sid and sms.sms_status


def test_inbound_call_to_a_number(hub: Hub) -> None:
    hub.client.incoming_phone_numbers.update(
        hub.number_sid(), voice_url=hub.url("/voice"), status_callback=hub.url("/call-status")
    )
    hub.replies["call.incoming"] = "<Response><Say>welcome</Say></Response>"
    call = hub.emu.simulate_incoming_call(HANDSET, NUMBER, caller_name="Ada", forwarded_from=OTHER)
    seen = hub.checked()
    assert seen == [(IncomingCall, "call.incoming"), (CallStatusChangeEvent, "call.completed")]
    request = hub.one(IncomingCall, "call.incoming")
    assert (request.call_sid, request.direction, request.call_status) == (
        call.sid,
        "inbound",
        "ringing",
    )
    assert (request.caller_name, request.forwarded_from, request.caller) == ("Ada", OTHER, HANDSET)
