"""The call status machine and the parameters of voice webhooks (TWILIO.md 4.4, 6.4-6.7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from voice_testkit import ACCOUNT, START

from twilio_connector.emulator.voice import (
    BUSY,
    CANCELED,
    COMPLETED,
    IN_PROGRESS,
    INITIATED,
    NO_ANSWER,
    QUEUED,
    RINGING,
    CallInfo,
    CallProgress,
    InvalidStatusCallbackEvent,
    InvalidTransition,
    billed_minutes,
    callback_statuses,
    event_for_status,
    parse_status_callback_events,
    recording_status_params,
    status_callback_params,
    voice_request_params,
)
from twilio_connector.models import parse_rfc2822

CALL_SID = "CA" + "1" * 32
INFO = CallInfo(ACCOUNT, CALL_SID, "+15005550006", "+14155550100")
ALL_EVENTS = frozenset({"initiated", "ringing", "answered", "completed"})


def progress(**kwargs: object) -> CallProgress:
    return CallProgress(
        INFO,
        created_at=START,
        status_callback=str(kwargs.pop("status_callback", "https://cb.example.com/s")),
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, {"completed"}),
        ([], {"completed"}),
        ("initiated ringing", {"initiated", "ringing"}),
        (["initiated", "answered completed"], {"initiated", "answered", "completed"}),
        (["ringing", "ringing"], {"ringing"}),
    ],
)
def test_status_callback_events(given: object, expected: set[str]) -> None:
    assert parse_status_callback_events(given) == expected  # type: ignore[arg-type]


def test_invalid_status_callback_event_is_21626() -> None:
    with pytest.raises(InvalidStatusCallbackEvent) as caught:
        parse_status_callback_events(["initiated", "hungup"])
    assert caught.value.code == 21626 and "hungup" in str(caught.value)


def test_events_map_to_statuses() -> None:
    assert callback_statuses(parse_status_callback_events("initiated answered")) == {
        INITIATED, IN_PROGRESS,
    }  # fmt: skip
    assert callback_statuses(parse_status_callback_events(None)) == {
        COMPLETED, BUSY, NO_ANSWER, CANCELED, "failed",
    }  # fmt: skip
    assert callback_statuses(ALL_EVENTS) == {INITIATED, RINGING, IN_PROGRESS} | {
        COMPLETED, BUSY, NO_ANSWER, CANCELED, "failed",
    }  # fmt: skip


def test_event_for_status() -> None:
    assert [event_for_status(s) for s in (QUEUED, INITIATED, RINGING, IN_PROGRESS)] == [
        None, "initiated", "ringing", "answered",
    ]  # fmt: skip
    assert {event_for_status(s) for s in (COMPLETED, BUSY, NO_ANSWER, CANCELED)} == {"completed"}


def test_four_callbacks_with_sequence_numbers_0_to_3() -> None:
    call = progress(events=ALL_EVENTS)
    sent = []
    for seconds, status in [(0, INITIATED), (1, RINGING), (3, IN_PROGRESS), (64, COMPLETED)]:
        update = call.advance(status, START + timedelta(seconds=seconds))
        assert update.callback is not None
        sent.append(update.callback)
    assert [c.params["SequenceNumber"] for c in sent] == ["0", "1", "2", "3"]
    assert [c.params["CallStatus"] for c in sent] == [
        "initiated", "ringing", "in-progress", "completed",
    ]  # fmt: skip
    assert all(c.url == "https://cb.example.com/s" and c.method == "POST" for c in sent)
    for c in sent:
        assert c.params["CallbackSource"] == "call-progress-events"
        assert c.params["CallSid"] == CALL_SID and c.params["AccountSid"] == ACCOUNT
        assert c.params["Direction"] == "outbound-api"
        assert c.params["Caller"] == c.params["From"] == "+15005550006"
        assert c.params["Called"] == c.params["To"] == "+14155550100"
    assert sent[0].params["Timestamp"] == "Thu, 02 Jan 2025 03:04:05 +0000"
    assert parse_rfc2822(sent[3].params["Timestamp"]) == START + timedelta(seconds=64)
    for c in sent[:3]:
        assert not {"CallDuration", "Duration", "SipResponseCode"} & c.params.keys()
    final = sent[3].params
    assert (final["CallDuration"], final["Duration"], final["SipResponseCode"]) == (
        "61",
        "2",
        "200",
    )
    assert call.duration_seconds == 61 and call.status == COMPLETED


def test_only_subscribed_events_count_in_the_sequence() -> None:
    call = progress(events=frozenset({"ringing", "completed"}))
    callbacks = [
        call.advance(status, START).callback for status in (INITIATED, RINGING, IN_PROGRESS)
    ]
    assert [c is not None for c in callbacks] == [False, True, False]
    final = call.advance(COMPLETED, START + timedelta(seconds=49)).callback
    assert final is not None and final.params["SequenceNumber"] == "1"
    assert (final.params["CallDuration"], final.params["Duration"]) == ("49", "1")


def test_no_status_callback_url_means_no_callbacks() -> None:
    call = CallProgress(INFO, created_at=START, events=ALL_EVENTS)
    for status in (INITIATED, RINGING):
        assert call.advance(status, START).callback is None
    assert call.callbacks_sent == 0


@pytest.mark.parametrize(("status", "sip"), [(BUSY, "486"), (NO_ANSWER, "487"), (CANCELED, "487")])
def test_unanswered_end(status: str, sip: str) -> None:
    call = progress()
    call.advance(INITIATED, START)
    call.advance(RINGING, START)
    update = call.advance(status, START + timedelta(seconds=30))
    assert update.callback is not None
    params = update.callback.params
    assert (params["CallStatus"], params["SipResponseCode"]) == (status, sip)
    assert (params["CallDuration"], params["Duration"]) == ("0", "0")
    assert call.duration_seconds is None and call.is_terminal


def test_transitions_are_checked() -> None:
    call = progress()
    assert call.resource_status == QUEUED and call.can_cancel() and not call.can_modify()
    with pytest.raises(InvalidTransition):
        call.advance(IN_PROGRESS, START)
    call.advance(INITIATED, START)
    assert call.resource_status == QUEUED  # initiated is not a resource status
    call.advance(RINGING, START)
    assert call.resource_status == RINGING and call.can_cancel()
    call.advance(IN_PROGRESS, START)
    assert call.can_modify() and not call.can_cancel()
    with pytest.raises(InvalidTransition):
        call.advance(CANCELED, START)
    call.advance(COMPLETED, START, sip_response_code=200)
    for status in (RINGING, COMPLETED, QUEUED):
        with pytest.raises(InvalidTransition):
            call.advance(status, START)


def test_inbound_calls_start_ringing() -> None:
    call = CallProgress(INFO, created_at=START, status=RINGING)
    assert call.started_at == START and not call.answered
    call.advance(IN_PROGRESS, START + timedelta(seconds=2))
    call.advance(COMPLETED, START + timedelta(seconds=2.2))
    assert call.duration_seconds == 1  # a started second counts


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(0, 0), (1, 1), (49, 1), (60, 1), (61, 2), (120, 2), (121, 3)]
)
def test_billed_minutes_round_up(seconds: int, minutes: int) -> None:
    assert billed_minutes(seconds) == minutes


def test_voice_request_params() -> None:
    info = CallInfo(
        ACCOUNT,
        CALL_SID,
        "+14155550111",
        "+15005550006",
        direction="inbound",
        parent_call_sid=None,
        forwarded_from="+14155550999",
        geo={"FromCity": "SAN FRANCISCO", "ToCountry": "US", "FromZip": "94105"},
    )
    params = voice_request_params(info, "ringing", {"Digits": "12"})
    assert params == {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "CallSid": CALL_SID,
        "CallStatus": "ringing",
        "Called": "+15005550006",
        "Caller": "+14155550111",
        "Direction": "inbound",
        "From": "+14155550111",
        "To": "+15005550006",
        "ForwardedFrom": "+14155550999",
        "FromCity": "SAN FRANCISCO",
        "CallerCity": "SAN FRANCISCO",
        "FromZip": "94105",
        "CallerZip": "94105",
        "ToCountry": "US",
        "CalledCountry": "US",
        "Digits": "12",
    }
    assert info.twilio_number == "+15005550006" and info.remote_party == "+14155550111"
    child = CallInfo(ACCOUNT, "CA2", "+1", "+2", direction="outbound-dial", parent_call_sid="CA1")
    assert voice_request_params(child, "in-progress")["ParentCallSid"] == "CA1"


def test_status_callback_params_extra_and_no_duration() -> None:
    params = status_callback_params(
        INFO, "ringing", sequence_number=5, timestamp=START, extra={"AnsweredBy": "human"}
    )
    assert params["SequenceNumber"] == "5" and params["AnsweredBy"] == "human"
    assert "CallDuration" not in params and "SipResponseCode" not in params


def test_recording_status_params() -> None:
    params = recording_status_params(
        account_sid=ACCOUNT,
        call_sid=CALL_SID,
        recording_sid="RE1",
        recording_url="https://api.twilio.com/x/Recordings/RE1",
        status="completed",
        duration=7,
        start_time=START,
        source="RecordVerb",
    )
    assert params == {
        "AccountSid": ACCOUNT,
        "CallSid": CALL_SID,
        "RecordingSid": "RE1",
        "RecordingUrl": "https://api.twilio.com/x/Recordings/RE1",
        "RecordingStatus": "completed",
        "RecordingDuration": "7",
        "RecordingChannels": "1",
        "RecordingStartTime": "Thu, 02 Jan 2025 03:04:05 +0000",
        "RecordingSource": "RecordVerb",
        "RecordingTrack": "both",
        "ErrorCode": "0",
    }
