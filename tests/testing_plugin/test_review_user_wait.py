"""Found by the new-user review of issue 12: ``wait_for_status`` on a scheduled message.

The docs say it "moves the clock as needed"; a scheduled message only moves when the clock
reaches its ``SendAt``, which ``wait_for_status`` does not jump to. It failed at once with
"the emulator has nothing left to do", which reads like a bug in the emulator; it now says
that the message is scheduled and that ``advance(seconds)`` gets it there.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from twilio_connector.testing import TwilioEmulator


@pytest.mark.parametrize("timing", ["fast", "manual"])
def test_waiting_for_a_scheduled_message_says_to_advance_the_clock(timing: str) -> None:
    with TwilioEmulator(timing=timing) as emu, emu.client() as client:
        service = client.messaging_services.create("Reminders")
        number = client.incoming_phone_numbers.list()[0]
        client.messaging_services.phone_numbers(service.sid).add(number.sid)
        send_at = datetime.now(timezone.utc) + timedelta(hours=2)
        later = client.send_sms(None, "+12125550100", "in two hours",
                                messaging_service_sid=service.sid, send_at=send_at)  # fmt: skip

        with pytest.raises(AssertionError) as failed:
            emu.wait_for_status(later, "delivered")
        assert "'scheduled'" in str(failed.value) and "advance(" in str(failed.value)

        emu.advance(2 * 3600 + 1)  # what the message says: then the wait succeeds
        assert emu.wait_for_status(later, "delivered").status == "delivered"
