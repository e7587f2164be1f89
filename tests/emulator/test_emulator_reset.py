"""``reset`` forgets everything, webhooks in flight included: nothing from before a reset
shows up after it (what the pytest plugin's per-test isolation relies on)."""

from __future__ import annotations

from support.receiver import Receiver, Reply

from twilio_connector import TwilioClient
from twilio_connector.emulator import Emulator


def test_reset_cancels_webhooks_in_flight(emu: Emulator, receiver: Receiver) -> None:
    receiver.reply("/status", Reply(hang=True))  # answers only when the receiver closes
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        hook = receiver.url("/status")
        client.send_sms("+15017122661", "+15558675310", "hi", status_callback=hook)
    receiver.wait_for(lambda hits: len(hits) >= 1)  # the 'sent' callback is in flight

    emu.reset()
    emu.settle(timeout=5)  # the hung delivery belongs to the old state: nothing to wait for
    receiver.close()  # the hung request would be answered now
    emu.settle()

    assert emu.delivery_log() == [] and emu.notifications() == []

    after = Receiver()  # webhooks made after the reset are delivered and logged as usual
    try:
        with TwilioClient(
            account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
        ) as client:
            message = client.send_sms(
                "+15017122661", "+15558675310", "after", status_callback=after.url("/status")
            )
        emu.settle()
        log = emu.delivery_log()
        assert [(d.resource_sid, d.param("MessageStatus"), d.status) for d in log] == [
            (message.sid, "sent", 200), (message.sid, "delivered", 200)
        ]  # fmt: skip
        assert len(after.requests) == 2
    finally:
        after.close()
