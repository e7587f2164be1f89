"""Helpers for the web inbox tests: a real webhook receiver and small page helpers."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from twilio_connector.emulator import Emulator

UI = "/_emulator/ui"
OWNED = "+15017122661"
OWNED_WA = "+15017122662"
HANDSET = "+15558675310"


@dataclass
class Hit:
    path: str
    form: dict[str, str]
    headers: dict[str, str]


class Receiver:
    """A threaded HTTP server recording every request; ``/sms`` answers with TwiML."""

    def __init__(self, sms_reply: str = "Thanks, got it!") -> None:
        self.hits: list[Hit] = []
        self._cond = threading.Condition()
        receiver = self
        reply = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Response><Message>{sms_reply}</Message></Response>"
        ).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                path = urlsplit(self.path).path
                hit = Hit(path, dict(parse_qsl(body, keep_blank_values=True)), dict(self.headers))
                with receiver._cond:
                    receiver.hits.append(hit)
                    receiver._cond.notify_all()
                payload = reply if path == "/sms" else b""
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_for(self, predicate: Callable[[list[Hit]], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.hits):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"receiver: condition not met; got {self.hits!r}")
                self._cond.wait(left)

    def at(self, path: str) -> list[Hit]:
        with self._cond:
            return [h for h in self.hits if h.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def ui_http(emu: Emulator) -> httpx.Client:
    """An HTTP client signed in to the inbox (Basic auth, like the control plane)."""
    return httpx.Client(base_url=emu.base_url, auth=(emu.account_sid, emu.auth_token))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match, "the page has no inbound form"
    return match.group(1)


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def thread_of(html: str) -> str:
    """The thread column of a messages page (without the sidebar and the webhooks)."""
    return html.split('id="thread"', 1)[1].split('class="side-hooks"', 1)[0]
