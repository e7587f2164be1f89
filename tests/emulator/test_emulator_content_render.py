"""The template renderer (:mod:`twilio_connector.emulator.content.render`): pure, no server."""

from __future__ import annotations

from twilio_connector.emulator.content.render import choose_type, render, text_of

TYPES = {
    "twilio/text": {"body": "Hi {{1}}"},
    "twilio/quick-reply": {"body": "Hi {{1}}?", "actions": [{"title": "{{1}}!"}]},
    "twilio/location": {"latitude": 1.0, "longitude": 2.0, "label": "HQ", "address": "{{addr}}"},
}


def test_each_channel_picks_its_type() -> None:
    assert choose_type(TYPES, "whatsapp") == "twilio/quick-reply"
    assert choose_type(TYPES, "sms") == "twilio/text"
    assert choose_type({"twilio/location": {}}, "sms") is None
    assert choose_type({"twilio/location": {}}, "whatsapp") == "twilio/location"
    assert choose_type({"twilio/media": {}, "twilio/card": {}}, "sms") == "twilio/media"


def test_values_then_defaults_then_missing() -> None:
    got = render(TYPES, {"1": "Ada"}, {}, "whatsapp")
    assert got is not None
    assert (got.body, got.missing) == ("Hi Ada?", [])
    assert got.content == {"body": "Hi Ada?", "actions": [{"title": "Ada!"}]}
    given = render(TYPES, {"1": "Ada"}, {"1": "Bo"}, "sms")
    assert given is not None and given.body == "Hi Bo"
    missing = render({"twilio/location": TYPES["twilio/location"]}, {}, {}, "whatsapp")
    assert missing is not None and missing.missing == ["addr"]
    assert missing.body == "HQ\n{{addr}}"  # unsubstituted, and reported
    assert render({"twilio/location": {}}, {}, {}, "sms") is None


def test_a_value_is_never_rendered_twice() -> None:
    got = render({"twilio/text": {"body": "{{1}} and {{2}}"}}, {}, {"1": "{{2}}", "2": "x"}, "sms")
    assert got is not None and got.body == "{{2}} and x"


def test_text_of_each_shape() -> None:
    assert text_of("twilio/card", {"title": "T", "subtitle": "S"}, {}) == "T\nS"
    assert text_of("twilio/card", {"title": "T"}, {}) == "T"
    assert text_of("twilio/media", {"media": ["https://x"]}, {}) == ""
    auth = text_of("whatsapp/authentication", {}, {"1": "42"})
    assert auth == "*42* is your verification code."


def test_media_comes_from_media_and_cards() -> None:
    media = {"twilio/media": {"media": ["https://e.com/{{1}}.png"], "body": "b"}}
    got = render(media, {}, {"1": "a"}, "sms")
    assert got is not None and got.media == ["https://e.com/a.png"]
    card = {"whatsapp/card": {"body": "b", "media": ["https://e.com/c.jpg"]}}
    got = render(card, {}, {}, "whatsapp")
    assert got is not None and (got.media, got.body) == (["https://e.com/c.jpg"], "b")
