"""Seed sample sendWhatsappMessage: send a WhatsApp template message.

Outside the 24-hour customer-service window WhatsApp only accepts approved templates
(``content_sid``); inside it, pass ``body=`` instead.
"""

import os

from twilio_connector import TwilioClient

FROM = os.environ.get("TWILIO_WHATSAPP_NUMBER", "+14155238886")  # the WhatsApp sandbox
TO = os.environ.get("SAMPLE_TO_NUMBER", "+14155550100")
TEMPLATE = os.environ.get("SAMPLE_CONTENT_SID", "HX" + "0" * 32)

with TwilioClient() as client:
    message = client.send_whatsapp_message(
        FROM, TO, content_sid=TEMPLATE, content_variables={"1": "Ada", "2": "10:00"}
    )
    print(f"WhatsApp {message.sid} to {message.to}: {message.status}")
