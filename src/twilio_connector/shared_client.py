"""``BaseClient``: configuration, resources and the everyday operations.

Shared by :class:`~twilio_connector.client.TwilioClient` (httpx) and
:class:`~twilio_connector.async_client.AsyncTwilioClient` (aiohttp); it imports no HTTP
library, so each client module pulls in only its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypedDict

from ._base_client import ClientCore, Op, RetryEvent
from ._operation import Mode, Resource, operation
from ._wire import form, whatsapp_address
from ._wire.domains import is_domain_name, serves_url
from .config import RetryPolicy, TwilioConfig
from .errors import ConfigurationError
from .inputs import StatusCallback, VoiceCallInput
from .models import Account, Balance, Call, Message, Verification, VerificationCheck
from .resources.accounts import Accounts
from .resources.calls import Calls, call_params
from .resources.content import Contents
from .resources.keys import Keys
from .resources.messages import Messages
from .resources.messaging_services import MessagingServices
from .resources.phone_numbers import AvailablePhoneNumbers, IncomingPhoneNumbers
from .resources.verify import VerificationChannelName, Verify
from .specs import BALANCE, CALLS

if TYPE_CHECKING:
    pass  # typing.Unpack from 3.11; a type-checking name only

__all__ = ["BaseClient", "ClientSettings"]


class ClientSettings(TypedDict, total=False):
    """The settings a client takes as keywords instead of a config (see
    :class:`BaseClient`), so that a misspelt one fails type checking."""

    account_sid: str | None
    auth_token: str | None
    api_key: str | None
    api_secret: str | None
    base_url: str | None
    timeout: float | None
    max_retries: int | None
    retry: RetryPolicy | None
    on_retry: Callable[[RetryEvent], None] | None


class BaseClient(Resource[Mode]):
    """Configuration, resources and the everyday operations (shared by both clients)."""

    def __init__(
        self,
        config: TwilioConfig | None = None,
        *,
        account_sid: str | None = None,
        auth_token: str | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        on_retry: Callable[[RetryEvent], None] | None = None,
    ) -> None:
        """Give a :class:`TwilioConfig`, or its settings as keywords (the rest from the
        ``TWILIO_*`` environment when ``account_sid`` is not given), not both: a setting
        given next to a config raises :class:`ConfigurationError` rather than being ignored.
        ``max_retries`` and ``retry`` follow :class:`TwilioConfig`'s rule (one of them)."""
        settings: dict[str, Any] = {
            k: v
            for k, v in {
                "account_sid": account_sid,
                "auth_token": auth_token,
                "api_key": api_key,
                "api_secret": api_secret,
                "base_url": base_url,
                "timeout": timeout,
                "max_retries": max_retries,
                "retry": retry,
            }.items()
            if v is not None
        }
        if config is None:
            sid = settings.pop("account_sid", None)
            if sid is not None:
                config = TwilioConfig(account_sid=sid, **settings)
            else:
                config = TwilioConfig.from_env(**settings)
        elif settings:
            names = ", ".join(sorted(settings))
            raise ConfigurationError(
                f"give a TwilioConfig or settings, not both ({names} given with config=); "
                "use dataclasses.replace(config, ...) to change a config"
            )
        elif not isinstance(config, TwilioConfig):
            raise ConfigurationError("config must be a TwilioConfig")
        self.config = config
        self._core = ClientCore(config, on_retry=on_retry)
        self._client = self

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(account_sid={self.config.account_sid!r}, base_url={self.config.base_url!r})"

    # -- resources ---------------------------------------------------------------------------

    @cached_property
    def messages(self) -> Messages[Mode]:
        return Messages(self)

    @cached_property
    def calls(self) -> Calls[Mode]:
        return Calls(self)

    @cached_property
    def accounts(self) -> Accounts[Mode]:
        return Accounts(self)

    @cached_property
    def keys(self) -> Keys[Mode]:
        return Keys(self)

    @cached_property
    def messaging_services(self) -> MessagingServices[Mode]:
        """Messaging Services (``messaging`` domain: ``messaging.twilio.com/v1``)."""
        return MessagingServices(self)

    @cached_property
    def verify(self) -> Verify[Mode]:
        """Verify v2 (``verify`` domain: ``verify.twilio.com/v2``): services, verifications
        and checks; the short forms are :meth:`start_verification` and
        :meth:`check_verification`."""
        return Verify(self)

    @cached_property
    def content(self) -> Contents[Mode]:
        """Content templates (``content`` domain: ``content.twilio.com/v1``)."""
        return Contents(self)

    @cached_property
    def incoming_phone_numbers(self) -> IncomingPhoneNumbers[Mode]:
        return IncomingPhoneNumbers(self)

    @cached_property
    def available_phone_numbers(self) -> AvailablePhoneNumbers[Mode]:
        return AvailablePhoneNumbers(self)

    @operation
    def balance(self) -> Op[Balance]:
        """The account balance (``GET /Accounts/{sid}/Balance.json``)."""
        return (yield from self._core.call("GET", self._core.instance_path(BALANCE), BALANCE.model))

    @operation
    def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        *,
        domain: str | None = None,
    ) -> Op[Any]:
        """Call any operation of any Twilio API; returns the decoded JSON (``None`` for 204).

        ``path`` is absolute (``/2010-04-01/Accounts/{AccountSid}/Queues.json``), relative
        to the account (``Queues.json``), or, with ``domain`` (``"verify"``, ``"lookups"``),
        a path on that API's host (``/v2/Services``: ``https://verify.twilio.com/v2/Services``
        on Twilio, ``{base_url}/verify/v2/Services`` on the emulator). A full URL works too,
        on this client's own hosts only (the credentials go nowhere else: ``ValueError``).
        ``{AccountSid}`` is filled in; ``params`` go in the query string, ``data`` in the
        form body (lists repeat keys). Same auth, retries and error mapping as every other
        operation.
        """
        path = path.replace("{AccountSid}", self.config.account_sid)
        if domain is not None:
            if not is_domain_name(domain):
                raise ValueError(f"not an API domain name: {domain[:40]!r}")
            if not path.startswith("/"):
                raise ValueError("with domain=, path starts at the host's root: '/v2/...'")
            path = self._core.domain_url(domain) + path
        elif path.startswith(("http://", "https://")) and not serves_url(
            self.config.base_url, path
        ):
            raise ValueError(
                "refusing to send credentials to a URL outside this client's API hosts: "
                + self._core.redact(path)[:200]
            )
        return (
            yield from self._core.call_json(
                method.upper(),
                path,
                query=form(**params) if params else None,
                data=form(**data) if data is not None else None,
            )
        )

    # -- the seed connector's operations ----------------------------------------------------

    @operation
    def get_account_details(self) -> Op[Account]:
        """The account these credentials act for."""
        return (yield from self.accounts._fetch())

    @operation
    def send_sms(
        self,
        from_: str | None,
        to: str,
        body: str,
        status_callback: str | StatusCallback | None = None,
        *,
        messaging_service_sid: str | None = None,
        send_at: datetime | None = None,
    ) -> Op[Message]:
        """Send an SMS from a Twilio number to ``to``; or through a Messaging Service
        (``messaging_service_sid``, ``from_`` ``None`` to let it pick the sender), optionally
        scheduled for ``send_at`` (``ScheduleType=fixed`` is set for you; needs the service).
        """
        return (
            yield from self.messages._create(
                to=to, from_=from_, body=body, status_callback=status_callback,
                messaging_service_sid=messaging_service_sid, send_at=send_at,
            )
        )  # fmt: skip

    @operation
    def send_whatsapp_message(
        self,
        from_: str | None,
        to: str,
        body: str | None = None,
        *,
        media_url: str | list[str] | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, str] | None = None,
        status_callback: str | StatusCallback | None = None,
        messaging_service_sid: str | None = None,
        send_at: datetime | None = None,
    ) -> Op[Message]:
        """Send a WhatsApp message; ``whatsapp:`` is added to both numbers where missing.
        With ``messaging_service_sid`` (``from_`` ``None``) the service picks a WhatsApp
        sender of its pool; ``send_at`` schedules it as :meth:`send_sms` does."""
        return (
            yield from self.messages._create(
                to=whatsapp_address(to),
                from_=whatsapp_address(from_) if from_ else None,
                body=body,
                media_url=media_url,
                content_sid=content_sid,
                content_variables=content_variables,
                status_callback=status_callback,
                messaging_service_sid=messaging_service_sid,
                send_at=send_at,
            )
        )

    @operation
    def cancel_message(self, sid: str) -> Op[Message]:
        """Cancel a scheduled message (``client.messages.cancel``)."""
        return (yield from self.messages._update(sid, status="canceled"))

    @operation
    def make_voice_call(
        self,
        from_: str,
        to: str,
        voice_input: VoiceCallInput,
        status_callback: str | StatusCallback | None = None,
    ) -> Op[Call]:
        """Call ``to``: speak text, run TwiML, or fetch TwiML from a URL when answered."""
        data = call_params(
            to=to, from_=from_, voice_input=voice_input, status_callback=status_callback
        )
        return (
            yield from self._core.call("POST", self._core.list_path(CALLS), CALLS.model, data=data)
        )

    @operation
    def get_message(self, sid: str) -> Op[Message]:
        """Fetch a message by SID."""
        return (yield from self.messages._fetch(sid))

    # -- verify/v2: the everyday job ----------------------------------------------------------

    @operation
    def start_verification(
        self,
        service_sid: str,
        to: str,
        channel: VerificationChannelName | str = "sms",
        *,
        custom_code: str | None = None,
        custom_friendly_name: str | None = None,
        locale: str | None = None,
    ) -> Op[Verification]:
        """Send a one-time code to ``to`` (E.164) from Verify service ``service_sid``
        (``VA...``) by ``sms``, ``whatsapp`` or ``call``. Again while pending: the same code
        is sent again (up to 5 sends)."""
        verifications = self.verify.verifications(service_sid)
        return (
            yield from verifications._create(
                to, channel, custom_code=custom_code,
                custom_friendly_name=custom_friendly_name, locale=locale,
            )
        )  # fmt: skip

    @operation
    def check_verification(self, service_sid: str, to: str, code: str) -> Op[VerificationCheck]:
        """Check the ``code`` ``to`` typed in: ``.approved`` is True when it is right. A wrong
        code is not an error; nothing pending (never sent, approved, canceled, expired) is
        :class:`~twilio_connector.errors.NotFoundError`; a 6th check is a 429 (60202)."""
        return (yield from self.verify._check(service_sid, code, to=to))
