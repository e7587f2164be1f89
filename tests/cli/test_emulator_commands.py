"""``twilio-connector emulator inbound-sms | inbound-call | caller | transcript | rules |
advance | settle | reset`` against a running emulator (its control plane over HTTP)."""

from __future__ import annotations

import socket
from pathlib import Path

from cli_kit import SENDER, emulator_env, error_of, invoke, ok_json
from support.emulator import OWNED
from support.receiver import Receiver, twiml
from support.stream_agents import Seen, agent, send
from websockets.sync.server import ServerConnection

from twilio_connector.emulator import Emulator

HANDSET = "+14155550111"


def test_inbound_sms_runs_the_numbers_webhook(emu: Emulator, receiver: Receiver) -> None:
    env = emulator_env(emu)
    ok_json(invoke(env, "--json", "numbers", "configure", OWNED, "--sms-url", receiver.url("/sms")))
    msg = ok_json(invoke(env, "emulator", "inbound-sms", "--from", HANDSET, "--to", OWNED,
                         "--body", "hello there", "--media-url", "https://example.test/a.png",
                         "--param", "ProfileName=Ada", "--json"))  # fmt: skip
    assert msg["direction"] == "inbound" and msg["from"] == HANDSET and msg["body"] == "hello there"
    (hit,) = receiver.wait_for(lambda hits: len(hits) >= 1)
    form = hit.form
    assert (form["From"], form["To"], form["Body"]) == (HANDSET, OWNED, "hello there")
    assert form["NumMedia"] == "1" and form["ProfileName"] == "Ada"
    assert form["MediaUrl0"].startswith(emu.base_url)
    table = invoke(env, "emulator", "inbound-sms", "--from", HANDSET, "--to", OWNED, "--body", "x")
    assert table.exit_code == 0 and "inbound" in table.stdout


def test_inbound_call_runs_the_voice_url(emu: Emulator, receiver: Receiver) -> None:
    env = emulator_env(emu)
    receiver.reply("/voice", twiml("<Say>hi</Say>"))
    ok_json(invoke(env, "numbers", "configure", OWNED, "--voice-url", receiver.url("/voice"),
                   "--json"))  # fmt: skip
    call = ok_json(invoke(env, "--json", "emulator", "inbound-call", "--from", HANDSET,
                          "--to", OWNED, "--caller-name", "Ada"))  # fmt: skip
    assert call["sid"].startswith("CA") and call["direction"] == "inbound"
    (hit,) = receiver.wait_for(lambda hits: len(hits) >= 1)
    assert hit.form["CallSid"] == call["sid"] and hit.form["From"] == HANDSET
    emu.settle()
    assert ok_json(invoke(env, "--json", "call", "get", call["sid"]))["status"] == "completed"


def _answer_each_key(ws: ServerConnection, message: dict[str, object], seen: Seen) -> None:
    if message["event"] == "dtmf":
        digit = message["dtmf"]["digit"]  # type: ignore[index]
        send(ws, {"event": "mark", "streamSid": message["streamSid"],
                  "mark": {"name": f"heard-{digit}"}})  # fmt: skip


