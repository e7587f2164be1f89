"""The same core behind Starlette (mounted ASGI), Flask and Django (WSGI adapters), over HTTP."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from flask import Flask
from listener_testkit import (
    TOKEN,
    Recorder,
    inbound_sms,
    post_signed,
    sid,
    signed_headers,
    sms_status,
)
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from support.wait import wait_until
from werkzeug.serving import make_server

from twilio_connector.listener import Inbox, flask_view, make_wsgi_app
from twilio_connector.twiml import MessagingResponse


def test_mounted_in_starlette_with_lifespan(make_listener, start, http):
    rec = Recorder()
    listener = make_listener()
    listener.on_sms_delivered(lambda e: rec.add("delivered", e))

    async def health(request):
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[Route("/health", health), Mount("/twilio", app=listener.app)],
        lifespan=listener.lifespan,
    )
    base = start(app).url
    assert http.get(base + "/health").text == "ok"
    url = base + "/twilio/status"
    assert post_signed(http, url, sms_status(sid("SM", 1), "delivered")).status_code == 200
    rec.wait(1)
    assert listener.running
    forged = http.post(url, data={"MessageSid": "SM1"}, headers={"X-Twilio-Signature": "x"})
    assert forged.status_code == 403


class _WsgiServer:
    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def test_flask_view(make_listener, http):
    listener = make_listener()
    rec = Recorder()

    @listener.on_sms_received
    def reply(event):
        rec.add("in", event)
        response = MessagingResponse()
        response.message("from flask")
        return response

    listener.on_sms_sent(lambda e: rec.add("sent", e))
    app = Flask(__name__)
    app.add_url_rule("/sms", view_func=flask_view(listener), methods=["GET", "POST"])
    server = _WsgiServer(app)
    try:
        url = server.url + "/sms"
        response = post_signed(http, url, inbound_sms(sid("SM", 2), "hi flask"))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
        assert response.text.endswith("<Response><Message>from flask</Message></Response>")
        assert post_signed(http, url, sms_status(sid("SM", 3), "sent")).status_code == 200
        rec.wait(1, "sent")
        assert (
            http.post(url, data={"a": "b"}, headers={"X-Twilio-Signature": "x"}).status_code == 403
        )
        big = {"Body": "x" * 2_000_000}
        assert http.post(url, data=big, headers=signed_headers(url, big)).status_code == 413
    finally:
        server.stop()
        listener.close()  # drains and stops the adapter's background loop
    assert not listener.running


def test_plain_wsgi_app_with_query_string(make_listener, http):
    listener = make_listener()
    rec = Recorder()
    listener.on_sms_delivered(lambda e: rec.add("d", e))
    server = _WsgiServer(make_wsgi_app(listener))
    try:
        url = server.url + "/any/path?tenant=a%20b"
        assert post_signed(http, url, sms_status(sid("SM", 4), "delivered")).status_code == 200
        (event,) = rec.wait(1)
        assert event.message_sid == sid("SM", 4)
        assert http.put(url).status_code == 405
    finally:
        server.stop()
        listener.close()


DJANGO_APP = textwrap.dedent(
    """
    import sys
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        SECRET_KEY="not-a-secret",
        MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
    )
    django.setup()

    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import path
    from werkzeug.serving import make_server

    from twilio_connector.listener import TwilioListener, django_view

    listener = TwilioListener(sys.argv[1], inbox_path=sys.argv[2])

    @listener.on_sms_received
    def reply(event):
        return f"<Response><Message>django got {event.body}</Message></Response>"

    listener.on_sms_sent(lambda event: None)
    urlpatterns = [path("hooks/sms", django_view(listener))]
    server = make_server("127.0.0.1", 0, WSGIHandler())
    print(server.server_port, flush=True)
    try:
        server.serve_forever()
    finally:
        listener.close()
    """
)


def test_django_view_in_a_django_process(tmp_path: Path, http):
    script = tmp_path / "django_app.py"
    script.write_text(DJANGO_APP)
    inbox_path = tmp_path / "django.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, str(script), TOKEN, str(inbox_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        url = f"http://127.0.0.1:{int(proc.stdout.readline())}/hooks/sms"
        response = post_signed(http, url, inbound_sms(sid("SM", 5), "hello"))
        assert response.status_code == 200, response.text  # CSRF-exempt
        assert response.text == "<Response><Message>django got hello</Message></Response>"
        assert post_signed(http, url, sms_status(sid("SM", 6), "sent")).status_code == 200
        assert (
            http.post(url, data={"x": "1"}, headers={"X-Twilio-Signature": "x"}).status_code == 403
        )
        with Inbox(inbox_path) as inbox:
            assert wait_until(lambda: {r.status for r in inbox.records()} == {"done"})
            assert [r.name for r in inbox.records()] == ["sms.received", "sms.sent"]
    finally:
        proc.terminate()
        proc.wait(10)
