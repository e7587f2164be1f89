"""Seed sample makeVoiceCall: call a number and speak a message."""

import os

from twilio_connector import StatusCallback, TwilioClient, VoiceCallInput

FROM = os.environ.get("TWILIO_FROM_NUMBER", "+15005550006")
TO = os.environ.get("SAMPLE_TO_NUMBER", "+14155550100")
CALLBACK = os.environ.get("SAMPLE_STATUS_CALLBACK")  # e.g. a listener sample's URL

with TwilioClient() as client:
    call = client.make_voice_call(
        FROM,
        TO,
        VoiceCallInput.text("Hello! This call was placed by twilio-connector."),
        StatusCallback.all_events(CALLBACK) if CALLBACK else None,
    )
    print(f"Call {call.sid} to {call.to}: {call.status}")
