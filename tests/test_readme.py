"""Every code block of README.md runs as written, against a live emulator on a free port.

The README is parsed as CommonMark (markdown-it). A block runs unless the HTML comment just
before it is ``<!-- not-run: <reason> -->``, and every such marker needs a reason:

* a fenced ``python`` block is a script, run in a subprocess (cwd: a fresh directory) with
  ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN`` and ``TWILIO_BASE_URL`` pointing at the emulator;
  it must exit 0. A block with a line calling ``<name>.run(`` (``listener.run``, not
  ``asyncio.run``) is a server: it gets a free ``PORT``, must answer a signed inbound SMS with a
  ``<Response>`` document, and must stop cleanly on SIGTERM;
* a fenced ``sh``/``shell``/``bash`` block, and an indented code block, is a bash script
  (``set -euo pipefail``) with the same environment, where ``twilio-connector`` is this
  checkout's CLI; in a ``console`` block only the lines after a ``$ `` prompt run. A block that
  installs packages must be marked (running it would change the test environment);
* a fenced block without a language (or ``text``) is a picture, such as the exception tree,
  and is not run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from markdown_it import MarkdownIt
from support.wait import wait_until

import twilio_connector
from twilio_connector.emulator import Emulator
from twilio_connector.signature import compute_signature

README = Path(__file__).resolve().parents[1] / "README.md"
SOURCES = Path(twilio_connector.__file__).resolve().parents[1]
LANGUAGES = {"python": "python", "py": "python"} | dict.fromkeys(
    ("sh", "shell", "bash", "console"), "shell"
)
INSTALLS = re.compile(r"\b(pip|uv pip|pipx|apt-get|apt) install\b")
PICTURES = {"", "text", "txt"}
MARKER = re.compile(r"<!--\s*not-run:(?P<reason>.*?)-->\s*\Z", re.DOTALL)
TIMEOUT = 90.0  # seconds a block may take; a hung block fails instead of hanging the suite
SERVER = re.compile(
    r"^\s*(?!asyncio\.)\w+\.run\(", re.MULTILINE
)  # listener.run(...), not asyncio's
OPENERS = {"bullet_list_open", "ordered_list_open", "list_item_open", "blockquote_open"}


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the block's first line in README.md
    language: str  # "python", "shell", or "" for a picture
    code: str
    not_run: str | None  # the marker's reason (stripped), None without a marker

    @property
    def server(self) -> bool:
        return self.language == "python" and SERVER.search(self.code) is not None


def readme_blocks(text: str) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(text)
    blocks = []
    for i, tok in enumerate(tokens):
        code = tok.content
        if tok.type == "fence":
            info = tok.info.strip().split()[0].lower() if tok.info.strip() else ""
            language = "" if info in PICTURES else LANGUAGES.get(info, info)
            if info == "console":  # commands after a "$ " prompt; the other lines are output
                lines = code.splitlines()
                code = "".join(line[2:] + "\n" for line in lines if line.startswith("$ "))
        elif tok.type == "code_block":
            language = "shell"
        else:
            continue
        j = i - 1
        while j >= 0 and tokens[j].type in OPENERS:
            j -= 1
        marker = MARKER.match(tokens[j].content.strip()) if tokens[j].type == "html_block" else None
        assert tok.map is not None
        blocks.append(
            Block(
                tok.map[0] + 1, language, tok.content, marker["reason"].strip() if marker else None
            )
        )
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))
RUNNABLE = [b for b in BLOCKS if b.not_run is None and b.language in ("python", "shell")]


def test_every_not_run_marker_has_a_reason_and_stands_just_before_a_block() -> None:
    text = README.read_text(encoding="utf-8")
    markers = re.findall(r"<!--\s*not-run\b(.*?)-->", text, re.DOTALL)
    reasons = [b.not_run for b in BLOCKS if b.not_run is not None]
    assert len(reasons) == len(markers), "a not-run marker that is not just before a code block"
    for raw in markers:
        assert raw.startswith(":") and raw[1:].strip(), f"not-run marker without a reason: {raw!r}"
    assert all(len(reason) >= 10 for reason in reasons), reasons


def test_every_code_block_is_runnable_or_explained() -> None:
    languages = {b.language for b in BLOCKS if b.not_run is None}
    assert languages <= {"python", "shell", ""}, f"blocks in an unknown language: {languages}"
    assert sum(b.language == "python" for b in RUNNABLE) >= 5  # the examples did not vanish
    assert any(b.server for b in RUNNABLE)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:  # a fresh one per block: no state leaks between blocks
        yield emulator


@pytest.fixture
def env(emu: Emulator, tmp_path: Path) -> dict[str, str]:
    """The environment a reader would have after starting the emulator and exporting its lines."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cli = bin_dir / "twilio-connector"
    cli.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -c '
        "'import sys; from twilio_connector.cli import main; sys.exit(main())' \"$@\"\n"
    )
    cli.chmod(0o755)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PUBLIC_URL"))}
    path = os.pathsep.join(p for p in (str(SOURCES), keep.get("PYTHONPATH")) if p)
    return keep | {
        "TWILIO_ACCOUNT_SID": emu.account_sid,
        "TWILIO_AUTH_TOKEN": emu.auth_token,
        "TWILIO_BASE_URL": emu.base_url,
        "PYTHONPATH": path,
        "PATH": f"{bin_dir}{os.pathsep}{keep.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _command(block: Block, workdir: Path) -> list[str]:
    # Installing would change the environment the suite runs in (and needs a network).
    assert INSTALLS.search(block.code) is None, (
        f"README.md line {block.line} installs packages: put <!-- not-run: installs packages --> "
        "just before it"
    )
    if block.language == "python":
        script = workdir / "block.py"
        script.write_text(block.code, encoding="utf-8")
        return [sys.executable, str(script)]
    bash = shutil.which("bash")
    if bash is None:  # pragma: no cover - every supported system has bash
        pytest.skip("bash is needed to run the README's shell blocks")
    script = workdir / "block.sh"
    script.write_text("set -euo pipefail\n" + block.code, encoding="utf-8")
    return [bash, str(script)]


def _run(block: Block, env: dict[str, str], workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(block, workdir),
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _inbound_sms(env: dict[str, str], url: str, body: str) -> httpx.Response:
    """A signed inbound SMS, as Twilio posts it, to a listener at ``url``."""
    params = {
        "AccountSid": env["TWILIO_ACCOUNT_SID"],
        "MessageSid": "SM" + "0" * 31 + "1",
        "SmsMessageSid": "SM" + "0" * 31 + "1",
        "From": "+14155550100",
        "To": "+15017122661",
        "Body": body,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }
    signature = compute_signature(env["TWILIO_AUTH_TOKEN"], url, params)
    headers = {"X-Twilio-Signature": signature}
    return httpx.post(url, data=params, headers=headers, timeout=30.0)


def _serve(block: Block, env: dict[str, str], workdir: Path) -> httpx.Response:
    """Run a server block, answer one signed inbound SMS, stop it with SIGTERM."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/sms"
    log = (workdir / "server.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(
        _command(block, workdir),
        env=env | {"PORT": str(port)},
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def accepting() -> bool:
            if proc.poll() is not None:
                return True
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", port)) == 0

        assert wait_until(accepting, TIMEOUT)
        assert proc.poll() is None, (workdir / "server.log").read_text(encoding="utf-8")
        answer = _inbound_sms(env, url, "ping")
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    output = (workdir / "server.log").read_text(encoding="utf-8")
    assert returncode in (0, -signal.SIGTERM), output  # uvicorn re-raises SIGTERM once drained
    assert "Traceback" not in output, output
    return answer


@pytest.mark.parametrize("block", RUNNABLE, ids=[f"line-{b.line}" for b in RUNNABLE])
def test_readme_block_runs(block: Block, env: dict[str, str], tmp_path: Path) -> None:
    if block.server:
        answer = _serve(block, env, tmp_path)
        assert answer.status_code == 200, answer.text
        assert ET.fromstring(answer.content).tag == "Response"
        return
    done = _run(block, env, tmp_path)
    assert done.returncode == 0, f"README.md line {block.line}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr


def test_the_readme_listener_replies_with_the_whole_document(
    env: dict[str, str], tmp_path: Path
) -> None:
    (block,) = [b for b in RUNNABLE if b.server and "on_sms_received" in b.code]
    answer = _serve(block, env, tmp_path)
    root = ET.fromstring(answer.content)
    assert (root.tag, [(m.tag, m.text) for m in root]) == (
        "Response",
        [("Message", "You said ping")],
    )


def test_the_whatsapp_example_opens_the_window_first(env: dict[str, str], tmp_path: Path) -> None:
    (block,) = [
        b for b in RUNNABLE if "send_whatsapp_message" in b.code and "simulate_inbound" in b.code
    ]
    done = _run(block, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["read"]
    without_window = Block(block.line, "python", block.code.replace("emu.simulate_", "# "), None)
    done = _run(without_window, env, tmp_path)
    assert done.stdout.split() == ["failed"]  # what the sentence above the example says
