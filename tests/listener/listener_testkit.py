"""Helpers for the listener tests: a real uvicorn server on a free port, signing, payloads."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Any

import httpx
from support.wait import wait_until

from twilio_connector._asgi.server import ServerThread
from twilio_connector.signature import compute_signature

TOKEN = "listener-test-token-0123456789"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ACCOUNT = "AC" + "a" * 32


def http_client(timeout: float = 20.0) -> httpx.Client:
    """An httpx client with TCP_NODELAY (no 40 ms Nagle/delayed-ACK stalls per request)."""
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    return httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(socket_options=nodelay))


def sid(prefix: str, n: int) -> str:
    return f"{prefix}{n:032x}"


SERVER_OPTIONS: dict[str, Any] = {"lifespan": "on", "loop": "asyncio", "backlog": 1024}
"""How the listener tests serve an app (uvicorn on 127.0.0.1:<free port>)."""


def listener_server(app: Any, **options: Any) -> ServerThread:
    """A started server for ``app`` with :data:`SERVER_OPTIONS` unless ``options`` say
    otherwise (``http=`` may be a protocol class, like the guarded one ``run()`` uses)."""
    return ServerThread(app, name="listener-under-test", **{**SERVER_OPTIONS, **options}).start()


def signed_headers(
    url: str, params: Mapping[str, Any] | None, token: str = TOKEN, **extra: str
) -> dict[str, str]:
    headers = {"X-Twilio-Signature": compute_signature(token, url, params), **FORM}
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    return headers


def post_signed(
    client: httpx.Client,
    url: str,
    params: Mapping[str, Any],
    *,
    token: str = TOKEN,
    idempotency_token: str | None = None,
) -> httpx.Response:
    headers = signed_headers(url, params, token)
    if idempotency_token is not None:
        headers["I-Twilio-Idempotency-Token"] = idempotency_token
    return client.post(url, data=dict(params), headers=headers)


class Recorder:
    """Thread-safe record of (label, event) pairs that handlers append to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[tuple[str, Any]] = []

    def add(self, label: str, event: Any) -> None:
        with self._lock:
            self.items.append((label, event))

    def labels(self) -> list[str]:
        with self._lock:
            return [label for label, _ in self.items]

    def events(self, label: str | None = None) -> list[Any]:
        with self._lock:
            return [e for lbl, e in self.items if label is None or lbl == label]

    def wait(self, count: int, label: str | None = None, timeout: float = 15.0) -> list[Any]:
        assert wait_until(lambda: len(self.events(label)) >= count, timeout), (
            f"expected {count} {label or 'events'}, got {self.labels()}"
        )
        return self.events(label)


# ------------------------------------------------------------------ realistic payloads


def sms_status(message_sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "From": "+15017250604",
        "To": "+15558675310",
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        **extra,
    }


def inbound_sms(message_sid: str, body: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "SmsMessageSid": message_sid,
        "SmsStatus": "received",
        "From": "+14158675309",
        "To": "+15017250604",
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "FromCity": "SAN FRANCISCO",
        "FromState": "CA",
        "FromZip": "94103",
        "FromCountry": "US",
        "ToCountry": "US",
        "ReferralNumMedia": "0",
        **extra,
    }


def voice_base(call_sid: str, status: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": status,
        "Called": "+15017250604",
        "Caller": "+14158675309",
        "From": "+14158675309",
        "To": "+15017250604",
        "Direction": "inbound",
        "FromCity": "SAN FRANCISCO",
        "FromCountry": "US",
        "CallerCountry": "US",
        "CalledCountry": "US",
        "StirVerstat": "TN-Validation-Passed-A",
        **extra,
    }


def call_status(call_sid: str, status: str, seq: int, **extra: str) -> dict[str, str]:
    return voice_base(
        call_sid,
        status,
        CallbackSource="call-progress-events",
        SequenceNumber=str(seq),
        Timestamp="Mon, 04 Nov 2024 12:00:00 +0000",
        Direction="outbound-api",
        **extra,
    )


def location_of(listener: Any) -> str:
    """The listener's inbox location, password included (for the CLI's ``--inbox``)."""
    where = listener.settings.inbox
    return where.url or where.path
