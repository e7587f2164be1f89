"""``client.incoming_phone_numbers`` (owned) and ``client.available_phone_numbers`` (search)."""

from __future__ import annotations

import builtins
from typing import Any

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import ExtraParams, form, form_with_extra
from ..models import AvailablePhoneNumber, IncomingPhoneNumber
from ..specs import AVAILABLE_PHONE_NUMBERS, INCOMING_PHONE_NUMBERS

__all__ = ["AvailablePhoneNumbers", "IncomingPhoneNumbers"]


def _number_config(
    *,
    friendly_name: str | None,
    sms_url: str | None,
    sms_method: str | None,
    sms_fallback_url: str | None,
    sms_fallback_method: str | None,
    voice_url: str | None,
    voice_method: str | None,
    voice_fallback_url: str | None,
    voice_fallback_method: str | None,
    status_callback: str | None,
    status_callback_method: str | None,
    extra_params: ExtraParams | None,
    **wire: Any,
) -> builtins.list[tuple[str, str]]:
    return form_with_extra(
        extra_params,
        **wire,
        FriendlyName=friendly_name,
        SmsUrl=sms_url,
        SmsMethod=sms_method,
        SmsFallbackUrl=sms_fallback_url,
        SmsFallbackMethod=sms_fallback_method,
        VoiceUrl=voice_url,
        VoiceMethod=voice_method,
        VoiceFallbackUrl=voice_fallback_url,
        VoiceFallbackMethod=voice_fallback_method,
        StatusCallback=status_callback,
        StatusCallbackMethod=status_callback_method,
    )


