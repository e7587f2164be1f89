"""The public ``__all__`` is complete and every name in it is importable."""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import types
import typing

import pytest

import twilio_connector
from twilio_connector import _operation
from twilio_connector.client import BaseClient
from twilio_connector.models import TwilioModel

MODULES = [
    "twilio_connector.config",
    "twilio_connector.errors",
    "twilio_connector.inputs",
    "twilio_connector.models",
    "twilio_connector.enums",
    "twilio_connector.signature",
    "twilio_connector.callbacks",
    "twilio_connector.client",
    "twilio_connector.async_client",
    "twilio_connector.shared_client",
    "twilio_connector._base_client",
    "twilio_connector._operation",
    "twilio_connector._wire",
    "twilio_connector.specs",
]


def test_every_name_in_all_is_importable() -> None:
    names = twilio_connector.__all__
    assert len(names) == len(set(names)), "duplicates in __all__"
    namespace: dict[str, object] = {}
    exec(f"from twilio_connector import {', '.join(names)}", namespace)
    for name in names:
        assert namespace[name] is getattr(twilio_connector, name)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from twilio_connector import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(twilio_connector.__all__)


def test_no_public_name_is_left_out() -> None:
    """Everything public at the top level is in ``__all__`` (submodules aside)."""
    public = {
        name
        for name, value in vars(twilio_connector).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public <= set(twilio_connector.__all__)


@pytest.mark.parametrize("module_name", MODULES)
def test_submodule_all_is_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name}"


@pytest.mark.parametrize(
    "module_name",
    ["twilio_connector.errors", "twilio_connector.inputs", "twilio_connector.config"],
)
def test_user_facing_modules_are_fully_reexported(module_name: str) -> None:
    module = importlib.import_module(module_name)
    top = set(twilio_connector.__all__)
    missing = [n for n in module.__all__ if n not in top and not n.isupper()]
    assert missing == []


def test_clients_and_seed_names() -> None:
    required = {
        "TwilioClient",
        "AsyncTwilioClient",
        "TwilioConfig",
        "RetryPolicy",
        "RetryEvent",
        "VoiceCallInput",
        "StatusCallback",
        "TwilioError",
        "TwilioApiError",
        "__version__",
    }
    assert required <= set(twilio_connector.__all__)


def _operation_models() -> set[type]:
    """Model classes returned by any operation of the clients and their resources."""
    owners: list[type] = [BaseClient]
    for name, attr in vars(BaseClient).items():
        if isinstance(attr, property) or name.startswith("_"):
            continue
        func = getattr(attr, "func", None)  # cached_property
        if func is not None:
            owners.append(typing.get_type_hints(func)["return"].__origin__)
    found: set[type] = set()

    def collect(tp: object) -> None:
        if isinstance(tp, type) and issubclass(tp, TwilioModel):
            found.add(tp)
        for arg in typing.get_args(tp):
            collect(arg)

    for owner in owners:
        for attr in vars(owner).values():
            if isinstance(attr, (_operation.operation, _operation.paginator)):
                hints = typing.get_type_hints(attr.fn, vars(inspect.getmodule(attr.fn)))
                collect(hints["return"])
    return found


def test_every_model_an_operation_returns_is_exported() -> None:
    models = _operation_models()
    names = {m.__name__ for m in models}
    assert {
        "Account",
        "ApiKey",
        "AvailablePhoneNumber",
        "Balance",
        "Call",
        "IncomingPhoneNumber",
        "Media",
        "Message",
        "NewApiKey",
        "Recording",
    } <= names
    missing = sorted(n for n in names if n not in twilio_connector.__all__)
    assert missing == []
    for model in models:
        assert getattr(twilio_connector, model.__name__) is model


def test_version_matches_distribution() -> None:
    assert twilio_connector.__version__ == importlib.metadata.version("twilio-connector")


def test_py_typed_marker_ships() -> None:
    from importlib.resources import files

    assert files("twilio_connector").joinpath("py.typed").is_file()
