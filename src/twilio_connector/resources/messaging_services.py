"""``client.messaging_services``: Messaging Services (``MG...``) and their sender pools.

They live on the ``messaging`` domain: ``https://messaging.twilio.com/v1/Services`` on
Twilio, ``{base_url}/messaging/v1/Services`` on the emulator (:mod:`.._wire.domains`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import ExtraParams, form_with_extra
from ..enums import HttpMethodValue
from ..models import (
    MessagingService,
    MessagingServiceAlphaSender,
    MessagingServicePhoneNumber,
    MessagingServiceShortCode,
    TwilioModel,
)
from ..specs import (
    MESSAGING_SERVICE_ALPHA_SENDERS,
    MESSAGING_SERVICE_PHONE_NUMBERS,
    MESSAGING_SERVICE_SHORT_CODES,
    MESSAGING_SERVICES,
    ResourceSpec,
)

__all__ = ["MessagingServices", "ServiceAlphaSenders", "ServicePhoneNumbers", "ServiceShortCodes"]

M = TypeVar("M", bound=TwilioModel)

if TYPE_CHECKING:  # BaseClient imports this module
    from ..shared_client import BaseClient


def _settings(
    extra_params: ExtraParams | None,
    *,
    friendly_name: str | None,
    inbound_request_url: str | None,
    inbound_method: HttpMethodValue | None,
    fallback_url: str | None,
    fallback_method: HttpMethodValue | None,
    status_callback: str | None,
    sticky_sender: bool | None,
    mms_converter: bool | None,
    smart_encoding: bool | None,
    scan_message_content: str | None,
    fallback_to_long_code: bool | None,
    area_code_geomatch: bool | None,
    validity_period: int | None,
    synchronous_validation: bool | None,
    usecase: str | None,
    use_inbound_webhook_on_number: bool | None,
) -> list[tuple[str, str]]:
    return form_with_extra(
        extra_params,
        FriendlyName=friendly_name,
        InboundRequestUrl=inbound_request_url,
        InboundMethod=inbound_method,
        FallbackUrl=fallback_url,
        FallbackMethod=fallback_method,
        StatusCallback=status_callback,
        StickySender=sticky_sender,
        MmsConverter=mms_converter,
        SmartEncoding=smart_encoding,
        ScanMessageContent=scan_message_content,
        FallbackToLongCode=fallback_to_long_code,
        AreaCodeGeomatch=area_code_geomatch,
        ValidityPeriod=validity_period,
        SynchronousValidation=synchronous_validation,
        Usecase=usecase,
        UseInboundWebhookOnNumber=use_inbound_webhook_on_number,
    )


class MessagingServices(Resource[Mode]):
    """Messaging Services: ``messaging/v1/Services``. ``phone_numbers(sid)`` is a pool."""

    @operation
    def create(
        self,
        friendly_name: str,
        *,
        inbound_request_url: str | None = None,
        inbound_method: HttpMethodValue | None = None,
        fallback_url: str | None = None,
        fallback_method: HttpMethodValue | None = None,
        status_callback: str | None = None,
        sticky_sender: bool | None = None,
        mms_converter: bool | None = None,
        smart_encoding: bool | None = None,
        scan_message_content: str | None = None,
        fallback_to_long_code: bool | None = None,
        area_code_geomatch: bool | None = None,
        validity_period: int | None = None,
        synchronous_validation: bool | None = None,
        usecase: str | None = None,
        use_inbound_webhook_on_number: bool | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[MessagingService]:
        """Create a service (``friendly_name`` up to 64 characters)."""
        data = _settings(
            extra_params, friendly_name=friendly_name, inbound_request_url=inbound_request_url,
            inbound_method=inbound_method, fallback_url=fallback_url,
            fallback_method=fallback_method, status_callback=status_callback,
            sticky_sender=sticky_sender, mms_converter=mms_converter,
            smart_encoding=smart_encoding, scan_message_content=scan_message_content,
            fallback_to_long_code=fallback_to_long_code, area_code_geomatch=area_code_geomatch,
            validity_period=validity_period, synchronous_validation=synchronous_validation,
            usecase=usecase, use_inbound_webhook_on_number=use_inbound_webhook_on_number,
        )  # fmt: skip
        path = self._core.list_path(MESSAGING_SERVICES)
        return (yield from self._core.call("POST", path, MESSAGING_SERVICES.model, data=data))

    @operation
    def fetch(self, sid: str) -> Op[MessagingService]:
        path = self._core.instance_path(MESSAGING_SERVICES, Sid=sid)
        return (yield from self._core.call("GET", path, MESSAGING_SERVICES.model))

    def _iter(
        self, *, limit: int | None = None, page_size: int | None = None
    ) -> PageFlow[MessagingService]:
        """The account's services, oldest first (``list`` collects, ``iter`` is lazy)."""
        return self._core.list_pages(MESSAGING_SERVICES, limit=limit, page_size=page_size)

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def update(
        self,
        sid: str,
        *,
        friendly_name: str | None = None,
        inbound_request_url: str | None = None,
        inbound_method: HttpMethodValue | None = None,
        fallback_url: str | None = None,
        fallback_method: HttpMethodValue | None = None,
        status_callback: str | None = None,
        sticky_sender: bool | None = None,
        mms_converter: bool | None = None,
        smart_encoding: bool | None = None,
        scan_message_content: str | None = None,
        fallback_to_long_code: bool | None = None,
        area_code_geomatch: bool | None = None,
        validity_period: int | None = None,
        synchronous_validation: bool | None = None,
        usecase: str | None = None,
        use_inbound_webhook_on_number: bool | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[MessagingService]:
        """Change the settings given (``None``: unchanged; ``""`` clears a URL)."""
        data = _settings(
            extra_params, friendly_name=friendly_name, inbound_request_url=inbound_request_url,
            inbound_method=inbound_method, fallback_url=fallback_url,
            fallback_method=fallback_method, status_callback=status_callback,
            sticky_sender=sticky_sender, mms_converter=mms_converter,
            smart_encoding=smart_encoding, scan_message_content=scan_message_content,
            fallback_to_long_code=fallback_to_long_code, area_code_geomatch=area_code_geomatch,
            validity_period=validity_period, synchronous_validation=synchronous_validation,
            usecase=usecase, use_inbound_webhook_on_number=use_inbound_webhook_on_number,
        )  # fmt: skip
        path = self._core.instance_path(MESSAGING_SERVICES, Sid=sid)
        return (yield from self._core.call("POST", path, MESSAGING_SERVICES.model, data=data))

    @operation
    def delete(self, sid: str) -> Op[None]:
        path = self._core.instance_path(MESSAGING_SERVICES, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))

    def phone_numbers(self, service_sid: str) -> ServicePhoneNumbers[Mode]:
        """The sender pool's phone numbers of service ``service_sid``."""
        return ServicePhoneNumbers(self._client, service_sid)

    def short_codes(self, service_sid: str) -> ServiceShortCodes[Mode]:
        """The sender pool's short codes of service ``service_sid``."""
        return ServiceShortCodes(self._client, service_sid)

    def alpha_senders(self, service_sid: str) -> ServiceAlphaSenders[Mode]:
        """The Alphanumeric Sender ID of service ``service_sid`` (one at most)."""
        return ServiceAlphaSenders(self._client, service_sid)


