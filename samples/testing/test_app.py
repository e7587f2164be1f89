"""The Flask app of app.py against the Twilio emulator, with the twilio-connector pytest
plugin's fixtures (``pip install 'twilio-connector[emulator]'``, then ``pytest``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app import create_app
from flask import Flask

from twilio_connector import TwilioClient
from twilio_connector.testing import TwilioEmulator, serve_wsgi

CUSTOMER = "+15558675310"


@pytest.fixture
def app(twilio_emulator: TwilioEmulator, twilio_client: TwilioClient) -> Iterator[Flask]:
    """The app, served on a free port so that the emulator's webhooks reach it."""
    app = create_app(twilio_client, twilio_emulator.phone_number, twilio_emulator.auth_token)
    with serve_wsgi(app) as url:
        app.config["PUBLIC_URL"] = url
        twilio_emulator.configure_number(sms_url=f"{url}/twilio/inbound")
        yield app


def test_shipping_text_is_delivered(app: Flask, twilio_emulator: TwilioEmulator) -> None:
    answer = app.test_client().post("/orders/1234/shipped", data={"phone": CUSTOMER})
    sid = answer.get_json()["sms"]

    twilio_emulator.wait_for_status(sid, "delivered")
    twilio_emulator.settle()  # every status callback has reached the app

    twilio_emulator.assert_message_sent(to=CUSTOMER, body_contains="Order 1234 has shipped")
    twilio_emulator.assert_webhook_delivered(
        path="/twilio/status", status=204, params={"MessageSid": sid, "MessageStatus": "delivered"}
    )
    assert app.test_client().get(f"/texts/{sid}").get_json()["status"] == "delivered"


def test_reply_gets_an_answer(app: Flask, twilio_emulator: TwilioEmulator) -> None:
    app.test_client().post("/orders/1234/shipped", data={"phone": CUSTOMER})

    twilio_emulator.simulate_inbound_message(CUSTOMER, twilio_emulator.phone_number, "When?")
    twilio_emulator.settle()  # the app answered and the emulator sent the answer

    reply = twilio_emulator.assert_message_sent(to=CUSTOMER, body="Order 1234 arrives tomorrow.")
    twilio_emulator.wait_for_status(reply, "delivered")


def test_forged_callback_is_refused(app: Flask) -> None:
    forged = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    assert app.test_client().post("/twilio/status", data=forged).status_code == 403
