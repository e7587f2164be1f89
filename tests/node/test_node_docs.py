"""Every JavaScript block of docs/node.md and README.md runs as written with twilio-node
against a live emulator, unless the HTML comment just before it is
``<!-- not-run: <reason> -->``, as in tests/test_readme.py. That test runs the README's Python
and shell blocks and wants this marker on any other block; a README JavaScript block whose
reason names ``test_node_docs.py`` is run here::

    <!-- not-run: JavaScript; tests/node/test_node_docs.py runs it -->
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from support.node import NodeScripts
from twilio.rest import Client

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = (ROOT / "docs" / "node.md", ROOT / "README.md")
JAVASCRIPT = {"js", "javascript", "node"}
HERE = "test_node_docs.py"
MARKER = re.compile(r"<!--\s*not-run:(?P<reason>.*?)-->\s*\Z", re.DOTALL)


@dataclass(frozen=True)
class Block:
    document: str
    line: int  # 1-based
    code: str
    not_run: str | None

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def _blocks(path: Path) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    blocks = []
    for index, token in enumerate(tokens):
        language = token.info.strip().split(" ")[0].lower() if token.type == "fence" else ""
        if language not in JAVASCRIPT or token.map is None:
            continue
        before = tokens[index - 1] if index else None
        marker = (
            MARKER.match(before.content.strip()) if before and before.type == "html_block" else None
        )
        reason = marker["reason"].strip() if marker else None
        blocks.append(Block(path.name, token.map[0] + 1, token.content, reason))
    return blocks


BLOCKS = [block for path in DOCUMENTS if path.is_file() for block in _blocks(path)]
RUNNABLE = [block for block in BLOCKS if block.not_run is None or HERE in block.not_run]


def test_docs_node_has_a_runnable_example_and_every_marker_a_reason() -> None:
    assert any(block.document == "node.md" for block in RUNNABLE)
    assert all(block.not_run for block in BLOCKS if block.not_run is not None)
    # test_readme.py runs no JavaScript: a README block is run here or explained.
    assert all(block.not_run for block in BLOCKS if block.document == "README.md")


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_a_javascript_block_runs_against_the_emulator(
    block: Block, node: NodeScripts, twilio: Client, tmp_path: Path
) -> None:
    script = tmp_path / f"{block.document}-{block.line}.js"
    script.write_text(block.code, encoding="utf-8")
    stdout, _ = node.run(script)
    assert stdout.strip(), f"{block.id} printed nothing"
    assert twilio.messages.list() or twilio.messaging.v1.services.list()  # it reached the emulator
