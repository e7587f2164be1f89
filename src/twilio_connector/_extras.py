"""The optional parts of the package and the error raised when one is imported uninstalled.

The core install (``pip install twilio-connector``) is the sync client, the models, the
signatures and TwiML. Every other part comes with an extra (pyproject.toml) and checks the
modules of that extra before its own imports, so that a missing one is named with the command
that installs it::

    require("listener")  # the first lines of twilio_connector/listener/__init__.py

The check looks modules up with :func:`importlib.util.find_spec` (nothing is imported, and a
module already in ``sys.modules`` costs one dict lookup).
"""

from __future__ import annotations

import sys

__all__ = ["IMPORTS", "PARTS", "MissingExtraError", "install_command", "require"]

#: What each extra installs, in the words of an error message.
PARTS: dict[str, str] = {
    "async": "the async client (AsyncTwilioClient)",
    "listener": "the webhook listener (twilio_connector.listener)",
    "realtime": "WebSocket voice agents served by TwilioListener.run()",
    "emulator": "the Twilio emulator (twilio_connector.emulator)",
    "postgres": "the PostgreSQL inbox (a postgresql:// inbox location)",
    "cli": "the twilio-connector command",
}

_ASYNC = ("aiohttp", "multidict")
_LISTENER = ("uvicorn", "click")  # h11 comes with the core (httpx needs it)
_EMULATOR = ("uvicorn", "httptools", "jinja2", "markupsafe", "click", "websockets")

#: The modules each extra makes importable and its part cannot do without (uvloop, and
#: httptools for the listener, are used when present). tests/test_packaging.py checks this
#: table against pyproject.toml.
IMPORTS: dict[str, tuple[str, ...]] = {
    "async": _ASYNC,
    "listener": _LISTENER,
    "realtime": ("websockets", *_LISTENER),
    "emulator": _EMULATOR,
    "postgres": ("asyncpg", *_LISTENER),
    "cli": tuple(dict.fromkeys(("click", "rich", *_ASYNC, *_LISTENER, *_EMULATOR))),
}


def install_command(extra: str) -> str:
    """The shell command that installs ``extra``."""
    return f"pip install 'twilio-connector[{extra}]'"


class MissingExtraError(ImportError):
    """A part of twilio-connector was imported without the extra that installs its
    dependencies. ``name`` is the missing module, ``extra`` the extra to install."""

    def __init__(self, extra: str, module: str) -> None:
        part = PARTS.get(extra, f"the {extra!r} part of twilio-connector")
        super().__init__(
            f"{part} needs {module}, which is not installed: {install_command(extra)}",
            name=module,
        )
        self.extra = extra

    def __reduce__(self) -> tuple[type[MissingExtraError], tuple[str, str]]:
        return (type(self), (self.extra, self.name or ""))


def _installed(module: str) -> bool:
    if module in sys.modules:
        return sys.modules[module] is not None
    from importlib.util import find_spec  # here: `import twilio_connector` never pays for it

    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a finder that refuses it, a broken __spec__
        return False


def require(extra: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` unless every one of ``modules`` (top-level import
    names; by default all of ``IMPORTS[extra]``) can be imported."""
    for module in modules or IMPORTS[extra]:
        if not _installed(module):
            raise MissingExtraError(extra, module)
