"""Micro benchmark: the listener's per-request classification and event building.

For each kind of form webhook (payloads shaped like the emulator's), times
``classify_form(raw.first)`` (on the hot path of every request, before the inbox commit)
and ``build_form_event`` (once per handler run), and prints the best ns per call of
``--runs`` rounds (the least disturbed by other work on a shared machine). Run it on two
checkouts in one session to compare (``PYTHONPATH`` picks the checkout).

    PYTHONPATH=src .venv/bin/python bench/classify_bench.py [--runs 7] [--number 20000]
"""

from __future__ import annotations

import argparse
import timeit

from twilio_connector.listener.classify import build_form_event, classify_form
from twilio_connector.listener.events import RawParams

ACCOUNT = "AC" + "a" * 32
CALL = "CA" + "b" * 32
MESSAGE = "SM" + "c" * 32
RECORDING = "RE" + "d" * 32

VOICE = {
    "AccountSid": ACCOUNT,
    "ApiVersion": "2010-04-01",
    "CallSid": CALL,
    "CallStatus": "in-progress",
    "Called": "+15017122661",
    "Caller": "+15558675310",
    "Direction": "outbound-api",
    "From": "+15017122661",
    "To": "+15558675310",
    "FromCountry": "US",
    "CallerCountry": "US",
    "ToCountry": "US",
    "CalledCountry": "US",
}

PAYLOADS: dict[str, dict[str, str]] = {
    "sms status": {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "From": "+15017122661",
        "MessageSid": MESSAGE,
        "MessageStatus": "delivered",
        "SmsSid": MESSAGE,
        "SmsStatus": "delivered",
        "To": "+15558675310",
        "RawDlrDoneDate": "2607171206",
    },
    "inbound sms": {
        "ToCountry": "US",
        "ToState": "",
        "FromCountry": "US",
        "FromState": "",
        "SmsMessageSid": MESSAGE,
        "SmsSid": MESSAGE,
        "MessageSid": MESSAGE,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "Body": "hello",
        "To": "+15017122661",
        "From": "+15558675310",
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "ReferralNumMedia": "0",
    },
    "call status": dict(
        VOICE,
        CallStatus="completed",
        CallbackSource="call-progress-events",
        SequenceNumber="3",
        Timestamp="Mon, 04 Nov 2024 12:00:00 +0000",
        CallDuration="49",
        Duration="1",
    ),
    "voice request": dict(VOICE, CallStatus="ringing", Direction="inbound"),
    "gather": dict(VOICE, Digits="1234", FinishedOnKey="#"),
    "amd": {"AccountSid": ACCOUNT, "CallSid": CALL, "AnsweredBy": "human"},
    "recording status": {
        "AccountSid": ACCOUNT,
        "CallSid": CALL,
        "RecordingSid": RECORDING,
        "RecordingUrl": "https://api.twilio.com/x",
        "RecordingStatus": "completed",
        "RecordingDuration": "5",
        "RecordingChannels": "1",
        "RecordingStartTime": "Mon, 04 Nov 2024 12:00:00 +0000",
        "RecordingSource": "RecordVerb",
        "RecordingTrack": "both",
        "ErrorCode": "0",
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args()
    print(f"{'payload':<18}{'classify ns':>14}{'build ns':>12}  event")
    totals = [0.0, 0.0]
    for label, params in PAYLOADS.items():
        raw = RawParams(params.items())
        first = raw.first
        c = classify_form(first)
        timings = []
        for func in (
            lambda first=first: classify_form(first),
            lambda c=c, raw=raw: build_form_event(c.kind, c.name, raw, "tok"),
        ):
            runs = timeit.repeat(func, number=args.number, repeat=args.runs)
            timings.append(min(runs) / args.number * 1e9)
        totals[0] += timings[0]
        totals[1] += timings[1]
        print(f"{label:<18}{timings[0]:>14.0f}{timings[1]:>12.0f}  {c.name}")
    print(f"{'sum':<18}{totals[0]:>14.0f}{totals[1]:>12.0f}")


if __name__ == "__main__":
    main()
