"""Media Streams messages: every documented message round-trips byte for byte through its
struct, real-shaped frames decode to the right class, and malformed ones raise an error
naming the field (TWILIO.md §22.3/§22.4, typed here as literal dicts)."""

from __future__ import annotations

import base64
import json
import pickle
from typing import Any

import pytest
from media_stream_frames import (
    AC,
    CA,
    CONNECTED,
    DTMF,
    FRAME,
    MARK,
    MEDIA,
    MZ,
    PAYLOAD,
    START,
    STOP,
)

from twilio_connector.errors import TwilioError
from twilio_connector.realtime import InvalidMessageError, audio
from twilio_connector.realtime import media_streams as ms

APP_MEDIA = {"event": "media", "streamSid": MZ, "media": {"payload": PAYLOAD}}
APP_MARK = {"event": "mark", "streamSid": MZ, "mark": {"name": "reply-1-done"}}
APP_CLEAR = {"event": "clear", "streamSid": MZ}

FROM_TWILIO = [
    (CONNECTED, ms.Connected),
    (START, ms.Start),
    (MEDIA, ms.Media),
    (DTMF, ms.Dtmf),
    (MARK, ms.Mark),
    (STOP, ms.Stop),
]
FROM_APP = [(APP_MEDIA, ms.SendMedia), (APP_MARK, ms.SendMark), (APP_CLEAR, ms.Clear)]


