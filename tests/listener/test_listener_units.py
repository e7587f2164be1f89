"""Small pure pieces: form parsing, classification, the dedup table, lifecycle edges."""

from __future__ import annotations

import fnmatch
from urllib.parse import parse_qsl

import pytest
from listener_testkit import TOKEN, call_status, sms_status, voice_base

from twilio_connector.listener import TwilioListener, WebhookRequest
from twilio_connector.listener.classify import KNOWN_EVENTS, classify_form, classify_stream
from twilio_connector.listener.dedup import RecentKeys
from twilio_connector.listener.events import MalformedPayload, parse_form
from twilio_connector.listener.registry import METHOD_EVENTS


@pytest.mark.parametrize(
    "body",
    ["a=%2B1&b=x+y&c=%e2%82%ac&d=%zz%4&e&=v&%41%42=1&&f=", "k=%", "x=%C3%A9%20ok+1", ""],
)
def test_parse_form_matches_the_standard_library(body):
    assert parse_form(body.encode()) == parse_qsl(body, keep_blank_values=True)


def test_parse_form_rejects_invalid_utf8():
    with pytest.raises(MalformedPayload):
        parse_form(b"Body=%ff")
    with pytest.raises(MalformedPayload):
        parse_form(b"Body=\xff")


CASES = [
    (sms_status("SM1", "delivered"), "sms.delivered", False, "sms.delivered:SM1"),
    (sms_status("SM1", "Partially-Delivered"), "sms.partially_delivered", False, "sms.p*"),
    ({"MessageSid": "SM2", "Body": "hi", "SmsStatus": "received"}, "sms.received", True, "sms.r*"),
    (call_status("CA1", "no-answer", 3), "call.no_answer", False, "call.no_answer:CA1"),
    (voice_base("CA1", "ringing"), "call.incoming", True, None),
    (voice_base("CA1", "in-progress", SpeechResult="yes"), "call.gather", True, None),
    (voice_base("CA1", "in-progress", QueueResult="hangup"), "call.enqueue", True, None),
    (voice_base("CA1", "in-progress", RecordingUrl="u", Digits="#"), "call.record", True, None),
    ({"CallSid": "CA1", "AnsweredBy": "human"}, "call.amd", False, "call.amd:CA1"),  # async AMD
    (voice_base("CA1", "in-progress", AnsweredBy="human"), "call.incoming", True, None),
    ({"RecordingSid": "RE1", "RecordingStatus": "in-progress"}, "recording.in_progress", 0, "r*"),
    ({"Foo": "bar"}, "unknown", False, None),
]


@pytest.mark.parametrize(("params", "name", "inline", "dedup"), CASES)
def test_classification(params, name, inline, dedup):
    c = classify_form(params)
    assert (c.name, c.inline) == (name, bool(inline))
    if dedup is None:  # no SID+status key: only the idempotency token can identify a retry
        assert c.dedup_key is None
    else:
        assert fnmatch.fnmatchcase(c.dedup_key, dedup)


def test_lifecycle_ranks_order_statuses():
    ranks = [classify_form(sms_status("SM1", s)).rank for s in ("queued", "sent", "delivered")]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3
    assert classify_form(call_status("CA1", "completed", 7)).rank == 7  # SequenceNumber wins


def test_stream_classification():
    doc = {"type": "com.twilio.voice.status-callback.call.ringing", "id": "EV9"}
    doc["data"] = {"request": {"parameters": {"CallSid": "CA5"}}}
    c = classify_stream(doc)
    assert (c.name, c.resource_sid, c.dedup_key) == (
        "stream.voice.status-callback.call.ringing",
        "CA5",
        "stream:EV9",
    )
    assert classify_stream({"type": 3}).name == "unknown"
    assert classify_stream([1, 2]).name == "unknown"


def test_every_known_event_has_a_method_name():
    targets = {name for name, _ in METHOD_EVENTS.values()}
    assert targets | {"recording.*"} >= KNOWN_EVENTS
    for seed in ("on_sms_queued", "on_sms_sent", "on_sms_delivered", "on_sms_received"):
        assert seed in METHOD_EVENTS
    assert METHOD_EVENTS["on_call_rang"][0] == "call.ringing"
    assert METHOD_EVENTS["on_call_answered"][0] == "call.answered"
    assert METHOD_EVENTS["on_call_completed"][0] == "call.completed"


def test_recent_keys_remembers_a_window_and_forgets_older_keys():
    keys = RecentKeys(100)
    for n in range(1, 151):
        keys.add(f"k{n}", n)
    assert keys.get("k150") == 150 and keys.get("k101") == 101
    assert keys.get("k1") is None  # evicted: more than the window ago
    assert keys.get("never") is None
    keys.discard("k150", 150)
    assert keys.get("k150") is None
    assert keys.get("k149") == 149  # probing continues past the removed slot
    with pytest.raises(ValueError):
        keys.add("x", 0)
    with pytest.raises(ValueError):
        RecentKeys(1)


def test_stopped_listener_answers_503_instead_of_restarting(tmp_path):
    listener = TwilioListener(TOKEN, inbox_path=tmp_path / "i.sqlite3")
    listener.on_sms_sent(lambda e: None)
    req = WebhookRequest("POST", "http", "h", "/", "", {}, b"")
    assert listener.handle_sync(req).status == 403  # started lazily; unsigned
    assert listener.running
    listener.close()
    assert not listener.running
    assert listener.handle_sync(req).status == 503


def test_recent_keys_claim_is_get_or_insert():
    keys = RecentKeys(10)
    assert keys.claim("a", 1) is None  # new: remembered for id 1
    assert keys.claim("a", 2) == 1  # seen: the earlier id, nothing stored
    assert keys.get("a") == 1
    for n in range(3, 20):
        keys.claim(f"k{n}", n)
    assert keys.claim("a", 30) is None  # forgotten after more than the window


def test_public_names_are_exported():
    import twilio_connector.listener as pkg

    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
    for name in ("TwilioListener", "TwilioService", "RedeliveryPolicy", "SmsStatusChangeEvent"):
        assert name in pkg.__all__
    assert not hasattr(pkg, "RetryPolicy")  # one RetryPolicy: the client's (config.py)
    decorators = [n for n in dir(TwilioListener) if n.startswith("on_")]
    for seed in ("on_sms_queued", "on_sms_sent", "on_sms_delivered", "on_sms_received"):
        assert seed in decorators
    for seed in ("on_call_rang", "on_call_answered", "on_call_completed", "on_incoming_call"):
        assert seed in decorators
    assert all(n in METHOD_EVENTS for n in decorators)
