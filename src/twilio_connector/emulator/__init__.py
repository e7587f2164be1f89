"""A local Twilio: the 2010-04-01 REST API, signed webhooks and a control plane.

Start it in Python with ``with Emulator() as emu:`` (see :class:`Emulator`) or from the
shell with ``twilio-connector emulator``; point the official SDK or our client at
``emu.base_url`` with ``emu.account_sid`` / ``emu.auth_token``. The control plane under
``/_emulator`` is documented in :mod:`twilio_connector.emulator.control` and in each
resource's ``control`` module (e.g. :mod:`twilio_connector.emulator.calls.control`); voice
calls in :mod:`twilio_connector.emulator.calls.state`.
"""

from .accounts.state import DEFAULT_ACCOUNT_SID
from .calls.requests import CALL_OUTCOMES
from .errors import EmulatorError
from .notifications.records import NotificationRecord
from .rules.state import Rule
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
]
