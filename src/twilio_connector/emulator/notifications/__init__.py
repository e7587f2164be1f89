"""Debugger notifications (Twilio's Debugger / Alerts: 11200, 12100, ...).

``records`` (the notification), ``repository`` (the ``notifications`` table), ``state``
(raising and reading them; ``core.notify`` is the way in) and ``control``
(``/_emulator/notifications``).
"""
