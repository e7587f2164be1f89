"""Seed sample deliveredSMSEvent: react when the carrier confirms delivery."""

import os

from twilio_connector.listener import SmsStatusChangeEvent, TwilioListener

listener = TwilioListener(os.environ["TWILIO_AUTH_TOKEN"], inbox_path="delivered-sms-inbox.sqlite3")


@listener.on_sms_delivered
async def delivered(event: SmsStatusChangeEvent) -> None:
    print(f"SMS {event.message_sid} delivered to {event.to}", flush=True)


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))
