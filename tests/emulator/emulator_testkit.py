"""Helpers for the emulator tests: a real webhook receiver, SDK clients pointed at an
emulator, and an OpenAPI response validator (imported by conftest and the tests)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest
from twilio.rest import Client

from twilio_connector.emulator import Emulator

SPEC_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "openapi" / "twilio_api_v2010.json"
)


def load_openapi() -> OpenApi:
    """Twilio's spec, read from ../shared beside the repo (skips the test where it is absent)."""
    if not SPEC_PATH.is_file():
        pytest.skip(f"Twilio OpenAPI spec not found at {SPEC_PATH.resolve()}")
    return OpenApi(json.loads(SPEC_PATH.read_text()))


# -- a real webhook receiver -------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str  # path + query string, as requested
    headers: dict[str, str]
    body: bytes
    url: str  # full URL the sender used (what it signed)
    received_at: float

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body.decode(), keep_blank_values=True)

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml"
    hang: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    require_auth: str | None = None  # expected Authorization header, else 401 challenge


class Receiver:
    """A threaded HTTP server that records every request and answers as configured."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.replies: dict[str, list[Reply] | Reply] = {}
        self._lock = threading.Condition()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                host, port = self.server.server_address[:2]
                rec = Received(
                    self.command,
                    self.path,
                    {k: v for k, v in self.headers.items()},
                    body,
                    f"http://{host}:{port}{self.path}",
                    time.monotonic(),
                )
                reply = receiver._reply_for(urlsplit(self.path).path)
                with receiver._lock:
                    receiver.requests.append(rec)
                    receiver._lock.notify_all()
                if reply.hang:
                    receiver._release.wait(30)
                    return
                if reply.require_auth and self.headers.get("Authorization") != reply.require_auth:
                    reply = Reply(401, b"", "text/plain", headers={"WWW-Authenticate": "Basic"})
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _handle

        class Server(ThreadingHTTPServer):
            request_queue_size = 256

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(self, path: str, *replies: Reply) -> None:
        """Answer requests to ``path`` with ``replies`` in turn (the last one repeats)."""
        self.replies[path] = list(replies) if len(replies) > 1 else replies[0]

    def _reply_for(self, path: str) -> Reply:
        configured = self.replies.get(path)
        if configured is None:
            return Reply()
        if isinstance(configured, list):
            return configured.pop(0) if len(configured) > 1 else configured[0]
        return configured

    def wait_for(
        self, predicate: Callable[[list[Received]], bool], timeout: float = 10.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self.requests):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met; received {len(self.requests)}")
                self._lock.wait(left)
            return list(self.requests)

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    def close(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def sdk_client(
    emu: Emulator, username: str, password: str, account_sid: str | None = None
) -> Client:
    client = Client(username, password, account_sid=account_sid)
    client.api.base_url = emu.base_url
    return client


# -- OpenAPI response validation -------------------------------------------------------------


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` -> JSON Schema ``type: [t, "null"]`` (recursively)."""
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
        if schema.get("nullable"):
            if "type" in out:
                out["type"] = [out["type"], "null"]
            elif "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        return out
    if isinstance(schema, list):
        return [_nullable(x) for x in schema]
    return schema


class OpenApi:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = _nullable(spec["components"])
        self.validated: list[tuple[str, str, int]] = []

    def schema_for(self, method: str, template: str, status: int) -> dict[str, Any]:
        op = self.spec["paths"][template][method.lower()]
        content = op["responses"][str(status)]["content"]["application/json"]
        return _nullable(content["schema"])  # type: ignore[no-any-return]

    def validate(self, method: str, template: str, status: int, body: bytes) -> None:
        schema = {**self.schema_for(method, template, status), "components": self.components}
        jsonschema.validate(json.loads(body), schema)
        self.validated.append((method, template, status))
