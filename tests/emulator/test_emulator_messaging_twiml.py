"""Messaging TwiML is read by the one safe reader and checked against MESSAGING_VERBS."""

from __future__ import annotations

import pytest
from support.receiver import Receiver, Reply
from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.messages.twiml import (
    MessageAction,
    RedirectAction,
    TwimlError,
    parse_messaging_twiml,
)
from twilio_connector.twiml import MessagingResponse
from twilio_connector.twiml.reader import MAX_DEPTH

NUMBER = "+15017122661"
HANDSET = "+15558675310"

_ENTITY = b'<!DOCTYPE r [<!ENTITY a "spam">]><Response><Message>&a;</Message></Response>'
_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<Response><Message>&lol2;</Message></Response>"
)
_EXTERNAL = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response>&x;</Response>'


@pytest.mark.parametrize(
    "document",
    [
        _ENTITY,
        _LAUGHS,
        _EXTERNAL,
        b"<!DOCTYPE Response><Response><Message>hi</Message></Response>",
        b"<Response>" + b"<Message>" * (MAX_DEPTH + 1) + b"</Message>" * (MAX_DEPTH + 1)
        + b"</Response>",
    ],
)  # fmt: skip
def test_doctype_entities_and_deep_nesting_are_refused_12100(document: bytes) -> None:
    with pytest.raises(TwimlError) as info:
        parse_messaging_twiml(document)
    assert info.value.code == 12100


def test_elements_the_table_does_not_allow_are_reported_and_skipped() -> None:
    parsed = parse_messaging_twiml(
        b"<Response>stray<Say>voice verb</Say><Sayy/><Message bogus='1'>hi<Foo>x</Foo>"
        b"<Media>https://x/a.png</Media></Message><Gather><Message>nested</Message></Gather>"
        b"<Redirect>/next</Redirect><Message>after the redirect</Message></Response>"
    )
    assert parsed.actions == [
        MessageAction("hi", ("https://x/a.png",)),
        RedirectAction("/next"),
    ]
    codes = [code for code, _ in parsed.warnings]
    assert codes == [12200] * 6
    text = " | ".join(message for _, message in parsed.warnings)
    for name in ("<Say>", "<Sayy>", "<Foo>", "<Gather>", "'bogus'", "text inside <Response>"):
        assert name in text


def test_bad_methods_are_warnings_and_post_is_used() -> None:
    parsed = parse_messaging_twiml(
        b"<Response><Message method='PATCH'>a</Message>"
        b"<Redirect method='PUT'>/next</Redirect></Response>"
    )
    assert parsed.actions == [MessageAction("a", method="POST"), RedirectAction("/next", "POST")]
    assert [code for code, _ in parsed.warnings] == [14104, 12200]


def test_builder_documents_read_back_without_warnings() -> None:
    r = MessagingResponse()
    m = r.message(to="+15551230000", from_="+15017122661", action="/status")
    m.body("line one\nline two")
    m.media("https://example.com/cat.png")
    r.redirect("/more", method="GET")
    parsed = parse_messaging_twiml(str(r).encode())
    assert parsed.warnings == []
    assert parsed.actions == [
        MessageAction(
            "line one\nline two",
            ("https://example.com/cat.png",),
            to="+15551230000",
            from_="+15017122661",
            action="/status",
        ),
        RedirectAction("/more", "GET"),
    ]


def test_an_entity_document_from_a_webhook_is_12100_and_sends_nothing(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    pn = twilio.incoming_phone_numbers.list(phone_number=NUMBER)[0]
    twilio.incoming_phone_numbers(pn.sid).update(sms_url=receiver.url("/sms"))
    receiver.reply("/sms", Reply(200, _LAUGHS))
    inbound = emu.simulate_inbound_message(HANDSET, NUMBER, "hi")
    emu.settle()
    assert [(n.error_code, n.log_level) for n in emu.notifications(inbound.sid)] == [
        (12100, "error")
    ]
    assert twilio.messages.list(from_=NUMBER) == []


def test_voice_reads_through_the_same_bounds() -> None:
    from twilio_connector.emulator.voice import parse_voice_twiml

    deep = "<Response><Say>" + "<prosody>" * MAX_DEPTH + "x" + "</prosody>" * MAX_DEPTH
    for document, code in (
        (deep + "</Say></Response>", 12100),
        ("<Response><Say>" + "x" * (64 * 1024) + "</Say></Response>", 11750),
    ):
        with pytest.raises(TwimlError) as info:
            parse_voice_twiml(document)
        assert info.value.code == code
