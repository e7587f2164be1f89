"""docs/realtime.md does not rot: its Python blocks run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_doc_has_its_three_examples() -> None:
    blocks = _blocks()
    assert len(blocks) == 3
    assert "decode_twilio_message" in blocks[0] and "wav_to_mulaw" in blocks[1]
    assert "set_rule" in blocks[2]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_example_runs(index: int) -> None:
    namespace: dict[str, object] = {}
    exec(compile(_blocks()[index], str(DOC), "exec"), namespace)
    if index == 0:
        assert '"event":"mark"' in str(namespace["mark"])
        assert str(namespace["reply"]).startswith('{"event":"media","streamSid":"MZ')
    elif index == 2:  # the script was accepted: a rule carries it
        assert len(namespace["script"]) == 6  # type: ignore[arg-type]
    else:
        assert len(namespace["mulaw"]) == 8000  # type: ignore[arg-type]
        assert bytes(namespace["wav_bytes"])[:4] == b"RIFF"  # type: ignore[call-overload]
