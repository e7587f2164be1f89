"""Fixtures for the plugin's tests: pytest runs (pytester) of small test files that use the
``twilio_connector.testing`` fixtures. pytester itself is enabled in ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable

import httpcore  # noqa: F401  (see below)
import pytest
from plugin_runs import inner_args

# An in-process pytest run (pytester) removes from sys.modules every module first imported
# during that run. httpx imports httpcore on its first request and caches httpcore's exception
# classes then; were httpcore first imported inside a run, a later re-import would raise
# classes that cache does not know, and httpx would let them escape unmapped in other tests.
# Importing it here, before any run, keeps one httpcore for the whole session.


@pytest.fixture
def run_tests(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Write ``source`` as a test file and run pytest on it in-process, with the plugin."""

    def run(source: str, *args: str, name: str = "test_sample") -> pytest.RunResult:
        pytester.makepyfile(**{name: source})
        return pytester.runpytest(*inner_args(), *args)

    return run
