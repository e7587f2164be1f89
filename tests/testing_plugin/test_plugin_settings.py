"""Timing (marker, ini, command line), owned numbers, and what loading the plugin costs."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from plugin_runs import inner_args

import twilio_connector

Run = Callable[..., pytest.RunResult]


def test_manual_timing_marker_moves_only_with_advance(run_tests: Run) -> None:
    source = """
        import pytest

        @pytest.mark.twilio_timing("manual")
        def test_manual(twilio_client, twilio_emulator):
            message = twilio_client.send_sms(twilio_emulator.phone_number, "+15558675310", "hi")
            fetch = lambda: twilio_client.messages.fetch(message.sid).status
            assert fetch() == "queued"
            twilio_emulator.advance(1.0)  # 0.5 s queued, 0.5 s sending
            assert fetch() == "sent"
            twilio_emulator.advance(2.0)  # 2 s to the handset
            assert fetch() == "delivered"

        @pytest.mark.twilio_timing("manual")
        def test_wait_runs_the_clock(twilio_client, twilio_emulator):
            message = twilio_client.send_sms(twilio_emulator.phone_number, "+15558675310", "hi")
            done = twilio_emulator.wait_for_status(message, "delivered")
            assert (done.date_updated - message.date_created).total_seconds() >= 3

        def test_next_test_is_fast_again(twilio_emulator):
            assert twilio_emulator.timing.scale == 0.001
            assert not twilio_emulator.call(lambda core: core.scheduler.manual)
        """
    run_tests(source).assert_outcomes(passed=3)


def test_ini_sets_timing_and_numbers(pytester: pytest.Pytester, run_tests: Run) -> None:
    pytester.makeini(
        """
        [pytest]
        twilio_emulator_timing = manual
        twilio_emulator_numbers =
            +15017122669
            whatsapp:+15017122670
        """
    )
    source = """
        def test_settings(twilio_client, twilio_emulator):
            assert twilio_emulator.timing.scale is None
            assert twilio_emulator.phone_number == "+15017122669"
            owned = {n.phone_number for n in twilio_client.incoming_phone_numbers.list()}
            assert {"+15017122669", "+15017122670"} <= owned
            message = twilio_client.send_sms("+15017122669", "+15558675310", "hi")
            twilio_emulator.settle()  # manual: settle runs every step
            assert twilio_client.messages.fetch(message.sid).status == "delivered"
        """
    run_tests(source).assert_outcomes(passed=1)
    run_tests(source, "--twilio-emulator-timing=fast").assert_outcomes(failed=1)


def test_bad_timing_is_a_usage_error(run_tests: Run) -> None:
    source = """
        import pytest

        @pytest.mark.twilio_timing("slow")
        def test_bad(twilio_emulator):
            pass
        """
    result = run_tests(source)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*twilio_timing takes one of ('fast', 'manual', 'realistic')*"])


def test_unused_plugin_imports_and_starts_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = str(Path(twilio_connector.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    pytester.makepyfile(
        """
        import sys
        import threading

        def test_nothing_loaded():
            assert "twilio_connector.testing.plugin" in sys.modules  # the plugin is loaded
            heavy = ["twilio_connector.emulator", "twilio_connector.listener",
                     "twilio_connector.client", "twilio", "uvicorn", "aiohttp"]
            assert [name for name in heavy if name in sys.modules] == []
            assert [t.name for t in threading.enumerate() if "twilio" in t.name] == []
        """
    )
    result = pytester.runpytest_subprocess(*inner_args())
    result.assert_outcomes(passed=1)


def test_fixtures_are_listed_with_their_help(run_tests: Run) -> None:
    result = run_tests("def test_nothing(): pass\n", "--fixtures")
    result.stdout.fnmatch_lines_random(
        [
            "twilio_emulator -- *",
            "*reset for this test*",
            "twilio_client -- *",
            "twilio_async_client -- *",
            "twilio_sdk_client -- *",
            "twilio_listener -- *",
            "twilio_emulator_session *",
        ]
    )


def test_plugin_loads_without_the_emulator_extra(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A core install has the entry point but not the emulator's dependencies: pytest still
    runs, and only a test that asks for the emulator fails, naming what is missing."""
    src = str(Path(twilio_connector.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([src, os.environ.get("PYTHONPATH", "")]))
    pytester.makepyfile(
        block_extras="""
        import sys
        for name in ("uvicorn", "httptools", "jinja2", "aiohttp"):
            sys.modules[name] = None  # as if not installed
        """,
        test_core="""
        def test_plain():
            pass

        def test_emulator(twilio_emulator):
            pass
        """,
    )
    result = pytester.runpytest_subprocess("-p", "block_extras", *inner_args())
    result.assert_outcomes(passed=1, errors=1)
    missing = r"(import of (uvicorn|httptools|jinja2|aiohttp))|twilio-connector\[emulator\]"
    assert re.search(missing, result.stdout.str())
