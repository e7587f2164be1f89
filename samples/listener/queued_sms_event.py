"""Seed sample queuedSMSEvent: react when Twilio queues an SMS.

Twilio reports ``queued`` for messages sent through a Messaging Service, once it picks
the sender (``messaging_service_sid=...``).
"""

import os

from twilio_connector.listener import SmsStatusChangeEvent, TwilioListener

listener = TwilioListener(os.environ["TWILIO_AUTH_TOKEN"], inbox_path="queued-sms-inbox.sqlite3")


@listener.on_sms_queued
def queued(event: SmsStatusChangeEvent) -> None:
    print(f"SMS {event.message_sid} queued to {event.to}", flush=True)


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))
