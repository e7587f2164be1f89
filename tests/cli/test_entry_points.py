"""``python -m twilio_connector.emulator``, ``python -m twilio_connector.listener`` and the
bare ``twilio-connector emulator``: they start, print their URL, serve, and stop cleanly on
SIGINT or SIGTERM. ``--public-url``: the URL the emulator prints and builds its URLs with."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_kit import emulator_env, finish, invoke, ok_json, start_cli, subprocess_env
from support.emulator import OWNED
from support.receiver import Receiver

from twilio_connector.emulator import Emulator
from twilio_connector.signature import compute_signature

PUBLIC = "https://emu.example.test/twilio"


def _first_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise AssertionError(proc.communicate(timeout=30))
    return line


def _messages_url(facts: dict[str, Any], base: str) -> str:
    return f"{base}/2010-04-01/Accounts/{facts['account_sid']}/Messages.json"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_python_m_emulator_starts_serves_and_stops(sig: int) -> None:
    proc = start_cli({}, "--port", "0", "--in-memory", "--json", "--public-url", PUBLIC + "/",
                     module="twilio_connector.emulator")  # fmt: skip
    try:
        facts = json.loads(_first_line(proc))
        assert facts["base_url"] == PUBLIC and facts["control_url"] == PUBLIC + "/_emulator"
        local = facts["local_url"]
        assert local.startswith("http://127.0.0.1:") and not local.endswith(":0")
        auth = (facts["account_sid"], facts["auth_token"])
        form = {"To": "+14155550100", "From": "+15005550006", "Body": "hi"}
        sent = httpx.post(_messages_url(facts, local), auth=auth, data=form)
        assert sent.status_code == 201
        # Through the proxy the request carries the public host: it is accepted.
        proxied = httpx.get(_messages_url(facts, local), auth=auth,
                            headers={"Host": "emu.example.test"})  # fmt: skip
        assert proxied.status_code == 200 and len(proxied.json()["messages"]) == 1
    finally:
        code, out, err = finish(proc, sig)
    assert code == 0, err
    assert out == "" and "Stopping." in err  # stdout held only the JSON line


def test_bare_emulator_and_emulator_start_still_serve(tmp_path: Path) -> None:
    for args in (["emulator"], ["emulator", "start"]):
        proc = start_cli({}, *args, "--port", "0", "--db", str(tmp_path / "state.db"))
        try:
            shown = [_first_line(proc)]
            while not shown[-1].startswith("Press Ctrl-C"):
                shown.append(_first_line(proc))
            assert shown[0].startswith("Twilio emulator listening on http://127.0.0.1:")
            assert any(line.strip().startswith("TWILIO_AUTH_TOKEN=") for line in shown)
            url = shown[0].split()[-1]
            assert httpx.get(f"{url}/_emulator").status_code == 401  # serving, and guarded
        finally:
            code, out, _ = finish(proc, signal.SIGINT)
        assert code == 0 and "Stopping." in out


def test_public_url_is_used_for_the_emulators_own_urls(receiver: Receiver) -> None:
    with Emulator(phone_numbers=(OWNED,), public_url=PUBLIC) as emu:
        assert emu.base_url == PUBLIC and emu.local_url.startswith("http://127.0.0.1:")
        env = {**emulator_env(emu), "TWILIO_BASE_URL": emu.local_url}
        ok_json(
            invoke(env, "--json", "numbers", "configure", OWNED, "--sms-url", receiver.url("/"))
        )
        emu.simulate_inbound_message("+14155550100", OWNED, "pic", ["https://example.test/a.png"])
        (hit,) = receiver.wait_for(lambda hits: len(hits) >= 1)
        media_url = hit.form["MediaUrl0"]
        assert media_url.startswith(f"{PUBLIC}/2010-04-01/Accounts/{emu.account_sid}/Messages/")
        # The signature covers the webhook's params, the public MediaUrl included.
        expected = compute_signature(emu.auth_token, hit.url, hit.pairs)
        assert hit.headers["X-Twilio-Signature"] == expected
        info = httpx.get(f"{emu.local_url}/_emulator", auth=(emu.account_sid, emu.auth_token))
        assert info.json()["base_url"] == PUBLIC
    with pytest.raises(ValueError, match="http:// or https://"):
        Emulator(public_url="ftp://emu.example.test")
    with pytest.raises(ValueError, match="no credentials, query or fragment"):
        Emulator(public_url="https://emu.example.test/?x=1")


def test_python_m_listener_starts_serves_and_stops(tmp_path: Path) -> None:
    (tmp_path / "hooks_for_m.py").write_text(textwrap.dedent("""
        from twilio_connector.listener import TwilioListener

        listener = TwilioListener("tok", inbox_path="inbox.sqlite3")
    """))  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "twilio_connector.listener", "hooks_for_m:listener",
         "--port", "0", "--json", "--log-level", "warning"],
        cwd=tmp_path, env=subprocess_env({}), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        facts = json.loads(_first_line(proc))
        url = facts["url"]
        assert url.startswith("http://127.0.0.1:") and facts["inbox"].endswith("inbox.sqlite3")
        params = {"MessageSid": "SM" + "1" * 32, "MessageStatus": "delivered",
                  "AccountSid": "AC" + "1" * 32, "To": "+14155550100", "From": OWNED}  # fmt: skip
        forged = httpx.post(url + "/", data=params)
        assert forged.status_code == 403
        signature = compute_signature("tok", url + "/", params)
        signed = httpx.post(url + "/", data=params, headers={"X-Twilio-Signature": signature})
        assert signed.status_code == 200
    finally:
        code, _, err = finish(proc, signal.SIGTERM)
    # uvicorn re-raises the SIGTERM it handled once its graceful shutdown is complete.
    assert code in (0, -signal.SIGTERM), err
    assert "Traceback" not in err
