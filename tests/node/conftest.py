"""twilio-node against the emulator: the ``node`` fixture (``support.node.NodeScripts``).

Without ``node`` these tests skip and say why; with node but without twilio-node installed, or
with another version than ``package-lock.json`` pins (``make node`` installs it), they skip
too, except with ``CI=true``, where they fail: on CI they must run.

To cover a new API domain (Verify at ``{base}/verify``, Content at ``{base}/content``): make
sure the domain is in ``DOMAINS`` of ``emulator.js`` (``test_every_domain_points_at_the_emulator``
compares it with the Python side), add ``scripts/<name>.js``::

    "use strict";
    const { run } = require("../emulator");
    run((client, { to }) => client.verify.v2.services.create({ friendlyName: "Login" }));

and a test calling ``node("<name>", {...})`` on the JSON it prints.
"""

from __future__ import annotations

import os

import pytest
from support.node import NodeScripts, node_binary, unavailable_reason

from twilio_connector.emulator import Emulator


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def node_path() -> str:
    """The ``node`` binary, once twilio-node is installed; else skip (or fail, see above)."""
    reason = unavailable_reason()
    binary = node_binary()
    if reason is not None or binary is None:
        reason = reason or "node is not installed"
        if binary is not None and _on_ci():
            pytest.fail(f"twilio-node is required when CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    return binary


@pytest.fixture
def node(node_path: str, emu: Emulator) -> NodeScripts:
    """Runs ``tests/node/scripts/<name>.js`` against ``emu``, signed in as its main account."""
    return NodeScripts(node_path, emu.base_url, emu.account_sid, emu.auth_token)
