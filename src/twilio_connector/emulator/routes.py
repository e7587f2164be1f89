"""The route table: every URL the emulator serves, top to bottom, one section per resource.

REST routes live under :data:`~twilio_connector._wire.API_PREFIX` (``/2010-04-01``), the
product APIs under their domain's prefix (``/messaging/v1``); all are derived from
:mod:`twilio_connector.specs`, the control plane under ``/_emulator``; ``auth``
is explained in :mod:`.router`. Each section wires the handlers of one resource subpackage;
a new resource adds one section here.
"""

from __future__ import annotations

from typing import Any

from .. import specs
from ..specs import ResourceSpec, sid_pattern
from .accounts.rest import AccountsApi
from .calls.control import CallsControl
from .calls.rest import CallsApi
from .calls.streams import StreamsApi
from .content.control import ContentControl
from .content.rest import ContentApi
from .control import ControlApi
from .core import EmulatorCore
from .keys.rest import KeysApi
from .messages.control import MessagesControl
from .messages.rest import MessagesApi
from .messaging_services.rest import MessagingServicesApi
from .notifications.control import NotificationsControl
from .numbers.control import NumbersControl
from .numbers.inventory import TYPE_NAMES
from .numbers.rest import AvailableNumbersApi, IncomingNumbersApi, ShortCodesApi
from .recordings.rest import RecordingsApi
from .router import Router
from .rules.control import RulesControl
from .ui import pages as ui_pages
from .verify.control import VerificationsControl
from .verify.rest import VerifyApi
from .webhooks.control import WebhooksControl

__all__ = ["build_router"]


def _list(spec: ResourceSpec[Any]) -> str:
    """The route template of a resource's list path (from :mod:`twilio_connector.specs`)."""
    if spec.list_path is None:
        raise ValueError(f"{spec.name} has no list path")
    return spec.route(spec.list_path)


def _one(spec: ResourceSpec[Any]) -> str:
    """The route template of a resource's instance path."""
    if spec.instance_path is None:
        raise ValueError(f"{spec.name} has no instance path")
    return spec.route(spec.instance_path)


ACCOUNT = specs.ACCOUNTS.route(specs.ACCOUNT_ROOT)
"""``/2010-04-01/Accounts/{AccountSid}``: the prefix of every account-scoped REST route."""
CONTROL = "/_emulator"
_ID = "{id:[0-9]{1,18}}"

MESSAGE_LIST, MESSAGE = _list(specs.MESSAGES), _one(specs.MESSAGES)
MEDIA_LIST, MEDIA = _list(specs.MEDIA), _one(specs.MEDIA)
MEDIA_CONTENT = MEDIA.removesuffix(".json")
"""The media file itself (no ``.json``)."""
CALL_LIST, CALL = _list(specs.CALLS), _one(specs.CALLS)
CALL_RECORDING_LIST, CALL_RECORDING = _list(specs.CALL_RECORDINGS), _one(specs.CALL_RECORDINGS)
CALL_STREAM_LIST, CALL_STREAM = _list(specs.CALL_STREAMS), _one(specs.CALL_STREAMS)
RECORDING_LIST, RECORDING = _list(specs.RECORDINGS), _one(specs.RECORDINGS)
RECORDING_AUDIO = RECORDING.removesuffix(".json")
"""The audio (no ``.json``; ``.wav`` works too)."""
CALL_SID = "{Sid:" + sid_pattern(specs.CALLS.sid_prefixes) + "}"
"""A call SID as a path segment (control-plane routes)."""


