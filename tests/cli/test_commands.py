"""Every command against the emulator: messages, WhatsApp, calls (place, get, list),
the account and numbers; Twilio errors with their code and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

from cli_kit import OWNED, SENDER, invoke, ok_json
from click.testing import CliRunner
from support.content import approved_template

from twilio_connector.cli import main
from twilio_connector.emulator import Emulator


def test_help_everywhere() -> None:
    for args in ([], ["sms"], ["sms", "send-bulk"], ["call"], ["call", "list"],
                 ["numbers", "configure"], ["emulator"], ["emulator", "rules", "add"],
                 ["listen"], ["inbox"], ["message", "list"]):  # fmt: skip
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, args
    call_help = CliRunner().invoke(main, ["call", "--help"]).output
    assert "call get SID" in call_help and "call list" in call_help and "--say" in call_help


def test_sms_send_get_and_list(env: dict[str, str]) -> None:
    sent = ok_json(invoke(env, "--json", "sms", "send", "--from", SENDER, "--to", "+14155550140",
                          "--body", "hello from the CLI"))  # fmt: skip
    assert sent["sid"].startswith("SM") and sent["status"] == "queued"
    fetched = ok_json(invoke(env, "message", "get", sent["sid"], "--json"))
    assert fetched["body"] == "hello from the CLI"
    listed = ok_json(invoke(env, "message", "--json", "list", "--to", "+14155550140"))
    assert sent["sid"] in [m["sid"] for m in listed]
    table = invoke(env, "message", "list", "--to", "+14155550140")
    assert table.exit_code == 0 and sent["sid"] in table.output


def test_whatsapp_and_placing_calls(env: dict[str, str], cli_emu: Emulator, tmp_path: Path) -> None:
    template = approved_template(cli_emu)
    wa = ok_json(invoke(env, "--json", "whatsapp", "send", "--from", "+14155238886",
                        "--to", "+14155550141", "--content-sid", template,
                        "--content-variables", '{"1": "Ada"}'))  # fmt: skip
    assert wa["to"] == "whatsapp:+14155550141"
    bad_vars = invoke(env, "whatsapp", "send", "--from", "+14155238886", "--to", "+14155550141",
                      "--content-sid", template, "--content-variables", "[1]")  # fmt: skip
    assert bad_vars.exit_code == 2 and "JSON object" in bad_vars.output
    twiml = tmp_path / "hello.xml"
    twiml.write_text('<?xml version="1.0"?><Response><Say>Hi</Say></Response>')
    for how in (["--say", "Hello"], ["--url", "http://127.0.0.1:9/twiml"],
                ["--twiml-file", str(twiml)]):  # fmt: skip
        short = ok_json(invoke(env, "--json", "call", "--from", SENDER, "--to", "+14155550142",
                               *how))  # fmt: skip
        assert short["sid"].startswith("CA")
    created = ok_json(invoke(env, "call", "create", "--from", SENDER, "--to", "+14155550142",
                             "--say", "Hi", "--json"))  # fmt: skip
    assert created["sid"].startswith("CA") and created["to"] == "+14155550142"
    both = invoke(env, "call", "--from", SENDER, "--to", "+14155550142", "--say", "a", "--url", "b")
    assert both.exit_code == 2 and "exactly one" in both.output
    missing = invoke(env, "call", "--say", "a")
    assert missing.exit_code == 2 and "--from and --to" in missing.output


def test_call_get_and_list(env: dict[str, str], cli_emu: Emulator) -> None:
    to = "+14155550143"
    placed = ok_json(invoke(env, "--json", "call", "--from", SENDER, "--to", to, "--say", "x"))
    cli_emu.settle()
    got = ok_json(invoke(env, "call", "get", placed["sid"], "--json"))
    assert got["sid"] == placed["sid"] and got["status"] == "completed"
    listed = ok_json(invoke(env, "--json", "call", "list", "--to", to, "--status", "completed"))
    assert [c["sid"] for c in listed] == [placed["sid"]]
    assert ok_json(invoke(env, "--json", "call", "list", "--to", to, "--status", "busy")) == []
    assert len(ok_json(invoke(env, "--json", "call", "list", "--limit", "1"))) == 1
    table = invoke(env, "call", "list", "--to", to)
    assert table.exit_code == 0 and placed["sid"] in table.output and "completed" in table.output
    wrong_place = invoke(env, "call", "--to", to, "list")
    assert wrong_place.exit_code == 2 and "--to" in wrong_place.output
    missing = invoke(env, "call", "get", "CA" + "0" * 32)
    assert missing.exit_code == 1 and "20404" in missing.output


def test_account_and_numbers(env: dict[str, str], cli_emu: Emulator) -> None:
    account = ok_json(invoke(env, "--json", "account"))
    assert account["sid"] == cli_emu.account_sid
    assert cli_emu.auth_token not in json.dumps(account)
    assert cli_emu.auth_token not in invoke(env, "account").output
    numbers = ok_json(invoke(env, "--json", "numbers", "list"))
    assert OWNED in [n["phone_number"] for n in numbers]
    configured = ok_json(invoke(env, "--json", "numbers", "configure", OWNED,
                                "--sms-url", "http://127.0.0.1:9/sms",
                                "--voice-url", "http://127.0.0.1:9/voice"))  # fmt: skip
    assert configured["sms_url"] == "http://127.0.0.1:9/sms"
    assert configured["voice_url"] == "http://127.0.0.1:9/voice"
    missing = invoke(env, "numbers", "configure", "+19995550000", "--sms-url", "http://x/")
    assert missing.exit_code == 1 and "not a number this account owns" in missing.output


def test_twilio_errors_print_code_and_exit_nonzero(env: dict[str, str]) -> None:
    bad = invoke(env, "sms", "send", "--from", SENDER, "--to", "+15005550001", "--body", "x")
    assert bad.exit_code == 1 and bad.stdout == ""
    assert "21211" in bad.stderr and "https://www.twilio.com/docs/errors/21211" in bad.stderr
    assert "Traceback" not in bad.output
    wrong = invoke({**env, "TWILIO_AUTH_TOKEN": "0" * 32}, "account")
    assert wrong.exit_code == 1 and "20003" in wrong.output and "0" * 32 not in wrong.output
    unset = invoke({**env, "TWILIO_ACCOUNT_SID": ""}, "account")
    assert unset.exit_code == 2 and "TWILIO_ACCOUNT_SID" in unset.output


def test_wait_in_fast_timing(env: dict[str, str], cli_emu: Emulator) -> None:
    sms = ok_json(invoke(env, "sms", "send", "--from", SENDER, "--to", "+14155550144",
                         "--body", "x", "--wait", "--json"))  # fmt: skip
    assert sms["status"] == "delivered"
    template = approved_template(cli_emu)
    wa = ok_json(invoke(env, "--json", "whatsapp", "send", "--from", "+14155238886",
                        "--to", "+14155550145", "--content-sid", template, "--wait"))  # fmt: skip
    assert wa["status"] in ("delivered", "read")
    outside = invoke(env, "--json", "whatsapp", "send", "--from", "+14155238886",
                     "--to", "+14155550146", "--body", "free text", "--wait")  # fmt: skip
    assert outside.exit_code == 1  # outside the 24-hour window: failed with 63016
    assert json.loads(outside.stdout)["status"] == "failed"
    assert '"code": 63016' in outside.stderr


def test_sending_through_a_messaging_service(env: dict[str, str], cli_emu: Emulator) -> None:
    sdk = cli_emu.sdk_client()
    service = sdk.messaging.v1.services.create(friendly_name="cli").sid
    number = sdk.incoming_phone_numbers.list(phone_number=OWNED)[0].sid
    sdk.messaging.v1.services(service).phone_numbers.create(phone_number_sid=number)
    sent = ok_json(invoke(env, "--json", "sms", "send", "--messaging-service-sid", service,
                          "--to", "+14155550145", "--body", "via the pool", "--wait"))  # fmt: skip
    assert (sent["messaging_service_sid"], sent["from"]) == (service, OWNED)
    assert sent["status"] == "delivered"
    cli_emu.enable_whatsapp(OWNED)
    template = approved_template(cli_emu)
    wa = ok_json(invoke(env, "--json", "whatsapp", "send", "--messaging-service-sid", service,
                        "--to", "+14155550146", "--content-sid", template,
                        "--content-variables", '{"1": "Ada"}'))  # fmt: skip
    assert wa["messaging_service_sid"] == service and wa["status"] == "accepted"
    neither = invoke(env, "sms", "send", "--to", "+14155550145", "--body", "x")
    assert neither.exit_code == 2 and "--messaging-service-sid" in neither.output
