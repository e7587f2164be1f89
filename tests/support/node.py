"""twilio-node (Twilio's official Node SDK) run against an emulator, one Node process a call.

``tests/node`` holds a ``package.json`` pinning the ``twilio`` npm package (installed by
``make node`` into ``tests/node/node_modules``), a helper ``emulator.js`` (``emulatorClient()``:
twilio-node with every domain pointed at the emulator) and one small script per scenario in
``tests/node/scripts``. :class:`NodeScripts` runs a script with the emulator's base URL,
account SID and auth token in its environment, the ``payload`` as JSON on its stdin, and
returns what it printed on stdout, decoded from JSON::

    message = node("sms_send", {"to": TO, "from": OWNED, "body": "hi"})
    assert message["status"] == "queued"

A script that fails, prints no JSON or outlives ``timeout`` is an ``AssertionError`` carrying
its stderr, the auth token masked. The environment is built from scratch (``PATH`` and the
emulator's three variables), so neither ``TWILIO_EDGE``/``TWILIO_REGION`` nor an
``HTTP_PROXY`` of the machine reaches twilio-node.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "NODE_DIR",
    "SCRIPTS",
    "NodeScripts",
    "node_binary",
    "pinned_twilio_node_version",
    "twilio_node_version",
    "unavailable_reason",
]

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SCRIPTS = NODE_DIR / "scripts"
TIMEOUT = 30.0
"""Seconds a script may run (a script takes well under one)."""
_PACKAGE = NODE_DIR / "node_modules" / "twilio" / "package.json"
_LOCK = NODE_DIR / "package-lock.json"


def node_binary() -> str | None:
    """The ``node`` to run: ``$NODE`` if set, else the one on ``PATH``."""
    return os.environ.get("NODE") or shutil.which("node")


def twilio_node_version() -> str | None:
    """The installed twilio-node version, ``None`` when ``make node`` has not run."""
    try:
        version: str = json.loads(_PACKAGE.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None
    return version


def pinned_twilio_node_version() -> str:
    """The twilio-node version ``tests/node/package-lock.json`` pins."""
    lock = json.loads(_LOCK.read_text(encoding="utf-8"))
    version: str = lock["packages"]["node_modules/twilio"]["version"]
    return version


def unavailable_reason() -> str | None:
    """Why the Node tests cannot run here, ``None`` when they can."""
    if node_binary() is None:
        return "node is not installed (Node 20 or later; Debian: apt-get install nodejs npm)"
    installed, pinned = twilio_node_version(), pinned_twilio_node_version()
    if installed is None:
        return "twilio-node is not installed in tests/node/node_modules: run `make node`"
    if installed != pinned:
        return f"twilio-node {installed} is installed, the lock pins {pinned}: run `make node`"
    return None


@dataclass(frozen=True)
class NodeScripts:
    """Runs ``tests/node/scripts/<name>.js`` against one emulator (see the module docstring)."""

    node: str
    base_url: str
    account_sid: str
    auth_token: str
    timeout: float = TIMEOUT
    extra_env: tuple[tuple[str, str], ...] = ()
    """More environment variables for the scripts (e.g. ``(("TWILIO_EDGE", "sydney"),)``)."""

    def __repr__(self) -> str:  # the auth token stays out of reprs
        return f"NodeScripts(node={self.node!r}, base_url={self.base_url!r})"

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", os.defpath),
            "NODE_PATH": str(NODE_DIR / "node_modules"),  # require("twilio") from anywhere
            "TWILIO_BASE_URL": self.base_url,
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            **dict(self.extra_env),
        }

    def __call__(self, script: str, payload: Any = None) -> Any:
        """Run ``tests/node/scripts/<script>.js``: the JSON it prints, decoded."""
        path = SCRIPTS / f"{script}.js"
        if not path.is_file():
            raise FileNotFoundError(f"no Node script {path}")
        stdout, stderr = self.run(path, payload)
        try:
            return json.loads(stdout)
        except ValueError:
            raise AssertionError(
                f"node {path.name} printed no JSON; stdout:\n{self._mask(stdout)}\n"
                f"stderr:\n{self._mask(stderr)}"
            ) from None

    def run(self, path: Path, payload: Any = None) -> tuple[str, str]:
        """Run the Node script at ``path`` (cwd ``tests/node``, ``payload`` as JSON on stdin):
        its stdout and stderr, once it exited with 0."""
        try:
            done = subprocess.run(
                [self.node, str(path)],
                input=json.dumps({} if payload is None else payload),
                capture_output=True,
                text=True,
                timeout=self.timeout,
                cwd=NODE_DIR,
                env=self.env(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(
                f"node {path.name} did not finish within {self.timeout:g} s; "
                f"stderr:\n{self._mask(exc.stderr)}"
            ) from None
        if done.returncode != 0:
            raise AssertionError(
                f"node {path.name} exited with {done.returncode}; "
                f"stderr:\n{self._mask(done.stderr)}"
            )
        return done.stdout, done.stderr

    def _mask(self, text: str | bytes | None) -> str:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        return (text or "").replace(self.auth_token, "[auth token]")
