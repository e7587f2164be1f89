"""``ListenerHarness``: a :class:`~twilio_connector.listener.TwilioListener` served on a
free port for a test, recording every event it receives (the ``twilio_listener`` fixture).

::

    @twilio_listener.on("sms.received")
    def reply(event):
        return MessagingResponse().message(f"got {event.body}")

    twilio_emulator.configure_number(sms_url=twilio_listener.url_for("/sms"))
    twilio_emulator.simulate_inbound_message("+15558675310", twilio_emulator.phone_number, "hi")
    (event,) = twilio_listener.wait_for_events("sms.received")
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .._asgi.server import ServerThread
from ..listener import RedeliveryPolicy, TwilioEvent, TwilioListener
from ..listener.registry import Predicate

__all__ = ["TEST_RETRY", "ListenerHarness"]

F = TypeVar("F", bound=Callable[..., Any])

TEST_RETRY = RedeliveryPolicy(max_attempts=3, initial_delay=0.05, max_delay=0.2, jitter=0.0)
"""A failing handler is retried quickly in tests (3 attempts, 50 ms then 100 ms apart)."""


class ListenerHarness:
    """A running listener: :attr:`url`, :meth:`on` to register handlers, :attr:`events`.

    ``options`` go to :class:`~twilio_connector.listener.TwilioListener` (the defaults
    here: :data:`TEST_RETRY`, 50 ms polling, 5 s drain). Every verified event is recorded
    before your handlers run, whether or not one is registered for it.
    """

    def __init__(self, auth_token: str, inbox: str | Path, **options: Any) -> None:
        options.setdefault("retry", TEST_RETRY)
        options.setdefault("poll_interval", 0.05)
        options.setdefault("drain_timeout", 5.0)
        self.listener = TwilioListener(auth_token, inbox=inbox, **options)
        self._events: list[TwilioEvent] = []
        self._changed = threading.Condition()
        self.listener.add("*", self._record)
        self._server = ServerThread(
            self.listener, lifespan="on", loop="asyncio", name="twilio-listener-under-test"
        )

    async def _record(self, event: TwilioEvent) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    def start(self) -> ListenerHarness:
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving; running handlers get the drain timeout."""
        self._server.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the listener answers on every path."""
        return self._server.url

    def url_for(self, path: str = "/") -> str:
        """The full URL of ``path`` (what to give as SmsUrl, VoiceUrl or StatusCallback)."""
        return self.url + (path if path.startswith("/") else "/" + path)

    def on(
        self, *names: str, when: Predicate | None = None, timeout: float | None = None
    ) -> Callable[[F], F]:
        """Register a handler (``listener.on``): ``@twilio_listener.on("sms.delivered")``.
        The named decorators are on :attr:`listener` (``listener.on_sms_received`` ...)."""
        return self.listener.on(*names, when=when, timeout=timeout)

    @property
    def events(self) -> list[TwilioEvent]:
        """Every event received so far, oldest first."""
        with self._changed:
            return list(self._events)

    def wait_for_events(
        self, name: str = "*", count: int = 1, timeout: float = 10.0
    ) -> list[TwilioEvent]:
        """Block until ``count`` events named like ``name`` (wildcards: ``"sms.*"``) were
        received; returns them all. AssertionError after ``timeout`` seconds, listing the
        names received."""
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [e for e in self._events if fnmatch.fnmatchcase(e.name, name)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [e.name for e in self._events]
                    raise AssertionError(
                        f"expected {count} {name!r} event(s) within {timeout} s, got "
                        f"{len(found)}; the listener received {len(names)}: {names}"
                    )
                self._changed.wait(left)

    def __enter__(self) -> ListenerHarness:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
