"""TwiML builders: tags, camelCase attributes, escaping, nesting, parity with twilio-python."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.twiml.messaging_response import (  # type: ignore[import-untyped]
    MessagingResponse as OfficialMessaging,
)
from twilio.twiml.voice_response import (  # type: ignore[import-untyped]
    VoiceResponse as OfficialVoice,
)

import twilio_connector.twiml as twiml
from twilio_connector.twiml import (
    MESSAGING_ATTRIBUTES,
    MESSAGING_VERBS,
    TEXT,
    VOICE_ATTRIBUTES,
    VOICE_VERBS,
    Body,
    Dial,
    Gather,
    Media,
    Message,
    MessagingResponse,
    Number,
    Pause,
    Play,
    Redirect,
    Say,
    TwiML,
    TwiMLError,
    VoiceMessage,
    VoiceResponse,
    wire_name,
)

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
XML_NS_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(doc: TwiML | str) -> ET.Element:
    return ET.fromstring(str(doc).encode("utf-8"))


def only_child(doc: TwiML) -> ET.Element:
    root = parse(doc)
    assert root.tag == "Response"
    assert len(root) == 1
    return root[0]


def tree(el: ET.Element) -> tuple[Any, ...]:
    """A comparable view of an element: tag, attributes, text, children (with tails)."""
    return (
        el.tag,
        dict(el.attrib),
        el.text or "",
        el.tail or "",
        [tree(child) for child in el],
    )


# -- every verb / noun: tag, camelCase attributes, text -------------------------------------

VOICE_CASES: list[tuple[str, Callable[[VoiceResponse], object], str, dict[str, str], str]] = [
    (
        "say",
        lambda r: r.say("Hello", voice="alice", language="en-US", loop=2),
        "Say",
        {"voice": "alice", "language": "en-US", "loop": "2"},
        "Hello",
    ),
    (
        "play",
        lambda r: r.play("https://e.x/a.mp3", loop=0, digits="ww1"),
        "Play",
        {"loop": "0", "digits": "ww1"},
        "https://e.x/a.mp3",
    ),
    ("pause", lambda r: r.pause(length=3), "Pause", {"length": "3"}, ""),
    (
        "gather",
        lambda r: r.gather(
            input=["dtmf", "speech"],
            action="/g",
            method="GET",
            timeout=5,
            num_digits=4,
            finish_on_key="*",
            speech_timeout="auto",
            max_speech_time=30,
            language="fr-FR",
            hints="yes, no",
            profanity_filter=False,
            partial_result_callback="/p",
            partial_result_callback_method="POST",
            action_on_empty_result=True,
            speech_model="phone_call",
            enhanced=True,
            barge_in=False,
            debug=True,
        ),
        "Gather",
        {
            "input": "dtmf speech",
            "action": "/g",
            "method": "GET",
            "timeout": "5",
            "numDigits": "4",
            "finishOnKey": "*",
            "speechTimeout": "auto",
            "maxSpeechTime": "30",
            "language": "fr-FR",
            "hints": "yes, no",
            "profanityFilter": "false",
            "partialResultCallback": "/p",
            "partialResultCallbackMethod": "POST",
            "actionOnEmptyResult": "true",
            "speechModel": "phone_call",
            "enhanced": "true",
            "bargeIn": "false",
            "debug": "true",
        },
        "",
    ),
    (
        "dial",
        lambda r: r.dial(
            "+14155550100",
            action="/d",
            method="POST",
            timeout=20,
            caller_id="+15005550006",
            hangup_on_star=True,
            time_limit=600,
            record="record-from-answer",
            trim="trim-silence",
            recording_status_callback="/rs",
            recording_status_callback_method="GET",
            recording_status_callback_event=("in-progress", "completed"),
            recording_track="both",
            answer_on_bridge=True,
            ring_tone="us",
            sequential=False,
            refer_url="/refer",
            refer_method="GET",
        ),
        "Dial",
        {
            "action": "/d",
            "method": "POST",
            "timeout": "20",
            "callerId": "+15005550006",
            "hangupOnStar": "true",
            "timeLimit": "600",
            "record": "record-from-answer",
            "trim": "trim-silence",
            "recordingStatusCallback": "/rs",
            "recordingStatusCallbackMethod": "GET",
            "recordingStatusCallbackEvent": "in-progress completed",
            "recordingTrack": "both",
            "answerOnBridge": "true",
            "ringTone": "us",
            "sequential": "false",
            "referUrl": "/refer",
            "referMethod": "GET",
        },
        "+14155550100",
    ),
    (
        "record",
        lambda r: r.record(
            action="/r",
            method="GET",
            timeout=0,
            finish_on_key="#",
            max_length=120,
            play_beep=False,
            trim="do-not-trim",
            recording_status_callback="/rsc",
            recording_status_callback_method="POST",
            recording_status_callback_event=["completed", "absent"],
            transcribe=True,
            transcribe_callback="/t",
        ),
        "Record",
        {
            "action": "/r",
            "method": "GET",
            "timeout": "0",
            "finishOnKey": "#",
            "maxLength": "120",
            "playBeep": "false",
            "trim": "do-not-trim",
            "recordingStatusCallback": "/rsc",
            "recordingStatusCallbackMethod": "POST",
            "recordingStatusCallbackEvent": "completed absent",
            "transcribe": "true",
            "transcribeCallback": "/t",
        },
        "",
    ),
    (
        "redirect",
        lambda r: r.redirect("/next", method="GET"),
        "Redirect",
        {"method": "GET"},
        "/next",
    ),
    ("hangup", lambda r: r.hangup(), "Hangup", {}, ""),
    ("reject", lambda r: r.reject(reason="busy"), "Reject", {"reason": "busy"}, ""),
    (
        "enqueue",
        lambda r: r.enqueue(
            "support",
            action="/eq",
            method="GET",
            wait_url="/wait",
            wait_url_method="POST",
            workflow_sid="WW" + "0" * 32,
            max_queue_size=10,
        ),
        "Enqueue",
        {
            "action": "/eq",
            "method": "GET",
            "waitUrl": "/wait",
            "waitUrlMethod": "POST",
            "workflowSid": "WW" + "0" * 32,
            "maxQueueSize": "10",
        },
        "support",
    ),
    ("leave", lambda r: r.leave(), "Leave", {}, ""),
    (
        "sms",
        lambda r: r.sms("hi", to="+1", from_="+2", action="/a", method="GET", status_callback="/s"),
        "Sms",
        {"to": "+1", "from": "+2", "action": "/a", "method": "GET", "statusCallback": "/s"},
        "hi",
    ),
    (
        "message",
        lambda r: r.message("yo", to="+1", from_="+2"),
        "Message",
        {"to": "+1", "from": "+2"},
        "yo",
    ),
    (
        "connect",
        lambda r: r.connect(action="/c", method="GET"),
        "Connect",
        {"action": "/c", "method": "GET"},
        "",
    ),
    ("start", lambda r: r.start(action="/s"), "Start", {"action": "/s"}, ""),
    ("stop", lambda r: r.stop(), "Stop", {}, ""),
]


@pytest.mark.parametrize(
    ("build", "tag", "attrs", "text"),
    [case[1:] for case in VOICE_CASES],
    ids=[case[0] for case in VOICE_CASES],
)
def test_voice_verb_renders_tag_and_camel_case_attributes(
    build: Callable[[VoiceResponse], object], tag: str, attrs: dict[str, str], text: str
) -> None:
    r = VoiceResponse()
    child = build(r)
    assert isinstance(child, TwiML)
    assert child.tag == tag
    el = only_child(r)
    assert el.tag == tag
    assert el.attrib == attrs
    assert (el.text or "") == text
    assert dict(child.attrs) == attrs


def test_dial_nouns_render_with_their_attributes() -> None:
    r = VoiceResponse()
    d = r.dial(caller_id="+15005550006")
    d.number(
        "+14155550100",
        send_digits="ww1928",
        url="/whisper",
        method="GET",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
        status_callback="/ncb",
        status_callback_method="POST",
        byoc="BY" + "1" * 32,
        machine_detection="Enable",
        machine_detection_timeout=10,
        amd_status_callback="/amd",
        amd_status_callback_method="GET",
    )
    c = d.client(url="/cw", status_callback_event="answered")
    c.identity("alice")
    c.parameter(name="ticket", value="42")
    d.sip("sip:bob@example.com", username="bob", password="pw", status_callback="/sip")
    d.conference(
        "Room 1",
        muted=False,
        beep="onEnter",
        start_conference_on_enter=True,
        end_conference_on_exit=False,
        wait_url="/hold",
        wait_method="GET",
        max_participants=10,
        record="record-from-start",
        region="ie1",
        coach="CA" + "2" * 32,
        trim="do-not-trim",
        status_callback_event=["start", "end", "join"],
        status_callback="/conf",
        status_callback_method="POST",
        recording_status_callback="/crs",
        recording_status_callback_method="GET",
        recording_status_callback_event="completed",
        event_callback_url="/ev",
        jitter_buffer_size="small",
        participant_label="agent",
    )
    d.queue("support", url="/about", method="GET", reservation_sid="WR" + "3" * 32)
    d.sim("DE" + "4" * 32)
    d.whatsapp("+14155550111", status_callback="/wa")
    app = d.application(customer_id="cust", copy_parent_to=True)
    app.application_sid("AP" + "5" * 32)
    app.parameter(name="k", value="v")

    dial = only_child(r)
    assert dial.attrib == {"callerId": "+15005550006"}
    number, client, sip, conference, queue, sim, whatsapp, application = list(dial)
    assert (number.tag, number.text) == ("Number", "+14155550100")
    assert number.attrib == {
        "sendDigits": "ww1928",
        "url": "/whisper",
        "method": "GET",
        "statusCallbackEvent": "initiated ringing answered completed",
        "statusCallback": "/ncb",
        "statusCallbackMethod": "POST",
        "byoc": "BY" + "1" * 32,
        "machineDetection": "Enable",
        "machineDetectionTimeout": "10",
        "amdStatusCallback": "/amd",
        "amdStatusCallbackMethod": "GET",
    }
    assert client.tag == "Client"
    assert client.attrib == {"url": "/cw", "statusCallbackEvent": "answered"}
    assert [(e.tag, e.text, e.attrib) for e in client] == [
        ("Identity", "alice", {}),
        ("Parameter", None, {"name": "ticket", "value": "42"}),
    ]
    assert (sip.tag, sip.text) == ("Sip", "sip:bob@example.com")
    assert sip.attrib == {"username": "bob", "password": "pw", "statusCallback": "/sip"}
    assert (conference.tag, conference.text) == ("Conference", "Room 1")
    assert conference.attrib == {
        "muted": "false",
        "beep": "onEnter",
        "startConferenceOnEnter": "true",
        "endConferenceOnExit": "false",
        "waitUrl": "/hold",
        "waitMethod": "GET",
        "maxParticipants": "10",
        "record": "record-from-start",
        "region": "ie1",
        "coach": "CA" + "2" * 32,
        "trim": "do-not-trim",
        "statusCallbackEvent": "start end join",
        "statusCallback": "/conf",
        "statusCallbackMethod": "POST",
        "recordingStatusCallback": "/crs",
        "recordingStatusCallbackMethod": "GET",
        "recordingStatusCallbackEvent": "completed",
        "eventCallbackUrl": "/ev",
        "jitterBufferSize": "small",
        "participantLabel": "agent",
    }
    assert (queue.tag, queue.text) == ("Queue", "support")
    assert queue.attrib == {"url": "/about", "method": "GET", "reservationSid": "WR" + "3" * 32}
    assert (sim.tag, sim.text, sim.attrib) == ("Sim", "DE" + "4" * 32, {})
    assert (whatsapp.tag, whatsapp.text) == ("WhatsApp", "+14155550111")
    assert whatsapp.attrib == {"statusCallback": "/wa"}
    assert application.attrib == {"customerId": "cust", "copyParentTo": "true"}
    assert [(e.tag, e.text) for e in application] == [
        ("ApplicationSid", "AP" + "5" * 32),
        ("Parameter", None),
    ]


def test_gather_nests_say_play_pause_in_order_and_with_statement() -> None:
    r = VoiceResponse()
    with r.gather(num_digits=1, action="/menu") as g:
        g.say("For sales press 1", voice="Polly.Joanna")
        g.pause(length=1)
        g.play("https://e.x/beep.wav")
    r.say("We did not get your input")
    root = parse(r)
    gather, say = list(root)
    assert gather.attrib == {"numDigits": "1", "action": "/menu"}
    assert [(c.tag, c.text, c.attrib) for c in gather] == [
        ("Say", "For sales press 1", {"voice": "Polly.Joanna"}),
        ("Pause", None, {"length": "1"}),
        ("Play", "https://e.x/beep.wav", {}),
    ]
    assert say.text == "We did not get your input"


def test_connect_start_stop_streams_with_parameters() -> None:
    r = VoiceResponse()
    st_ = r.start(action="/started")
    fork = st_.stream(url="wss://e.x/fork", name="fork1", track="both_tracks")
    fork.parameter(name="customer", value="A&B")
    st_.siprec(name="rec", connector_name="SR1", track="inbound_track")
    tr = st_.transcription(
        name="t1",
        track="both_tracks",
        status_callback_url="/tcb",
        language_code="en-US",
        partial_results=True,
        enable_automatic_punctuation=False,
    )
    tr.config(name="k", value="v")
    st_.recording(recording_status_callback="/rec", channels="dual", track="both")
    r.stop().stream(name="fork1")
    con = r.connect(action="/after")
    bidi = con.stream(
        url="wss://e.x/bidi",
        status_callback="/scb",
        status_callback_method="GET",
        connector_name="c",
    )
    assert bidi.parameter(name="a", value="1").tag == "Parameter"
    con.room("lobby", participant_identity="bob")

    start, stop, connect = list(parse(r))
    stream, siprec, transcription, recording = list(start)
    assert start.attrib == {"action": "/started"}
    assert stream.attrib == {"url": "wss://e.x/fork", "name": "fork1", "track": "both_tracks"}
    assert [p.attrib for p in stream] == [{"name": "customer", "value": "A&B"}]
    assert siprec.attrib == {"name": "rec", "connectorName": "SR1", "track": "inbound_track"}
    assert transcription.attrib == {
        "name": "t1",
        "track": "both_tracks",
        "statusCallbackUrl": "/tcb",
        "languageCode": "en-US",
        "partialResults": "true",
        "enableAutomaticPunctuation": "false",
    }
    assert [(c.tag, c.attrib) for c in transcription] == [("Config", {"name": "k", "value": "v"})]
    assert recording.attrib == {
        "recordingStatusCallback": "/rec",
        "channels": "dual",
        "track": "both",
    }
    assert [(c.tag, c.attrib) for c in stop] == [("Stream", {"name": "fork1"})]
    assert connect.attrib == {"action": "/after"}
    s, room = list(connect)
    assert s.attrib == {
        "url": "wss://e.x/bidi",
        "statusCallback": "/scb",
        "statusCallbackMethod": "GET",
        "connectorName": "c",
    }
    assert [(p.tag, p.attrib) for p in s] == [("Parameter", {"name": "a", "value": "1"})]
    assert (room.tag, room.text, room.attrib) == ("Room", "lobby", {"participantIdentity": "bob"})


def test_connect_conversation_relay_matches_the_official_sdk() -> None:
    ours = VoiceResponse()
    relay = ours.connect(action="/ended").conversation_relay(
        url="wss://e.x/relay", welcome_greeting="Hi & welcome", dtmf_detection=True,
        interruptible="speech", language="en-US",
    )  # fmt: skip
    relay.language(code="fr-FR", tts_provider="Google", voice="fr-FR-Neural2-A")
    relay.parameter(name="customer", value="42")
    theirs = OfficialVoice()
    sdk_relay = theirs.connect(action="/ended").conversation_relay(
        url="wss://e.x/relay", welcome_greeting="Hi & welcome", dtmf_detection=True,
        interruptible="speech", language="en-US",
    )  # fmt: skip
    sdk_relay.language(code="fr-FR", tts_provider="Google", voice="fr-FR-Neural2-A")
    sdk_relay.parameter(name="customer", value="42")

    def tree(xml: str) -> list[tuple[str, dict[str, str]]]:
        return [(e.tag, dict(e.attrib)) for e in ET.fromstring(xml).iter()]

    assert tree(ours.to_xml()) == tree(str(theirs))
    assert VOICE_ATTRIBUTES["ConversationRelay"] >= {"welcomeGreeting", "dtmfDetection"}
    assert VOICE_ATTRIBUTES["Language"] >= {"code", "ttsProvider", "voice"}


def test_enqueue_task_and_hangup_reject_parameters() -> None:
    r = VoiceResponse()
    r.enqueue(workflow_sid="WW" + "0" * 32).task('{"lang": "fr"}', priority=5, timeout=30)
    r.reject(reason="rejected").parameter(name="why", value="spam")
    r.hangup().parameter(name="done", value="yes")
    enqueue, reject, hangup = list(parse(r))
    assert enqueue.text is None
    assert [(t.tag, t.text, t.attrib) for t in enqueue] == [
        ("Task", '{"lang": "fr"}', {"priority": "5", "timeout": "30"})
    ]
    assert [p.attrib for p in reject] == [{"name": "why", "value": "spam"}]
    assert [p.attrib for p in hangup] == [{"name": "done", "value": "yes"}]


def test_ssml_inside_say() -> None:
    r = VoiceResponse()
    say = r.say("Hello ", voice="Polly.Amy")
    say.break_(strength="strong", time="1s")
    say.emphasis("really", level="strong")
    say.prosody("slowly", rate="slow", pitch="low", volume="soft")
    say.say_as("12345", interpret_as="spell-out", format="digits")
    say.lang("Bonjour", xml_lang="fr-FR")
    say.phoneme("tomato", alphabet="ipa", ph="təˈmeɪtoʊ")
    say.sub("W3C", alias="World Wide Web Consortium")
    say.w("read", role="amazon:VBD")
    say.p("A paragraph.").s("A sentence.")
    say.append(" goodbye")
    el = only_child(r)
    assert el.text == "Hello "
    assert [(c.tag, c.text, c.attrib) for c in el] == [
        ("break", None, {"strength": "strong", "time": "1s"}),
        ("emphasis", "really", {"level": "strong"}),
        ("prosody", "slowly", {"rate": "slow", "pitch": "low", "volume": "soft"}),
        ("say-as", "12345", {"interpret-as": "spell-out", "format": "digits"}),
        ("lang", "Bonjour", {XML_NS_LANG: "fr-FR"}),
        ("phoneme", "tomato", {"alphabet": "ipa", "ph": "təˈmeɪtoʊ"}),
        ("sub", "W3C", {"alias": "World Wide Web Consortium"}),
        ("w", "read", {"role": "amazon:VBD"}),
        ("p", "A paragraph.", {}),
    ]
    assert [(c.tag, c.text) for c in el[-1]] == [("s", "A sentence.")]
    assert el[-1].tail == " goodbye"
    assert 'xml:lang="fr-FR"' in str(r)


def test_messaging_message_text_and_body_media() -> None:
    r = MessagingResponse()
    r.message(
        "Thanks!",
        to="+14155550100",
        from_="+15005550006",
        action="/status",
        method="GET",
        status_callback="/old",
    )
    m = r.message()
    m.body("Here is the cat")
    m.media("https://e.x/cat.jpg")
    m.media("https://e.x/cat2.jpg")
    r.redirect("/more", method="POST")
    assert m.append(Media("https://e.x/3.jpg")) is m
    text_msg, media_msg, redirect = list(parse(r))
    assert (text_msg.tag, text_msg.text) == ("Message", "Thanks!")
    assert text_msg.attrib == {
        "to": "+14155550100",
        "from": "+15005550006",
        "action": "/status",
        "method": "GET",
        "statusCallback": "/old",
    }
    assert media_msg.attrib == {}
    assert [(c.tag, c.text) for c in media_msg] == [
        ("Body", "Here is the cat"),
        ("Media", "https://e.x/cat.jpg"),
        ("Media", "https://e.x/cat2.jpg"),
        ("Media", "https://e.x/3.jpg"),
    ]
    assert (redirect.tag, redirect.text, redirect.attrib) == (
        "Redirect",
        "/more",
        {"method": "POST"},
    )


def test_empty_responses() -> None:
    assert str(MessagingResponse()) == DECLARATION + "<Response/>"
    assert VoiceResponse().to_xml(xml_declaration=False) == "<Response/>"


# -- names and values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("python", "wire"),
    [
        ("num_digits", "numDigits"),
        ("finish_on_key", "finishOnKey"),
        ("status_callback_event", "statusCallbackEvent"),
        ("action_on_empty_result", "actionOnEmptyResult"),
        ("from_", "from"),
        ("caller_id", "callerId"),
        ("machine_detection_speech_end_threshold", "machineDetectionSpeechEndThreshold"),
        ("xml_lang", "xml:lang"),
        ("interpret_as", "interpret-as"),
        ("statusCallback", "statusCallback"),
        ("url", "url"),
    ],
)
def test_wire_name(python: str, wire: str) -> None:
    assert wire_name(python) == wire


@pytest.mark.parametrize("bad", ["", "_", "1abc", "a b", "a<b", 'bad"name', "__"])
def test_invalid_attribute_names_are_refused(bad: str) -> None:
    with pytest.raises(TwiMLError, match="attribute name"):
        VoiceResponse().say("x", **{bad: "v"})  # type: ignore[arg-type]


def test_extra_attributes_are_camel_cased_and_typed_values_rendered() -> None:
    r = VoiceResponse()
    r.say("x", some_future_flag=True, ratio=0.5, count=3, statusCallback="/cb", tags=["a", "b"])
    r.dial("+1", ring_tone="uk", machine_detection_silence_timeout=5000)
    say, dial = list(parse(r))
    assert say.attrib == {
        "someFutureFlag": "true",
        "ratio": "0.5",
        "count": "3",
        "statusCallback": "/cb",
        "tags": "a b",
    }
    assert dial.attrib == {"ringTone": "uk", "machineDetectionSilenceTimeout": "5000"}


def test_none_omits_attribute_and_empty_string_keeps_it() -> None:
    r = VoiceResponse()
    r.gather(finish_on_key="", timeout=None, extra_thing=None)
    assert only_child(r).attrib == {"finishOnKey": ""}


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], object(), b"bytes"])
def test_unsupported_attribute_values_are_refused(value: object) -> None:
    with pytest.raises(TwiMLError, match="attribute 'voice'"):
        Say("x", voice=value)  # type: ignore[arg-type]


def test_same_attribute_twice_is_refused() -> None:
    with pytest.raises(TwiMLError, match="numDigits"):
        Gather(num_digits=4, numDigits=5)


def test_documented_attribute_catalogue() -> None:
    assert "numDigits" in VOICE_ATTRIBUTES["Gather"]
    assert "actionOnEmptyResult" in VOICE_ATTRIBUTES["Gather"]
    assert "callerId" in VOICE_ATTRIBUTES["Dial"]
    assert "interpret-as" in VOICE_ATTRIBUTES["say-as"]
    assert VOICE_ATTRIBUTES["Hangup"] == frozenset()
    assert MESSAGING_ATTRIBUTES["Message"] == {"to", "from", "action", "method", "statusCallback"}
    assert MESSAGING_ATTRIBUTES["Redirect"] == {"method"}
    assert Gather.attributes["num_digits"] == "numDigits"
    for table, verbs in ((VOICE_ATTRIBUTES, VOICE_VERBS), (MESSAGING_ATTRIBUTES, MESSAGING_VERBS)):
        assert set(table) <= set(verbs)


# -- escaping and encoding -------------------------------------------------------------------


def test_text_escaping_round_trips() -> None:
    nasty = "Tom & Jerry <say> \"quoted\" 'single' ]]> a>b"
    r = VoiceResponse()
    r.say(nasty)
    out = str(r)
    assert "&amp;" in out and "&lt;say&gt;" in out and "]]&gt;" in out
    assert only_child(r).text == nasty


def test_attribute_escaping_round_trips() -> None:
    nasty = "a&b<c>d\"e'f\ng\th\ri"
    r = VoiceResponse()
    r.redirect("/x?a=1&b=2", method=nasty)
    out = str(r)
    assert 'method="a&amp;b&lt;c&gt;d&quot;e\'f&#10;g&#9;h&#13;i"' in out
    el = only_child(r)
    assert el.attrib["method"] == nasty
    assert el.text == "/x?a=1&b=2"


def test_non_ascii_and_emoji_are_kept_as_utf8() -> None:
    text = "Grüße, 東京, Ωμέγα, 👋🏽 and é"
    r = MessagingResponse()
    r.message(text, to="+33 é👋")
    out = str(r)
    assert out.startswith(DECLARATION)
    assert text in out  # not turned into character references
    assert "&#" not in out
    el = ET.fromstring(out.encode("utf-8"))[0]
    assert el.text == text
    assert el.attrib["to"] == "+33 é👋"


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\x1f", "\ufffe", "\ud800"])
def test_characters_xml_cannot_carry_are_refused(char: str) -> None:
    with pytest.raises(TwiMLError, match="XML cannot represent"):
        VoiceResponse().say(f"bad{char}text")
    with pytest.raises(TwiMLError, match="XML cannot represent"):
        VoiceResponse().say("ok", voice=f"bad{char}")


XML_CHARS = st.characters(
    exclude_categories=["Cs"],
    exclude_characters=[chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
    + ["\ufffe", "\uffff"],
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(XML_CHARS), attr=st.text(XML_CHARS))
def test_any_xml_text_round_trips(text: str, attr: str) -> None:
    r = VoiceResponse()
    r.say(text, voice=attr)
    el = only_child(r)
    assert (el.text or "") == text
    assert el.attrib["voice"] == attr


# -- document shape --------------------------------------------------------------------------


def test_str_is_a_complete_document_and_to_xml_can_drop_the_declaration() -> None:
    r = VoiceResponse()
    r.say("Hi")
    r.hangup()
    assert str(r) == DECLARATION + "<Response><Say>Hi</Say><Hangup/></Response>"
    assert r.to_xml() == str(r)
    assert r.to_xml(xml_declaration=False) == "<Response><Say>Hi</Say><Hangup/></Response>"
    assert isinstance(r, TwiML) and isinstance(MessagingResponse(), TwiML)


def test_builders_return_children_and_append_chains() -> None:
    r = VoiceResponse()
    assert isinstance(r.say("a"), Say)
    assert r.append(Pause(length=1)).append(Play("u")).append(Redirect("/n")) is r
    assert [c.tag for c in r.children if isinstance(c, TwiML)] == [
        "Say",
        "Pause",
        "Play",
        "Redirect",
    ]
    n = r.dial().number("+1")
    assert isinstance(n, Number)
    assert r.nest(Say("b")).tag == "Say"


def test_add_child_for_elements_without_a_typed_builder() -> None:
    r = VoiceResponse()
    c = r.connect()
    conv = c.add_child("Conversation", service_instance_sid="IS" + "0" * 32, inbound_timeout=20)
    relay = c.add_child("ConversationRelay", url="wss://e.x/relay", welcome_greeting="Hi")
    relay.add_child("Language", code="fr-FR", tts_provider="Google")
    pay = r.add_child("Pay", charge_amount="10.00", payment_connector="Default")
    pay.add_child("Prompt", for_="payment-card-number").append(Say("Enter your card"))
    r.add_child("Echo")
    connect, pay_el, echo = list(parse(r))
    conv_el, relay_el = list(connect)
    assert conv_el.attrib == {"serviceInstanceSid": "IS" + "0" * 32, "inboundTimeout": "20"}
    assert relay_el.attrib == {"url": "wss://e.x/relay", "welcomeGreeting": "Hi"}
    assert relay_el[0].attrib == {"code": "fr-FR", "ttsProvider": "Google"}
    assert pay_el.attrib == {"chargeAmount": "10.00", "paymentConnector": "Default"}
    assert pay_el[0].attrib == {"for": "payment-card-number"}
    assert (pay_el[0][0].tag, pay_el[0][0].text) == ("Say", "Enter your card")
    assert echo.tag == "Echo"
    assert isinstance(conv, TwiML)


# -- nesting rules ---------------------------------------------------------------------------


def test_gather_offers_only_say_play_pause() -> None:
    g = VoiceResponse().gather()
    assert hasattr(g, "say") and hasattr(g, "play") and hasattr(g, "pause")
    for verb in ("dial", "record", "gather", "hangup", "redirect"):
        assert not hasattr(g, verb)


@pytest.mark.parametrize(
    ("parent", "child", "message"),
    [
        (lambda: Gather(), lambda: Dial("+1"), "<Dial> .* not allowed inside <Gather>"),
        (lambda: Gather(), lambda: Gather(), "not allowed inside <Gather>"),
        (lambda: Dial(), lambda: Say("x"), "not allowed inside <Dial>"),
        (lambda: VoiceResponse(), lambda: Number("+1"), "not allowed inside <Response>"),
        (lambda: VoiceResponse(), lambda: Body("x"), r"<Body> \(messaging\)"),
        (lambda: VoiceResponse(), lambda: VoiceResponse(), "not allowed"),
        (lambda: MessagingResponse(), lambda: Say("x"), "not allowed inside <Response>"),
        (lambda: MessagingResponse(), lambda: VoiceMessage("x"), r"\(voice\) is not allowed"),
        (lambda: VoiceResponse(), lambda: Message("x"), r"\(messaging\) is not allowed"),
        (lambda: Message(), lambda: Say("x"), "not allowed inside <Message>"),
        (lambda: Pause(), lambda: Say("x"), "it may contain: nothing"),
    ],
)
def test_disallowed_children_raise(
    parent: Callable[[], TwiML], child: Callable[[], TwiML], message: str
) -> None:
    p = parent()
    with pytest.raises(TwiMLError, match=message):
        p.append(child())
    assert p.children == ()


def test_twiml_error_is_a_value_error_and_message_lists_allowed_children() -> None:
    with pytest.raises(ValueError, match="may contain: <Pause>, <Play>, <Say>"):
        Gather().append(Dial())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Pause().append("text"), "<Pause> cannot contain text"),
        (lambda: VoiceResponse().append("loose text"), "<Response> cannot contain text"),
        (lambda: Gather().append("x"), "<Gather> cannot contain text"),
        (lambda: VoiceResponse().add_child("Bogus"), "<Bogus> is not a voice TwiML element"),
        (lambda: VoiceResponse().add_child("Response"), "not a voice TwiML element"),
        (lambda: Gather().add_child("Dial"), "not allowed inside <Gather>"),
        (lambda: MessagingResponse().add_child("Say"), "not a messaging TwiML element"),
        (lambda: Say(42), "text must be str"),  # type: ignore[arg-type]
        (lambda: VoiceResponse().append(42), "can only nest TwiML"),  # type: ignore[arg-type]
        (lambda: VoiceResponse().say("x").w("y").lang("z"), "<lang> .* not allowed inside <w>"),
    ],
)
def test_bad_content_raises(build: Callable[[], object], message: str) -> None:
    with pytest.raises(TwiMLError, match=message):
        build()


def test_an_element_cannot_be_attached_twice() -> None:
    say = Say("once")
    r = VoiceResponse().append(say)
    with pytest.raises(TwiMLError, match="already belongs"):
        r.append(say)
    with pytest.raises(TwiMLError, match="already belongs"):
        VoiceResponse().append(say)
    e = r.say("x").emphasis("a")
    inner = e.emphasis("b")
    with pytest.raises(TwiMLError, match="already belongs"):
        inner.append(e)  # would be a cycle


def test_an_element_knows_its_document() -> None:
    r = MessagingResponse()
    first = r.message("one")
    second = r.message("two")
    assert (first.parent, second.root, second.document()) == (r, r, r)
    assert str(second.document()) == (
        DECLARATION + "<Response><Message>one</Message><Message>two</Message></Response>"
    )
    v = VoiceResponse()
    say = v.gather(num_digits=1).say("Press 1")
    assert say.document() is v and v.root is v and v.parent is None


def test_a_top_level_verb_on_its_own_gets_a_response_without_being_attached() -> None:
    message = Message("hi")
    document = message.document()
    assert isinstance(document, MessagingResponse)
    assert str(document) == DECLARATION + "<Response><Message>hi</Message></Response>"
    assert message.parent is None
    MessagingResponse().append(message)  # still free to be nested once
    assert isinstance(Say("bye").document(), VoiceResponse)
    assert str(Redirect("/next").document()) == (
        DECLARATION + "<Response><Redirect>/next</Redirect></Response>"
    )


def test_an_element_a_response_cannot_hold_has_no_document() -> None:
    body = Message().body("text")  # its root is a detached <Message>: that is wrapped
    assert str(body.document()) == (
        DECLARATION + "<Response><Message><Body>text</Body></Message></Response>"
    )
    with pytest.raises(TwiMLError, match="<Body> cannot be the top"):
        Body("text").document()
    with pytest.raises(TwiMLError, match="<Number> cannot be the top"):
        Number("+15558675310").document()


def test_redirect_belongs_to_both_grammars() -> None:
    v = VoiceResponse().append(Redirect("/v"))
    m = MessagingResponse().append(Redirect("/m"))
    assert only_child(v).text == "/v"
    assert only_child(m).text == "/m"


def _builder_tags(cls: type) -> dict[str, str]:
    """Builder method name -> tag it creates, for a typed element class."""
    out = {}
    for name in dir(cls):
        attr = cls.__dict__.get(name) or next(
            (k.__dict__[name] for k in cls.__mro__ if name in k.__dict__), None
        )
        factory = getattr(attr, "_factory", None)
        if factory is not None:
            out[name] = factory.tag
    return out


def test_every_typed_class_and_builder_agrees_with_the_nesting_table() -> None:
    classes = [getattr(twiml, n) for n in twiml.__all__]
    classes += [getattr(twiml.ssml, n) for n in twiml.ssml.__all__]
    element_classes = [c for c in classes if isinstance(c, type) and issubclass(c, TwiML)]
    assert len(element_classes) > 40
    for cls in element_classes:
        if not cls.tag:
            continue
        table = MESSAGING_VERBS if cls.grammar == "messaging" else VOICE_VERBS
        assert cls.tag in table, cls
        for method, tag in _builder_tags(cls).items():
            assert tag in table[cls.tag], f"{cls.__name__}.{method} builds <{tag}>"
    # The table is closed: every child it names is itself described.
    for table in (VOICE_VERBS, MESSAGING_VERBS):
        for tag, children in table.items():
            assert children - {TEXT} <= set(table), tag
    assert VOICE_VERBS["Gather"] == {"Say", "Play", "Pause"}
    assert MESSAGING_VERBS["Response"] == {"Message", "Redirect"}
    assert TEXT in VOICE_VERBS["Dial"] and TEXT not in VOICE_VERBS["Gather"]


def test_public_names_are_importable() -> None:
    for name in twiml.__all__:
        assert hasattr(twiml, name), name


# -- parity with the official twilio package -------------------------------------------------


def assert_same_tree(ours: TwiML, official: Any) -> None:
    ours_xml, official_xml = str(ours), str(official)
    assert ours_xml.startswith(DECLARATION) and official_xml.startswith(DECLARATION)
    assert tree(parse(ours_xml)) == tree(parse(official_xml))


def test_parity_say_gather_hangup() -> None:
    ours = VoiceResponse()
    ours.say("Welcome & hello <caller>", voice="alice", language="en-US", loop=2)
    g = ours.gather(
        input=["dtmf", "speech"],
        num_digits=4,
        action="/gather",
        timeout=5,
        finish_on_key="",
        action_on_empty_result=True,
        profanity_filter=False,
        speech_timeout="auto",
    )
    g.say("Press 1")
    g.play("https://e.x/a.mp3", loop=3)
    g.pause(length=2)
    ours.hangup()

    off = OfficialVoice()
    off.say("Welcome & hello <caller>", voice="alice", language="en-US", loop=2)
    og = off.gather(
        input="dtmf speech",
        num_digits=4,
        action="/gather",
        timeout=5,
        finish_on_key="",
        action_on_empty_result=True,
        profanity_filter=False,
        speech_timeout="auto",
    )
    og.say("Press 1")
    og.play("https://e.x/a.mp3", loop=3)
    og.pause(length=2)
    off.hangup()
    assert_same_tree(ours, off)


def test_parity_dial_with_nouns() -> None:
    def fill(r: Any, events: Any) -> None:
        d = r.dial(caller_id="+15005550006", record="record-from-answer", answer_on_bridge=True)
        d.number(
            "+14155550100", status_callback_event=events, status_callback="/n", send_digits="1"
        )
        d.client("alice", url="/c")
        d.sip("sip:bob@e.x", username="bob", password="p&w")
        d.conference(
            "Room 1", start_conference_on_enter=True, end_conference_on_exit=False, beep="false"
        )
        d.queue("support", url="/q")
        r.dial("+14155550111", timeout=10)

    ours, off = VoiceResponse(), OfficialVoice()
    fill(ours, ["initiated", "answered"])
    fill(off, "initiated answered")
    assert_same_tree(ours, off)


def test_parity_record_redirect_reject_enqueue_sms() -> None:
    def fill(r: Any) -> None:
        r.record(
            action="/rec",
            max_length=30,
            play_beep=True,
            trim="trim-silence",
            recording_status_callback="/rs",
            transcribe=False,
        )
        r.enqueue("q1", wait_url="/wait", action="/eq").task('{"a": 1}', priority=3)
        r.leave()
        r.sms("Texted during call", to="+1", from_="+2", status_callback="/s")
        r.reject(reason="busy")
        r.redirect("/next?x=1&y=2", method="GET")

    ours, off = VoiceResponse(), OfficialVoice()
    fill(ours)
    fill(off)
    assert_same_tree(ours, off)


def test_parity_connect_start_stop_stream() -> None:
    def fill(r: Any) -> None:
        s = r.start()
        s.stream(url="wss://e.x/a", name="s1", track="both_tracks").parameter(name="k", value="v")
        r.say("Streaming")
        r.stop().stream(name="s1")
        c = r.connect(action="/done")
        stream = c.stream(url="wss://e.x/b", status_callback="/scb")
        stream.parameter(name="x", value="<1>")
        stream.parameter(name="y", value="2")

    ours, off = VoiceResponse(), OfficialVoice()
    fill(ours)
    fill(off)
    assert_same_tree(ours, off)


def test_parity_ssml() -> None:
    def fill(r: Any) -> None:
        say = r.say("Hi ", voice="Polly.Joanna")
        say.break_(time="500ms")
        say.say_as("1234", interpret_as="digits")
        say.lang("Hola", xml_lang="es-ES")
        say.prosody("fast", rate="fast").emphasis("now", level="strong")

    ours, off = VoiceResponse(), OfficialVoice()
    fill(ours)
    fill(off)
    assert_same_tree(ours, off)


def test_parity_messaging() -> None:
    def fill(r: Any) -> None:
        r.message("Thanks 👋 <3 & more", to="+1", from_="+2", action="/a", method="POST")
        m = r.message()
        m.body("Pic")
        m.media("https://e.x/p.jpg?a=1&b=2")
        r.redirect("/more")

    ours, off = MessagingResponse(), OfficialMessaging()
    fill(ours)
    fill(off)
    assert_same_tree(ours, off)


def test_base_class_is_not_a_document_and_repr_is_informative() -> None:
    with pytest.raises(TypeError, match="base class"):
        TwiML()
    g = VoiceResponse().gather(num_digits=2)
    g.say("x")
    assert repr(g) == "<Gather numDigits='2', 1 children>"


def test_module_docstring_example_runs() -> None:
    doc = twiml.__doc__ or ""
    code = doc.split("Example::\n")[1].split("    str(r)")[0]
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(line[4:] for line in code.splitlines()), "<doc>", "exec"), namespace)
    gather = parse(namespace["r"])[1]
    assert gather.attrib == {
        "input": "dtmf speech",
        "action": "/gather",
        "timeout": "5",
        "numDigits": "4",
    }
