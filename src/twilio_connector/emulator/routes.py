"""The route table: every URL the emulator serves, top to bottom, one section per resource.

REST routes live under :data:`~.router.API_PREFIX` (``/2010-04-01``), the control plane
under ``/_emulator``; ``auth`` is explained in :mod:`.router`. Each section wires the
handlers of one resource subpackage; a new resource adds one section here.
"""

from __future__ import annotations

from . import control
from .accounts import rest as accounts_rest
from .calls import control as calls_control
from .calls import rest as calls_rest
from .core import EmulatorCore
from .messages.control import MessagesControl
from .messages.rest import MessagesApi
from .numbers import rest as numbers_rest
from .router import API_PREFIX, Router
from .ui import pages as ui_pages
from .webhooks import signing

__all__ = ["build_router"]


def build_router(core: EmulatorCore) -> Router:
    router = Router()
    # -- accounts, subaccounts, balance, API keys ------------------------------------
    accounts_rest.install(core, router)
    # -- phone numbers ----------------------------------------------------------------
    numbers_rest.install(core, router)
    # -- messages and media -----------------------------------------------------------
    messages = MessagesApi(core)
    account = "{AccountSid:AC[0-9a-fA-F]{32}}"
    message = "{Sid:(?:SM|MM)[0-9a-fA-F]{32}}"
    parent = "{MessageSid:(?:SM|MM)[0-9a-fA-F]{32}}"
    media = "{Sid:ME[0-9a-fA-F]{32}}"
    msgs = f"{API_PREFIX}/Accounts/{account}/Messages"
    router.add("POST", f"{msgs}.json", messages.create)
    router.add("GET", f"{msgs}.json", messages.list)
    router.add("GET", f"{msgs}/{message}.json", messages.fetch)
    router.add("POST", f"{msgs}/{message}.json", messages.update)
    router.add("DELETE", f"{msgs}/{message}.json", messages.delete)
    router.add("GET", f"{msgs}/{parent}/Media.json", messages.list_media)
    router.add("GET", f"{msgs}/{parent}/Media/{media}.json", messages.fetch_media)
    router.add("DELETE", f"{msgs}/{parent}/Media/{media}.json", messages.delete_media)
    router.add("GET", f"{msgs}/{parent}/Media/{media}", messages.media_content, auth=None)
    # -- calls and recordings ---------------------------------------------------------
    calls_rest.install(core, router)
    # -- control plane: clock, reset, rules, deliveries, notifications ----------------
    control.install(core, router)
    # -- control plane: messages ------------------------------------------------------
    messages_control = MessagesControl(core)
    router.add("POST", "/_emulator/messages/inbound", messages_control.inbound, auth="main")
    # -- control plane: calls ---------------------------------------------------------
    calls_control.install(core, router)
    # -- control plane: webhook signing (SharedKey) -----------------------------------
    signing.install(core, router)
    # -- web inbox --------------------------------------------------------------------
    ui_pages.install(core, router)
    return router
