"""Seed sample sendSMS: send a text message."""

import os

from twilio_connector import TwilioClient

FROM = os.environ.get("TWILIO_FROM_NUMBER", "+15005550006")
TO = os.environ.get("SAMPLE_TO_NUMBER", "+14155550100")

with TwilioClient() as client:
    message = client.send_sms(FROM, TO, "Hello from twilio-connector!")
    print(f"SMS {message.sid} to {message.to}: {message.status}")
