"""``client.verify``: Verify v2 -- Verify Services (``VA...``), Verifications (``VE...``) and
VerificationCheck.

They live on the ``verify`` domain: ``https://verify.twilio.com/v2/Services`` on Twilio,
``{base_url}/verify/v2/Services`` on the emulator (:mod:`.._wire.domains`). The everyday
job has short forms on the client: ``client.start_verification(service_sid, to)`` and
``client.check_verification(service_sid, to, code).approved``.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import ExtraParams, form_with_extra
from ..models import Verification, VerificationCheck, VerifyService
from ..specs import VERIFICATION_CHECKS, VERIFICATIONS, VERIFY_SERVICES

__all__ = [
    "SERVICE_PARAMS",
    "VerificationChannelName",
    "VerificationChecks",
    "Verifications",
    "Verify",
    "VerifyServices",
]

if TYPE_CHECKING:  # BaseClient imports this module
    from ..shared_client import BaseClient

VerificationChannelName = Literal["sms", "whatsapp", "call", "email", "sna", "auto"]
"""What ``channel`` a start may name (``auto``: Twilio picks; the answer names the one used)."""

SERVICE_PARAMS: dict[str, str] = {
    "code_length": "CodeLength",
    "lookup_enabled": "LookupEnabled",
    "skip_sms_to_landlines": "SkipSmsToLandlines",
    "dtmf_input_required": "DtmfInputRequired",
    "tts_name": "TtsName",
    "psd2_enabled": "Psd2Enabled",
    "do_not_share_warning_enabled": "DoNotShareWarningEnabled",
    "custom_code_enabled": "CustomCodeEnabled",
    "push_include_date": "Push.IncludeDate",
    "push_apn_credential_sid": "Push.ApnCredentialSid",
    "push_fcm_credential_sid": "Push.FcmCredentialSid",
    "totp_issuer": "Totp.Issuer",
    "totp_time_step": "Totp.TimeStep",
    "totp_code_length": "Totp.CodeLength",
    "totp_skew": "Totp.Skew",
    "default_template_sid": "DefaultTemplateSid",
    "whatsapp_msg_service_sid": "Whatsapp.MsgServiceSid",
    "whatsapp_from": "Whatsapp.From",
    "passkeys_relying_party_id": "Passkeys.RelyingParty.Id",
    "passkeys_relying_party_name": "Passkeys.RelyingParty.Name",
    "passkeys_relying_party_origins": "Passkeys.RelyingParty.Origins",
    "passkeys_authenticator_attachment": "Passkeys.AuthenticatorAttachment",
    "passkeys_discoverable_credentials": "Passkeys.DiscoverableCredentials",
    "passkeys_user_verification": "Passkeys.UserVerification",
    "verify_event_subscription_enabled": "VerifyEventSubscriptionEnabled",
}
"""A service setting's keyword -> its wire name (nested objects dotted, as the SDK's)."""


def _service_form(
    extra_params: ExtraParams | None, friendly_name: str | None, settings: dict[str, Any]
) -> list[tuple[str, str]]:
    """The form of a service create/update: ``settings`` are the method's keywords (every
    one of :data:`SERVICE_PARAMS`; ``None`` ones are left out)."""
    wire = {SERVICE_PARAMS[name]: value for name, value in settings.items()}
    return form_with_extra(extra_params, FriendlyName=friendly_name, **wire)


def _settings_of(values: dict[str, Any]) -> dict[str, Any]:
    """The service settings among a method's ``locals()``."""
    return {name: values[name] for name in SERVICE_PARAMS}


