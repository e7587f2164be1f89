"""httpx, imported without its command-line client.

``import httpx`` also imports ``httpx._main`` (its ``httpx`` command), which loads click,
rich and pygments whenever they are installed: about two thirds of httpx's import time, for
a command this package never runs. Marking that one module as absent while httpx is first
imported makes httpx define its fallback ``main`` instead; the mark is removed at once, so a
later ``import httpx._main`` works as usual. The ``httpx`` console script runs in its own
process and is not affected.
"""

from __future__ import annotations

import sys

_CLI = "httpx._main"

if "httpx" not in sys.modules and _CLI not in sys.modules:
    sys.modules[_CLI] = None  # type: ignore[assignment]  # "not importable", for httpx only
    try:
        import httpx
    finally:
        if sys.modules.get(_CLI, ...) is None:
            del sys.modules[_CLI]
else:
    import httpx

__all__ = ["httpx"]
