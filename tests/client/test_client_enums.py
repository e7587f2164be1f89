"""Enumerations: the ``Literal`` types match the enums of Twilio's OpenAPI description, a
value Twilio adds later decodes (typed ``Unrecognized``), and mypy checks exhaustive handling.
"""

from __future__ import annotations

import re
import textwrap
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
from client_testkit import MESSAGE_SID, ROOT, FakeTwilio, call, maybe, message

from twilio_connector import enums, models
from twilio_connector.enums import MessageStatus, is_known
from twilio_connector.models import Call, Message, decode

SRC = Path(__file__).resolve().parents[2] / "src"

# (our Literal, spec schema, property), the property's enum read through its $ref
SPEC_ENUMS = [
    (enums.MessageStatus, "api.v2010.account.message", "status"),
    (enums.MessageDirection, "api.v2010.account.message", "direction"),
    (enums.CallStatus, "api.v2010.account.call", "status"),
    (enums.AccountStatus, "api.v2010.account", "status"),
    (enums.AccountType, "api.v2010.account", "type"),
    (enums.RecordingSource, "api.v2010.account.recording", "source"),
    (enums.AddressRequirement, "api.v2010.account.incoming_phone_number", "address_requirements"),
    (enums.VoiceReceiveMode, "api.v2010.account.incoming_phone_number", "voice_receive_mode"),
    (enums.EmergencyStatus, "api.v2010.account.incoming_phone_number", "emergency_status"),
    (
        enums.EmergencyAddressStatus,
        "api.v2010.account.incoming_phone_number",
        "emergency_address_status",
    ),
    (enums.HttpMethod, "api.v2010.account.incoming_phone_number", "sms_method"),
    (enums.HttpMethod, "api.v2010.account.incoming_phone_number", "voice_method"),
    (enums.StreamStatus, "api.v2010.account.call.stream", "status"),
]


def spec_enum(openapi: Any, schema: str, prop: str) -> set[str]:
    components = openapi.spec["components"]["schemas"]
    node = components[schema]["properties"][prop]
    if "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    return set(node["enum"])


@pytest.mark.parametrize(("literal", "schema", "prop"), SPEC_ENUMS)
def test_literal_matches_the_spec_enum(openapi: Any, literal: Any, schema: str, prop: str) -> None:
    assert set(typing.get_args(literal)) == spec_enum(openapi, schema, prop)


def test_recording_status_covers_both_recording_schemas(openapi: Any) -> None:
    # one Recording model serves /Recordings and /Calls/{sid}/Recordings
    expected = spec_enum(openapi, "api.v2010.account.recording", "status") | spec_enum(
        openapi, "api.v2010.account.call.call_recording", "status"
    )
    assert set(typing.get_args(enums.RecordingStatus)) == expected


def test_stream_track_is_the_spec_enum_of_the_track_parameter(openapi: Any) -> None:
    schemas = openapi.spec["components"]["schemas"]
    assert set(typing.get_args(enums.StreamTrack)) == set(schemas["stream_enum_track"]["enum"])
    assert set(schemas["stream_enum_update_status"]["enum"]) <= set(
        typing.get_args(enums.StreamStatus)
    )


@pytest.mark.parametrize(
    ("literal", "prop"), [(enums.CallDirection, "direction"), (enums.AnsweredBy, "answered_by")]
)
def test_literal_covers_the_values_the_spec_describes(
    openapi: Any, literal: Any, prop: str
) -> None:
    """No enum in the spec for these: every value its description names is in ours."""
    text = openapi.spec["components"]["schemas"]["api.v2010.account.call"]["properties"][prop][
        "description"
    ]
    described = set(re.findall(r"`([a-z][a-z_-]+)`", text))
    assert described and described <= set(typing.get_args(literal))


def test_every_model_field_named_like_an_enum_is_typed_with_one() -> None:
    hints = typing.get_type_hints(Message, include_extras=True)
    assert hints["status"] == str | None  # decoded as any string at run time
    source = Path(models.__file__).read_text()
    for field, alias in [
        ("status: MessageStatusValue", "Message"),
        ("status: CallStatusValue", "Call"),
        ("direction: CallDirectionValue", "Call"),
        ("status: AccountStatusValue", "Account"),
        ("status: RecordingStatusValue", "Recording"),
        ("status: StreamStatusValue", "CallStream"),
    ]:
        assert field in source, alias


def test_unknown_values_decode() -> None:
    raw = msgspec.json.encode(message(status="future-status", direction="outbound-later"))
    decoded = decode(Message, raw)
    assert decoded.status == "future-status"
    assert not is_known(MessageStatus, decoded.status)
    assert is_known(MessageStatus, "delivered")
    assert not is_known(MessageStatus, None)
    with pytest.raises(TypeError):
        is_known(str, "x")


async def test_client_returns_a_message_with_a_new_status(server: FakeTwilio, client: Any) -> None:
    server.on("GET", f"{ROOT}/Messages/{MESSAGE_SID}.json", message(status="partially_read"))
    server.on(
        "GET", f"{ROOT}/Calls.json", {"calls": [call(status="on-hold")], "next_page_uri": None}
    )
    got = await maybe(client.get_message(MESSAGE_SID))
    assert isinstance(got, Message) and got.status == "partially_read"
    calls = await maybe(client.calls.list())
    assert [c.status for c in calls] == ["on-hold"] and isinstance(calls[0], Call)


def test_mypy_checks_exhaustive_handling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "exhaustive.py"
    source.write_text(
        textwrap.dedent(
            """
            from twilio_connector.enums import Unrecognized
            from twilio_connector.models import Call


            def on_new_status(status: Unrecognized) -> None: ...


            def complete(call: Call) -> str:
                match call.status:
                    case "queued" | "ringing" | "in-progress":
                        return "live"
                    case "completed" | "busy" | "failed" | "no-answer" | "canceled":
                        return "over"
                    case None:
                        return "?"
                    case other:
                        on_new_status(other)
                        return other


            def forgot_busy(call: Call) -> str:
                match call.status:
                    case "queued" | "ringing" | "in-progress":
                        return "live"
                    case "completed" | "failed" | "no-answer" | "canceled":
                        return "over"
                    case None:
                        return "?"
                    case other:
                        on_new_status(other)  # FORGOT: "busy" is still possible here
                        return other
            """
        )
    )
    monkeypatch.setenv("MYPYPATH", str(SRC))
    out, err, _ = api.run(
        [
            str(source),
            "--strict",
            "--strict-equality",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
        ]
    )
    lines = [line for line in out.splitlines() if "exhaustive.py" in line and ": error:" in line]
    forgot = 1 + source.read_text().splitlines().index(
        '            on_new_status(other)  # FORGOT: "busy" is still possible here'
    )
    assert {int(line.split(":")[1]) for line in lines} == {forgot}, out + err
    assert "Literal['busy'] | Unrecognized" in lines[0]