def build_router(core: EmulatorCore) -> Router:
    router = Router()
    # -- accounts, subaccounts, balance ----------------------------------------------
    accounts, account = AccountsApi(core), _one(specs.ACCOUNTS)
    router.add("GET", _list(specs.ACCOUNTS), accounts.list, auth="principal")
    router.add("POST", _list(specs.ACCOUNTS), accounts.create, auth="principal")
    router.add("GET", account, accounts.fetch, auth="account-admin")
    router.add("POST", account, accounts.update, auth="account-admin")
    router.add("DELETE", account, accounts.delete, auth="account-admin")
    router.add("GET", _one(specs.BALANCE), accounts.balance)
    # -- API keys ---------------------------------------------------------------------
    keys, key = KeysApi(core), _one(specs.KEYS)
    router.add("GET", _list(specs.KEYS), keys.list)
    router.add("POST", _list(specs.KEYS), keys.create)
    router.add("GET", key, keys.fetch)
    router.add("POST", key, keys.update)
    router.add("DELETE", key, keys.delete)
    # -- phone numbers: owned (all, or of one {Type}), and for sale --------------------
    owned, incoming = IncomingNumbersApi(core), _list(specs.INCOMING_PHONE_NUMBERS)
    number_types = "|".join(TYPE_NAMES)
    of_type = incoming.removesuffix(".json") + f"/{{Type:{number_types}}}.json"
    number = _one(specs.INCOMING_PHONE_NUMBERS)
    router.add("GET", incoming, owned.list)
    router.add("POST", incoming, owned.buy)
    router.add("GET", of_type, owned.list)
    router.add("POST", of_type, owned.buy)
    router.add("GET", number, owned.fetch)
    router.add("POST", number, owned.update)
    router.add("DELETE", number, owned.release)
    available = AvailableNumbersApi(core)
    countries = specs.AVAILABLE_PHONE_NUMBER_COUNTRIES
    router.add("GET", _list(countries), available.list_countries)
    router.add("GET", _one(countries), available.fetch_country)
    router.add("GET", _list(specs.AVAILABLE_PHONE_NUMBERS), available.search)  # {Type} checked
    # -- messages and media -----------------------------------------------------------
    messages = MessagesApi(core)
    router.add("POST", MESSAGE_LIST, messages.create)
    router.add("GET", MESSAGE_LIST, messages.list)
    router.add("GET", MESSAGE, messages.fetch)
    router.add("POST", MESSAGE, messages.update)
    router.add("DELETE", MESSAGE, messages.delete)
    router.add("GET", MEDIA_LIST, messages.list_media)
    router.add("GET", MEDIA, messages.fetch_media)
    router.add("DELETE", MEDIA, messages.delete_media)
    router.add("GET", MEDIA_CONTENT, messages.media_content, auth=None)
    # -- messaging/v1: Messaging Services and their phone-number pools ------------------
    services, service = MessagingServicesApi(core), _one(specs.MESSAGING_SERVICES)
    pool, pooled = (
        _list(specs.MESSAGING_SERVICE_PHONE_NUMBERS),
        _one(specs.MESSAGING_SERVICE_PHONE_NUMBERS),
    )
    router.add("GET", _list(specs.MESSAGING_SERVICES), services.list, auth="principal")
    router.add("POST", _list(specs.MESSAGING_SERVICES), services.create, auth="principal")
    router.add("GET", service, services.fetch, auth="principal")
    router.add("POST", service, services.update, auth="principal")
    router.add("DELETE", service, services.delete, auth="principal")
    router.add("GET", pool, services.list_numbers, auth="principal")
    router.add("POST", pool, services.add_number, auth="principal")
    router.add("GET", pooled, services.fetch_number, auth="principal")
    router.add("DELETE", pooled, services.delete_number, auth="principal")
    # -- Messaging Services: short-code and alpha-sender pools, the account's short codes
    short_codes = ShortCodesApi(core)
    router.add("GET", _list(specs.SHORT_CODES), short_codes.list)
    router.add("GET", _one(specs.SHORT_CODES), short_codes.fetch)
    router.add("POST", _one(specs.SHORT_CODES), short_codes.update)
    sc_pool, sc_pooled = (
        _list(specs.MESSAGING_SERVICE_SHORT_CODES),
        _one(specs.MESSAGING_SERVICE_SHORT_CODES),
    )
    router.add("GET", sc_pool, services.list_short_codes, auth="principal")
    router.add("POST", sc_pool, services.add_short_code, auth="principal")
    router.add("GET", sc_pooled, services.fetch_short_code, auth="principal")
    router.add("DELETE", sc_pooled, services.delete_short_code, auth="principal")
    alphas, alpha = (
        _list(specs.MESSAGING_SERVICE_ALPHA_SENDERS),
        _one(specs.MESSAGING_SERVICE_ALPHA_SENDERS),
    )
    router.add("GET", alphas, services.list_alpha_senders, auth="principal")
    router.add("POST", alphas, services.add_alpha_sender, auth="principal")
    router.add("GET", alpha, services.fetch_alpha_sender, auth="principal")
    router.add("DELETE", alpha, services.delete_alpha_sender, auth="principal")
    router.add("POST", f"{CONTROL}/short-codes", NumbersControl(core).add_short_code, auth="main")
    # -- verify/v2: Verify Services, Verifications, VerificationCheck -----------------
    verify, verify_service = VerifyApi(core), _one(specs.VERIFY_SERVICES)
    verifications, verification = _list(specs.VERIFICATIONS), _one(specs.VERIFICATIONS)
    verification_check = _list(specs.VERIFICATION_CHECKS)
    router.add("GET", _list(specs.VERIFY_SERVICES), verify.list_services, auth="principal")
    router.add("POST", _list(specs.VERIFY_SERVICES), verify.create_service, auth="principal")
    router.add("GET", verify_service, verify.fetch_service, auth="principal")
    router.add("POST", verify_service, verify.update_service, auth="principal")
    router.add("DELETE", verify_service, verify.delete_service, auth="principal")
    router.add("POST", verifications, verify.start, auth="principal")
    router.add("GET", verification, verify.fetch, auth="principal")
    router.add("POST", verification, verify.update, auth="principal")
    router.add("POST", verification_check, verify.check, auth="principal")
    router.add("GET", f"{CONTROL}/verifications", VerificationsControl(core).list, auth="main")
    # -- content/v1: templates, WhatsApp approval -------------------------------------
    content, template = ContentApi(core), _one(specs.CONTENTS)
    approvals = _one(specs.CONTENT_APPROVAL_REQUESTS)
    router.add("GET", _list(specs.CONTENTS), content.list, auth="principal")
    router.add("POST", _list(specs.CONTENTS), content.create, auth="principal")
    router.add("GET", template, content.fetch, auth="principal")
    router.add("PUT", template, content.update, auth="principal")
    router.add("DELETE", template, content.delete, auth="principal")
    router.add("GET", approvals, content.fetch_approval, auth="principal")
    whatsapp_approval = _one(specs.CONTENT_WHATSAPP_APPROVAL)
    router.add("POST", whatsapp_approval, content.request_approval, auth="principal")
    with_approvals = _list(specs.CONTENT_AND_APPROVALS)
    router.add("GET", with_approvals, content.list_with_approvals, auth="principal")
    router.add("GET", _list(specs.LEGACY_CONTENTS), content.list_legacy, auth="principal")
    # -- calls ------------------------------------------------------------------------
    calls = CallsApi(core)
    router.add("POST", CALL_LIST, calls.create)
    router.add("GET", CALL_LIST, calls.list)
    router.add("GET", CALL, calls.fetch)
    router.add("POST", CALL, calls.update)
    router.add("DELETE", CALL, calls.delete)
    streams = StreamsApi(core)
    router.add("POST", CALL_STREAM_LIST, streams.create)
    router.add("POST", CALL_STREAM, streams.update)
    # -- recordings (of a call, of the account, their audio) --------------------------
    recordings = RecordingsApi(core)
    router.add("GET", CALL_RECORDING_LIST, recordings.list_for_call)
    router.add("GET", CALL_RECORDING, recordings.fetch_for_call)
    router.add("DELETE", CALL_RECORDING, recordings.delete_for_call)
    router.add("GET", RECORDING_LIST, recordings.list)
    router.add("GET", RECORDING, recordings.fetch)
    router.add("DELETE", RECORDING, recordings.delete)
    router.add("GET", RECORDING_AUDIO, recordings.audio, auth=None)
    router.add("GET", f"{RECORDING_AUDIO}.wav", recordings.audio, auth=None)
    # -- control plane: info, clock, settle, reset ------------------------------------
    control = ControlApi(core, router)
    router.add("GET", CONTROL, control.info, auth="main")
    router.add("POST", f"{CONTROL}/settle", control.settle, auth="main")
    router.add("POST", f"{CONTROL}/advance", control.advance, auth="main")
    router.add("POST", f"{CONTROL}/reset", control.reset, auth="main")
    # -- control plane: messages ------------------------------------------------------
    messages_control = MessagesControl(core)
    router.add("POST", f"{CONTROL}/messages/inbound", messages_control.inbound, auth="main")
    # -- control plane: rules ---------------------------------------------------------
    rules = RulesControl(core)
    router.add("GET", f"{CONTROL}/rules", rules.list, auth="main")
    router.add("POST", f"{CONTROL}/rules", rules.add, auth="main")
    router.add("DELETE", f"{CONTROL}/rules", rules.clear, auth="main")
    router.add("DELETE", f"{CONTROL}/rules/{_ID}", rules.delete, auth="main")
    # -- control plane: numbers (WhatsApp senders) ------------------------------------
    numbers_control = NumbersControl(core)
    e164 = "{number:\\+[0-9]{7,15}}"
    router.add("POST", f"{CONTROL}/numbers/{e164}", numbers_control.configure, auth="main")
    # -- control plane: debugger notifications ----------------------------------------
    notifications = NotificationsControl(core)
    router.add("GET", f"{CONTROL}/notifications", notifications.list, auth="main")
    # -- control plane: webhooks (delivery log, SharedKey signing) ---------------------
    hooks, signing = WebhooksControl(core), f"{CONTROL}/webhook-signing"
    router.add("GET", f"{CONTROL}/deliveries", hooks.list_deliveries, auth="main")
    router.add("GET", signing, hooks.list_signing_rules, auth="main")
    router.add("POST", signing, hooks.add_signing_rule, auth="main")
    router.add("DELETE", signing, hooks.clear_signing_rules, auth="main")
    router.add("DELETE", f"{signing}/{_ID}", hooks.delete_signing_rule, auth="main")
    # -- control plane: calls ---------------------------------------------------------
    call_control = CallsControl(core)
    a_call = f"{CONTROL}/calls/{CALL_SID}"
    router.add("POST", f"{CONTROL}/calls/inbound", call_control.inbound, auth="main")
    router.add("POST", f"{a_call}/digits", call_control.digits, auth="main")
    router.add("POST", f"{a_call}/speech", call_control.speech, auth="main")
    router.add("POST", f"{a_call}/script", call_control.script, auth="main")
    router.add("GET", f"{a_call}/transcript", call_control.transcript, auth="main")
    router.add("GET", f"{a_call}/callbacks", call_control.callbacks, auth="main")
    # -- control plane: content templates (WhatsApp approval) -------------------------
    content_sid = "{Sid:" + sid_pattern(specs.CONTENTS.sid_prefixes) + "}"
    router.add(
        "POST", f"{CONTROL}/content/{content_sid}/approval",
        ContentControl(core).set_approval, auth="main",
    )  # fmt: skip
    # -- web inbox --------------------------------------------------------------------
    ui_pages.install(core, router)
    return router
