"""The pytest plugin: fixtures for testing code that talks to Twilio, on the emulator.

Registered as the ``pytest11`` entry point ``twilio_connector``, so installing the package
is enough (``-p twilio_connector.testing.plugin`` loads it by hand; ``-p no:twilio_connector``
turns it off). Loading it costs nothing: the emulator, the clients and the listener are
imported, and the server started, only when a test asks for a fixture.

Fixtures:

* ``twilio_emulator``: a :class:`~twilio_connector.testing.TwilioEmulator` (in memory, on a
  free port), one per session, started on first use and reset before every test that uses
  it (a fraction of a millisecond: ``bench/plugin_reset_bench.py``); the account SID, auth
  token and owned numbers stay the same all session;
* ``twilio_emulator_session``: the same object without the reset (for session-scoped
  fixtures that need its URL or token);
* ``twilio_client`` / ``twilio_async_client``: our clients bound to it (the async one is an
  async fixture and needs pytest-asyncio); ``twilio_sdk_client``: the official
  ``twilio.rest.Client`` bound to it (skipped when ``twilio`` is not installed);
* ``twilio_listener``: a :class:`~twilio_connector.testing.ListenerHarness`, a
  ``TwilioListener`` on a free port that checks the emulator's signatures, with its
  ``url``, ``on(...)`` to register handlers and the ``events`` it received.

Settings: ini ``twilio_emulator_timing`` (``fast``, the default; ``manual``: nothing moves
until ``advance``/``settle``/``wait_for_status``; ``realistic``) or
``--twilio-emulator-timing``; ini ``twilio_emulator_numbers`` (the owned numbers, one per
line, ``whatsapp:+1...`` for a WhatsApp sender). Markers: ``@pytest.mark.twilio_timing("manual")``
for one test; ``@pytest.mark.twilio_listener(handler_timeout=2)`` passes options to the
listener.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..client import AsyncTwilioClient, TwilioClient
    from .emulator import TwilioEmulator
    from .listener import ListenerHarness

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "twilio_async_client",
    "twilio_client",
    "twilio_emulator",
    "twilio_emulator_session",
    "twilio_listener",
    "twilio_sdk_client",
]

TIMINGS = ("fast", "manual", "realistic")
DEFAULT_NUMBERS = ("+15017122661",)
"""The emulator's own default: one number the account owns (``twilio_emulator.phone_number``)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "twilio_emulator_timing",
        "twilio_emulator timing: fast (default), manual or realistic",
        default="fast",
    )
    parser.addini(
        "twilio_emulator_numbers",
        "numbers the twilio_emulator account owns (one per line; whatsapp:+1... for WhatsApp)",
        type="linelist",
        default=[],
    )
    group = parser.getgroup("twilio-connector", "twilio-connector emulator fixtures")
    group.addoption(
        "--twilio-emulator-timing",
        choices=TIMINGS,
        default=None,
        help="timing of the twilio_emulator fixture (overrides the ini value)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "twilio_timing(name): run this test's twilio_emulator with 'fast', 'manual' or "
        "'realistic' timing",
    )
    config.addinivalue_line(
        "markers", "twilio_listener(**options): TwilioListener options for twilio_listener"
    )


def _session_timing(config: pytest.Config) -> str:
    timing = config.getoption("--twilio-emulator-timing") or config.getini("twilio_emulator_timing")
    if timing not in TIMINGS:
        raise pytest.UsageError(f"twilio_emulator_timing must be one of {TIMINGS}, not {timing!r}")
    return str(timing)


@pytest.fixture(scope="session")
def twilio_emulator_session(pytestconfig: pytest.Config) -> Iterator[TwilioEmulator]:
    """The session's emulator, started on first use, not reset (see ``twilio_emulator``)."""
    from .emulator import TwilioEmulator

    numbers = tuple(pytestconfig.getini("twilio_emulator_numbers")) or DEFAULT_NUMBERS
    emulator = TwilioEmulator(phone_numbers=numbers, timing=_session_timing(pytestconfig))
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def twilio_emulator(
    twilio_emulator_session: TwilioEmulator, request: pytest.FixtureRequest
) -> TwilioEmulator:
    """The session's emulator, reset for this test (timing: the ``twilio_timing`` marker,
    else the session's)."""
    marker = request.node.get_closest_marker("twilio_timing")
    timing = _session_timing(request.config)
    if marker is not None:
        if len(marker.args) != 1 or marker.args[0] not in TIMINGS:
            raise pytest.UsageError(f"twilio_timing takes one of {TIMINGS}, got {marker.args}")
        timing = marker.args[0]
    twilio_emulator_session.reset(timing)
    return twilio_emulator_session


@pytest.fixture
def twilio_client(twilio_emulator: TwilioEmulator) -> Iterator[TwilioClient]:
    """Our sync ``TwilioClient`` signed in to ``twilio_emulator``."""
    with twilio_emulator.client() as client:
        yield client


@pytest.fixture
def twilio_sdk_client(twilio_emulator: TwilioEmulator) -> Any:
    """The official SDK's ``twilio.rest.Client`` on ``twilio_emulator`` (skipped without it)."""
    if importlib.util.find_spec("twilio") is None:
        pytest.skip("twilio_sdk_client needs the official SDK: pip install twilio")
    return twilio_emulator.sdk_client()


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def twilio_async_client(
        twilio_emulator: TwilioEmulator,
    ) -> AsyncIterator[AsyncTwilioClient]:
        """Our ``AsyncTwilioClient`` signed in to ``twilio_emulator`` (an async fixture)."""
        async with twilio_emulator.async_client() as client:
            yield client

else:

    @pytest.fixture
    def twilio_async_client(twilio_emulator: TwilioEmulator) -> AsyncTwilioClient:
        """Without pytest-asyncio: skipped (use ``twilio_emulator.async_client()``)."""
        pytest.skip("twilio_async_client is an async fixture: pip install pytest-asyncio")


@pytest.fixture
def twilio_listener(
    twilio_emulator: TwilioEmulator, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[ListenerHarness]:
    """A listener on a free port checking ``twilio_emulator``'s signatures (inbox in
    ``tmp_path``), stopped after the test; options from the ``twilio_listener`` marker."""
    from .listener import ListenerHarness

    marker = request.node.get_closest_marker("twilio_listener")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    inbox = options.pop("inbox", tmp_path / "twilio-listener-inbox.sqlite3")
    with ListenerHarness(twilio_emulator.auth_token, inbox, **options) as harness:
        yield harness