def text(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


@pytest.mark.parametrize(("wire", "kind"), FROM_TWILIO, ids=lambda v: getattr(v, "__name__", ""))
def test_every_message_twilio_sends_round_trips(wire: dict[str, Any], kind: type) -> None:
    message = ms.decode_twilio_message(text(wire))
    assert type(message) is kind
    assert json.loads(ms.encode(message)) == wire
    assert ms.encode(message) == text(wire)  # same keys, same order as Twilio's examples
    assert ms.decode_twilio_message(ms.encode_bytes(message)) == message  # bytes in, too


@pytest.mark.parametrize(("wire", "kind"), FROM_APP, ids=lambda v: getattr(v, "__name__", ""))
def test_every_message_an_app_sends_round_trips(wire: dict[str, Any], kind: type) -> None:
    message = ms.decode_app_message(text(wire).encode())
    assert type(message) is kind
    assert ms.encode(message) == text(wire)


def test_fields_decode_to_their_types_and_numbers_stay_strings() -> None:
    start = ms.decode_twilio_message(text(START))
    assert isinstance(start, ms.Start)
    assert (start.sequence_number, start.sequence, start.stream_sid) == ("1", 1, MZ)
    meta = start.start
    assert (meta.account_sid, meta.call_sid, meta.stream_sid) == (AC, CA, MZ)
    assert meta.tracks == ["inbound"] and meta.custom_parameters == {"FirstName": "Jane"}
    assert meta.media_format == ms.MediaFormat(
        encoding="audio/x-mulaw", sample_rate=8000, channels=1
    )

    media = ms.decode_twilio_message(text(MEDIA))
    assert isinstance(media, ms.Media)
    chunk = media.media
    assert (chunk.track, chunk.chunk, chunk.timestamp) == ("inbound", "1", "5")
    assert (chunk.chunk_number, chunk.timestamp_ms, media.sequence) == (1, 5, 2)
    assert chunk.payload == FRAME and len(chunk.payload) == audio.BYTES_PER_FRAME
    assert len(MEDIA["media"]["payload"]) == 216  # type: ignore[index]

    dtmf = ms.decode_twilio_message(text(DTMF))
    assert isinstance(dtmf, ms.Dtmf) and dtmf.dtmf.digit == "1"
    assert dtmf.dtmf.track == "inbound_track"


def test_the_same_event_name_is_a_different_message_each_way() -> None:
    # Twilio's mark has a sequence number; the app's has none (and would be refused as Twilio's)
    assert isinstance(ms.decode_twilio_message(text(MARK)), ms.Mark)
    assert isinstance(ms.decode_app_message(text(APP_MARK)), ms.SendMark)
    with pytest.raises(InvalidMessageError) as caught:
        ms.decode_twilio_message(text(APP_MARK))
    assert caught.value.field == "sequenceNumber"
    # and an app cannot send Twilio's events
    assert isinstance(ms.decode_app_message(text(STOP)), ms.Unknown)


def test_builders_make_the_documented_app_messages() -> None:
    assert ms.encode(ms.media(MZ, FRAME)) == text(APP_MEDIA)
    assert ms.encode(ms.mark(MZ, "reply-1-done")) == text(APP_MARK)
    assert ms.encode(ms.clear(MZ)) == text(APP_CLEAR)


def test_an_unknown_event_is_kept_not_refused() -> None:
    wire = {"event": "transcript", "sequenceNumber": "9", "streamSid": MZ, "x": {"y": [1]}}
    message = ms.decode_twilio_message(text(wire))
    assert message == ms.Unknown(event="transcript", data=wire)
    assert json.loads(ms.encode(message)) == wire
    app = ms.decode_app_message(text({"event": "pause", "streamSid": MZ}))
    assert isinstance(app, ms.Unknown) and app.event == "pause"


def test_fields_twilio_adds_to_a_known_message_are_ignored() -> None:
    wire = json.loads(text(START))
    wire["start"]["someNewField"] = {"nested": True}
    wire["extra"] = 1
    message = ms.decode_twilio_message(text(wire))
    assert isinstance(message, ms.Start) and message.start.call_sid == CA


def test_the_stream_name_is_sent_only_when_set() -> None:
    wire = json.loads(text(START))
    wire["start"]["name"] = "fork1"
    message = ms.decode_twilio_message(text(wire))
    assert isinstance(message, ms.Start) and message.start.name == "fork1"
    assert json.loads(ms.encode(message)) == wire
    plain = ms.decode_twilio_message(text(START))
    assert isinstance(plain, ms.Start) and "name" not in ms.encode(plain)


def with_(base: dict[str, Any], path: str, value: Any) -> str:
    """``base`` with the field at dotted ``path`` set to ``value`` (``...`` deletes it)."""
    message = json.loads(text(base))
    *parents, last = path.split(".")
    node = message
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return text(message)


MALFORMED_FROM_TWILIO = [
    pytest.param(with_(MEDIA, "media.payload", "not*base64"), "media.payload", id="payload"),
    pytest.param(with_(MEDIA, "media.chunk", "one"), "media.chunk", id="chunk-text"),
    pytest.param(with_(MEDIA, "media.timestamp", 5), "media.timestamp", id="timestamp-int"),
    pytest.param(with_(MEDIA, "media.track", ...), "media.track", id="track-missing"),
    pytest.param(with_(MEDIA, "sequenceNumber", "-1"), "sequenceNumber", id="sequence"),
    pytest.param(with_(START, "start.tracks", "inbound"), "start.tracks", id="tracks"),
    pytest.param(with_(START, "start.tracks", [1]), "start.tracks[0]", id="tracks-item"),
    pytest.param(
        with_(START, "start.mediaFormat.sampleRate", "8000"),
        "start.mediaFormat.sampleRate",
        id="sample-rate",
    ),
    pytest.param(with_(START, "start.callSid", ...), "start.callSid", id="call-sid"),
    pytest.param(
        with_(START, "start.customParameters", {"k": 1}),
        "start.customParameters[...]",
        id="parameter",
    ),
    pytest.param(with_(DTMF, "dtmf.digit", "12"), "dtmf.digit", id="digit"),
    pytest.param(with_(STOP, "streamSid", ...), "streamSid", id="stream-sid"),
    pytest.param(with_(STOP, "event", 7), "event", id="event-type"),
    pytest.param(with_(STOP, "event", ...), "event", id="event-missing"),
    pytest.param("[]", None, id="array"),
    pytest.param('"media"', None, id="string"),
]


@pytest.mark.parametrize(("wire", "field"), MALFORMED_FROM_TWILIO)
def test_a_malformed_message_names_its_field(wire: str, field: str | None) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        ms.decode_twilio_message(wire)
    exc = caught.value
    assert (exc.field, exc.code, exc.protocol) == (field, 31951, "media-streams")
    assert str(exc).startswith("invalid Media Streams message: ")
    if field is not None:
        assert repr(field) in str(exc)


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        (with_(APP_MEDIA, "streamSid", ...), "streamSid"),
        (with_(APP_MEDIA, "media.payload", "@@@@"), "media.payload"),
        (with_(APP_MEDIA, "media", ...), "media"),
        (with_(APP_MARK, "mark.name", None), "mark.name"),
        (with_(APP_CLEAR, "streamSid", 1), "streamSid"),
    ],
)
def test_a_malformed_app_message_names_its_field(wire: str, field: str) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        ms.decode_app_message(wire)
    assert (caught.value.field, caught.value.code) == (field, 31951)


