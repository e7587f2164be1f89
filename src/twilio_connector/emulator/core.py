"""The emulator's state and services, wired together (no HTTP, no threads).

:class:`EmulatorCore` holds the clock and scheduler, the store, the webhook dispatcher,
the rule table and one backend per resource family (``accounts``, ``numbers``,
``services`` (Messaging Services), ``messaging``, ``inbound``, ``recordings``, ``calls``).
Everything runs on one event loop;
the HTTP adapter (:mod:`.app`) and the threaded facade (:mod:`.server`) sit on top.

What a backend builds on:

* routes: its REST/control handler classes, registered in :mod:`.routes`
  (``router.add(method, template, api.method, auth=...)``), using :mod:`.pagination`
  (``page_request``, ``envelope``) and ``serialize.dt``;
* storage: a repository per table that registers its DDL with ``store.add_schema``
  (``reset`` empties it) and holds all its SQL (``paginate_sql``, ``store.defer``);
* time: ``core.scheduler.call_later / sleep / spawn`` (``settle`` waits for all of it),
  :class:`~.scheduler.CallClock` as a call's clock, delays from ``core.scheduler.timing``
  (:class:`~.timing.Timing`);
* webhooks: ``await core.dispatcher.request(Webhook(...))`` for TwiML fetches (signed,
  overrides, retries, logged; the answer's status/content type/body come back) and
  ``core.dispatcher.send(...)`` for status callbacks (in order per resource and kind);
  ``core.signing`` (:mod:`.webhooks.signing`) picks a shared key by URL instead of the auth token;
  every attempt lands in ``core.deliveries`` (:mod:`.webhooks.repository`);
* behaviour: ``core.rules.match("call", to, from_)`` for per-destination outcomes,
  ``core.numbers.owner_of(number)`` (``number.get("voice_url")`` ...) to route incoming
  calls, ``core.messaging.create(account, MessageRequest(..., direction="outbound-call"))``
  for ``<Sms>``/``<Message>`` in calls, ``core.notify(...)`` for debugger notifications;
* ``core.on_reset`` callbacks to drop in-memory state on reset.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable

from .._wire import parse_address
from .accounts.state import DEFAULT_ACCOUNT_SID, Accounts
from .calls.state import Calls
from .content.state import Contents
from .keys.state import Keys
from .messages.inbound import InboundMessages
from .messages.state import Messaging
from .messaging_services.state import MessagingServices
from .notifications.records import NotificationRecord
from .notifications.state import Notifications
from .numbers.short_codes import ShortCodes
from .numbers.state import SANDBOX_WHATSAPP_NUMBER, Numbers
from .recordings.state import Recordings
from .rules.state import RuleTable
from .scheduler import Clock, Scheduler
from .store import Store
from .timing import Timing
from .verify.state import Verify
from .webhooks.dispatcher import Webhook, WebhookDispatcher, WebhookResult
from .webhooks.signing import SigningTable

__all__ = ["DEFAULT_PHONE_NUMBERS", "EmulatorCore"]

DEFAULT_PHONE_NUMBERS = ("+15017122661",)
MAIN_ACCOUNT_NAME = "twilio-connector emulator"


class EmulatorCore:
    def __init__(
        self,
        store: Store,
        timing: Timing,
        loop: asyncio.AbstractEventLoop,
        base_url: str,
    ) -> None:
        self.loop = loop
        self.base_url = base_url
        self.store = store
        store.attach_loop(loop)
        self.clock = Clock()
        self.scheduler = Scheduler(timing, self.clock, loop)
        self.signing = SigningTable(store)
        self.dispatcher = WebhookDispatcher(
            store, clock=self.clock, signing=self.signing, on_failure=self._callback_failed
        )
        self.deliveries = self.dispatcher.deliveries
        self.debugger = Notifications(store, self.clock)
        self.rules = RuleTable(store)
        self.keys = Keys(store, self.clock)
        self.accounts = Accounts(store, self.clock, self.keys)
        self.numbers = Numbers(store, self.clock)
        # -- Messaging Services: short codes on the account, services and their pools -----
        self.short_codes = ShortCodes(store, self.clock)
        self.services = MessagingServices(
            store, self.clock, self.numbers.by_sid, self.short_codes.by_sid,
            numbers_version=lambda: self.numbers.version,
        )  # fmt: skip
        self.content = Contents(store, self.clock)  # content/v1 templates (before messaging)
        self.messaging = Messaging(self)
        self.inbound = InboundMessages(self)
        self.recordings = Recordings(store, self.clock, base_url)
        self.calls = Calls(self)
        self.verify = Verify(self)  # verify/v2: services, verifications (after messaging, calls)
        self.on_reset: list[Callable[[], None]] = []
        self.main_account_sid = DEFAULT_ACCOUNT_SID
        self._seed_args: tuple[str, str | None, tuple[str, ...]] | None = None

    async def start(self) -> None:
        """Start the dispatcher and resume lifecycles a previous run left in flight."""
        await self.dispatcher.start()
        self.messaging.resume()
        self.calls.resume()

    async def close(self) -> None:
        await self.calls.close()
        tasks = self.scheduler.cancel_all()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await self.dispatcher.close()
        self.store.close()

    def seed(self, account_sid: str, auth_token: str | None, phone_numbers: Iterable[str]) -> None:
        """Ensure the main account and its numbers exist (``whatsapp:+1...`` = WhatsApp on)."""
        numbers = tuple(phone_numbers)
        account = self.accounts.ensure_main(account_sid, auth_token, MAIN_ACCOUNT_NAME)
        self._seed_args = (account_sid, account.auth_token, numbers)  # a reset keeps the token
        self.main_account_sid = account.sid
        for entry in numbers:
            address = parse_address(entry)
            whatsapp = address.channel == "whatsapp"
            self.numbers.ensure(account.sid, address.bare if whatsapp else entry, whatsapp=whatsapp)
        sandbox = self.numbers.owner_of(SANDBOX_WHATSAPP_NUMBER)
        if sandbox is None:
            self.numbers.ensure(
                account.sid, SANDBOX_WHATSAPP_NUMBER, whatsapp=True, name="WhatsApp Sandbox"
            )
        self.store.commit()

    def notify(
        self,
        account_sid: str,
        code: int,
        message: str,
        *,
        resource_sid: str | None = None,
        url: str | None = None,
        level: str = "error",
    ) -> NotificationRecord:
        """Record a debugger notification (what Twilio shows in its Debugger/Alerts)."""
        return self.debugger.record(
            account_sid, code, message, resource_sid=resource_sid, url=url, level=level
        )

    def _callback_failed(self, hook: Webhook, result: WebhookResult) -> None:
        """A status callback that failed for good: a debugger notification, as Twilio's."""
        message = f"{hook.kind} webhook failed: {result.error or 'HTTP retrieval failure'}"
        code = result.error_code or 11200
        self.notify(hook.account_sid, code, message, resource_sid=hook.resource_sid, url=result.url)

    def notifications(self, resource_sid: str | None = None) -> list[NotificationRecord]:
        """Debugger notifications, oldest first (``resource_sid`` to narrow)."""
        return self.debugger.all(resource_sid)

    @property
    def busy(self) -> bool:
        return self.scheduler.busy or self.dispatcher.busy

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until no lifecycle step, task or webhook is pending (manual mode: run them)."""
        await self.run_until(None, timeout)

    async def run_until(self, done: Callable[[], bool] | None, timeout: float = 10.0) -> bool:
        """Let the emulator work until ``done()`` holds (True) or nothing is left pending
        (False; ``done=None``: settle). Manual timing runs the due steps in order, checking
        ``done`` after each; TimeoutError after ``timeout`` real seconds."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2:
            if done is not None and done():
                self.store.commit()
                return True
            if time.monotonic() > deadline:
                raise TimeoutError(f"emulator did not settle within {timeout} s")
            idle_io = not self.dispatcher.busy and not self.scheduler.tasks_running
            if self.scheduler.manual and idle_io and await self.scheduler.run_pending():
                quiet = 0
                continue
            if self.busy:
                quiet = 0
                await asyncio.sleep(0.002)
            else:
                quiet += 1
                await asyncio.sleep(0)
        self.store.commit()
        return done is not None and done()

    async def advance(self, seconds: float) -> None:
        await self.scheduler.advance(seconds)
        self.messaging.release_due()  # scheduled messages whose SendAt has come

    def reset(self) -> None:
        """Forget everything (accounts, messages, logs, rules, signing), then re-seed."""
        self.scheduler.cancel_all()
        self.dispatcher.drop_pending()
        self.messaging.cancel_all()
        self.calls.reset()
        self.store.reset()
        self.keys.load()
        self.accounts.load()
        self.numbers.load()
        self.short_codes.load()
        self.services.load()
        self.verify.load()
        self.content.load()
        self.rules.load()
        self.signing.load()
        self.clock.offset = 0.0
        for hook in self.on_reset:
            hook()
        if self._seed_args is not None:
            self.seed(*self._seed_args)
