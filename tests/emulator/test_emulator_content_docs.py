"""docs/content.md's Python blocks run as written, in order, against a live emulator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from twilio_connector.emulator import Emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "content.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_guides_blocks_run(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(BLOCKS) >= 4
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emu.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emu.auth_token)
    monkeypatch.setenv("TWILIO_BASE_URL", emu.base_url)
    namespace: dict[str, Any] = {"emu": emu}
    try:
        for block in BLOCKS:
            exec(compile(block, str(DOC), "exec"), namespace)  # our own guide
        assert namespace["approval"].status == "approved"
        assert namespace["message"].body == "Hi Bo, did order 42 arrive?"
        emu.settle()
        assert namespace["client"].get_message(namespace["message"].sid).status == "read"
    finally:
        if "client" in namespace:
            namespace["client"].close()
