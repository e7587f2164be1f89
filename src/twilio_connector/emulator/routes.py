"""The route table: every URL the emulator serves, top to bottom, one section per resource.

REST routes live under :data:`~.router.API_PREFIX` (``/2010-04-01``), the control plane
under ``/_emulator``; ``auth`` is explained in :mod:`.router`. Each section wires the
handlers of one resource subpackage; a new resource adds one section here.
"""

from __future__ import annotations

from . import control
from .accounts import rest as accounts_rest
from .calls.control import CallsControl
from .calls.rest import CallsApi
from .core import EmulatorCore
from .messages.control import MessagesControl
from .messages.rest import MessagesApi
from .numbers import rest as numbers_rest
from .recordings.rest import RecordingsApi
from .router import API_PREFIX, Router
from .ui import pages as ui_pages
from .webhooks import signing

__all__ = ["build_router"]

ACCOUNT = API_PREFIX + "/Accounts/{AccountSid:AC[0-9a-fA-F]{32}}"
"""``/2010-04-01/Accounts/{AccountSid}``: the prefix of every account-scoped REST route."""
CALL_SID = "{Sid:CA[0-9a-fA-F]{32}}"
RECORDING_SID = "{Sid:RE[0-9a-fA-F]{32}}"


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
    # -- calls ------------------------------------------------------------------------
    calls = CallsApi(core)
    router.add("POST", f"{ACCOUNT}/Calls.json", calls.create)
    router.add("GET", f"{ACCOUNT}/Calls.json", calls.list)
    router.add("GET", f"{ACCOUNT}/Calls/{CALL_SID}.json", calls.fetch)
    router.add("POST", f"{ACCOUNT}/Calls/{CALL_SID}.json", calls.update)
    router.add("DELETE", f"{ACCOUNT}/Calls/{CALL_SID}.json", calls.delete)
    # -- recordings (of a call, of the account, their audio) --------------------------
    recordings = RecordingsApi(core)
    of_call = ACCOUNT + "/Calls/{CallSid:CA[0-9a-fA-F]{32}}/Recordings"
    router.add("GET", f"{of_call}.json", recordings.list_for_call)
    router.add("GET", f"{of_call}/{RECORDING_SID}.json", recordings.fetch_for_call)
    router.add("DELETE", f"{of_call}/{RECORDING_SID}.json", recordings.delete_for_call)
    router.add("GET", f"{ACCOUNT}/Recordings.json", recordings.list)
    router.add("GET", f"{ACCOUNT}/Recordings/{RECORDING_SID}.json", recordings.fetch)
    router.add("DELETE", f"{ACCOUNT}/Recordings/{RECORDING_SID}.json", recordings.delete)
    router.add("GET", f"{ACCOUNT}/Recordings/{RECORDING_SID}", recordings.audio, auth=None)
    router.add("GET", f"{ACCOUNT}/Recordings/{RECORDING_SID}.wav", recordings.audio, auth=None)
    # -- control plane: clock, reset, rules, deliveries, notifications ----------------
    control.install(core, router)
    # -- control plane: messages ------------------------------------------------------
    messages_control = MessagesControl(core)
    router.add("POST", "/_emulator/messages/inbound", messages_control.inbound, auth="main")
    # -- control plane: calls ---------------------------------------------------------
    call_control = CallsControl(core)
    a_call = "/_emulator/calls/" + CALL_SID
    router.add("POST", "/_emulator/calls/inbound", call_control.inbound, auth="main")
    router.add("POST", f"{a_call}/digits", call_control.digits, auth="main")
    router.add("POST", f"{a_call}/speech", call_control.speech, auth="main")
    router.add("GET", f"{a_call}/transcript", call_control.transcript, auth="main")
    router.add("GET", f"{a_call}/callbacks", call_control.callbacks, auth="main")
    # -- control plane: webhook signing (SharedKey) -----------------------------------
    signing.install(core, router)
    # -- web inbox --------------------------------------------------------------------
    ui_pages.install(core, router)
    return router
