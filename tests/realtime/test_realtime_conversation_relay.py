"""ConversationRelay messages: every documented message round-trips through its struct,
optional keys are sent only when set, unknown types are kept, and malformed messages raise
an error naming the field (TWILIO.md §23.2/§23.3, typed here as literal dicts)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twilio_connector.realtime import InvalidMessageError
from twilio_connector.realtime import conversation_relay as cr

AC = "AC" + "0123456789abcdef" * 2
CA = "CA" + "fedcba9876543210" * 2
VX = "VX" + "0" * 32

SETUP = {
    "type": "setup",
    "sessionId": VX,
    "accountSid": AC,
    "callSid": CA,
    "parentCallSid": "",
    "from": "+18005550100",
    "to": "+18005550101",
    "forwardedFrom": "+18005550102",
    "callType": "PSTN",
    "callerName": "",
    "direction": "inbound",
    "callStatus": "RINGING",
    "customParameters": {"callReference": "bar"},
}
PROMPT = {"type": "prompt", "voicePrompt": "Ahoy! Can you hear me?", "lang": "en-US", "last": True}
DTMF = {"type": "dtmf", "digit": "1"}
INTERRUPT = {
    "type": "interrupt",
    "utteranceUntilInterrupt": "Welcome to the",
    "durationUntilInterruptMs": 460,
}
ERROR = {"type": "error", "description": "Invalid message received: missing token"}

TOKEN = {"type": "text", "token": "Hello, ", "last": False}
LAST_TOKEN = {
    "type": "text",
    "token": "how can I help?",
    "last": True,
    "lang": "en-US",
    "interruptible": True,
    "preemptible": False,
}
PLAY = {
    "type": "play",
    "source": "https://example.com/hold.mp3",
    "loop": 1,
    "preemptible": False,
    "interruptible": True,
}
DIGITS = {"type": "sendDigits", "digits": "9www4567"}
LANGUAGE = {"type": "language", "ttsLanguage": "sv-SE", "transcriptionLanguage": "en-US"}
END = {
    "type": "end",
    "handoffData": '{"reasonCode":"live-agent-handoff","reason":"caller asked for a person"}',
}

FROM_TWILIO = [
    (SETUP, cr.Setup),
    (PROMPT, cr.Prompt),
    (DTMF, cr.Dtmf),
    (INTERRUPT, cr.Interrupt),
    (ERROR, cr.ErrorMessage),
]
FROM_APP = [
    (TOKEN, cr.Text),
    (LAST_TOKEN, cr.Text),
    (PLAY, cr.Play),
    (DIGITS, cr.SendDigits),
    (LANGUAGE, cr.Language),
    (END, cr.End),
]


def text(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


@pytest.mark.parametrize(("wire", "kind"), FROM_TWILIO, ids=lambda v: getattr(v, "__name__", ""))
def test_every_message_twilio_sends_round_trips(wire: dict[str, Any], kind: type) -> None:
    message = cr.decode_twilio_message(text(wire))
    assert type(message) is kind
    assert cr.encode(message) == text(wire)
    assert cr.decode_twilio_message(cr.encode_bytes(message)) == message


@pytest.mark.parametrize(("wire", "kind"), FROM_APP, ids=lambda v: getattr(v, "__name__", ""))
def test_every_message_an_app_sends_round_trips(wire: dict[str, Any], kind: type) -> None:
    message = cr.decode_app_message(text(wire).encode())
    assert type(message) is kind
    assert json.loads(cr.encode(message)) == wire


def test_setup_fields_and_the_from_keyword() -> None:
    setup = cr.decode_twilio_message(text(SETUP))
    assert isinstance(setup, cr.Setup)
    assert (setup.session_id, setup.account_sid, setup.call_sid) == (VX, AC, CA)
    assert (setup.from_, setup.to, setup.forwarded_from) == (
        "+18005550100",
        "+18005550101",
        "+18005550102",
    )
    assert (setup.call_type, setup.direction, setup.call_status) == ("PSTN", "inbound", "RINGING")
    assert setup.custom_parameters == {"callReference": "bar"}
    # a setup with only the identifiers still decodes (Twilio may leave the rest out)
    bare = cr.decode_twilio_message(
        text({"type": "setup", "sessionId": VX, "accountSid": AC, "callSid": CA})
    )
    assert isinstance(bare, cr.Setup) and bare.from_ == "" and bare.custom_parameters == {}


def test_prompt_interrupt_and_dtmf_fields() -> None:
    prompt = cr.decode_twilio_message(text(PROMPT))
    assert isinstance(prompt, cr.Prompt)
    assert (prompt.voice_prompt, prompt.lang, prompt.last) == (
        "Ahoy! Can you hear me?",
        "en-US",
        True,
    )
    partial = cr.decode_twilio_message(text({**PROMPT, "last": False}))
    assert isinstance(partial, cr.Prompt) and partial.last is False
    interrupt = cr.decode_twilio_message(text(INTERRUPT))
    assert isinstance(interrupt, cr.Interrupt)
    assert interrupt.utterance_until_interrupt == "Welcome to the"
    assert interrupt.duration_until_interrupt_ms == 460


def test_optional_keys_are_sent_only_when_set() -> None:
    assert cr.encode(cr.Text(token="Hello, ", last=False)) == text(TOKEN)
    assert cr.encode(cr.Text(token="", last=True)) == '{"type":"text","token":"","last":true}'
    assert cr.encode(cr.Play(source="https://example.com/a.mp3")) == (
        '{"type":"play","source":"https://example.com/a.mp3"}'
    )
    assert cr.encode(cr.End()) == '{"type":"end"}'
    assert cr.encode(cr.Language(tts_language="sv-SE")) == (
        '{"type":"language","ttsLanguage":"sv-SE"}'
    )
    assert cr.encode(cr.SendDigits(digits="1234#")) == '{"type":"sendDigits","digits":"1234#"}'


def test_handoff_data_is_a_string_forwarded_verbatim() -> None:
    end = cr.decode_app_message(text(END))
    assert isinstance(end, cr.End)
    assert json.loads(end.handoff_data or "") == {
        "reasonCode": "live-agent-handoff",
        "reason": "caller asked for a person",
    }
    assert cr.encode(end) == text(END)  # not re-encoded as an object
    with pytest.raises(InvalidMessageError) as caught:
        cr.decode_app_message(text({"type": "end", "handoffData": {"reason": "x"}}))
    assert caught.value.field == "handoffData"


def test_info_and_unknown_types_are_kept() -> None:
    info = {"type": "info", "name": "tokens-played", "value": "Hello"}
    message = cr.decode_twilio_message(text(info))
    assert message == cr.Info(data=info)
    assert json.loads(cr.encode(message)) == info
    new = {"type": "speakerEvent", "speaker": "caller"}
    assert cr.decode_twilio_message(text(new)) == cr.Unknown(type="speakerEvent", data=new)
    # Twilio's events are not the app's: an app sending "prompt" is an unknown type to Twilio
    assert cr.decode_app_message(text(PROMPT)) == cr.Unknown(type="prompt", data=PROMPT)


def with_(base: dict[str, Any], key: str, value: Any) -> str:
    message = dict(base)
    if value is ...:
        del message[key]
    else:
        message[key] = value
    return text(message)


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        pytest.param(with_(TOKEN, "token", ...), "token", id="token-missing"),
        pytest.param(with_(TOKEN, "token", 5), "token", id="token-int"),
        pytest.param(with_(TOKEN, "last", ...), "last", id="last-missing"),
        pytest.param(with_(TOKEN, "last", "true"), "last", id="last-text"),
        pytest.param(with_(LAST_TOKEN, "interruptible", "any"), "interruptible", id="interrupt"),
        pytest.param(with_(PLAY, "source", ...), "source", id="source"),
        pytest.param(with_(PLAY, "loop", "1"), "loop", id="loop"),
        pytest.param(with_(DIGITS, "digits", "12x"), "digits", id="digits"),
        pytest.param(with_(DIGITS, "digits", ""), "digits", id="digits-empty"),
        pytest.param(with_(DIGITS, "digits", "1" * 257), "digits", id="digits-long"),
        pytest.param(with_(LANGUAGE, "ttsLanguage", 1), "ttsLanguage", id="language"),
        pytest.param(with_(END, "type", ...), "type", id="type-missing"),
        pytest.param(with_(END, "type", None), "type", id="type-null"),
        pytest.param("[1, 2]", None, id="array"),
    ],
)
def test_a_malformed_app_message_names_its_field(wire: str, field: str | None) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        cr.decode_app_message(wire)
    exc = caught.value
    assert (exc.field, exc.code, exc.protocol) == (field, 64107, "conversation-relay")
    assert str(exc).startswith("invalid ConversationRelay message: ")


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        (with_(SETUP, "sessionId", ...), "sessionId"),
        (with_(SETUP, "customParameters", ["a"]), "customParameters"),
        (with_(PROMPT, "voicePrompt", None), "voicePrompt"),
        (with_(INTERRUPT, "durationUntilInterruptMs", "460"), "durationUntilInterruptMs"),
        (with_(DTMF, "digit", "x"), "digit"),
        (with_(ERROR, "description", ...), "description"),
    ],
)
def test_a_malformed_twilio_message_names_its_field(wire: str, field: str) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        cr.decode_twilio_message(wire)
    assert caught.value.field == field


def test_not_json_and_too_big() -> None:
    with pytest.raises(InvalidMessageError) as caught:
        cr.decode_app_message('{"type": "text", "token": "hi"')
    assert (caught.value.field, caught.value.code) == (None, 64107)
    long = cr.encode(cr.Text(token="word " * 30_000, last=True))
    assert isinstance(cr.decode_app_message(long), cr.Text)
    with pytest.raises(InvalidMessageError, match="at most 100000 bytes"):
        cr.decode_app_message(long, max_bytes=100_000)


tokens = st.builds(
    cr.Text,
    token=st.text(max_size=50),
    last=st.booleans(),
    lang=st.none() | st.sampled_from(["en-US", "sv-SE", "multi"]),
    interruptible=st.none() | st.booleans(),
    preemptible=st.none() | st.booleans(),
)


@given(tokens)
def test_any_text_message_round_trips(message: cr.Text) -> None:
    wire = cr.encode(message)
    assert cr.decode_app_message(wire) == message
    sent = json.loads(wire)
    assert set(sent) == {"type", "token", "last"} | {
        key
        for key, value in (
            ("lang", message.lang),
            ("interruptible", message.interruptible),
            ("preemptible", message.preemptible),
        )
        if value is not None
    }
