"""TwiML text -> typed verbs: Twilio's validation errors and attribute defaults."""

from __future__ import annotations

import pytest

from twilio_connector.emulator.voice import TwimlError, parse_voice_twiml
from twilio_connector.emulator.voice.model import (
    Connect,
    Dial,
    Enqueue,
    Gather,
    Hangup,
    Leave,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Say,
    SendMessage,
    StreamControl,
    Unsupported,
)
from twilio_connector.twiml import VoiceResponse

DECL = '<?xml version="1.0" encoding="UTF-8"?>'


@pytest.mark.parametrize(
    "document",
    [
        "",
        "   ",
        "hello",
        "<Response><Say>unclosed</Response>",
        " " + DECL + "<Response/>",  # whitespace before the declaration
        "junk" + DECL + "<Response/>",
        "<Response/><Response/>",
        '<!DOCTYPE r [<!ENTITY a "aaaa">]><Response><Say>&a;</Say></Response>',
        b"\xff\xfe<\x00R\x00",
    ],
)
def test_not_xml_is_12100(document: str | bytes) -> None:
    with pytest.raises(TwimlError) as caught:
        parse_voice_twiml(document)
    assert caught.value.code == 12100


@pytest.mark.parametrize("root", ["<response/>", "<Say>hi</Say>", "<Foo><Say>x</Say></Foo>"])
def test_root_other_than_response_is_12102(root: str) -> None:
    with pytest.raises(TwimlError) as caught:
        parse_voice_twiml(DECL + root)
    assert caught.value.code == 12102
    assert "Response" in caught.value.message


def test_unknown_verb_fails_by_default_and_can_be_skipped() -> None:
    document = "<Response><Say>a</Say><Sayy>b</Sayy><Say>c</Say></Response>"
    with pytest.raises(TwimlError) as caught:
        parse_voice_twiml(document)
    assert caught.value.code == 12200 and "Sayy" in caught.value.message

    lenient = parse_voice_twiml(document, unknown_verbs="skip")
    assert [v.text for v in lenient.verbs if isinstance(v, Say)] == ["a", "c"]
    assert [i.code for i in lenient.issues] == [12200]


@pytest.mark.parametrize(
    "document",
    [
        "<Response><Gather><Dial>+14155550100</Dial></Gather></Response>",
        "<Response><Stream url='wss://x'/></Response>",
        "<Response><Dial><Say>x</Say></Dial></Response>",
        "<Response><Gather><Foo/></Gather></Response>",
        "<Response><Gather><Say>x</Say></Gather><Number>+1</Number></Response>",
    ],
)
def test_wrong_nesting_is_fatal_12200(document: str) -> None:
    with pytest.raises(TwimlError) as caught:
        parse_voice_twiml(document, unknown_verbs="skip")
    assert caught.value.code == 12200


def test_every_verb_with_defaults() -> None:
    document = (
        DECL + "<Response>"
        "<Say>Hello</Say><Play>/a.mp3</Play><Pause/>"
        "<Gather><Say>pin</Say><Pause length='2'/><Play digits='1w2'/></Gather>"
        "<Record/><Dial>+14155550100</Dial><Enqueue>support</Enqueue><Leave/>"
        "<Sms>hi</Sms><Message to='+1555'>yo</Message>"
        "<Connect><Stream url='wss://s.example.com/a'/></Connect>"
        "<Start><Stream url='wss://s'/></Start><Echo/>"
        "<Reject/><Hangup/><Redirect>/next</Redirect>"
        "</Response>"
    )
    doc = parse_voice_twiml(document)
    assert doc.issues == ()
    types = [type(v) for v in doc.verbs]
    assert types == [
        Say, Play, Pause, Gather, Record, Dial, Enqueue, Leave, SendMessage, SendMessage,
        Connect, StreamControl, Unsupported, Reject, Hangup, Redirect,
    ]  # fmt: skip
    say, play, pause, gather, record, dial = doc.verbs[:6]
    assert say == Say("Hello", voice="man", language="en-US", loop=1)
    assert play == Play("/a.mp3", loop=1, digits=None)
    assert pause == Pause(1)
    assert isinstance(gather, Gather)
    assert gather.input == frozenset({"dtmf"}) and gather.action is None
    assert (gather.method, gather.timeout, gather.num_digits, gather.finish_on_key) == (
        "POST", 5, None, "#",
    )  # fmt: skip
    assert gather.action_on_empty_result is False
    assert gather.prompts == (Say("pin"), Pause(2), Play("", digits="1w2"))
    assert record == Record()
    assert (record.timeout, record.finish_on_key, record.max_length, record.play_beep) == (
        5, "1234567890*#", 3600, True,
    )  # fmt: skip
    assert isinstance(dial, Dial)
    assert (dial.timeout, dial.time_limit, dial.record, dial.action) == (
        30, 14400, "do-not-record", None,
    )  # fmt: skip
    assert [(t.kind, t.address) for t in dial.targets] == [("number", "+14155550100")]
    assert doc.verbs[6] == Enqueue("support")
    sms, message = doc.verbs[8], doc.verbs[9]
    assert isinstance(sms, SendMessage) and (sms.verb, sms.body, sms.to) == ("Sms", "hi", None)
    assert isinstance(message, SendMessage) and message.to == "+1555"
    connect = doc.verbs[10]
    assert isinstance(connect, Connect) and connect.nouns[0].attrs == {
        "url": "wss://s.example.com/a"
    }
    assert doc.verbs[13] == Reject("rejected")
    assert doc.verbs[15] == Redirect("/next", "POST")


