"""How the plugin's tests run pytest on small test files (pytester): the arguments every
inner run gets."""

from __future__ import annotations

import importlib.metadata
import importlib.util

__all__ = ["PLUGIN", "inner_args", "plugin_args"]

PLUGIN = "twilio_connector.testing.plugin"


def plugin_args() -> list[str]:
    """``-p`` for the plugin unless an installed entry point loads it already (both at once
    would register the module twice)."""
    installed = importlib.metadata.entry_points(group="pytest11")
    if any(ep.value == PLUGIN for ep in installed):
        return []
    return ["-p", PLUGIN]


def inner_args() -> list[str]:
    """The plugin, no cache, and (with pytest-asyncio) its loop scope set, so that its
    deprecation warning stays out of the report."""
    args = [*plugin_args(), "-p", "no:cacheprovider"]
    if importlib.util.find_spec("pytest_asyncio") is not None:
        args += ["-o", "asyncio_default_fixture_loop_scope=function"]
    return args
