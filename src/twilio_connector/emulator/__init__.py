"""A local Twilio: the 2010-04-01 REST API, Messaging Services (``/messaging/v1``), signed
webhooks, a control plane and a web inbox.

Start it with ``with Emulator() as emu:`` (:mod:`.server`), ``twilio-connector emulator`` or
``python -m twilio_connector.emulator`` (:mod:`.cli`); point our client at ``emu.base_url``
with ``emu.account_sid`` / ``emu.auth_token``, and the official SDK with :func:`sdk_client`
(every API domain: ``/messaging/v1/...`` too).
A request travels::

    socket -> _asgi.ServerThread (uvicorn) -> app.EmulatorApp: guard (Host, Origin), body
           -> router.Router.match (routes.py: the one table) -> Basic auth for the route
           -> <resource>/rest.py handler -> <resource>/state.py rules -> repository.py (SQL)
           -> <resource>/serialize.py -> twilio_connector.models -> JSON (errors.py on failure)
    state changes -> webhooks/dispatcher.py (callbacks.* payloads, signed, retried, logged)
                  -> webhooks/http_client.py -> your app

One subpackage per resource, each with ``state`` (rules and lifecycles), ``repository``
(its tables and every SQL statement on them), ``rest`` (REST handlers as methods),
``control`` (``/_emulator`` routes), ``records`` and ``serialize``:
``accounts`` (+ subaccounts, balance), ``keys``, ``numbers`` (owned and available),
``messages`` (SMS/MMS/WhatsApp, inbound handsets, messaging TwiML), ``calls`` (voice
lifecycles, live calls), ``recordings``, ``messaging_services`` (messaging/v1: services,
sender pools and selection), ``verify`` (verify/v2), ``content`` (content/v1 templates),
``rules`` (how destinations behave),
``notifications`` (the debugger), ``webhooks`` (dispatcher, HTTP client, SharedKey
signing, delivery log), ``ui`` (the web inbox, reading through the repositories) and
``voice`` (pure TwiML: ``model``, ``parse``, ``run``). Shared: ``core`` (owns every
backend, the clock and the dispatcher), ``timing`` and ``scheduler`` (simulated time),
``store`` (the SQLite connection), ``http``, ``router``, ``pagination``, ``errors``; the
one safe TwiML reader is :mod:`twilio_connector.twiml.reader`. Adding a resource:
CONTRIBUTING.md.
"""

from twilio_connector._extras import require

require("emulator")

from .accounts.state import DEFAULT_ACCOUNT_SID
from .calls.requests import CALL_OUTCOMES
from .errors import EmulatorError
from .notifications.records import NotificationRecord
from .rules.state import Rule
from .sdk import point_sdk, sdk_client
from .server import Emulator
from .timing import Timing
from .webhooks.records import DeliveryRecord

__all__ = [
    "CALL_OUTCOMES",
    "DEFAULT_ACCOUNT_SID",
    "DeliveryRecord",
    "Emulator",
    "EmulatorError",
    "NotificationRecord",
    "Rule",
    "Timing",
    "point_sdk",
    "sdk_client",
]