def test_attributes_are_read_and_bad_values_warn() -> None:
    doc = parse_voice_twiml(
        "<Response>"
        "<Gather input='dtmf speech' numDigits='4' timeout='3' finishOnKey='*' action='/g'"
        " method='get' actionOnEmptyResult='true' hints='a,b'/>"
        "<Gather numDigits='abc' finishOnKey='xy' colour='red'/>"
        "<Dial timeout='1'>+1</Dial>"
        "<Say loop='0' voice='Polly.Joanna' language='de-DE'>x</Say>"
        "<Reject reason='busy'/><Reject reason='nope'/>"
        "</Response>"
    )
    good, bad, dial, say, busy, nope = doc.verbs
    assert isinstance(good, Gather) and isinstance(bad, Gather) and isinstance(dial, Dial)
    assert good.input == frozenset({"dtmf", "speech"})
    assert (good.num_digits, good.timeout, good.finish_on_key, good.method) == (4, 3, "*", "GET")
    assert good.action == "/g" and good.action_on_empty_result is True
    assert (bad.num_digits, bad.finish_on_key) == (None, "#")
    assert dial.timeout == 30
    assert say == Say("x", voice="Polly.Joanna", language="de-DE", loop=0)
    assert busy == Reject("busy") and nope == Reject("rejected")
    codes = sorted(issue.code for issue in doc.issues)
    assert codes == [12200, 12200, 12200, 12200, 13212]
    messages = " ".join(issue.message for issue in doc.issues)
    assert "colour" in messages and "numDigits" in messages and "reason" in messages


def test_say_flattens_ssml_and_stray_text_warns() -> None:
    doc = parse_voice_twiml(
        "<Response><Say>Hello <break time='1s'/> <emphasis>big</emphasis>\n world</Say>"
        "<Pause>5</Pause></Response>"
    )
    say, pause = doc.verbs
    assert isinstance(say, Say) and say.text == "Hello big world"
    assert pause == Pause(1)
    assert [i.code for i in doc.issues] == [12200]


def test_dial_nouns() -> None:
    doc = parse_voice_twiml(
        "<Response><Dial action='/done' callerId='+15005550006' record='record-from-answer'>"
        "<Number statusCallbackEvent='initiated ringing answered completed'"
        " statusCallback='/leg' sendDigits='ww1'>+14155550101</Number>"
        "<Client>alice</Client><Client><Identity>bob</Identity></Client>"
        "<Sip>sip:agent@example.com</Sip><Conference>room</Conference><Queue>support</Queue>"
        "<Number/>"
        "</Dial></Response>"
    )
    (dial,) = doc.verbs
    assert isinstance(dial, Dial)
    assert [(t.kind, t.address) for t in dial.targets] == [
        ("number", "+14155550101"),
        ("client", "client:alice"),
        ("client", "client:bob"),
        ("sip", "sip:agent@example.com"),
        ("conference", "room"),
        ("queue", "support"),
    ]
    number = dial.targets[0]
    assert number.status_callback_event == {"initiated", "ringing", "answered", "completed"}
    assert (number.status_callback, number.send_digits) == ("/leg", "ww1")
    assert dial.targets[1].status_callback_event == {"completed"}
    assert (dial.action, dial.caller_id, dial.record) == (
        "/done", "+15005550006", "record-from-answer",
    )  # fmt: skip
    assert [i.code for i in doc.issues] == [12200]  # the empty <Number/>


def test_verbs_missing_content_are_skipped_with_a_warning() -> None:
    doc = parse_voice_twiml(
        "<Response><Play/><Redirect/><Dial/><Sms/><Enqueue/><Say>ok</Say></Response>"
    )
    assert doc.verbs == (Say("ok"),)
    assert len(doc.issues) == 5 and {i.code for i in doc.issues} == {12200}


def test_documents_built_with_our_builder_parse() -> None:
    r = VoiceResponse()
    r.say("Welcome", voice="alice", loop=2)
    with r.gather(num_digits=4, action="/gather", input=["dtmf", "speech"]) as g:
        g.say("Enter your PIN")
    d = r.dial(action="/dialed", timeout=20)
    d.number("+14155550100")
    r.record(max_length=30, play_beep=False)
    r.hangup()
    doc = parse_voice_twiml(str(r))
    assert doc.issues == ()
    say, gather, dial, record, hangup = doc.verbs
    assert say == Say("Welcome", voice="alice", loop=2)
    assert isinstance(gather, Gather) and gather.num_digits == 4
    assert gather.input == {"dtmf", "speech"} and gather.prompts == (Say("Enter your PIN"),)
    assert isinstance(dial, Dial) and dial.timeout == 20 and dial.targets[0].kind == "number"
    assert isinstance(record, Record) and (record.max_length, record.play_beep) == (30, False)
    assert hangup == Hangup()


def test_documents_built_with_the_official_sdk_parse() -> None:
    from twilio.twiml.voice_response import VoiceResponse as TwilioVoiceResponse

    r = TwilioVoiceResponse()
    r.say("Hi", voice="woman", language="en-GB")
    g = r.gather(num_digits=1, action="/menu", method="POST", timeout=3)
    g.play("https://example.com/menu.mp3", loop=2)
    r.enqueue("support", wait_url="/wait")
    r.redirect("/again", method="GET")
    doc = parse_voice_twiml(str(r).encode())
    assert doc.issues == ()
    say, gather, enqueue, redirect = doc.verbs
    assert say == Say("Hi", voice="woman", language="en-GB")
    assert isinstance(gather, Gather) and (gather.num_digits, gather.timeout) == (1, 3)
    assert gather.prompts == (Play("https://example.com/menu.mp3", loop=2),)
    assert enqueue == Enqueue("support", wait_url="/wait")
    assert redirect == Redirect("/again", "GET")
