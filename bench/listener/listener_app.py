"""The measured server: TwilioListener with the durable inbox and a no-op async handler.

Usage: python listener_app.py PORT INBOX (a SQLite path or a postgresql:// URL)
"""

import sys

from common import PUBLIC_URL, TOKEN

from twilio_connector.listener import SmsStatusChangeEvent, TwilioListener

handled = 0


def build(inbox: str) -> TwilioListener:
    listener = TwilioListener(TOKEN, public_url=PUBLIC_URL, inbox=inbox)

    @listener.on("sms.sent", "sms.delivered")
    async def on_status(event: SmsStatusChangeEvent) -> None:
        global handled
        handled += 1

    return listener


if __name__ == "__main__":
    build(sys.argv[2]).run("127.0.0.1", int(sys.argv[1]), log_level="warning")
