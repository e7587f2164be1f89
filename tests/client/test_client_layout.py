"""Module layout: the sync client never loads aiohttp; the async one lives on its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def loaded_after(code: str) -> set[str]:
    """Top-level modules loaded by a fresh interpreter after running ``code``."""
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return {name.partition(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_sync_client_does_not_import_aiohttp() -> None:
    modules = loaded_after(
        "from twilio_connector import TwilioClient\n"
        "from twilio_connector.client import TwilioClient as T2\n"
        "TwilioClient(account_sid='AC' + '0' * 32, auth_token='x').close()"
    )
    assert "httpx" in modules
    assert not modules & {"aiohttp", "multidict", "yarl"}


def test_async_client_lazy_reexport() -> None:
    from twilio_connector import AsyncTwilioClient, async_client, client

    assert client.AsyncTwilioClient is AsyncTwilioClient is async_client.AsyncTwilioClient
    assert "aiohttp" in loaded_after("from twilio_connector.client import AsyncTwilioClient")