@pytest.mark.parametrize(
    "wire",
    [
        "",
        "{",
        "{'event': 'media'}",
        b"\xff\xfe",
        "media",
        '{"event":"new","a":',
        '{"event":"new",}',
    ],
)
def test_text_that_is_not_json_is_31950(wire: str | bytes) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        ms.decode_app_message(wire)
    assert (caught.value.field, caught.value.code) == (None, 31950)
    assert "not JSON" in str(caught.value)


def test_every_message_has_a_bounded_size() -> None:
    big = ms.encode(ms.media(MZ, b"\xff" * 60_000))  # 80 kB of base64
    assert isinstance(ms.decode_app_message(big), ms.SendMedia)
    with pytest.raises(InvalidMessageError, match="at most 65536 bytes") as caught:
        ms.decode_app_message(big, max_bytes=65536)
    assert caught.value.field is None
    huge = "[" * (ms.MAX_MESSAGE_BYTES + 1)
    with pytest.raises(InvalidMessageError, match="at most"):
        ms.decode_twilio_message(huge)


def test_the_error_is_typed_picklable_and_quotes_no_audio() -> None:
    secret_audio = base64.b64encode(b"\x01" * 3000).decode() + "*"
    with pytest.raises(InvalidMessageError) as caught:
        ms.decode_app_message(with_(APP_MEDIA, "media.payload", secret_audio))
    exc = caught.value
    assert isinstance(exc, TwilioError) and isinstance(exc, ValueError)
    assert secret_audio[:40] not in str(exc) and len(str(exc)) < 300
    again = pickle.loads(pickle.dumps(exc))
    assert (type(again), str(again), again.field, again.code) == (
        InvalidMessageError,
        str(exc),
        "media.payload",
        31951,
    )


def test_messages_are_immutable_values() -> None:
    message = ms.decode_twilio_message(text(MARK))
    assert message == ms.decode_twilio_message(text(MARK).encode())
    assert hash(ms.clear(MZ)) == hash(ms.clear(MZ))
    with pytest.raises(AttributeError):
        message.stream_sid = "MZ" + "0" * 32  # type: ignore[misc,union-attr]


def test_the_wire_layer_is_core_and_loads_no_http_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import twilio_connector.realtime as r;"
        "print(sorted(m for m in ('httpx', 'aiohttp', 'uvicorn', 'starlette', 'jinja2', 'audioop')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["[]"]


@pytest.mark.parametrize("event", ["media", "brand-new"])
def test_deep_nesting_is_an_invalid_message_not_a_crash(event: str) -> None:
    deep = '{"event":"' + event + '","x":' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InvalidMessageError, match="nested too deeply") as caught:
        ms.decode_twilio_message(deep)
    assert caught.value.code == 31951
