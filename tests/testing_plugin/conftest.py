"""Helpers for the plugin's tests: pytest runs (pytester) of small test files that use the
``twilio_connector.testing`` fixtures. pytester itself is enabled in ``tests/conftest.py``."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable

import pytest

PLUGIN = "twilio_connector.testing.plugin"


def plugin_args() -> list[str]:
    """``-p`` for the plugin unless an installed entry point loads it already (both at once
    would register the module twice)."""
    installed = importlib.metadata.entry_points(group="pytest11")
    if any(ep.value == PLUGIN for ep in installed):
        return []
    return ["-p", PLUGIN]


def inner_args() -> list[str]:
    """What every inner run gets: the plugin, no cache, and (with pytest-asyncio) its loop
    scope set, so that its deprecation warning stays out of the report."""
    args = [*plugin_args(), "-p", "no:cacheprovider"]
    if importlib.util.find_spec("pytest_asyncio") is not None:
        args += ["-o", "asyncio_default_fixture_loop_scope=function"]
    return args


@pytest.fixture
def run_tests(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Write ``source`` as a test file and run pytest on it in-process, with the plugin."""

    def run(source: str, *args: str, name: str = "test_sample") -> pytest.RunResult:
        pytester.makepyfile(**{name: source})
        return pytester.runpytest(*inner_args(), *args)

    return run
