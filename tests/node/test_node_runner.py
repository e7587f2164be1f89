"""The ``node`` fixture itself: a script's failure, silence or hang is a clear AssertionError
with its stderr, and the auth token never shows."""

from __future__ import annotations

import dataclasses

import pytest
from support.node import NodeScripts


def test_a_script_prints_its_result_as_json(node: NodeScripts) -> None:
    assert node("misbehave", {"mode": "fine"}) == {"mode": "fine"}


def test_a_failing_script_shows_its_stderr_without_the_token(node: NodeScripts) -> None:
    with pytest.raises(AssertionError, match=r"misbehave\.js exited with 1") as caught:
        node("misbehave", {"mode": "fail"})
    message = str(caught.value)
    assert "refusing, token [auth token]" in message
    assert node.auth_token not in message and node.auth_token not in repr(node)


def test_a_script_printing_no_json_is_reported(node: NodeScripts) -> None:
    with pytest.raises(AssertionError, match=r"printed no JSON; stdout:\nnot json"):
        node("misbehave", {"mode": "no-json"})


def test_a_hanging_script_is_killed_at_the_timeout(node: NodeScripts) -> None:
    impatient = dataclasses.replace(node, timeout=0.5)
    with pytest.raises(AssertionError, match=r"did not finish within 0\.5 s"):
        impatient("misbehave", {"mode": "hang"})


def test_an_unknown_script_is_refused(node: NodeScripts) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        node("nope")
