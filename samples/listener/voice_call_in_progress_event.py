"""Seed sample voiceCallInProgressEvent: react when the call is answered."""

import os

from twilio_connector.listener import CallStatusChangeEvent, TwilioListener

listener = TwilioListener(os.environ["TWILIO_AUTH_TOKEN"], inbox_path="answered-inbox.sqlite3")


@listener.on_call_answered
def answered(event: CallStatusChangeEvent) -> None:
    print(f"Call {event.call_sid} answered ({event.status})", flush=True)


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))