def test_a_scripted_caller_on_a_stream_then_more_steps_and_the_transcript(
    emu: Emulator, receiver: Receiver, tmp_path: Path
) -> None:
    env = emulator_env(emu)
    with agent(_answer_each_key) as app:
        receiver.reply("/voice", twiml(f'<Connect><Stream url="{app.url}"/></Connect>'))
        ok_json(invoke(env, "--json", "numbers", "configure", OWNED, "--voice-url",
                       receiver.url("/voice")))  # fmt: skip
        call = ok_json(invoke(env, "--json", "emulator", "inbound-call", "--from", HANDSET,
                              "--to", OWNED, "--script", '[{"press": "1"}]'))  # fmt: skip
        emu.settle()  # the key was answered: the call is quiet and still in the stream
        steps = tmp_path / "more.json"
        steps.write_text('[{"press": "2", "after": 0}, {"hangup": true}]')
        added = ok_json(invoke(env, "--json", "emulator", "caller", call["sid"], f"@{steps}"))
        assert added == {"call_sid": call["sid"], "accepted": 2}
        emu.settle()
        assert app.connections[0].done.wait(5)
    entries = ok_json(invoke(env, "--json", "emulator", "transcript", call["sid"]))
    assert [e["digits"] for e in entries if e["kind"] == "caller-press"] == ["1", "2"]
    assert [e["name"] for e in entries if e["kind"] == "mark"] == ["heard-1", "heard-2"]
    table = invoke(env, "emulator", "transcript", call["sid"])
    assert table.exit_code == 0 and "caller-hangup" in table.stdout and "heard-2" in table.stdout
    bad = invoke(env, "emulator", "inbound-call", "--from", HANDSET, "--to", OWNED,
                 "--script", '{"say": "not a list"}')  # fmt: skip
    assert bad.exit_code == 2 and "list of step objects" in bad.output
    gone = invoke(env, "emulator", "caller", call["sid"], '[{"say": "hello?"}]')
    assert gone.exit_code != 0 and "21220" in gone.output  # the call has ended


def test_rules_add_list_delete(emu: Emulator) -> None:
    env = emulator_env(emu)
    first = ok_json(invoke(env, "--json", "emulator", "rules", "add", "--outcome", "undelivered",
                           "--to", "+1555*", "--error-code", "30003", "--times", "2"))  # fmt: skip
    call_rule = ok_json(invoke(env, "emulator", "rules", "add", "--kind", "call",
                               "--outcome", "completed", "--param", "digits=1234",
                               "--param-json", "ring=5", "--json"))  # fmt: skip
    assert call_rule["params"] == {"digits": "1234", "ring": 5}
    listed = ok_json(invoke(env, "emulator", "rules", "list", "--json"))
    assert [(r["id"], r["kind"], r["times"]) for r in listed] == [
        (first["id"], "message", 2), (call_rule["id"], "call", None)]  # fmt: skip
    table = invoke(env, "emulator", "rules", "list")
    assert "+1555*" in table.stdout and "30003" in table.stdout
    # the rule works: a send to +1555... ends undelivered with 30003
    sent = ok_json(invoke(env, "--json", "sms", "send", "--from", SENDER, "--to", "+15558675310",
                          "--body", "x"))  # fmt: skip
    emu.settle()
    got = ok_json(invoke(env, "--json", "message", "get", sent["sid"]))
    assert (got["status"], got["error_code"]) == ("undelivered", 30003)

    assert ok_json(invoke(env, "--json", "emulator", "rules", "delete", str(first["id"])))
    assert [r.id for r in emu.rules()] == [call_rule["id"]]
    gone = invoke(env, "--json", "emulator", "rules", "delete", str(first["id"]))
    assert gone.exit_code == 1 and error_of(gone.stderr)["status"] == 404
    ok_json(invoke(env, "emulator", "rules", "delete", "--all", "--kind", "call", "--json"))
    assert emu.rules() == []
    neither = invoke(env, "emulator", "rules", "delete")
    assert neither.exit_code == 2 and "--all" in neither.output
    bad = invoke(env, "--json", "emulator", "rules", "add", "--outcome", "exploded")
    assert bad.exit_code == 1
    error = error_of(bad.stderr)
    assert (error["code"], error["status"]) == (20001, 400) and "outcome" in error["message"]
    bad_param = invoke(env, "emulator", "rules", "add", "--outcome", "sent", "--param", "nokey")
    assert bad_param.exit_code == 2 and "KEY=VALUE" in bad_param.output
    not_json = invoke(env, "emulator", "rules", "add", "--outcome", "sent", "--param-json", "a=b")
    assert not_json.exit_code == 2 and "not JSON" in not_json.output


