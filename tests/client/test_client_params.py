"""Parameter names: a typo is refused by the type checker and at run time (with the close
match named); wire names Twilio adds later go through ``extra_params``, sent as given."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from client_testkit import ROOT, FakeTwilio, Reply, call, maybe, message

MESSAGES = f"{ROOT}/Messages.json"
CALLS = f"{ROOT}/Calls.json"
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(
    ("operation", "typo", "suggestion"),
    [
        (lambda c, **kw: c.messages.create(to="+1415", **kw), "bdy", "body"),
        (lambda c, **kw: c.messages.create(to="+1415", **kw), "from", "from_"),
        (lambda c, **kw: c.messages.create(to="+1415", **kw), "statusCallback", "status_callback"),
        (lambda c, **kw: c.calls.create(to="+1", from_="+2", **kw), "twilm", "twiml"),
        (lambda c, **kw: c.messages.list(**kw), "too", "to"),
        (
            lambda c, **kw: c.send_sms(from_="+1", to="+2", body="x", **kw),
            "status_callbak",
            "status_callback",
        ),
        (lambda c, **kw: c.incoming_phone_numbers.update("PN1", **kw), "sms_ur", "sms_url"),
        (lambda c, **kw: c.available_phone_numbers.local(**kw), "area", "area_code"),
    ],
)
async def test_unknown_keyword_is_a_type_error_naming_the_close_match(
    server: FakeTwilio, client: Any, operation: Any, typo: str, suggestion: str
) -> None:
    with pytest.raises(TypeError) as info:
        await maybe(operation(client, **{typo: "x"}))
    text = str(info.value)
    assert f"unexpected keyword argument {typo!r}" in text
    assert f"did you mean {suggestion!r}?" in text
    assert server.requests == []  # nothing was sent


async def test_unknown_keyword_without_a_close_match_lists_the_parameters(
    server: FakeTwilio, client: Any
) -> None:
    with pytest.raises(TypeError, match="it takes sid"):
        await maybe(client.messages.fetch("SM1", zzzzzz=1))


async def test_other_type_errors_are_left_alone(client: Any) -> None:
    with pytest.raises(TypeError) as info:
        await maybe(client.messages.fetch())  # a missing argument, not an unknown one
    assert "did you mean" not in str(info.value)


async def test_extra_params_are_sent_as_given(server: FakeTwilio, client: Any) -> None:
    server.on("POST", MESSAGES, Reply(201, json=message()))
    server.on("POST", CALLS, Reply(201, json=call()))
    await maybe(
        client.messages.create(
            to="+1415",
            from_="+1500",
            body="hi",
            extra_params={"RiskCheck": "disable", "PersistentAction": ["geo:1,2", "mailto:a@b"]},
        )
    )
    await maybe(
        client.calls.create(
            to="+1415",
            from_="+1500",
            url="https://e.example/t",
            extra_params={"Trim": "trim-silence", "MachineDetectionTimeout": "10"},
        )
    )
    sms, voice = server.requests
    assert sms.form == [
        ("To", "+1415"),
        ("From", "+1500"),
        ("Body", "hi"),
        ("RiskCheck", "disable"),
        ("PersistentAction", "geo:1,2"),
        ("PersistentAction", "mailto:a@b"),
    ]
    assert voice.field("Trim") == "trim-silence"
    assert voice.field("MachineDetectionTimeout") == "10"


@pytest.mark.parametrize(
    ("operation", "name"),
    [
        (lambda c, e: c.messages.create(to="+1", body="x", extra_params=e), "Body"),
        (lambda c, e: c.messages.create(to="+1", body="x", extra_params=e), "body"),  # any case
        (lambda c, e: c.messages.create(to="+1", body="x", extra_params=e), "StatusCallback"),
        (lambda c, e: c.calls.create(to="+1", from_="+2", url="u", extra_params=e), "Timeout"),
        (
            lambda c, e: c.calls.create(to="+1", from_="+2", url="u", extra_params=e),
            "StatusCallbackEvent",
        ),
        (lambda c, e: c.incoming_phone_numbers.update("PN1", extra_params=e), "SmsUrl"),
        (
            lambda c, e: c.incoming_phone_numbers.purchase(area_code="415", extra_params=e),
            "PhoneNumber",
        ),
        (lambda c, e: c.available_phone_numbers.toll_free(extra_params=e), "Contains"),
    ],
)
async def test_extra_param_that_is_a_typed_one_raises(
    server: FakeTwilio, client: Any, operation: Any, name: str
) -> None:
    with pytest.raises(ValueError, match="use that keyword argument"):
        await maybe(operation(client, {name: "v"}))
    assert server.requests == []


@pytest.mark.parametrize("bad", [{"Flag": True}, {"N": 3}, {"B": b"x"}, {"": "x"}, {"L": ["a", 1]}])
async def test_extra_params_values_are_strings(server: FakeTwilio, client: Any, bad: Any) -> None:
    with pytest.raises(TypeError, match="extra_params"):
        await maybe(client.messages.create(to="+1", body="x", extra_params=bad))
    assert server.requests == []


def test_mypy_refuses_a_typo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "typo_check.py"
    source.write_text(
        textwrap.dedent(
            """
            from twilio_connector import AsyncTwilioClient, TwilioClient


            def sync_typo(client: TwilioClient) -> None:
                client.messages.create(to="+1", bdy="typo")  # line 6


            async def async_typo(client: AsyncTwilioClient) -> None:
                await client.messages.create(to="+1", bdy="typo")  # line 10


            def fine(client: TwilioClient) -> None:
                client.messages.create(to="+1", body="x", extra_params={"RiskCheck": "disable"})
                client.calls.create(to="+1", from_="+2", url="u", extra_params={"A": ["b", "c"]})


            def wrong_extra(client: TwilioClient) -> None:
                client.messages.create(to="+1", extra_params={"Flag": True})  # line 19


            def constructor_typos() -> None:
                TwilioClient(acount_sid="AC1", auth_token="x")  # line 23
                AsyncTwilioClient(auth_token="x", max_retrys=3)  # line 24
                TwilioClient(account_sid="AC1", auth_token="x", timeout=2.0, retry=None)
            """
        )
    )
    monkeypatch.setenv("MYPYPATH", str(SRC))  # this checkout's package, not an installed one
    out, err, status = api.run(
        [
            str(source),
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
        ]
    )
    lines = [line for line in out.splitlines() if "typo_check.py" in line]
    assert status == 1, out + err
    errors = {int(line.split(":")[1]) for line in lines if ": error:" in line}
    assert errors == {6, 10, 19, 23, 24}, out
    assert sum('Unexpected keyword argument "bdy"' in line for line in lines) == 2, out
