"""Baseline: the Flask + official RequestValidator setup from Twilio's tutorials."""

from common import PATH, PUBLIC_URL, TOKEN
from flask import Flask, abort, request
from twilio.request_validator import RequestValidator

app = Flask(__name__)
validator = RequestValidator(TOKEN)


@app.post(PATH)
def sms_status() -> tuple[str, int]:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not validator.validate(PUBLIC_URL + request.path, request.form, signature):
        abort(403)
    return "", 200