def test_advance_settle_reset(emu: Emulator) -> None:
    env = emulator_env(emu)
    assert ok_json(invoke(env, "--json", "emulator", "advance", "90"))["clock_offset"] == 90
    ok_json(invoke(env, "--json", "sms", "send", "--from", SENDER, "--to", "+14155550112",
                   "--body", "before reset"))  # fmt: skip
    assert ok_json(invoke(env, "emulator", "settle", "--json")) == {"settled": True}
    assert ok_json(invoke(env, "emulator", "reset", "--json")) == {"reset": True}
    assert ok_json(invoke(env, "--json", "message", "list")) == []
    assert OWNED in [n["phone_number"] for n in ok_json(invoke(env, "--json", "numbers", "list"))]
    negative = invoke(env, "emulator", "advance", "--", "-5")
    assert negative.exit_code == 2


def test_control_errors(emu: Emulator) -> None:
    env = emulator_env(emu)
    away = invoke(env, "--json", "emulator", "reset", "--emulator-url", "http://127.0.0.1:9")
    assert away.exit_code == 1
    assert "cannot reach the emulator at http://127.0.0.1:9" in error_of(away.stderr)["message"]
    wrong = invoke({**env, "TWILIO_AUTH_TOKEN": "0" * 32}, "--json", "emulator", "reset")
    assert wrong.exit_code == 1 and error_of(wrong.stderr)["status"] == 401
    assert "0" * 32 not in wrong.output
    unset = invoke({**env, "TWILIO_AUTH_TOKEN": ""}, "emulator", "reset")
    assert unset.exit_code == 2 and "TWILIO_AUTH_TOKEN" in unset.output
    creds = invoke(env, "--json", "emulator", "reset", "--emulator-url", "http://AC1:hunter2@x/")
    assert creds.exit_code == 2 and "hunter2" not in creds.output
    assert "TWILIO_AUTH_TOKEN" in error_of(creds.stderr)["message"]
    # --emulator-url wins over TWILIO_BASE_URL
    moved = {**env, "TWILIO_BASE_URL": "http://127.0.0.1:9"}
    assert ok_json(invoke(moved, "emulator", "settle", "--emulator-url", emu.base_url, "--json"))
    before = invoke(env, "emulator", "--port", "0", "reset")
    assert before.exit_code == 2 and "--port" in before.output


def test_a_busy_port_is_named(emu: Emulator) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = invoke(emulator_env(emu), "--json", "emulator", "--port", str(port), "--in-memory")
        assert busy.exit_code == 1
        message = error_of(busy.stderr)["message"]
        assert f"127.0.0.1:{port}" in message and "--port 0" in message


def test_verify_rules_from_the_cli_and_one_list_of_kinds(emu: Emulator) -> None:
    from twilio_connector.cli.emulator_control import RULE_KINDS as CLI_KINDS
    from twilio_connector.emulator.rules.kinds import RULE_KINDS

    assert CLI_KINDS == RULE_KINDS
    env = emulator_env(emu)
    rule = ok_json(invoke(env, "--json", "emulator", "rules", "add", "--kind", "verify",
                          "--outcome", "rate-limited", "--to", HANDSET))  # fmt: skip
    assert (rule["kind"], rule["outcome"]) == ("verify", "rate-limited")
    sdk = emu.sdk_client()
    service = sdk.verify.v2.services.create(friendly_name="Cli")
    refused = invoke(env, "--json", "emulator", "rules", "add", "--kind", "verify",
                     "--outcome", "delivered")  # fmt: skip
    assert refused.exit_code == 1 and "verify rule" in error_of(refused.stderr)["message"]
    from twilio.base.exceptions import TwilioRestException

    try:
        service.verifications.create(to=HANDSET, channel="sms")
    except TwilioRestException as exc:
        assert (exc.status, exc.code) == (429, 60203)
    else:
        raise AssertionError("the rule did not rate-limit the start")
