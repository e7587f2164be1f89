"""Property-based fuzz: malformed bodies, headers and payloads never get a 5xx (real HTTP)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from listener_testkit import TOKEN, http_client, listener_server

from twilio_connector.listener import RedeliveryPolicy, TwilioListener
from twilio_connector.signature import body_sha256, compute_signature

FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def target(tmp_path_factory) -> Iterator[tuple[str, httpx.Client]]:
    inbox = Path(tmp_path_factory.mktemp("fuzz")) / "inbox.sqlite3"
    listener = TwilioListener(
        TOKEN,
        inbox_path=inbox,
        max_body_bytes=4096,
        retry=RedeliveryPolicy(max_attempts=1),
        trust_forwarded_headers=True,
    )

    @listener.on("*")
    def anything(event):  # touches every typed attribute: conversions must not raise
        for field in getattr(event, "__struct_fields__", ()):
            getattr(event, field)
        if event.name in ("sms.received", "call.incoming", "call.gather"):
            return "<Response/>"
        return None

    server = listener_server(listener.app)
    try:
        with http_client() as client:
            yield server.url, client
    finally:
        server.stop()


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
content_types = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=UTF-8",
            "application/json",
            "application/cloudevents+json",
            "text/plain",
            "multipart/form-data; boundary=x",
            "",
        ]
    ),
    header_text,
)
paths = st.text(max_size=30).map(lambda p: "/" + quote(p, safe="/;=&%@:+,"))


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]),
    path=paths,
    body=st.one_of(st.binary(max_size=600), st.text(max_size=300).map(str.encode)),
    content_type=content_types,
    signature=st.one_of(st.none(), header_text),
    extra=st.dictionaries(
        st.sampled_from(
            ["X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "Host", "Accept"]
        ),
        header_text,
        max_size=3,
    ),
)
def test_random_requests_never_get_a_5xx(
    target, method, path, body, content_type, signature, extra
):
    base, client = target
    headers = {"Content-Type": content_type, **extra}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    try:
        response = client.request(method, base + path, content=body, headers=headers)
    except httpx.HTTPError:
        return  # the client refused to send it, or the server dropped an invalid request
    assert response.status_code < 500


param_names = st.one_of(
    st.sampled_from(
        [
            "MessageSid", "SmsSid", "MessageStatus", "SmsStatus", "CallSid", "CallStatus",
            "CallbackSource", "SequenceNumber", "Timestamp", "RecordingSid", "RecordingStatus",
            "RecordingDuration", "RecordingStartTime", "ErrorCode", "NumMedia", "MediaUrl0",
            "Digits", "Confidence", "Latitude", "Forwarded", "DialCallStatus", "QueueResult",
            "RecordingUrl", "EventType", "ChannelPrefix", "From", "To", "Body",
        ]
    ),
    st.text(max_size=12),
)  # fmt: skip


@FUZZ
@given(params=st.lists(st.tuples(param_names, st.text(max_size=40)), max_size=12))
def test_validly_signed_arbitrary_params_are_stored_never_5xx(target, params):
    base, client = target
    url = base + "/fuzz"
    response = client.post(
        url,
        content=httpx.QueryParams(params).__str__().encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": compute_signature(TOKEN, url, params),
        },
    )
    assert response.status_code == 200


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
cloud_events = st.fixed_dictionaries(
    {
        "type": st.text(max_size=30) | st.just("com.twilio.messaging.message.sent"),
        "data": json_values,
    },
    optional={"id": st.text(max_size=10) | st.integers(), "specversion": json_values},
)


@FUZZ
@given(doc=st.one_of(json_values, cloud_events, st.lists(cloud_events, max_size=4)))
def test_validly_signed_arbitrary_json_never_5xx(target, doc):
    base, client = target
    body = json.dumps(doc).encode()
    url = f"{base}/stream?bodySHA256={body_sha256(body)}"
    headers = {
        "Content-Type": "application/json",
        "X-Twilio-Signature": compute_signature(TOKEN, url),
    }
    response = client.post(url, content=body, headers=headers)
    assert response.status_code == 200


@FUZZ
@given(raw=st.binary(min_size=1, max_size=300))
def test_garbage_on_the_socket_never_gets_a_5xx(target, raw):
    base, _ = target
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nHost: a\r\n" + raw + b"\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        try:
            head = sock.recv(12)
        except (ConnectionResetError, TimeoutError):
            return
    if head.startswith(b"HTTP/1.1 "):
        assert head[9:10] != b"5"
