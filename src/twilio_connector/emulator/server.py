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
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .. import models
from .._asgi.server import ServerThread, bind_socket
from .accounts.state import DEFAULT_ACCOUNT_SID
from .app import EmulatorApp
from .calls.serialize import call_model
from .core import DEFAULT_PHONE_NUMBERS, EmulatorCore
from .guard import Guard, exposure_warning
from .messages.serialize import message_model
from .notifications.records import NotificationRecord
from .numbers.serialize import short_code_model
from .routes import build_router
from .rules.kinds import check_rule
from .rules.state import Rule
from .scheduler import Timing
from .store import Store
from .verify.serialize import control_entry
from .voice.caller_script import CallerStep, parse_caller_script
from .webhooks.records import DeliveryRecord
from .webhooks.signing import SigningRule

__all__ = ["Emulator", "normalize_public_url"]

T = TypeVar("T")
log = logging.getLogger("twilio_connector.emulator")


def normalize_public_url(url: str) -> str:
    """An http(s) URL with a host and no query or fragment, without its trailing ``/``;
    ValueError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public URL must be an http:// or https:// URL, got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"public URL must have no credentials, query or fragment: {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


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

    ``public_url`` (e.g. ``https://emu.example.test``) is where clients reach the emulator
    when it sits behind a proxy: :attr:`base_url` is then that URL, and every URL the
    emulator builds to itself uses it (``MediaUrl{N}`` of inbound messages, ``RecordingUrl``
    and recordings' ``media_url``, the control plane's info, the web inbox), so those URLs
    and the webhook signatures computed over them are what the proxy serves. Its host is
    also one of the names the emulator answers to. :attr:`local_url` stays the bound address.
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
        public_url: str | None = None,
    ) -> None:
        self.public_url = None if public_url is None else normalize_public_url(public_url)
        if self.public_url is not None:
            hosts = (*hosts, urlsplit(self.public_url).netloc)
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
        self._server: ServerThread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def auth_token(self) -> str:
        """The main account's auth token (given, or generated at start)."""
        if self._auth_token is None:
            raise RuntimeError("the auth token is generated at start: read it after start()")
        return self._auth_token

    @property
    def base_url(self) -> str:
        """What Twilio's ``https://api.twilio.com`` is to real clients: the public URL if one
        was given, else :attr:`local_url`."""
        return self.public_url or self.local_url

    @property
    def local_url(self) -> str:
        """``http://host:port``: the address the emulator is bound to."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 15.0) -> Emulator:
        if self._server is not None:
            raise RuntimeError("emulator already started")
        sock = bind_socket(self.host, self.port, backlog=1024)
        self.port = sock.getsockname()[1]
        if (warning := exposure_warning(self.host)) is not None:
            log.warning(warning)
        server = ServerThread(
            setup=self._open, teardown=self._close, sock=sock, name=f"twilio-emulator-{self.port}",
            lifespan="off", log_level=self.log_level, http="httptools", ws="none",
            timeout_graceful_shutdown=2, proxy_headers=False, server_header=False, backlog=1024,
        )  # fmt: skip
        self._server = server
        try:
            server.start(timeout)
        except RuntimeError:
            self._server = self._core = None
            raise
        return self

    async def _open(self) -> EmulatorApp:
        """On the server's loop, before serving: the store, the core and the app."""
        store = Store(self.db_path)
        core = EmulatorCore(store, self.timing, asyncio.get_running_loop(), self.base_url)
        self._core = core
        core.seed(self.account_sid, self._auth_token, self.phone_numbers)
        account = core.accounts.get(self.account_sid)
        assert account is not None
        self._auth_token = account.auth_token
        await core.start()
        return EmulatorApp(core, build_router(core), guard=self._guard)

    async def _close(self) -> None:
        """On the server's loop, once it stopped: lifecycles in flight stop, the store closes."""
        core, self._core = self._core, None
        if core is None:
            return
        await core.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and close the store. Lifecycles still in flight stop here; with a
        database file they resume when an emulator starts on it again."""
        server, self._server = self._server, None
        if server is not None:
            server.stop(timeout)
        self._core = None

    close = stop

    def wait(self) -> None:
        """Block until the server stops (the CLI's foreground mode; Ctrl-C interrupts)."""
        server = self._server
        while server is not None and not server.wait(0.5):
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
        assert self._server is not None
        future = asyncio.run_coroutine_threadsafe(coro_fn(core), self._server.loop)
        return future.result(timeout)

    def call(self, fn: Callable[[EmulatorCore], T], timeout: float = 30.0) -> T:
        """Run ``fn(core)`` on the emulator's loop and return its result."""

        async def runner(core: EmulatorCore) -> T:
            return fn(core)

        return self.run(runner, timeout)

    # -- control ----------------------------------------------------------------------------

    def sdk_client(
        self, username: str | None = None, password: str | None = None, **options: Any
    ) -> Any:
        """The official SDK's ``twilio.rest.Client`` on this emulator, every API domain
        (``client.messaging`` too) pointed here: :func:`.sdk.sdk_client`."""
        from .sdk import sdk_client

        return sdk_client(self, username, password, **options)

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
        TwiML reply run in the background (``settle()`` waits for them). A number in a
        Messaging Service without an inbound URL drops it, as Twilio does: the message
        returned is then not stored (fetching it is 404). Extra keyword
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
        seconds, ``sip_response_code``, ``interactive``, ``recording_seconds``, ``script``
        (the caller on a Media Stream or ConversationRelay: :mod:`.voice.caller_script`).

        Verify (``kind="verify"``, ``to`` the number, ``from_`` the service SID): ``failed``,
        ``rate-limited`` or ``blocked`` (docs/verify.md). An unknown kind, outcome or param
        raises ``ValueError``."""
        rule = Rule(kind, outcome, to, from_, error_code, params, times)
        check_rule(rule)
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
        script: Iterable[CallerStep | Mapping[str, Any]] = (),
    ) -> models.Call:
        """A phone ``from_`` calls the owned number ``to`` (its VoiceUrl must be set).

        Returns the Call (``ringing``) at once; the VoiceUrl request and the TwiML run in
        the background (``settle()`` waits). ``digits``/``speech`` answer any Gather; with
        neither, the caller goes step by step: a Gather waits (up to ``input_timeout`` real
        seconds) for :meth:`press_digits` / :meth:`caller_speaks`, and ``settle()`` returns
        while the call only waits for that input.

        ``script`` is what the caller does on a Media Stream or ConversationRelay, in order:
        ``[{"say": "hi"}, {"press": "1"}, {"play": "a.wav"}, {"pause": 2}, {"hangup": True}]``
        or :class:`~.voice.CallerStep` objects (turn-taking and ``barge_in``:
        :mod:`.voice.caller_script`); :meth:`add_caller_steps` adds more while it runs.
        """
        steps = parse_caller_script(script)
        texts = None if speech is None else [speech] if isinstance(speech, str) else list(speech)
        return self.call(  # serialized on the loop: the live record keeps changing
            lambda core: call_model(
                core.calls.receive(
                    from_, to, digits, texts, input_timeout=input_timeout,
                    forwarded_from=forwarded_from, caller_name=caller_name, script=steps,
                )
            )
        )  # fmt: skip

    def press_digits(self, call_sid: str, digits: str) -> None:
        """The caller of a live call presses keys (``0-9 * #``)."""
        self.call(lambda core: core.calls.press_digits(call_sid, digits))

    def caller_speaks(self, call_sid: str, text: str, confidence: float = 0.9) -> None:
        """The caller of a live call says ``text`` (answers a speech Gather)."""
        self.call(lambda core: core.calls.caller_speaks(call_sid, text, confidence))

    def add_caller_steps(
        self, call_sid: str, steps: Iterable[CallerStep | Mapping[str, Any]]
    ) -> None:
        """More realtime caller steps for a live call (after those left); ``ValueError``
        if one is invalid (nothing is added then)."""
        parsed = parse_caller_script(steps)
        self.call(lambda core: core.calls.add_caller_steps(call_sid, parsed))

    def call_transcript(self, call_sid: str) -> list[dict[str, Any]]:
        """What happened in a call, in order: ``[{"kind": "say", "at": 0.0, ...}, ...]``
        (kinds: ``status``, ``fetch``, ``say``, ``play``, ``pause``, ``gather``, ``record``,
        ``dial``, ``redirect``, ``hangup``, ``reject``, ``enqueue``, ``message``,
        ``problem``, ``end`` ...; ``at`` is simulated seconds since the call began)."""
        return self.call(lambda core: core.calls.transcript(call_sid))

    def call_callbacks(self, call_sid: str, kind: str | None = None) -> list[DeliveryRecord]:
        """Every webhook a call caused, oldest first; ``kind``: ``call-status`` (status
        callbacks), ``voice-request`` (TwiML fetches and actions), ``recording-status``,
        ``stream-status``."""
        return self.call(lambda core: core.calls.callbacks(call_sid, kind))

    def enable_whatsapp(self, phone_number: str, enabled: bool = True) -> None:
        """Make an owned number a WhatsApp sender (or stop it being one)."""
        self.call(lambda core: core.numbers.set_whatsapp(phone_number, enabled))

    def set_content_approval(
        self, content_sid: str, status: str, *, reason: str | None = None
    ) -> dict[str, Any]:
        """Decide WhatsApp's verdict on a template (``approved``, ``rejected`` with ``reason``,
        ``pending`` ...), before or after its approval request; returns the approval."""

        def apply(core: EmulatorCore) -> dict[str, Any]:
            content = core.content.set_approval(content_sid, status, reason)
            return core.content.approval(content)

        return self.call(apply)

    # -- Messaging Services: short codes ---------------------------------------------------

    def add_short_code(
        self,
        short_code: str,
        country_code: str = "US",
        *,
        friendly_name: str | None = None,
        account_sid: str | None = None,
    ) -> models.ShortCode:
        """Give an account (the main one by default) a short code (3-8 digits) of
        ``country_code``, as Twilio's provisioning would: it then appears in
        ``/SMS/ShortCodes`` and can join a Messaging Service's pool (``ShortCodeSid``)."""

        def provision(core: EmulatorCore) -> models.ShortCode:
            sid = account_sid or core.main_account_sid
            sc = core.short_codes.provision(sid, short_code, country_code, friendly_name)
            return short_code_model(sc)

        return self.call(provision)

    def reset(self) -> None:
        """Forget all state, then re-create the seeded account and numbers."""
        self.call(lambda core: core.reset())

    # -- verify/v2 ------------------------------------------------------------------------

    def verification_code(self, to: str, service_sid: str | None = None) -> str:
        """The code of the newest pending Verification sent to ``to`` (in ``service_sid``, or
        any service): what the handset received. LookupError when there is none."""
        return self.call(lambda core: core.verify.pending_code(to, service_sid))

    def verifications(
        self, to: str | None = None, service_sid: str | None = None, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Verifications newest first, as ``GET /_emulator/verifications`` lists them
        (``sid``, ``service_sid``, ``to``, ``channel``, ``code``, ``status`` ...)."""
        return self.call(
            lambda core: [control_entry(v) for v in core.verify.recent(to, service_sid, limit)]
        )
