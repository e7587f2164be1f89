"""The emulator's own front door: browser requests from other origins cannot change state
(CSRF), unknown Host names are refused (DNS rebinding), credentials are not shared between
installs, and binding beyond loopback is warned about."""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import httpx
import pytest
from support.emulator import sdk_client

from twilio_connector.emulator import Emulator

TO = "+15558675310"
FROM = "+15017122661"


def _http(emu: Emulator) -> httpx.Client:
    return httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token))


def _message_count(http: httpx.Client, emu: Emulator) -> int:
    listed = http.get(f"/2010-04-01/Accounts/{emu.account_sid}/Messages.json").json()
    return len(listed["messages"])


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:{other}",  # a page on another local port: "same-site", not ours
        "http://localhost:{port}.evil.example",
        "https://evil.example",
        "null",  # sandboxed frames, data: URLs
    ],
)
def test_state_changing_requests_from_other_origins_are_refused(emu: Emulator, origin: str) -> None:
    origin = origin.format(port=emu.port, other=emu.port + 1)
    hostile = {"Origin": origin, "Sec-Fetch-Site": "same-site"}
    with _http(emu) as http:
        before = len(emu.rules())
        attempts = [
            http.post(
                f"/2010-04-01/Accounts/{emu.account_sid}/Messages.json",
                data={"To": TO, "From": FROM, "Body": "forged"},
                headers=hostile,
            ),
            http.post("/_emulator/rules", json={"outcome": "failed"}, headers=hostile),
            http.post("/_emulator/reset", headers=hostile),
            http.delete("/_emulator/rules", headers=hostile),
            http.post(
                "/_emulator/ui/inbound",
                data={"from": TO, "to": FROM, "body": "forged"},
                headers=hostile,
            ),
        ]
        for resp in attempts:
            assert resp.status_code == 403, (resp.request.url, resp.text)
            body = resp.json()
            assert (body["status"], body["code"]) == (403, 20403)
            assert "origin" in body["message"].lower() and body["more_info"].startswith("https://")
        assert _message_count(http, emu) == 0 and len(emu.rules()) == before
        # reads carry no risk and stay open to any origin (the browser keeps the answer)
        assert http.get("/_emulator/rules", headers=hostile).status_code == 200


def test_own_origin_and_requests_without_origin_work(emu: Emulator) -> None:
    messages = f"/2010-04-01/Accounts/{emu.account_sid}/Messages.json"
    data = {"To": TO, "From": FROM, "Body": "hi"}
    with _http(emu) as http:
        assert http.post(messages, data=data).status_code == 201  # SDKs, curl: no Origin
        own = {"Origin": emu.base_url, "Sec-Fetch-Site": "same-origin"}
        assert http.post(messages, data=data, headers=own).status_code == 201
        # the same emulator under another name it serves: that name is its own origin there
        named = {"Host": f"localhost:{emu.port}", "Origin": f"http://localhost:{emu.port}"}
        assert http.post(messages, data=data, headers=named).status_code == 201
        assert http.post("/_emulator/rules", json={"outcome": "failed"}, headers=own).is_success
        assert _message_count(http, emu) == 3


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost.:{port}x"]
)
def test_unknown_host_names_are_refused(emu: Emulator, host: str) -> None:
    with _http(emu) as http:
        resp = http.get(
            f"/2010-04-01/Accounts/{emu.account_sid}.json",
            headers={"Host": host.format(port=emu.port)},
        )
        assert resp.status_code == 400, resp.text
        body = resp.json()
        assert body["status"] == 400 and "host" in body["message"].lower()
        assert "hosts=" in body["message"]  # says how to allow a name
        ui = http.get("/_emulator/ui", headers={"Host": host.format(port=emu.port)})
        assert ui.status_code == 400


def test_served_host_names(emu: Emulator) -> None:
    with _http(emu) as http:
        for host in (
            f"127.0.0.1:{emu.port}", f"localhost:{emu.port}", f"LocalHost.:{emu.port}",
            f"[::1]:{emu.port}", "localhost", "10.1.2.3:8080",  # IP literals cannot rebind
        ):  # fmt: skip
            resp = http.get(f"/2010-04-01/Accounts/{emu.account_sid}.json", headers={"Host": host})
            assert resp.status_code == 200, (host, resp.text)


def test_names_given_at_start_are_served() -> None:
    with Emulator(hosts=("emu.test", "Twilio.Internal:8080")) as emu, _http(emu) as http:
        for host in (f"emu.test:{emu.port}", "emu.test", "twilio.internal:8080"):
            resp = http.get(f"/2010-04-01/Accounts/{emu.account_sid}.json", headers={"Host": host})
            assert resp.status_code == 200, (host, resp.text)
        # behind a TLS proxy under that name, its https origin is the emulator's own
        messages = f"/2010-04-01/Accounts/{emu.account_sid}/Messages.json"
        proxied = {"Host": "emu.test", "Origin": "https://emu.test"}
        data = {"To": TO, "From": FROM, "Body": "via the proxy"}
        assert http.post(messages, data=data, headers=proxied).status_code == 201
        assert http.get("/", headers={"Host": "other.test"}).status_code == 400
    with pytest.raises(ValueError, match="host name"):
        Emulator(hosts=("bad name/x",))


# -- credentials ------------------------------------------------------------------------------


def test_generated_tokens_differ_per_install_and_persist_per_database(tmp_path: Path) -> None:
    with Emulator() as first, Emulator() as second:
        assert first.account_sid == second.account_sid  # the SID may stay a constant
        assert first.auth_token != second.auth_token and len(first.auth_token) == 32
        assert sdk_client(first, first.account_sid, first.auth_token).api.v2010.account.fetch()
        with pytest.raises(Exception, match="401"):
            sdk_client(first, first.account_sid, second.auth_token).api.v2010.account.fetch()
        token = first.auth_token
        first.reset()  # a reset re-creates the account with the same token
        assert first.auth_token == token
        assert sdk_client(first, first.account_sid, token).api.v2010.account.fetch()
    db = tmp_path / "state.db"
    with Emulator(db_path=db) as emu:
        kept = emu.auth_token
    with Emulator(db_path=db) as again:
        assert again.auth_token == kept
        assert sdk_client(again, again.account_sid, kept).api.v2010.account.fetch()
    with Emulator(db_path=tmp_path / "other.db") as other:
        assert other.auth_token != kept
    with Emulator(db_path=db, auth_token="chosen") as chosen:
        assert chosen.auth_token == "chosen"
    with pytest.raises(RuntimeError, match="start"):
        _ = Emulator().auth_token  # generated at start, not before


def test_binding_beyond_loopback_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="twilio_connector.emulator"):
        with Emulator():
            pass
        assert not [r for r in caplog.records if "loopback" in r.getMessage()]
        with Emulator(host="0.0.0.0") as emu:
            assert emu.port
    (warning,) = [r for r in caplog.records if "loopback" in r.getMessage()]
    assert warning.levelno == logging.WARNING and "0.0.0.0" in warning.getMessage()


@pytest.mark.parametrize("host", [b"localhost:\xb2", b"[::1", b"[::1]x", b":8765", b"\xe9vil"])
def test_malformed_host_headers_are_a_400(emu: Emulator, host: bytes) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as sock:
        sock.sendall(b"GET /_emulator HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
