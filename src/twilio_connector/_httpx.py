"""httpx for the sync client: imported when the first client is built, without its CLI.

* Lazily: :data:`httpx` stands for the module and imports it on the first attribute read
  (``httpx.Client(...)`` in ``TwilioClient.__init__``), so ``from twilio_connector import
  TwilioClient`` does not pay for httpx and the stdlib it pulls in (about two thirds of the
  import). Each attribute read once is then a plain attribute of the stand-in.
* Without its CLI: ``import httpx`` also imports ``httpx._main`` (its ``httpx`` command), which
  loads click, rich and pygments whenever they are installed, for a command this package never
  runs. That one module is marked absent while httpx is first imported, so httpx defines its
  fallback ``main`` instead; the mark is removed at once, so a later ``import httpx._main``
  works as usual (the ``httpx`` console script runs in its own process and is not affected).
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["httpx", "load"]

_CLI = "httpx._main"
_lock = threading.Lock()


def load() -> ModuleType:
    """The httpx module, imported (without ``httpx._main``) if it is not yet. (Called once
    per attribute name; ``import httpx`` also waits for an import in progress elsewhere.)"""
    with _lock:
        if "httpx" not in sys.modules and _CLI not in sys.modules:
            sys.modules[_CLI] = None  # type: ignore[assignment]  # "not importable", for httpx
            try:
                import httpx
            finally:
                if sys.modules.get(_CLI, ...) is None:
                    del sys.modules[_CLI]
        else:
            import httpx
    return httpx


class _LazyHttpx:
    """Stands for the httpx module: the first read of an attribute imports httpx."""

    def __getattr__(self, name: str) -> Any:
        value = getattr(load(), name)
        setattr(self, name, value)  # read once: a plain attribute from now on
        return value

    def __repr__(self) -> str:
        return "<httpx, imported on first use>"


httpx = _LazyHttpx()
