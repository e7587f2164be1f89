"""Which handlers run for which event.

Registering: ``@listener.on("sms.delivered")``, wildcards (``"call.*"``, ``"*"``),
per-event decorators (``@listener.on_sms_delivered``) or a :class:`TwilioService` subclass whose
public methods are named ``on_<event>`` (``on_sms_delivered``, ``on_call_rang``, ...) attached
with ``listener.attach(Handlers())``. A name that matches no event is a
:class:`~twilio_connector.errors.ConfigurationError` at registration time.

Realtime voice sockets are routed by exact path: ``@listener.media_stream("/media")`` and
``@listener.conversation_relay("/relay")`` register an async function that gets the accepted
:class:`~twilio_connector.realtime.MediaStreamSocket` /
:class:`~twilio_connector.realtime.ConversationRelaySocket` (:class:`SocketRoute`).
"""

from __future__ import annotations

import difflib
import fnmatch
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.classify import KNOWN_EVENTS
from twilio_connector.listener.events import TwilioEvent
from twilio_connector.realtime.sockets import (
    AgentSocket,
    ConversationRelaySocket,
    MediaStreamSocket,
)

__all__ = [
    "METHOD_EVENTS",
    "HandlerRegistry",
    "Predicate",
    "Registration",
    "SocketRoute",
    "TwilioService",
]

F = TypeVar("F", bound=Callable[..., Any])
MediaHandler = TypeVar("MediaHandler", bound=Callable[[MediaStreamSocket], Awaitable[None]])
RelayHandler = TypeVar("RelayHandler", bound=Callable[[ConversationRelaySocket], Awaitable[None]])
Predicate = Callable[[TwilioEvent], bool]


def _is_whatsapp(event: TwilioEvent) -> bool:
    return getattr(event, "channel", None) == "whatsapp"


def _method_events() -> dict[str, tuple[str, Predicate | None]]:
    table: dict[str, tuple[str, Predicate | None]] = {}
    for name in KNOWN_EVENTS:
        table["on_" + name.replace(".", "_").replace("-", "_")] = (name, None)
        if name.startswith("sms."):
            table["on_whatsapp_" + name[4:]] = (name, _is_whatsapp)
    table.update(
        {
            "on_call_rang": ("call.ringing", None),
            "on_incoming_call": ("call.incoming", None),
            "on_gather": ("call.gather", None),
            "on_recording": ("recording.*", None),
        }
    )
    return table


METHOD_EVENTS: dict[str, tuple[str, Predicate | None]] = _method_events()
"""Handler method name -> (event name or pattern, optional filter), for :class:`TwilioService`."""


class TwilioService:
    """Base for class-based handlers: every public method must be named after an event.

    ``on_sms_delivered(self, event)``, ``on_call_rang``, ``on_incoming_call`` ... (see
    :data:`METHOD_EVENTS`). Helpers must start with ``_``; any other public method is an
    error when the service is attached.
    """


@dataclass(frozen=True, slots=True)
class Registration:
    pattern: str
    func: Callable[[Any], Any]
    is_async: bool
    predicate: Predicate | None = None
    timeout: float | None = None  # seconds per attempt (None: the listener's handler_timeout)


@dataclass(frozen=True, slots=True)
class SocketRoute:
    """A realtime socket path: which socket class it accepts and the coroutine it runs."""

    path: str
    socket: type[AgentSocket]
    handler: Callable[[Any], Awaitable[None]]


def _check_socket_handler(path: str, func: object) -> None:
    if not isinstance(path, str) or not path.startswith("/") or "?" in path or "#" in path:
        raise ConfigurationError(f"a socket path must start with '/' (no query): {path!r}")
    is_async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
        getattr(func, "__call__", None)  # noqa: B004
    )
    if not is_async:
        raise ConfigurationError(
            f"the socket handler for {path!r} must be an async function taking the socket"
        )


