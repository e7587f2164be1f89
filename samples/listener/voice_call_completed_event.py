"""Seed sample voiceCallCompletedEvent: react when a call ends, with its duration."""

import os

from twilio_connector.listener import CallStatusChangeEvent, TwilioListener

listener = TwilioListener(os.environ["TWILIO_AUTH_TOKEN"], inbox_path="completed-inbox.sqlite3")


@listener.on_call_completed
def completed(event: CallStatusChangeEvent) -> None:
    print(f"Call {event.call_sid} completed after {event.call_duration}s", flush=True)


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))
