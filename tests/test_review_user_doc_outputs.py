"""Found by the new-user review of issue 12: what the examples of the Messaging Services,
Content templates and Verify docs print is what their comments say they print.

``tests/test_readme.py`` runs the README's blocks but only checks that they exit 0, and no
test ran the example of ``docs/messaging-services.md`` at all. Each block here runs as a
script (it starts its own ``Emulator``); every ``print(...)  # expected`` line must print the
comment's text up to its explanation (what follows ``": "``, ``" ("`` or ``"; "``), in order.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

import twilio_connector

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(twilio_connector.__file__).resolve().parents[1]
PRINTED = re.compile(r"^\s*print\(.*\)\s*#\s*(?P<comment>.+?)\s*$")
EXPLANATION = re.compile(r": | \(|; ")


def _python_blocks(doc: Path, start: str | None = None, end: str | None = None) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    if start is not None:
        text = text[text.index(start) :]
    if end is not None:
        text = text[: text.index(end)]
    tokens = MarkdownIt("commonmark").parse(text)
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == "python"]


BLOCKS = [
    pytest.param(code, id=f"README-{i}")
    for i, code in enumerate(
        _python_blocks(
            ROOT / "README.md",
            "### Messaging Services, Content templates and Verify",
            "## Testing with pytest",
        )
    )
] + [
    pytest.param(code, id=f"messaging-services-{i}")
    for i, code in enumerate(_python_blocks(ROOT / "docs" / "messaging-services.md"))
]


def expected_lines(code: str) -> list[str]:
    """What each commented print says it prints, without the explanation."""
    out = []
    for line in code.splitlines():
        match = PRINTED.match(line)
        if match:
            out.append(EXPLANATION.split(match["comment"], maxsplit=1)[0].strip())
    return out


def test_the_expected_text_is_the_comment_without_its_explanation() -> None:
    code = "print(a)  # accepted None: the pool picks\nprint(b)  # 12345 (the US short code)\n"
    assert expected_lines(code) == ["accepted None", "12345"]


def test_there_are_blocks_to_check() -> None:
    assert len(BLOCKS) >= 4  # the three README examples and the guide's


@pytest.mark.parametrize("code", BLOCKS)
def test_the_block_prints_what_its_comments_say(code: str, tmp_path: Path) -> None:
    expected = expected_lines(code)
    assert expected, "a block with no commented print"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SOURCES), env.get("PYTHONPATH")) if p)
    script = tmp_path / "block.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == expected
