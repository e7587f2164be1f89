"""docs/verify.md does not rot: its Python blocks run as written (the script, the plugin
test with the plugin's fixtures, the rules on an emulator)."""

from __future__ import annotations

import re
from pathlib import Path

from twilio_connector import TwilioClient
from twilio_connector.emulator import Emulator
from twilio_connector.testing import TwilioEmulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "verify.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_doc_has_its_three_examples() -> None:
    blocks = _blocks()
    assert len(blocks) == 3
    assert "with Emulator()" in blocks[0] and "def test_" in blocks[1] and "set_rule" in blocks[2]


def test_the_start_and_check_example_runs() -> None:
    exec(compile(_blocks()[0], str(DOC), "exec"), {})


def test_the_plugin_example_passes(
    twilio_emulator: TwilioEmulator, twilio_client: TwilioClient
) -> None:
    namespace: dict[str, object] = {}
    exec(compile(_blocks()[1], str(DOC), "exec"), namespace)
    namespace["test_login_sends_a_code"](twilio_emulator, twilio_client)  # type: ignore[operator]


def test_the_rules_example_sets_verify_rules(emu: Emulator) -> None:
    exec(compile(_blocks()[2], str(DOC), "exec"), {"emu": emu})
    assert [(r.kind, r.outcome, r.error_code) for r in emu.rules()] == [
        ("verify", "failed", 60205),
        ("verify", "rate-limited", None),
        ("verify", "blocked", None),
    ]
