"""Helpers for the voice-call tests: signature checks and status sequences."""

from __future__ import annotations

from support.receiver import Received, Receiver
from twilio.request_validator import RequestValidator

from twilio_connector.signature import validate_signature

MAGIC_FROM = "+15005550006"
HANDSET = "+14155550100"
EVENTS = ["initiated", "ringing", "answered", "completed"]


def assert_signed(token: str, request: Received) -> None:
    """The request verifies with the official validator and with ours."""
    signature = request.headers["X-Twilio-Signature"]
    params = request.form if request.method == "POST" else {}
    assert RequestValidator(token).validate(request.url, params, signature), request.path
    pairs = request.pairs if request.method == "POST" else []
    assert validate_signature(token, request.url, pairs, signature), request.path


def assert_all_signed(token: str, receiver: Receiver) -> int:
    for request in receiver.requests:
        assert_signed(token, request)
    return len(receiver.requests)


def statuses(receiver: Receiver, path: str) -> list[tuple[str, str]]:
    """(CallStatus, SequenceNumber) of the status callbacks at ``path``, by sequence."""
    got = [(r.form["CallStatus"], r.form["SequenceNumber"]) for r in receiver.at(path)]
    return sorted(got, key=lambda item: int(item[1]))
