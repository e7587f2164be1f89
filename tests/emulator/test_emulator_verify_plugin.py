"""Verify through the pytest plugin's fixtures (``twilio_emulator``, ``twilio_client``): the
pattern ``docs/verify.md`` shows for testing a login that sends a code."""

from __future__ import annotations

import pytest

from twilio_connector import TwilioClient
from twilio_connector.testing import TwilioEmulator

HANDSET = "+15558675310"


def test_a_login_flow_reads_the_code_like_the_user_would(
    twilio_emulator: TwilioEmulator, twilio_client: TwilioClient
) -> None:
    service = twilio_client.verify.services.create("My App").sid
    twilio_client.start_verification(service, HANDSET)  # the app under test does this
    code = twilio_emulator.verification_code(HANDSET)  # what the user's phone got
    assert twilio_client.check_verification(service, HANDSET, code).approved
    sent = twilio_emulator.assert_message_sent(to=HANDSET)
    assert sent.body == f"Your My App verification code is: {code}"


def test_assert_verification_sent_lists_what_there_is(
    twilio_emulator: TwilioEmulator, twilio_client: TwilioClient
) -> None:
    service = twilio_client.verify.services.create("My App").sid
    started = twilio_client.start_verification(service, HANDSET, "call")
    entry = twilio_emulator.assert_verification_sent(HANDSET, channel="call")
    assert (entry["sid"], entry["code"]) == (
        started.sid,
        twilio_emulator.verification_code(HANDSET),
    )
    with pytest.raises(AssertionError, match=r"no pending verification sent to .* by sms") as e:
        twilio_emulator.assert_verification_sent(HANDSET, channel="sms")
    assert started.sid in str(e.value)
    with pytest.raises(AssertionError, match=r"\(none\)"):
        twilio_emulator.assert_verification_sent("+15558675399")


def test_each_test_starts_without_verifications(twilio_emulator: TwilioEmulator) -> None:
    assert twilio_emulator.verifications() == []
    with pytest.raises(LookupError):
        twilio_emulator.verification_code(HANDSET)
