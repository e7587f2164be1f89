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
from .messages import rest as messages_rest
from .numbers import rest as numbers_rest
from .router import Router
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
    messages_rest.install(core, router)
    # -- calls and recordings ---------------------------------------------------------
    calls_rest.install(core, router)
    # -- control plane: clock, reset, rules, deliveries, notifications ----------------
    control.install(core, router)
    # -- control plane: calls ---------------------------------------------------------
    calls_control.install(core, router)
    # -- control plane: webhook signing (SharedKey) -----------------------------------
    signing.install(core, router)
    # -- web inbox --------------------------------------------------------------------
    ui_pages.install(core, router)
    return router
