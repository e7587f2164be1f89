"""``TwilioEmulator``: the emulator the pytest plugin runs, with helpers for tests.

It is an :class:`~twilio_connector.emulator.Emulator` (every method of it works:
``simulate_inbound_message``, ``set_rule``, ``advance``, ``settle``, ``delivery_log`` ...)
plus:

* clients bound to it: :meth:`~TwilioEmulator.client`, :meth:`~TwilioEmulator.async_client`,
  :meth:`~TwilioEmulator.sdk_client` (the official ``twilio`` package);
* what it holds: :meth:`~TwilioEmulator.messages`, :meth:`~TwilioEmulator.calls`,
  :meth:`~TwilioEmulator.deliveries` (every webhook attempt, with the status code received);
* assertions whose failure lists what was there: :meth:`~TwilioEmulator.assert_message_sent`,
  :meth:`~TwilioEmulator.assert_no_message_sent`, :meth:`~TwilioEmulator.assert_call_made`,
  :meth:`~TwilioEmulator.assert_webhook_delivered`;
* :meth:`~TwilioEmulator.wait_for_status`: runs the emulator (its simulated clock in manual
  timing) until a message or call reaches a status, and fails at once when it cannot;
* :meth:`~TwilioEmulator.configure_number` (an owned number's SmsUrl, VoiceUrl ...) and
  :meth:`~TwilioEmulator.reset` with a timing for what follows;
* Verify: ``verification_code(to)`` (the emulator's: the code the handset got) and
  :meth:`~TwilioEmulator.assert_verification_sent`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from .. import models, specs
from .._wire import parse_address
from ..emulator import Emulator, Timing
from ..emulator.calls.repository import CallFilter as CallQuery
from ..emulator.calls.serialize import call_model
from ..emulator.core import EmulatorCore
from ..emulator.errors import EmulatorError
from ..emulator.messages.repository import MessageQuery
from ..emulator.messages.serialize import message_model
from ..emulator.pagination import PageRequest
from ..emulator.webhooks.records import DeliveryRecord
from .assertions import (
    CallFilter,
    DeliveryFilter,
    MessageFilter,
    expect_one,
    format_calls,
    format_deliveries,
    format_messages,
)
from .statuses import is_final, reached

if TYPE_CHECKING:
    from ..client import AsyncTwilioClient, TwilioClient

__all__ = ["TwilioEmulator"]

MAX_LISTED = 100_000
"""The most messages or calls :meth:`TwilioEmulator.messages`/``calls`` read (bounded)."""
_PAGE = 1000


def _kind_of(sid: str) -> str:
    if sid.startswith(specs.MESSAGES.sid_prefixes):
        return "message"
    if sid.startswith(specs.CALLS.sid_prefixes):
        return "call"
    raise ValueError(f"{sid!r} is neither a message SID (SM/MM) nor a call SID (CA)")


def _accounts(core: EmulatorCore) -> Iterator[str]:
    """The main account first, then its subaccounts (where a SID may live)."""
    yield core.main_account_sid
    for account in core.accounts.all():
        if account.sid != core.main_account_sid:
            yield account.sid


def _find(core: EmulatorCore, kind: str, sid: str) -> models.Message | models.Call | None:
    """The message or call ``sid`` as the REST API would show it now (None: unknown)."""
    for account_sid in _accounts(core):
        if kind == "message":
            msg = core.messaging.repository.get(account_sid, sid)
            if msg is not None:
                return message_model(msg)
        else:
            account = core.accounts.get(account_sid)
            if account is None:
                continue
            try:
                return call_model(core.calls.get(account, sid))
            except EmulatorError:
                continue
    return None


def _status_now(core: EmulatorCore, kind: str, sid: str) -> str | None:
    if kind == "call":
        return core.calls.status(sid)
    found = _find(core, kind, sid)
    return None if found is None else found.status


class TwilioEmulator(Emulator):
    """An :class:`~twilio_connector.emulator.Emulator` with the test helpers listed in
    :mod:`twilio_connector.testing.emulator`. The ``twilio_emulator`` fixture gives one,
    reset before each test; it can also be used on its own (``with TwilioEmulator() as e:``).
    """

    # -- numbers, clients, reset -------------------------------------------------------------

    @property
    def phone_number(self) -> str:
        """The first number the main account owns (a ``From`` for SMS and calls)."""
        return parse_address(self.phone_numbers[0]).bare if self.phone_numbers else "+15005550006"

    def reset(self, timing: Timing | str | None = None) -> None:
        """Forget all state, re-create the account and its numbers (same SID, same token).
        ``timing`` (``"fast"``, ``"manual"``, ``"realistic"`` or a ``Timing``) applies from
        now on; None keeps the current one."""
        chosen = None if timing is None else Timing.of(timing)

        def run(core: EmulatorCore) -> None:
            core.reset()
            if chosen is not None:
                core.scheduler.timing = chosen

        self.call(run)
        if chosen is not None:
            self.timing = chosen

    def client(self, **options: Any) -> TwilioClient:
        """Our sync client bound to this emulator (close it, or use ``with``)."""
        from ..client import TwilioClient

        return TwilioClient(
            account_sid=self.account_sid, auth_token=self.auth_token, base_url=self.base_url,
            **options,
        )  # fmt: skip

    def async_client(self, **options: Any) -> AsyncTwilioClient:
        """Our async client bound to this emulator (``async with`` it, or ``await aclose()``)."""
        from .. import AsyncTwilioClient

        return AsyncTwilioClient(
            account_sid=self.account_sid, auth_token=self.auth_token, base_url=self.base_url,
            **options,
        )  # fmt: skip

    def configure_number(
        self,
        phone_number: str | None = None,
        *,
        sms_url: str | None = None,
        sms_method: str | None = None,
        sms_fallback_url: str | None = None,
        voice_url: str | None = None,
        voice_method: str | None = None,
        voice_fallback_url: str | None = None,
        status_callback: str | None = None,
    ) -> None:
        """Set an owned number's webhooks (``phone_number`` defaults to :attr:`phone_number`;
        ``""`` clears a URL) through the REST API: invalid values raise the client's typed
        errors."""
        number = phone_number or self.phone_number
        with self.client() as client:
            for owned in client.incoming_phone_numbers.list():
                if owned.phone_number == number:
                    client.incoming_phone_numbers.update(
                        owned.sid, sms_url=sms_url, sms_method=sms_method,
                        sms_fallback_url=sms_fallback_url, voice_url=voice_url,
                        voice_method=voice_method, voice_fallback_url=voice_fallback_url,
                        status_callback=status_callback,
                    )  # fmt: skip
                    return
        raise ValueError(f"the emulator's account does not own {number}")

    # -- what the emulator holds ------------------------------------------------------------

    def messages(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        body: str | None = None,
        body_contains: str | None = None,
        status: str | None = None,
        direction: str | None = None,
        account_sid: str | None = None,
    ) -> list[models.Message]:
        """The account's messages (sent and received), oldest first, filtered.
        ``direction="outbound"`` matches every ``outbound-*`` direction."""
        keep = MessageFilter(to, from_, body, body_contains, status, direction)
        query = MessageQuery(to=to, from_=from_)

        def run(core: EmulatorCore) -> list[models.Message]:
            account = account_sid or core.main_account_sid
            return _walk(
                lambda preq: core.messaging.repository.page(account, query, preq), message_model
            )

        return [m for m in reversed(self.call(run)) if keep(m)]

    def calls(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        status: str | None = None,
        direction: str | None = None,
        account_sid: str | None = None,
    ) -> list[models.Call]:
        """The account's calls (made and received), oldest first, filtered."""
        keep = CallFilter(to, from_, status, direction)
        query = CallQuery(to=to, from_=from_, status=status)

        def run(core: EmulatorCore) -> list[models.Call]:
            account = core.accounts.get(account_sid or core.main_account_sid)
            if account is None:
                return []
            return _walk(lambda preq: core.calls.page(account, query, preq), call_model)

        return [c for c in reversed(self.call(run)) if keep(c)]

    def deliveries(
        self,
        *,
        url: str | None = None,
        path: str | None = None,
        kind: str | None = None,
        resource_sid: str | None = None,
        status: int | str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> list[DeliveryRecord]:
        """Every webhook attempt the emulator made, oldest first: ``url`` exact, ``path``
        the URL's path, ``kind`` (``message-status``, ``incoming-message``, ``call-status``,
        ``voice-request`` ...), ``status`` the HTTP status received or ``"2xx"``, ``params``
        form fields that must all be sent. Each record has ``url``, ``status``, ``params``,
        ``response_body``, ``error`` and ``attempt``."""
        keep = DeliveryFilter(url, path, kind, resource_sid, status, params)
        return [d for d in self.delivery_log(resource_sid, kind=kind) if keep(d)]

    # -- assertions -------------------------------------------------------------------------

    def assert_message_sent(
        self,
        to: str | None = None,
        *,
        from_: str | None = None,
        body: str | None = None,
        body_contains: str | None = None,
        status: str | None = None,
    ) -> models.Message:
        """The one outbound message matching the filters (AssertionError listing every
        outbound message when there is none, or listing the matches when several)."""
        __tracebackhide__ = True  # pytest shows the caller's line
        wanted = MessageFilter(to, from_, body, body_contains, status, "outbound")
        return expect_one(
            "outbound message", wanted, self.messages(direction="outbound"), wanted,
            format_messages,
        )  # fmt: skip

    def assert_no_message_sent(
        self, to: str | None = None, *, body_contains: str | None = None
    ) -> None:
        """No outbound message matches (AssertionError listing those that do)."""
        __tracebackhide__ = True  # pytest shows the caller's line
        wanted = MessageFilter(to, body_contains=body_contains, direction="outbound")
        found = self.messages(to=to, body_contains=body_contains, direction="outbound")
        if found:
            raise AssertionError(
                f"expected no outbound message matching {wanted}, found {len(found)}:\n"
                f"{format_messages(found)}"
            )

    def assert_call_made(
        self, to: str | None = None, *, from_: str | None = None, status: str | None = None
    ) -> models.Call:
        """The one outbound call matching the filters (AssertionError listing the calls)."""
        __tracebackhide__ = True  # pytest shows the caller's line
        wanted = CallFilter(to, from_, status, "outbound")
        return expect_one(
            "outbound call", wanted, self.calls(direction="outbound"), wanted, format_calls
        )

    def assert_webhook_delivered(
        self,
        url: str | None = None,
        *,
        path: str | None = None,
        kind: str | None = None,
        resource_sid: str | None = None,
        status: int | str = "2xx",
        params: Mapping[str, str] | None = None,
    ) -> DeliveryRecord:
        """The latest webhook attempt matching the filters that got ``status`` (any 2xx by
        default); AssertionError listing every attempt made when there is none. Call
        :meth:`settle` first if the webhook may still be on its way."""
        __tracebackhide__ = True  # pytest shows the caller's line
        wanted = DeliveryFilter(url, path, kind, resource_sid, status, params)
        return expect_one(
            "webhook delivery", wanted, self.delivery_log(), wanted, format_deliveries,
            exactly=False,
        )  # fmt: skip

    # -- waiting ----------------------------------------------------------------------------

    @overload
    def wait_for_status(
        self, target: models.Message, status: str | Collection[str], *, timeout: float = ...
    ) -> models.Message: ...
    @overload
    def wait_for_status(
        self, target: models.Call, status: str | Collection[str], *, timeout: float = ...
    ) -> models.Call: ...
    @overload
    def wait_for_status(
        self, target: str | Any, status: str | Collection[str], *, timeout: float = ...
    ) -> models.Message | models.Call: ...

    def wait_for_status(
        self, target: Any, status: str | Collection[str], *, timeout: float = 10.0
    ) -> models.Message | models.Call:
        """Run the emulator until the message or call ``target`` (a SID, or anything with
        a ``sid``: our models, the SDK's instances) has ``status`` (or one of several), and
        return it as the REST API shows it then. A status later on the successful path
        counts (``delivered`` satisfies ``sent``). In manual timing the simulated clock is
        moved step by step, so no real time passes.

        AssertionError at once when the resource ends in another final status (with its
        error code), when the emulator has nothing left to do without reaching it (e.g. a
        call waiting for :meth:`press_digits`), or after ``timeout`` real seconds; the
        message lists the status callbacks it sent."""
        __tracebackhide__ = True  # pytest shows the caller's line
        sid = target if isinstance(target, str) else str(target.sid)
        kind = _kind_of(sid)
        wanted = (status,) if isinstance(status, str) else tuple(status)

        async def run(core: EmulatorCore) -> tuple[models.Message | models.Call | None, bool]:
            def done() -> bool:
                now = _status_now(core, kind, sid)
                return now is None or reached(kind, now, wanted) or is_final(kind, now)

            try:
                await core.run_until(done, timeout)
                timed_out = False
            except TimeoutError:
                timed_out = True
            return _find(core, kind, sid), timed_out

        found, timed_out = self.run(run, timeout + 10.0)
        if found is not None and reached(kind, found.status, wanted):
            return found
        raise AssertionError(self._not_reached(kind, sid, wanted, found, timed_out, timeout))

    def _not_reached(
        self,
        kind: str,
        sid: str,
        wanted: tuple[str, ...],
        found: models.Message | models.Call | None,
        timed_out: bool,
        timeout: float,
    ) -> str:
        expected = " or ".join(repr(w) for w in wanted)
        if found is None:
            return f"no {kind} {sid} in the emulator (made before the reset of this test?)"
        now = repr(found.status)
        if isinstance(found, models.Message) and found.error_code:
            now += f" (error {found.error_code}: {found.error_message})"
        if timed_out:
            why = f"did not reach {expected} within {timeout} s; its status is {now}"
        elif is_final(kind, found.status):
            why = f"ended {now}, a final status; expected {expected}"
        elif found.status == "scheduled":  # it moves when the clock reaches its SendAt
            why = f"stays {now} until its SendAt: advance(seconds) moves the clock there"
        else:
            why = f"stays {now}: the emulator has nothing left to do and {expected} never came"
            if kind == "call":
                why += " (a <Gather> waiting for press_digits/caller_speaks?)"
        hooks = self.delivery_log(sid)
        history = format_deliveries(hooks) if hooks else "  (none: no status callback was set)"
        return f"{kind} {sid} {why}\nwebhooks it caused:\n{history}"

    # -- verify/v2 ----------------------------------------------------------------------------

    def assert_verification_sent(
        self, to: str, *, channel: str | None = None, service_sid: str | None = None
    ) -> dict[str, Any]:
        """The newest pending Verification sent to ``to`` (``sid``, ``code``, ``channel`` ...,
        as ``GET /_emulator/verifications`` lists it); AssertionError listing the
        verifications of ``to`` when none matches."""
        __tracebackhide__ = True
        found = self.verifications(to, service_sid, limit=20)
        for entry in found:
            if entry["status"] == "pending" and channel in (None, entry["channel"]):
                return entry
        listed = "\n".join(
            f"  {e['sid']} {e['channel']} {e['status']} (service {e['service_sid']})" for e in found
        )
        wanted = f" by {channel}" if channel else ""
        raise AssertionError(
            f"no pending verification sent to {to}{wanted}; its verifications:\n"
            + (listed or "  (none)")
        )


class _HasSid(Protocol):
    @property
    def sid(self) -> str: ...


R = TypeVar("R", bound=_HasSid)
M = TypeVar("M")


def _walk(
    page: Callable[[PageRequest], tuple[Sequence[R], bool]], model: Callable[[R], M]
) -> list[M]:
    """Every record of a repository's keyset pages (newest first), up to MAX_LISTED, as models."""
    out: list[M] = []
    after: str | None = None
    while len(out) < MAX_LISTED:
        records, more = page(PageRequest(_PAGE, 0, after=after))
        out += [model(r) for r in records]
        if not more or not records:
            break
        after = records[-1].sid
    return out
