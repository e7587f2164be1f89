"""Thin adapters: serve a ``TwilioListener`` from WSGI, Flask and Django.

Each turns the framework's request into a :class:`~twilio_connector.listener.core.WebhookRequest`
and the core's answer back into the framework's response; the listener runs on a background
event loop thread (see ``TwilioListener.handle_sync``). Call ``listener.close()`` at exit to
drain handlers.

Flask::

    app.add_url_rule("/twilio", view_func=flask_view(listener), methods=["GET", "POST"])

Django (``urls.py``)::

    path("twilio", django_view(listener))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from twilio_connector.listener.core import (
    BAD_REQUEST,
    TOO_LARGE,
    WebhookRequest,
    WebhookResponse,
)

if TYPE_CHECKING:
    from twilio_connector.listener.app import TwilioListener

__all__ = ["django_view", "flask_view", "handle_environ", "make_wsgi_app"]

_SAFE_PATH = "/:@!$&'()*+,;=~"
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    503: "Service Unavailable",
}


def _path_and_query(environ: Mapping[str, Any]) -> tuple[str, str]:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(raw, str) and raw:
        if "://" in raw.split("?", 1)[0]:  # absolute-form request target
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        path, _, query = raw.partition("?")
        return path or "/", query
    script = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    path = quote(script.encode("latin-1", "replace"), safe=_SAFE_PATH) or "/"
    return path, str(environ.get("QUERY_STRING", ""))


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    if environ.get("CONTENT_LENGTH"):
        headers["content-length"] = str(environ["CONTENT_LENGTH"])
    return headers


def handle_environ(
    listener: TwilioListener,
    environ: Mapping[str, Any],
    read_body: Callable[[int], bytes] | None = None,
) -> WebhookResponse:
    """Answer a WSGI request (``read_body(n)`` reads the body; default ``wsgi.input``)."""
    headers = _headers(environ)
    length_text = headers.get("content-length", "").strip()
    if length_text and not length_text.isdigit():
        return BAD_REQUEST
    length = int(length_text) if length_text else 0
    if length > listener.settings.max_body_bytes:
        return TOO_LARGE
    if read_body is None:
        stream = environ.get("wsgi.input")
        body = stream.read(length) if stream is not None and length else b""
    else:
        body = read_body(length) if length else b""
    path, query = _path_and_query(environ)
    host = headers.get("host")
    if not host and environ.get("SERVER_NAME"):
        host = f"{environ['SERVER_NAME']}:{environ.get('SERVER_PORT', '80')}"
    request = WebhookRequest(
        str(environ.get("REQUEST_METHOD", "GET")).upper(),
        str(environ.get("wsgi.url_scheme", "http")),
        host,
        path,
        query,
        headers,
        body,
    )
    return listener.handle_sync(request)


def make_wsgi_app(listener: TwilioListener) -> Callable[..., Iterable[bytes]]:
    """A WSGI application serving the listener on every path."""

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = handle_environ(listener, environ)
        status = f"{response.status} {_REASONS.get(response.status, 'Unknown')}"
        start_response(status, response.header_list())
        return [response.body]

    return wsgi_app


def flask_view(listener: TwilioListener) -> Callable[..., Any]:
    """A Flask view function (register it for GET and POST)."""

    def twilio_webhook(**_: Any) -> Any:
        from flask import Response, request

        response = handle_environ(listener, request.environ, request.stream.read)
        return Response(
            response.body,
            status=response.status,
            headers=[h for h in response.header_list() if h[0] != "content-length"],
        )

    return twilio_webhook


def django_view(listener: TwilioListener) -> Callable[..., Any]:
    """A CSRF-exempt Django view function."""

    def twilio_webhook(request: Any, *args: Any, **kwargs: Any) -> Any:
        from django.http import HttpResponse  # type: ignore[import-untyped]

        response = handle_environ(listener, request.META, request.read)
        out = HttpResponse(response.body, status=response.status)
        if response.content_type:
            out["Content-Type"] = response.content_type
        for name, value in response.headers:
            out[name] = value
        return out

    twilio_webhook.csrf_exempt = True  # type: ignore[attr-defined]
    return twilio_webhook