class _ServicePool(Resource[Mode], Generic[Mode, M]):
    """One kind of sender in a service's pool (``messaging/v1/Services/{MG}/<Kind>``): fetch,
    list and delete are the same for every kind; each subclass adds its own ``add``."""

    _spec: ResourceSpec[M]

    def __init__(self, client: BaseClient[Mode], service_sid: str) -> None:
        super().__init__(client)
        self.service_sid = service_sid

    def _ids(self, **more: Any) -> dict[str, str]:
        return {"ServiceSid": self.service_sid, **more}

    def _add(self, data: list[tuple[str, str]]) -> Op[M]:
        path = self._core.list_path(self._spec, **self._ids())
        return (yield from self._core.call("POST", path, self._spec.model, data=data))

    @operation
    def fetch(self, sid: str) -> Op[M]:
        path = self._core.instance_path(self._spec, **self._ids(Sid=sid))
        return (yield from self._core.call("GET", path, self._spec.model))

    def _iter(self, *, limit: int | None = None, page_size: int | None = None) -> PageFlow[M]:
        """The pool's entries of this kind, in the order they were added."""
        return self._core.list_pages(
            self._spec, limit=limit, page_size=page_size, ServiceSid=self.service_sid
        )

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def delete(self, sid: str) -> Op[None]:
        """Take the entry out of the pool (a number or short code stays on the account)."""
        path = self._core.instance_path(self._spec, **self._ids(Sid=sid))
        return (yield from self._core.call_no_content("DELETE", path))


class ServicePhoneNumbers(_ServicePool[Mode, MessagingServicePhoneNumber]):
    """A service's phone numbers: ``messaging/v1/Services/{MG}/PhoneNumbers``."""

    _spec = MESSAGING_SERVICE_PHONE_NUMBERS

    @operation
    def add(self, phone_number_sid: str) -> Op[MessagingServicePhoneNumber]:
        """Add an owned number (``PN...``, an IncomingPhoneNumber SID) to the pool."""
        return (yield from self._add(form_with_extra(None, PhoneNumberSid=phone_number_sid)))


class ServiceShortCodes(_ServicePool[Mode, MessagingServiceShortCode]):
    """A service's short codes: ``messaging/v1/Services/{MG}/ShortCodes``."""

    _spec = MESSAGING_SERVICE_SHORT_CODES

    @operation
    def add(self, short_code_sid: str) -> Op[MessagingServiceShortCode]:
        """Add a short code of the account (``SC...``) to the pool."""
        return (yield from self._add(form_with_extra(None, ShortCodeSid=short_code_sid)))


class ServiceAlphaSenders(_ServicePool[Mode, MessagingServiceAlphaSender]):
    """A service's alpha sender: ``messaging/v1/Services/{MG}/AlphaSenders`` (one per
    service: delete it before adding another)."""

    _spec = MESSAGING_SERVICE_ALPHA_SENDERS

    @operation
    def add(self, alpha_sender: str) -> Op[MessagingServiceAlphaSender]:
        """Add the Alphanumeric Sender ID (up to 11 of ``A-Z a-z 0-9 space - + _ &``, not
        only digits)."""
        return (yield from self._add(form_with_extra(None, AlphaSender=alpha_sender)))
