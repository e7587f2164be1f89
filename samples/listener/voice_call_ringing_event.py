"""Seed sample voiceCallRingingEvent: react when the called phone starts ringing.

Place the call with ``StatusCallback(url, events=["ringing", ...])``: Twilio reports only
the progress events you ask for.
"""

import os

from twilio_connector.listener import CallStatusChangeEvent, TwilioListener

listener = TwilioListener(os.environ["TWILIO_AUTH_TOKEN"], inbox_path="ringing-inbox.sqlite3")


@listener.on_call_rang
def ringing(event: CallStatusChangeEvent) -> None:
    print(f"Call {event.call_sid} to {event.to} is ringing", flush=True)


if __name__ == "__main__":
    listener.run("127.0.0.1", int(os.environ.get("PORT", "8080")))
