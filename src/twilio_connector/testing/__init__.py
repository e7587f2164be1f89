"""Testing code that talks to Twilio: the pytest plugin and its helpers.

The plugin (:mod:`.plugin`, loaded by pytest through the ``pytest11`` entry point) gives
the ``twilio_emulator``, ``twilio_client``, ``twilio_async_client``, ``twilio_sdk_client``
and ``twilio_listener`` fixtures; ``docs/testing.md`` shows them at work::

    def test_sends_sms(twilio_client, twilio_emulator):
        message = twilio_client.send_sms(twilio_emulator.phone_number, "+15558675310", "hi")
        twilio_emulator.wait_for_status(message, "delivered")
        twilio_emulator.assert_message_sent(to="+15558675310", body="hi")

The helpers work without pytest too: :class:`TwilioEmulator` (an emulator with assertion
and waiting methods), :class:`ListenerHarness` (a listener on a free port that records
events), :func:`serve_wsgi` (your Flask/Django app on a free port, for the webhooks).
Names are imported on first use, so importing this package loads nothing heavy.

No extras guard belongs here or in :mod:`.plugin`: pytest imports the plugin in every
session of every install (the entry point comes with the core distribution); without the
``emulator`` extra, the fixtures' own imports raise the ImportError that names it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - imported lazily below
    from .emulator import TwilioEmulator
    from .listener import TEST_RETRY, ListenerHarness
    from .serving import serve_wsgi

__all__ = ["TEST_RETRY", "ListenerHarness", "TwilioEmulator", "serve_wsgi"]

_LAZY = {
    "TwilioEmulator": ".emulator",
    "ListenerHarness": ".listener",
    "TEST_RETRY": ".listener",
    "serve_wsgi": ".serving",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
