"""The rule table: how a simulated destination behaves (delivered, busy, ...).

``records`` (the rule), ``repository`` (the ``rules`` table), ``state`` (matching, uses
left) and ``control`` (``/_emulator/rules``).
"""