def _check_pattern(pattern: str) -> None:
    if not isinstance(pattern, str) or not pattern:
        raise ConfigurationError("an event name must be a non-empty string")
    if pattern.startswith("stream.") and pattern != "stream.":
        return  # Event Streams types are open-ended
    if any(ch in pattern for ch in "*?["):
        if any(fnmatch.fnmatchcase(name, pattern) for name in KNOWN_EVENTS):
            return
    elif pattern in KNOWN_EVENTS:
        return
    close = difflib.get_close_matches(pattern, sorted(KNOWN_EVENTS), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConfigurationError(f"{pattern!r} matches no Twilio event{hint}")


def _check_timeout(timeout: float | None) -> None:
    if timeout is not None and not timeout > 0:
        raise ConfigurationError("a handler timeout must be a positive number of seconds")


class HandlerRegistry:
    """Which handlers run for which event name (see the module docstring)."""

    def __init__(self) -> None:
        self._registrations: list[Registration] = []
        self._cache: dict[str, tuple[Registration, ...]] = {}
        self._sockets: dict[str, SocketRoute] = {}

    def on(
        self, *names: str, when: Predicate | None = None, timeout: float | None = None
    ) -> Callable[[F], F]:
        """Decorator: run the function for events matching any of ``names`` (wildcards ok).

        ``timeout``: seconds an attempt of this handler may take (default: the listener's
        ``handler_timeout``); an attempt past it fails and is retried like an exception.
        """
        if not names:
            raise ConfigurationError("on() needs at least one event name")
        for name in names:
            _check_pattern(name)
        _check_timeout(timeout)

        def decorator(func: F) -> F:
            for name in names:
                self.add(name, func, when=when, timeout=timeout)
            return func

        return decorator

    def add(
        self,
        name: str,
        func: Callable[[Any], Any],
        *,
        when: Predicate | None = None,
        timeout: float | None = None,
    ) -> None:
        """Register ``func`` for ``name`` (same as the ``on`` decorator)."""
        _check_pattern(name)
        if not callable(func):
            raise ConfigurationError(f"handler for {name!r} is not callable")
        _check_timeout(timeout)
        is_async = inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(
            getattr(func, "__call__", None)  # noqa: B004
        )
        self._registrations.append(Registration(name, func, is_async, when, timeout))
        self._cache.clear()

    def attach(self, service: TwilioService) -> None:
        """Register every ``on_<event>`` method of ``service``; unknown public methods raise."""
        found: list[tuple[str, Predicate | None, Callable[[Any], Any]]] = []
        for attr in dir(service):
            if attr.startswith("_") or hasattr(TwilioService, attr):
                continue
            member = getattr(service, attr)
            if not callable(member):
                continue
            target = METHOD_EVENTS.get(attr)
            if target is None:
                close = difflib.get_close_matches(attr, sorted(METHOD_EVENTS), n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise ConfigurationError(
                    f"{type(service).__name__}.{attr} matches no Twilio event{hint}; "
                    "name helper methods with a leading underscore"
                )
            found.append((target[0], target[1], member))
        if not found:
            raise ConfigurationError(f"{type(service).__name__} has no on_<event> methods")
        for pattern, predicate, member in found:
            self.add(pattern, member, when=predicate)

    def handlers_for(self, name: str) -> tuple[Registration, ...]:
        cached = self._cache.get(name)
        if cached is None:
            cached = tuple(
                r
                for r in self._registrations
                if r.pattern == name or fnmatch.fnmatchcase(name, r.pattern)
            )
            self._cache[name] = cached
        return cached

    # Realtime voice sockets, by exact path.
    def media_stream(self, path: str) -> Callable[[MediaHandler], MediaHandler]:
        """Decorator: run the async function for each Media Streams socket opened on ``path``
        (the ``<Stream url>``'s path); it gets the accepted
        :class:`~twilio_connector.realtime.MediaStreamSocket`, closed when it returns."""

        def decorator(func: MediaHandler) -> MediaHandler:
            self.add_socket(path, MediaStreamSocket, func)
            return func

        return decorator

    def conversation_relay(self, path: str) -> Callable[[RelayHandler], RelayHandler]:
        """Decorator: run the async function for each ConversationRelay socket on ``path``;
        it gets the accepted :class:`~twilio_connector.realtime.ConversationRelaySocket`."""

        def decorator(func: RelayHandler) -> RelayHandler:
            self.add_socket(path, ConversationRelaySocket, func)
            return func

        return decorator

    def add_socket(
        self, path: str, socket: type[AgentSocket], func: Callable[[Any], Awaitable[None]]
    ) -> None:
        """Route sockets on ``path`` to ``func`` (what the two decorators do)."""
        _check_socket_handler(path, func)
        if path in self._sockets:
            raise ConfigurationError(f"a socket handler is already registered for {path!r}")
        self._sockets[path] = SocketRoute(path, socket, func)

    def socket_route(self, path: str) -> SocketRoute | None:
        """The socket registered for ``path`` exactly, if any."""
        return self._sockets.get(path)

    @property
    def socket_routes(self) -> tuple[SocketRoute, ...]:
        return tuple(self._sockets.values())

    # Named decorators: the seed's names, then every other status.
    def _named(self, name: str, func: F, when: Predicate | None = None) -> F:
        self.add(name, func, when=when)
        return func

    def on_sms_queued(self, func: F) -> F:
        return self._named("sms.queued", func)

    def on_sms_sent(self, func: F) -> F:
        return self._named("sms.sent", func)

    def on_sms_delivered(self, func: F) -> F:
        return self._named("sms.delivered", func)

    def on_sms_received(self, func: F) -> F:
        """Inbound SMS/MMS/WhatsApp; the return value (TwiML) is the reply.

        Return a ``MessagingResponse``, one of its verbs (``MessagingResponse().message("hi")``
        sends that verb's whole document), a ``<Response>`` string, or ``None`` for no reply;
        anything else is a handler error (:mod:`twilio_connector.listener.replies`)."""
        return self._named("sms.received", func)

    def on_sms_sending(self, func: F) -> F:
        return self._named("sms.sending", func)

    def on_sms_undelivered(self, func: F) -> F:
        return self._named("sms.undelivered", func)

    def on_sms_failed(self, func: F) -> F:
        return self._named("sms.failed", func)

    def on_sms_read(self, func: F) -> F:
        return self._named("sms.read", func)

    def on_whatsapp_received(self, func: F) -> F:
        """Inbound messages on the WhatsApp channel only."""
        return self._named("sms.received", func, _is_whatsapp)

    def on_call_initiated(self, func: F) -> F:
        return self._named("call.initiated", func)

    def on_call_rang(self, func: F) -> F:
        """``call.ringing`` (the seed's name)."""
        return self._named("call.ringing", func)

    def on_call_answered(self, func: F) -> F:
        """``call.answered``: status callback with ``CallStatus=in-progress``."""
        return self._named("call.answered", func)

    def on_call_completed(self, func: F) -> F:
        return self._named("call.completed", func)

    def on_call_busy(self, func: F) -> F:
        return self._named("call.busy", func)

    def on_call_no_answer(self, func: F) -> F:
        return self._named("call.no_answer", func)

    def on_call_failed(self, func: F) -> F:
        return self._named("call.failed", func)

    def on_call_canceled(self, func: F) -> F:
        return self._named("call.canceled", func)

    def on_incoming_call(self, func: F) -> F:
        """The voice URL request; the return value (TwiML) drives the call."""
        return self._named("call.incoming", func)

    def on_gather(self, func: F) -> F:
        """``<Gather action>`` results; the return value (TwiML) drives the call."""
        return self._named("call.gather", func)

    def on_recording(self, func: F) -> F:
        """Every recording status callback (``recording.*``)."""
        return self._named("recording.*", func)
