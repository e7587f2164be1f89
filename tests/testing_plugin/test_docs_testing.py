"""docs/testing.md and samples/testing/ do not rot: the sample's own tests pass with the
plugin, the doc shows the sample files exactly, and every other Python block of the doc runs
(blocks with tests through pytest, the others as scripts)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from plugin_runs import inner_args

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
SAMPLE = ROOT / "samples" / "testing"
_BLOCK = re.compile(r"(?:<!-- (?P<file>[\w/.]+) -->\n)?```python\n(?P<code>.*?)```", re.S)


def _blocks() -> list[tuple[str | None, str]]:
    return [(m["file"], m["code"]) for m in _BLOCK.finditer(DOC.read_text())]


def test_sample_app_tests_pass(pytester: pytest.Pytester) -> None:
    for name in ("app.py", "test_app.py"):
        shutil.copy(SAMPLE / name, pytester.path / name)
    result = pytester.runpytest(*inner_args())
    result.assert_outcomes(passed=3)


def test_doc_shows_the_sample_files_as_they_are() -> None:
    shown = {name: code for name, code in _blocks() if name is not None}
    assert sorted(shown) == ["samples/testing/app.py", "samples/testing/test_app.py"]
    for name, code in shown.items():
        assert code == (ROOT / name).read_text(), f"docs/testing.md shows an old {name}"


def test_doc_test_blocks_pass(pytester: pytest.Pytester) -> None:
    tests = [code for name, code in _blocks() if name is None and "def test_" in code]
    assert len(tests) >= 3  # the five-line example, manual timing, the listener
    for i, code in enumerate(tests):
        pytester.makepyfile(**{f"test_doc_{i}": code})
    result = pytester.runpytest(*inner_args())
    result.assert_outcomes(passed=len(tests))


def test_doc_scripts_run() -> None:
    scripts = [code for name, code in _blocks() if name is None and "def test_" not in code]
    assert scripts
    for code in scripts:
        exec(compile(code, str(DOC), "exec"), {"__name__": "__doc_block__"})
