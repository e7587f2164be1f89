"""Fixtures for the plugin's tests: pytest runs (pytester) of small test files that use the
``twilio_connector.testing`` fixtures. pytester itself is enabled in ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from plugin_runs import inner_args


@pytest.fixture
def run_tests(pytester: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Write ``source`` as a test file and run pytest on it in-process, with the plugin."""

    def run(source: str, *args: str, name: str = "test_sample") -> pytest.RunResult:
        pytester.makepyfile(**{name: source})
        return pytester.runpytest(*inner_args(), *args)

    return run
