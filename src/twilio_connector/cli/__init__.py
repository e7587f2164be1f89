"""The ``twilio-connector`` command (``twilio_connector.cli:main``).

Modules: :mod:`.app` (the root group, credentials, errors), :mod:`.output` (JSON, tables,
no wrapping when piped), :mod:`.messages` (``sms``, ``whatsapp``, ``message``),
:mod:`.bulk` (``sms send-bulk``), :mod:`.calls` (``call``), :mod:`.numbers` (``account``,
``numbers``), :mod:`.waiting` (``--wait`` and the final-status sets),
:mod:`.emulator_control` (``emulator inbound-sms``, ``rules``, ``reset`` ...) and
:mod:`.commands` (the tree). ``emulator`` (start) is :mod:`twilio_connector.emulator.cli`,
``listen`` and ``inbox`` are :mod:`twilio_connector.listener.cli`; ``--json`` anywhere and
JSON errors are :mod:`twilio_connector._cli_json`.
"""

from __future__ import annotations

from twilio_connector._extras import require

require("cli")

from .commands import main

__all__ = ["main"]
