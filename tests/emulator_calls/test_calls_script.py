"""The caller's realtime script reaches a call: validated where it is given (Python API,
control plane, call rules), queued on a live call by ``add_caller_steps`` / the control plane.
What the steps do on a stream or a relay is tested in tests/emulator_streams and
tests/emulator_relay."""

from __future__ import annotations

import httpx
import pytest
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from twilio.rest import Client

from twilio_connector.emulator import Emulator, EmulatorError
from twilio_connector.emulator.voice import CallerStep, parse_caller_script

CALLER = "+14155550188"


def test_steps_from_mappings_and_objects() -> None:
    steps = parse_caller_script(
        [{"say": "hello", "after": 1}, {"press": "12#"}, {"pause": 2}, CallerStep.hangup()]
    )
    assert [s.action for s in steps] == ["say", "press", "pause", "hangup"]
    assert steps[0].after == 1.0 and not steps[0].barge_in
    assert steps[2].seconds == 2.0 and steps[2].barge_in  # a pause never waits for the agent
    assert steps[0].to_builtins() == {"say": "hello", "after": 1.0}


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"say": ""}, "say needs words"),
        ({"press": "12x"}, "DTMF keys"),
        ({"say": "a", "press": "1"}, "exactly one of"),
        ({"shout": "a"}, "exactly one of"),
        ({"pause": "long"}, "pause must be seconds"),
        ({"say": "a", "after": -1}, "0 to 3600"),
        ({"say": "a", "barge_in": "yes"}, "barge_in must be true or false"),
        ({"hangup": "now"}, "hangup must be true"),
    ],
)
def test_invalid_steps_name_the_step(step: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_caller_script([{"say": "fine"}, step])
    assert "caller step 2" in str(info.value)


def _answered_call(emu: Emulator, twilio: Client, receiver: Receiver, **kw: object) -> str:
    owned = twilio.incoming_phone_numbers.list(phone_number=OWNED)[0]
    twilio.incoming_phone_numbers(owned.sid).update(voice_url=receiver.url("/in"))
    receiver.reply("/in", twiml("<Gather numDigits='1' action='/next'><Say>Hi</Say></Gather>"))
    receiver.reply("/next", twiml("<Say>Bye</Say>"))
    return emu.simulate_incoming_call(CALLER, OWNED, **kw).sid  # type: ignore[arg-type]


def test_script_on_a_live_call_from_python_and_the_control_plane(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    sid = _answered_call(emu, twilio, receiver, script=[{"say": "first"}])
    emu.settle()  # waits in the Gather (step by step)
    emu.add_caller_steps(sid, [{"say": "second"}])
    with pytest.raises(ValueError, match="caller step 1"):
        emu.add_caller_steps(sid, [{"say": ""}])
    auth = (emu.account_sid, emu.auth_token)
    url = f"{emu.base_url}/_emulator/calls/{sid}/script"
    ok = httpx.post(url, json={"script": [{"press": "9"}]}, auth=auth)
    assert ok.status_code == 200 and ok.json() == {"call_sid": sid, "accepted": 1}
    for body, code in (
        ({"script": [{"press": "x"}]}, 20001),
        ({"script": "say hi"}, 20001),
        ({}, 20001),
    ):
        bad = httpx.post(url, json=body, auth=auth)
        assert bad.status_code == 400 and bad.json()["code"] == code
    gone = httpx.post(
        f"{emu.base_url}/_emulator/calls/CA{'9' * 32}/script",
        json={"script": [{"say": "a"}]},
        auth=auth,
    )
    assert gone.status_code == 404
    emu.press_digits(sid, "1")  # no realtime session: keys still answer the Gather
    emu.settle()
    assert twilio.calls(sid).fetch().status == "completed"
    with pytest.raises(EmulatorError) as info:
        emu.add_caller_steps(sid, [{"say": "late"}])
    assert info.value.code == 21220


def test_script_on_inbound_control_plane_and_rules(
    emu: Emulator, twilio: Client, receiver: Receiver
) -> None:
    auth = (emu.account_sid, emu.auth_token)
    bad = httpx.post(
        f"{emu.base_url}/_emulator/calls/inbound",
        json={"from": CALLER, "to": OWNED, "script": [{"play": ""}]},
        auth=auth,
    )
    assert bad.status_code == 400 and "caller step 1" in bad.json()["message"]
    with pytest.raises(ValueError, match="script must be a list"):
        emu.set_rule("completed", kind="call", script={"say": "hi"})
    with pytest.raises(ValueError, match="caller step 1"):
        emu.set_rule("completed", kind="call", script=[{"say": ""}])
    rule = emu.set_rule(
        "completed", kind="call", to="+15558675310", script=[{"say": "hi"}, {"hangup": True}]
    )
    assert rule.params["script"][1] == {"hangup": True}
