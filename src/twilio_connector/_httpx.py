"""httpx for the sync client: imported when the first client is built, without its CLI.

* Lazily: :data:`httpx` stands for the module and imports it on the first attribute read
  (``httpx.Client(...)`` in ``TwilioClient.__init__``), so ``from twilio_connector import
  TwilioClient`` does not pay for httpx and the stdlib it pulls in (about two thirds of the
  import). Each attribute read once is then a plain attribute of the stand-in.
* Without its CLI: ``import httpx`` also imports ``httpx._main`` (its ``httpx`` command), which
  loads click, rich and pygments whenever they are installed, for a command this package never
  runs. A finder hides that one module from the importing thread while httpx is first
  imported, so httpx defines its fallback ``main`` instead; other threads, and any later
  ``import httpx._main``, import it as usual.
"""

from __future__ import annotations

import sys
import threading
from types import ModuleType
from typing import Any

__all__ = ["httpx", "load"]

_CLI = "httpx._main"
_lock = threading.Lock()


class _HideCli:
    """A ``sys.meta_path`` finder that makes ``httpx._main`` unimportable for one thread
    only (the one importing httpx for us): another thread's ``import httpx._main`` meanwhile
    works as usual."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == _CLI and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"{_CLI} is not loaded by twilio_connector", name=name)


def load() -> ModuleType:
    """The httpx module, imported (without ``httpx._main``) if it is not yet. (Called once
    per attribute name; ``import httpx`` also waits for an import in progress elsewhere.)"""
    with _lock:
        if "httpx" not in sys.modules and _CLI not in sys.modules:
            hide = _HideCli()
            sys.meta_path.insert(0, hide)
            try:
                import httpx
            finally:
                sys.meta_path.remove(hide)
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
