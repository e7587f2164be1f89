"""What a reply-bearing handler returns is sent as a ``<Response>`` document, or not at all.

Real signed requests to a listener served by uvicorn; the end-to-end case goes through the
emulator: an inbound SMS reaches the listener, whose handler returns ``.message(...)``, and
the emulator sends the reply (no 12102).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from listener_testkit import inbound_sms, post_signed, sid, voice_base
from support.wait import wait_until

from twilio_connector import TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.listener import RedeliveryPolicy
from twilio_connector.twiml import Body, Message, MessagingResponse, Say, VoiceResponse

EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def _records(listener):
    with listener.open_inbox() as inbox:
        return inbox.records()


def test_a_verb_returned_by_a_handler_sends_its_whole_document(make_listener, start, http):
    listener = make_listener()

    @listener.on_sms_received
    def reply(event):
        response = MessagingResponse()
        response.message("first")
        return response.message(f"You said {event.body}")  # the second <Message>

    url = start(listener.app).url + "/sms"
    answer = post_signed(http, url, inbound_sms(sid("SM", 1), "hello"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(answer.content)
    assert root.tag == "Response"
    assert [(m.tag, m.text) for m in root] == [
        ("Message", "first"),
        ("Message", "You said hello"),
    ]


def test_a_nested_voice_verb_sends_the_document_it_belongs_to(make_listener, start, http):
    listener = make_listener()

    @listener.on_incoming_call
    def answer(event):
        response = VoiceResponse()
        return response.gather(num_digits=1, action="/menu").say("Press 1")

    url = start(listener.app).url + "/voice"
    answer_ = post_signed(http, url, voice_base(sid("CA", 1), "ringing"))
    assert answer_.text == (
        DECLARATION + '<Response><Gather action="/menu" numDigits="1">'
        "<Say>Press 1</Say></Gather></Response>"
    )


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (lambda: Message("hi"), "<Response><Message>hi</Message></Response>"),
        (lambda: Say("hello"), "<Response><Say>hello</Say></Response>"),
    ],
)
def test_a_verb_built_on_its_own_is_sent_inside_a_response(
    make_listener, start, http, returned, expected
):
    listener = make_listener()
    built = returned()

    @listener.on("sms.received")
    def reply(event):
        return built

    url = start(listener.app).url + "/"
    answer = post_signed(http, url, inbound_sms(sid("SM", 2), "x"))
    assert answer.text == DECLARATION + expected
    assert built.parent is None  # the handler's element was not attached to anything


def test_a_response_string_is_sent_as_written(make_listener, start, http):
    listener = make_listener()
    document = "<Response><Message>as written</Message></Response>"

    @listener.on_sms_received
    def reply(event):
        return document

    url = start(listener.app).url + "/"
    answer = post_signed(http, url, inbound_sms(sid("SM", 3), "x"))
    assert (answer.status_code, answer.text) == (200, document)
    assert [r.status for r in _records(listener)] == ["done"]


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        (lambda: "<Message>hi</Message>", "12102"),
        (lambda: b"<Say>hi</Say>", "12102"),
        (lambda: "You said hi", "12100"),
        (lambda: "", "12100"),
        (lambda: '\n<?xml version="1.0"?><Response/>', "12100"),
        (lambda: "<Response><Message>unclosed</Response>", "12100"),
        (lambda: "<Response>" + "<Message>x</Message>" * 4000 + "</Response>", "11750"),
        (lambda: Body("a noun on its own"), "<Body> cannot be the top"),
        (lambda: {"not": "twiml"}, "TypeError"),
    ],
)
def test_a_reply_twilio_would_refuse_is_a_handler_error(
    make_listener, start, http, returned, reason
):
    listener = make_listener(retry=RedeliveryPolicy(max_attempts=2, initial_delay=0.01))
    attempts: list[int] = []

    @listener.on_sms_received
    def reply(event):
        attempts.append(1)
        return returned()

    url = start(listener.app).url + "/"
    answer = post_signed(http, url, inbound_sms(sid("SM", 4), "hi"))
    # Not a 5xx (nothing the sender could fix) and never the refused document.
    assert (answer.status_code, answer.text) == (200, EMPTY)
    assert wait_until(lambda: [r.status for r in _records(listener)] == ["dead"])
    assert len(attempts) == 2  # retried like a handler that raised
    (row,) = _records(listener)
    assert reason in (row.last_error or "")
    if reason != "TypeError":
        assert (row.last_error or "").startswith("InvalidReply: ")


def test_a_handler_that_returns_a_verb_gets_its_reply_sent_by_the_emulator(
    make_listener, start, emu: Emulator
):
    listener = make_listener(auth_token=emu.auth_token)

    @listener.on_sms_received
    def reply(event):
        return MessagingResponse().message(f"You said {event.body}")

    hook = start(listener.app).url + "/sms"
    handset, owned = "+14155550100", "+15017122661"
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        (number,) = [n for n in client.incoming_phone_numbers.list() if n.phone_number == owned]
        client.incoming_phone_numbers.update(number.sid, sms_url=hook)
        inbound = emu.simulate_inbound_message(handset, owned, "ping")
        emu.settle()
        replies = [m for m in client.messages.list(to=handset) if m.direction == "outbound-reply"]
    assert [(m.from_, m.body) for m in replies] == [(owned, "You said ping")]
    assert [n.error_code for n in emu.notifications(inbound.sid)] == []
    (delivery,) = emu.delivery_log(inbound.sid, kind="incoming-message")
    assert (delivery.status, delivery.error) == (200, None)