class IncomingPhoneNumbers(Resource[Mode]):
    """Numbers the account owns: ``/Accounts/{sid}/IncomingPhoneNumbers``."""

    def _iter(
        self,
        *,
        phone_number: str | None = None,
        friendly_name: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
    ) -> PageFlow[IncomingPhoneNumber]:
        """Lazily iterate owned numbers (``phone_number`` filters, partial match allowed)."""
        query = form(PhoneNumber=phone_number, FriendlyName=friendly_name)
        return self._core.list_pages(
            INCOMING_PHONE_NUMBERS, query, limit=limit, page_size=page_size
        )

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def fetch(self, sid: str) -> Op[IncomingPhoneNumber]:
        path = self._core.instance_path(INCOMING_PHONE_NUMBERS, Sid=sid)
        return (yield from self._core.call("GET", path, INCOMING_PHONE_NUMBERS.model))

    @operation
    def purchase(
        self,
        /,
        *,
        phone_number: str | None = None,
        area_code: str | None = None,
        friendly_name: str | None = None,
        sms_url: str | None = None,
        sms_method: str | None = None,
        sms_fallback_url: str | None = None,
        sms_fallback_method: str | None = None,
        voice_url: str | None = None,
        voice_method: str | None = None,
        voice_fallback_url: str | None = None,
        voice_fallback_method: str | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[IncomingPhoneNumber]:
        """Buy ``phone_number`` (or any number in ``area_code``) and configure its webhooks.

        ``extra_params``: parameters Twilio added after this client was written, by their
        wire names, values sent as given; a name that is one of the typed parameters
        raises ``ValueError``.
        """
        if phone_number is None and area_code is None:
            raise ValueError("purchase needs phone_number or area_code")
        data = _number_config(
            PhoneNumber=phone_number,
            AreaCode=area_code,
            friendly_name=friendly_name,
            sms_url=sms_url,
            sms_method=sms_method,
            sms_fallback_url=sms_fallback_url,
            sms_fallback_method=sms_fallback_method,
            voice_url=voice_url,
            voice_method=voice_method,
            voice_fallback_url=voice_fallback_url,
            voice_fallback_method=voice_fallback_method,
            status_callback=status_callback,
            status_callback_method=status_callback_method,
            extra_params=extra_params,
        )
        path = self._core.list_path(INCOMING_PHONE_NUMBERS)
        return (yield from self._core.call("POST", path, INCOMING_PHONE_NUMBERS.model, data=data))

    @operation
    def update(
        self,
        /,
        sid: str,
        *,
        friendly_name: str | None = None,
        sms_url: str | None = None,
        sms_method: str | None = None,
        sms_fallback_url: str | None = None,
        sms_fallback_method: str | None = None,
        voice_url: str | None = None,
        voice_method: str | None = None,
        voice_fallback_url: str | None = None,
        voice_fallback_method: str | None = None,
        status_callback: str | None = None,
        status_callback_method: str | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[IncomingPhoneNumber]:
        """Point a number's SMS/voice webhooks somewhere (``""`` clears a URL).

        ``extra_params``: parameters Twilio added after this client was written, by their
        wire names, values sent as given; a name that is one of the typed parameters
        raises ``ValueError``.
        """
        data = _number_config(
            friendly_name=friendly_name,
            sms_url=sms_url,
            sms_method=sms_method,
            sms_fallback_url=sms_fallback_url,
            sms_fallback_method=sms_fallback_method,
            voice_url=voice_url,
            voice_method=voice_method,
            voice_fallback_url=voice_fallback_url,
            voice_fallback_method=voice_fallback_method,
            status_callback=status_callback,
            status_callback_method=status_callback_method,
            extra_params=extra_params,
        )
        path = self._core.instance_path(INCOMING_PHONE_NUMBERS, Sid=sid)
        return (yield from self._core.call("POST", path, INCOMING_PHONE_NUMBERS.model, data=data))

    @operation
    def release(self, sid: str) -> Op[None]:
        """Release (delete) an owned number."""
        path = self._core.instance_path(INCOMING_PHONE_NUMBERS, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))


class AvailablePhoneNumbers(Resource[Mode]):
    """Numbers for sale: ``/Accounts/{sid}/AvailablePhoneNumbers/{Country}/{Type}``."""

    def _search(
        self,
        country: str,
        kind: str,
        limit: int | None,
        filters: dict[str, Any],
        extra_params: ExtraParams | None,
    ) -> Op[builtins.list[AvailablePhoneNumber]]:
        query = form_with_extra(extra_params, **filters)
        pages = self._core.list_pages(
            AVAILABLE_PHONE_NUMBERS,
            query,
            limit=limit or 50,
            CountryCode=country.upper(),
            Type=kind,
        )
        return (yield from self._core.collect(pages))

    @operation
    def local(
        self,
        /,
        country: str = "US",
        *,
        area_code: int | str | None = None,
        contains: str | None = None,
        sms_enabled: bool | None = None,
        mms_enabled: bool | None = None,
        voice_enabled: bool | None = None,
        in_region: str | None = None,
        in_postal_code: str | None = None,
        in_locality: str | None = None,
        limit: int | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[builtins.list[AvailablePhoneNumber]]:
        """Search local numbers (``contains`` accepts ``*`` wildcards and letters).

        ``extra_params``: other filters by their wire names (``{"NearNumber": "+1..."}``),
        sent as given; a name that is one of the typed filters raises ``ValueError``.
        """
        filters = dict(
            AreaCode=area_code,
            Contains=contains,
            SmsEnabled=sms_enabled,
            MmsEnabled=mms_enabled,
            VoiceEnabled=voice_enabled,
            InRegion=in_region,
            InPostalCode=in_postal_code,
            InLocality=in_locality,
        )
        return (yield from self._search(country, "Local", limit, filters, extra_params))

    @operation
    def mobile(
        self,
        /,
        country: str = "US",
        *,
        area_code: int | str | None = None,
        contains: str | None = None,
        sms_enabled: bool | None = None,
        voice_enabled: bool | None = None,
        limit: int | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[builtins.list[AvailablePhoneNumber]]:
        """Search mobile numbers.

        ``extra_params``: other filters by their wire names (``{"NearNumber": "+1..."}``),
        sent as given; a name that is one of the typed filters raises ``ValueError``.
        """
        filters = dict(
            AreaCode=area_code,
            Contains=contains,
            SmsEnabled=sms_enabled,
            VoiceEnabled=voice_enabled,
        )
        return (yield from self._search(country, "Mobile", limit, filters, extra_params))

    @operation
    def toll_free(
        self,
        /,
        country: str = "US",
        *,
        area_code: int | str | None = None,
        contains: str | None = None,
        sms_enabled: bool | None = None,
        voice_enabled: bool | None = None,
        limit: int | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[builtins.list[AvailablePhoneNumber]]:
        """Search toll-free numbers.

        ``extra_params``: other filters by their wire names (``{"NearNumber": "+1..."}``),
        sent as given; a name that is one of the typed filters raises ``ValueError``.
        """
        filters = dict(
            AreaCode=area_code,
            Contains=contains,
            SmsEnabled=sms_enabled,
            VoiceEnabled=voice_enabled,
        )
        return (yield from self._search(country, "TollFree", limit, filters, extra_params))
