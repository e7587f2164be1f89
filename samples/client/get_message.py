"""Seed sample getMessage: fetch a message by SID (the newest one if none is given)."""

import sys

from twilio_connector import TwilioClient

with TwilioClient() as client:
    if len(sys.argv) > 1:
        sid = sys.argv[1]
    else:
        recent = client.messages.list(limit=1)
        if not recent:
            sys.exit("no messages yet: run send_sms.py first, or pass a message SID")
        sid = recent[0].sid
    message = client.get_message(sid)
    print(
        f"Message {message.sid}: {message.status} {message.from_} -> {message.to}: {message.body}"
    )
