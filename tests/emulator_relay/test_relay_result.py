"""The ``<Connect action>`` payload of a ConversationRelay session: built, sent, classified."""

from __future__ import annotations

from twilio_connector.callbacks import EVENT_NAMES, ConversationRelayResult
from twilio_connector.listener.classify import classify_form

SID = "CA" + "1" * 32


def test_params_round_trip_and_the_listener_classifies_them() -> None:
    result = ConversationRelayResult(
        session_id="VX" + "2" * 32,
        session_status="ended",
        session_duration=12,
        handoff_data='{"reasonCode":"live-agent-handoff"}',
    )
    params = result.to_params()
    assert params == {
        "SessionId": "VX" + "2" * 32,
        "SessionStatus": "ended",
        "SessionDuration": "12",
        "HandoffData": '{"reasonCode":"live-agent-handoff"}',
    }
    form = params | {"CallSid": SID, "CallStatus": "in-progress", "AccountSid": "AC" + "3" * 32}
    classified = classify_form(form)
    assert classified.kind is ConversationRelayResult and classified.inline  # TwiML expected
    assert classified.name == "call.conversation_relay" and classified.resource_sid == SID
    assert "call.conversation_relay" in EVENT_NAMES
    parsed = ConversationRelayResult.from_params(form)
    assert parsed.session_duration == 12 and parsed.call_status == "in-progress"
    assert parsed.handoff_data == result.handoff_data and parsed.error_code is None


def test_a_failed_session_carries_the_error() -> None:
    failed = ConversationRelayResult(
        session_id="VX" + "4" * 32, session_status="failed", session_duration=0,
        error_code=64102, error_message="cannot connect",
    ).to_params()  # fmt: skip
    assert failed["ErrorCode"] == "64102" and failed["ErrorMessage"] == "cannot connect"
    parsed = ConversationRelayResult.from_params(failed | {"CallSid": SID})
    assert (parsed.error_code, parsed.session_status) == (64102, "failed")
