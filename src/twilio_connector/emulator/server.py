"""``Emulator``: a local Twilio on a background thread, driven from ordinary Python.

::

    from twilio_connector.emulator import Emulator

    with Emulator() as emu:                         # free port, in-memory state
        client = Client(emu.account_sid, emu.auth_token)
        client.api.base_url = emu.base_url          # official SDK (or our TwilioClient)
        client.messages.create(to="+15558675310", from_="+15017122661", body="hi",
                               status_callback="http://127.0.0.1:9000/status")
        emu.settle()                                # every lifecycle step and callback done
        print(emu.delivery_log())

The server (uvicorn + the ASGI app) and all state live on one event loop in a daemon
thread; the methods below hop onto that loop and wait for the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Coroutine, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import uvicorn

from .. import models
from .accounts.state import DEFAULT_ACCOUNT_SID
from .app import EmulatorApp
from .calls.requests import check_call_rule
from .calls.state import Calls
from .core import DEFAULT_PHONE_NUMBERS, EmulatorCore
from .guard import Guard, exposure_warning
from .messages.serialize import message_model
from .notifications.records import NotificationRecord
from .routes import build_router
from .rules.state import Rule
from .scheduler import Timing
from .serialize import call_model
from .store import Store
from .webhooks.records import DeliveryRecord
from .webhooks.signing import SigningRule

__all__ = ["Emulator"]

T = TypeVar("T")
log = logging.getLogger("twilio_connector.emulator")


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency off Windows
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class Emulator:
    """A local Twilio (REST API, signed webhooks, control plane) on a free port.

    ``db_path=None`` keeps state in memory; a path keeps it across restarts. Without
    ``auth_token`` one is generated at the first start on a database (and kept in it) or
    per in-memory emulator: read :attr:`auth_token` after start. The account SID defaults
    to a constant. ``hosts`` are names other than ``localhost`` and IP addresses that the
    emulator answers to (e.g. behind a proxy; others are refused: :mod:`.guard`).
    ``phone_numbers`` are owned by that account (prefix ``whatsapp:`` to make one a
    WhatsApp sender too); ``+15005550006`` is always accepted as ``From`` and the sandbox
    ``whatsapp:+14155238886`` is always a WhatsApp sender. ``timing`` is ``"fast"``
    (default), ``"realistic"``, ``"manual"`` or a :class:`Timing`.
    """

    def __init__(
        self,
        port: int = 0,
        db_path: str | Path | None = None,
        account_sid: str | None = None,
        auth_token: str | None = None,
        phone_numbers: Iterable[str] = DEFAULT_PHONE_NUMBERS,
        *,
        host: str = "127.0.0.1",
        hosts: Iterable[str] = (),
        timing: Timing | str = "fast",
        log_level: str = "warning",
    ) -> None:
        self.host = host
        self.port = port
        self.db_path = db_path
        self.account_sid = account_sid or DEFAULT_ACCOUNT_SID
        self._auth_token = auth_token
        self._guard = Guard(host, hosts)
        self.phone_numbers = tuple(phone_numbers)
        self.timing = Timing.of(timing)
        self.log_level = log_level
        self._core: EmulatorCore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        # Set when the loop thread has fully finished (store closed). Waiting on this rather
        # than Thread.join matters: a Ctrl-C landing inside join() can make the thread look
        # finished while it still runs (bpo-45274), and the process would exit mid-shutdown.
        self._finished = threading.Event()
        self._stop_requested: asyncio.Event | None = None
        self._startup_error: BaseException | None = None

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def auth_token(self) -> str:
        """The main account's auth token (given, or generated at start)."""
        if self._auth_token is None:
            raise RuntimeError("the auth token is generated at start: read it after start()")
        return self._auth_token

    @property
    def base_url(self) -> str:
        """``http://host:port`` (what Twilio's ``https://api.twilio.com`` is to real clients)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 15.0) -> Emulator:
        if self._thread is not None:
            raise RuntimeError("emulator already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
            sock.listen(1024)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        if (warning := exposure_warning(self.host)) is not None:
            log.warning(warning)
        self._finished.clear()
        self._startup_error = None
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"twilio-emulator-{self.port}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("emulator did not start in time")
        if self._startup_error is not None:
            self._thread.join(timeout)
            self._thread = None
            raise RuntimeError(f"emulator failed to start: {self._startup_error}") from (
                self._startup_error
            )
        return self

    def _run(self, sock: socket.socket) -> None:
        loop = _new_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(sock))
        finally:
            sock.close()
            loop.close()
            self._finished.set()

    async def _serve(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            store = Store(self.db_path)
        except Exception as exc:
            self._startup_error = exc
            self._ready.set()
            return
        core = EmulatorCore(store, self.timing, loop, self.base_url)
        self._stop_requested = asyncio.Event()
        try:
            core.seed(self.account_sid, self._auth_token, self.phone_numbers)
            account = core.accounts.get(self.account_sid)
            assert account is not None
            self._auth_token = account.auth_token
            await core.start()
            app = EmulatorApp(core, build_router(core), guard=self._guard)
            config = uvicorn.Config(
                app, lifespan="off", log_level=self.log_level, access_log=False,
                http="httptools", ws="none", timeout_graceful_shutdown=2, proxy_headers=False,
            )  # fmt: skip
            server = uvicorn.Server(config)
            server.config.load()
            server.lifespan = server.config.lifespan_class(server.config)
            await server.startup(sockets=[sock])
            self._core, self._server = core, server
            self._ready.set()
            await self._stop_requested.wait()
            await server.shutdown(sockets=[sock])
        except BaseException as exc:
            if self._ready.is_set():
                raise
            self._startup_error = exc  # reported by start() in the caller's thread
            self._ready.set()
        finally:
            calls = Calls.existing(core)
            if calls is not None:
                await calls.close()
            await core.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and close the store. Lifecycles still in flight stop here; with a
        database file they resume when an emulator starts on it again."""
        thread, server, loop = self._thread, self._server, self._loop
        if thread is None:
            return
        stop = self._stop_requested
        if server is not None and loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(stop.set)
        self._finished.wait(timeout)
        thread.join(0.1)
        self._thread = self._server = self._core = None
        self._ready.clear()

    close = stop

    def wait(self) -> None:
        """Block until the server stops (the CLI's foreground mode; Ctrl-C interrupts)."""
        while self._thread is not None and not self._finished.wait(0.5):
            pass

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- running things on the emulator's loop ----------------------------------------------

    @property
    def core(self) -> EmulatorCore:
        """The running core. Only touch it from the loop (see :meth:`call`)."""
        if self._core is None:
            raise RuntimeError("emulator is not running (use `with Emulator() as emu:`)")
        return self._core

    def run(
        self, coro_fn: Callable[[EmulatorCore], Coroutine[Any, Any, T]], timeout: float = 30.0
    ) -> T:
        """Run ``await coro_fn(core)`` on the emulator's loop and return its result."""
        core = self.core
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro_fn(core), self._loop)
        return future.result(timeout)

    def call(self, fn: Callable[[EmulatorCore], T], timeout: float = 30.0) -> T:
        """Run ``fn(core)`` on the emulator's loop and return its result."""

        async def runner(core: EmulatorCore) -> T:
            return fn(core)

        return self.run(runner, timeout)

    # -- control ----------------------------------------------------------------------------

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every pending lifecycle step, task and webhook delivery is done."""
        self.run(lambda core: core.settle(timeout), timeout + 5.0)

    def advance(self, seconds: float) -> None:
        """Move simulated time forward (manual timing: run the steps that become due)."""
        self.run(lambda core: core.advance(seconds))

    def simulate_inbound_message(
        self,
        from_: str,
        to: str,
        body: str = "",
        media_urls: Iterable[str] = (),
        **params: str,
    ) -> models.Message:
        """A handset sends an SMS/MMS/WhatsApp to an owned number ``to``.

        Returns the stored inbound message at once; the number's SmsUrl webhook and any
        TwiML reply run in the background (``settle()`` waits for them). Extra keyword
        arguments are added to the webhook (e.g. ``ProfileName="Ada"``, ``ButtonPayload``).
        """
        urls = list(media_urls)
        record = self.call(lambda core: core.inbound.receive(from_, to, body, urls, params))
        return message_model(record)

    def set_rule(
        self,
        outcome: str,
        to: str = "*",
        from_: str = "*",
        *,
        kind: str = "message",
        error_code: int | None = None,
        times: int | None = None,
        **params: Any,
    ) -> Rule:
        """Decide what happens to matching sends, e.g. ``set_rule("undelivered",
        to="+1555*", error_code=30003)``. The newest matching rule wins.

        Calls (``kind="call"``): ``outcome`` is ``completed``/``busy``/``no-answer``/
        ``failed``/``canceled``; params ``digits="1234"``/``speech="yes"`` answer the
        callee's Gathers, ``answered_by`` (with MachineDetection), ``ring``/``talk``
        seconds, ``sip_response_code``, ``interactive``, ``recording_seconds``."""
        rule = Rule(kind, outcome, to, from_, error_code, params, times)
        if kind == "call":
            check_call_rule(rule)
        return self.call(lambda core: core.rules.add(rule))

    def clear_rules(self, kind: str | None = None) -> None:
        self.call(lambda core: core.rules.clear(kind))

    def rules(self) -> list[Rule]:
        return self.call(lambda core: core.rules.all())

    def set_webhook_signing(
        self,
        key_id: str,
        secret: str,
        *,
        url_prefix: str | None = None,
        url: str | None = None,
        algorithm: str = "HMAC_SHA256",
    ) -> SigningRule:
        """Sign webhooks under ``url_prefix`` (ends with ``/``) or to exactly ``url`` with a
        shared key, like a Twilio Webhooks Rule: ``X-Twilio-Signature`` is then
        HMAC(``secret``) with ``algorithm`` and ``X-Twilio-Webhooks-Signature-Settings``
        names ``key_id``. Replaces the rule for the same prefix/URL; ValueError if invalid."""
        rule = SigningRule(key_id, secret, algorithm, url_prefix, url)
        return self.call(lambda core: core.signing.add(rule))

    def clear_webhook_signing(self, rule_id: int | None = None) -> None:
        """Remove one signing rule, or all: webhooks go back to the auth token."""
        if rule_id is None:
            self.call(lambda core: core.signing.clear())
        else:
            self.call(lambda core: core.signing.remove(rule_id))

    def webhook_signing(self) -> list[SigningRule]:
        """The signing rules, oldest first."""
        return self.call(lambda core: core.signing.all())

    def delivery_log(
        self,
        resource_sid: str | None = None,
        *,
        kind: str | None = None,
        url_prefix: str | None = None,
        after_id: int = 0,
    ) -> list[DeliveryRecord]:
        """Every webhook attempt so far (oldest first), optionally filtered."""
        return self.call(
            lambda core: core.deliveries.load(
                resource_sid=resource_sid, kind=kind, url_prefix=url_prefix,
                after_id=after_id, limit=1_000_000,
            )
        )  # fmt: skip

    def notifications(self, resource_sid: str | None = None) -> list[NotificationRecord]:
        """Debugger notifications (webhook failures, invalid TwiML ...)."""
        return self.call(lambda core: core.notifications(resource_sid))

    # -- voice calls ------------------------------------------------------------------------

    def simulate_incoming_call(
        self,
        from_: str,
        to: str,
        digits: str | None = None,
        speech: str | Iterable[str] | None = None,
        *,
        input_timeout: float | None = 30.0,
        forwarded_from: str | None = None,
        caller_name: str | None = None,
    ) -> models.Call:
        """A phone ``from_`` calls the owned number ``to`` (its VoiceUrl must be set).

        Returns the Call (``ringing``) at once; the VoiceUrl request and the TwiML run in
        the background (``settle()`` waits). ``digits``/``speech`` answer any Gather; with
        neither, the caller goes step by step: a Gather waits (up to ``input_timeout`` real
        seconds) for :meth:`press_digits` / :meth:`caller_speaks`, and ``settle()`` returns
        while the call only waits for that input.
        """
        texts = None if speech is None else [speech] if isinstance(speech, str) else list(speech)
        return self.call(  # serialized on the loop: the live record keeps changing
            lambda core: call_model(
                Calls.of(core).receive(
                    from_, to, digits, texts, input_timeout=input_timeout,
                    forwarded_from=forwarded_from, caller_name=caller_name,
                )
            )
        )  # fmt: skip

    def press_digits(self, call_sid: str, digits: str) -> None:
        """The caller of a live call presses keys (``0-9 * #``)."""
        self.call(lambda core: Calls.of(core).press_digits(call_sid, digits))

    def caller_speaks(self, call_sid: str, text: str, confidence: float = 0.9) -> None:
        """The caller of a live call says ``text`` (answers a speech Gather)."""
        self.call(lambda core: Calls.of(core).caller_speaks(call_sid, text, confidence))

    def call_transcript(self, call_sid: str) -> list[dict[str, Any]]:
        """What happened in a call, in order: ``[{"kind": "say", "at": 0.0, ...}, ...]``
        (kinds: ``status``, ``fetch``, ``say``, ``play``, ``pause``, ``gather``, ``record``,
        ``dial``, ``redirect``, ``hangup``, ``reject``, ``enqueue``, ``message``,
        ``problem``, ``end`` ...; ``at`` is simulated seconds since the call began)."""
        return self.call(lambda core: Calls.of(core).transcript(call_sid))

    def call_callbacks(self, call_sid: str, kind: str | None = None) -> list[DeliveryRecord]:
        """Every webhook a call caused, oldest first; ``kind``: ``call-status`` (status
        callbacks), ``voice-request`` (TwiML fetches and actions), ``recording-status``."""
        return self.call(lambda core: Calls.of(core).callbacks(call_sid, kind))

    def enable_whatsapp(self, phone_number: str, enabled: bool = True) -> None:
        """Make an owned number a WhatsApp sender (or stop it being one)."""
        self.call(lambda core: core.numbers.set_whatsapp(phone_number, enabled))

    def reset(self) -> None:
        """Forget all state, then re-create the seeded account and numbers."""
        self.call(lambda core: core.reset())
