"""A small Flask app that texts a customer when their order ships.

* ``POST /orders/<order>/shipped`` (form ``phone``): sends the SMS, asks Twilio for status
  callbacks, answers ``{"order": ..., "sms": <Message SID>}``;
* ``POST /twilio/status``: Twilio's status callbacks; the app keeps each text's status;
* ``GET /texts/<sid>``: what the app knows about a text it sent;
* ``POST /twilio/inbound``: a customer's reply (the number's SmsUrl); the TwiML answer is
  sent back to them.

Twilio's requests are checked with ``X-Twilio-Signature`` (403 otherwise). Run it for real
with ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_FROM`` and ``PUBLIC_URL`` set:
``python app.py``. Its test is ``test_app.py``, beside it.
"""

from __future__ import annotations

import os

from flask import Flask, abort, request

from twilio_connector import TwilioClient
from twilio_connector.signature import validate_signature
from twilio_connector.twiml import MessagingResponse


def create_app(client: TwilioClient, from_number: str, auth_token: str) -> Flask:
    """The app; set ``app.config["PUBLIC_URL"]`` to the URL Twilio reaches it at."""
    app = Flask(__name__)
    texts: dict[str, dict[str, str]] = {}  # Message SID -> order and status
    # A status callback may arrive before messages.create() has returned: keep it anyway.
    orders_by_phone: dict[str, str] = {}

    def check_signature() -> None:
        url = app.config["PUBLIC_URL"] + request.full_path.removesuffix("?")
        params = list(request.form.items(multi=True))
        signature = request.headers.get("X-Twilio-Signature")
        if not validate_signature(auth_token, url, params, signature):
            abort(403)

    @app.post("/orders/<order>/shipped")
    def shipped(order: str) -> tuple[dict[str, str], int]:
        phone = request.form["phone"]
        message = client.messages.create(
            to=phone,
            from_=from_number,
            body=f"Order {order} has shipped. Reply WHEN to know when it arrives.",
            status_callback=app.config["PUBLIC_URL"] + "/twilio/status",
        )
        text = texts.setdefault(message.sid, {"status": message.status or "queued"})
        text["order"] = order
        orders_by_phone[phone] = order
        return {"order": order, "sms": message.sid}, 201

    @app.post("/twilio/status")
    def status() -> tuple[str, int]:
        check_signature()
        text = texts.setdefault(request.form["MessageSid"], {})
        text["status"] = request.form["MessageStatus"]
        return "", 204

    @app.get("/texts/<sid>")
    def text(sid: str) -> dict[str, str]:
        return texts.get(sid) or abort(404)

    @app.post("/twilio/inbound")
    def inbound() -> tuple[str, int, dict[str, str]]:
        check_signature()
        order = orders_by_phone.get(request.form["From"])
        reply = MessagingResponse()
        if order is not None and "WHEN" in request.form.get("Body", "").upper():
            reply.message(f"Order {order} arrives tomorrow.")
        else:
            reply.message("Sorry, we could not find your order.")
        return str(reply), 200, {"Content-Type": "text/xml"}

    return app


if __name__ == "__main__":
    app = create_app(TwilioClient(), os.environ["TWILIO_FROM"], os.environ["TWILIO_AUTH_TOKEN"])
    app.config["PUBLIC_URL"] = os.environ["PUBLIC_URL"]
    app.run(port=5000)
