"""The plugin is declared where pytest looks for it, and its public names import."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import twilio_connector.testing

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = (
    "twilio_emulator",
    "twilio_emulator_session",
    "twilio_client",
    "twilio_async_client",
    "twilio_sdk_client",
    "twilio_listener",
)


def test_pyproject_declares_the_pytest11_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    entry_points = project["entry-points"]["pytest11"]
    assert entry_points == {"twilio_connector": "twilio_connector.testing.plugin"}
    plugin = importlib.import_module(entry_points["twilio_connector"])
    for name in (*FIXTURES, "pytest_addoption", "pytest_configure"):
        assert callable(getattr(plugin, name)), name
    assert set(FIXTURES) <= set(plugin.__all__)


def test_testing_package_names_import_on_first_use() -> None:
    testing = twilio_connector.testing
    assert dir(testing) == sorted(testing.__all__)
    for name in testing.__all__:
        assert getattr(testing, name) is not None
    from twilio_connector.emulator import Emulator

    assert issubclass(testing.TwilioEmulator, Emulator)
    try:
        testing.nothing_here  # noqa: B018
    except AttributeError as exc:
        assert "nothing_here" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