class VerifyServices(Resource[Mode]):
    """Verify Services: ``verify/v2/Services``."""

    @operation
    def create(
        self,
        friendly_name: str,
        *,
        code_length: int | None = None,
        lookup_enabled: bool | None = None,
        skip_sms_to_landlines: bool | None = None,
        dtmf_input_required: bool | None = None,
        tts_name: str | None = None,
        psd2_enabled: bool | None = None,
        do_not_share_warning_enabled: bool | None = None,
        custom_code_enabled: bool | None = None,
        push_include_date: bool | None = None,
        push_apn_credential_sid: str | None = None,
        push_fcm_credential_sid: str | None = None,
        totp_issuer: str | None = None,
        totp_time_step: int | None = None,
        totp_code_length: int | None = None,
        totp_skew: int | None = None,
        default_template_sid: str | None = None,
        whatsapp_msg_service_sid: str | None = None,
        whatsapp_from: str | None = None,
        passkeys_relying_party_id: str | None = None,
        passkeys_relying_party_name: str | None = None,
        passkeys_relying_party_origins: str | None = None,
        passkeys_authenticator_attachment: str | None = None,
        passkeys_discoverable_credentials: str | None = None,
        passkeys_user_verification: str | None = None,
        verify_event_subscription_enabled: bool | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[VerifyService]:
        """Create a service. ``friendly_name`` is shown in the code's SMS: up to 32
        characters, letters, digits, spaces, ``-`` and ``_``; ``code_length`` 4-10 (6)."""
        data = _service_form(extra_params, friendly_name, _settings_of(locals()))
        path = self._core.list_path(VERIFY_SERVICES)
        return (yield from self._core.call("POST", path, VERIFY_SERVICES.model, data=data))

    @operation
    def fetch(self, sid: str) -> Op[VerifyService]:
        path = self._core.instance_path(VERIFY_SERVICES, Sid=sid)
        return (yield from self._core.call("GET", path, VERIFY_SERVICES.model))

    def _iter(
        self, *, limit: int | None = None, page_size: int | None = None
    ) -> PageFlow[VerifyService]:
        """The account's services, oldest first (``list`` collects, ``iter`` is lazy)."""
        return self._core.list_pages(VERIFY_SERVICES, limit=limit, page_size=page_size)

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def update(
        self,
        sid: str,
        *,
        friendly_name: str | None = None,
        code_length: int | None = None,
        lookup_enabled: bool | None = None,
        skip_sms_to_landlines: bool | None = None,
        dtmf_input_required: bool | None = None,
        tts_name: str | None = None,
        psd2_enabled: bool | None = None,
        do_not_share_warning_enabled: bool | None = None,
        custom_code_enabled: bool | None = None,
        push_include_date: bool | None = None,
        push_apn_credential_sid: str | None = None,
        push_fcm_credential_sid: str | None = None,
        totp_issuer: str | None = None,
        totp_time_step: int | None = None,
        totp_code_length: int | None = None,
        totp_skew: int | None = None,
        default_template_sid: str | None = None,
        whatsapp_msg_service_sid: str | None = None,
        whatsapp_from: str | None = None,
        passkeys_relying_party_id: str | None = None,
        passkeys_relying_party_name: str | None = None,
        passkeys_relying_party_origins: str | None = None,
        passkeys_authenticator_attachment: str | None = None,
        passkeys_discoverable_credentials: str | None = None,
        passkeys_user_verification: str | None = None,
        verify_event_subscription_enabled: bool | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[VerifyService]:
        """Change the settings given (``None``: unchanged)."""
        data = _service_form(extra_params, friendly_name, _settings_of(locals()))
        path = self._core.instance_path(VERIFY_SERVICES, Sid=sid)
        return (yield from self._core.call("POST", path, VERIFY_SERVICES.model, data=data))

    @operation
    def delete(self, sid: str) -> Op[None]:
        """Delete the service (and its verifications)."""
        path = self._core.instance_path(VERIFY_SERVICES, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))


class Verifications(Resource[Mode]):
    """A service's Verifications: ``verify/v2/Services/{VA}/Verifications``."""

    def __init__(self, client: BaseClient[Mode], service_sid: str) -> None:
        super().__init__(client)
        self.service_sid = service_sid

    def _create(
        self,
        to: str,
        channel: VerificationChannelName | str = "sms",
        *,
        custom_friendly_name: str | None = None,
        custom_code: str | None = None,
        locale: str | None = None,
        amount: str | None = None,
        payee: str | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[Verification]:
        """Send a code to ``to`` (E.164) on ``channel``. Again for the same ``to`` while it is
        pending re-sends the same code (up to 5 sends: then 429, code 60203)."""
        data = form_with_extra(
            extra_params, To=to, Channel=channel, CustomFriendlyName=custom_friendly_name,
            CustomCode=custom_code, Locale=locale, Amount=amount, Payee=payee,
        )  # fmt: skip
        path = self._core.list_path(VERIFICATIONS, ServiceSid=self.service_sid)
        return (yield from self._core.call("POST", path, VERIFICATIONS.model, data=data))

    create = operation(_create)

    @operation
    def fetch(self, sid: str) -> Op[Verification]:
        """A pending verification (approved, canceled or expired ones are 404)."""
        path = self._core.instance_path(VERIFICATIONS, ServiceSid=self.service_sid, Sid=sid)
        return (yield from self._core.call("GET", path, VERIFICATIONS.model))

    def _update(self, sid: str, status: Literal["canceled", "approved"]) -> Op[Verification]:
        path = self._core.instance_path(VERIFICATIONS, ServiceSid=self.service_sid, Sid=sid)
        data = form_with_extra(None, Status=status)
        return (yield from self._core.call("POST", path, VERIFICATIONS.model, data=data))

    update = operation(_update)

    @operation
    def cancel(self, sid: str) -> Op[Verification]:
        """``update(sid, "canceled")``: the code stops working."""
        return (yield from self._update(sid, "canceled"))

    @operation
    def approve(self, sid: str) -> Op[Verification]:
        """``update(sid, "approved")``: for flows that check a custom code themselves."""
        return (yield from self._update(sid, "approved"))


class VerificationChecks(Resource[Mode]):
    """``verify/v2/Services/{VA}/VerificationCheck`` (see :meth:`Verify.check`)."""

    def _create(
        self,
        service_sid: str,
        code: str,
        *,
        to: str | None = None,
        verification_sid: str | None = None,
        amount: str | None = None,
        payee: str | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[VerificationCheck]:
        if (to is None) == (verification_sid is None):
            raise ValueError("give to= or verification_sid= (one of them)")
        data = form_with_extra(
            extra_params, Code=code, To=to, VerificationSid=verification_sid, Amount=amount,
            Payee=payee,
        )  # fmt: skip
        path = self._core.list_path(VERIFICATION_CHECKS, ServiceSid=service_sid)
        return (yield from self._core.call("POST", path, VERIFICATION_CHECKS.model, data=data))

    create = operation(_create)


class Verify(Resource[Mode]):
    """Verify v2: ``services`` (CRUD), ``verifications(service_sid)`` and ``check``."""

    @cached_property
    def services(self) -> VerifyServices[Mode]:
        return VerifyServices(self._client)

    def verifications(self, service_sid: str) -> Verifications[Mode]:
        """The Verifications of service ``service_sid``."""
        return Verifications(self._client, service_sid)

    def _check(
        self,
        service_sid: str,
        code: str,
        *,
        to: str | None = None,
        verification_sid: str | None = None,
        amount: str | None = None,
        payee: str | None = None,
        extra_params: ExtraParams | None = None,
    ) -> Op[VerificationCheck]:
        """Check ``code`` for the pending verification of ``to`` (or ``verification_sid``).
        ``.approved`` tells whether it was right; a wrong code is not an error (status
        ``pending``). 404 (:class:`NotFoundError`) when nothing is pending; 429 (code 60202)
        after 5 checks."""
        checks: VerificationChecks[Mode] = VerificationChecks(self._client)
        return (
            yield from checks._create(
                service_sid, code, to=to, verification_sid=verification_sid, amount=amount,
                payee=payee, extra_params=extra_params,
            )
        )  # fmt: skip

    check = operation(_check)
