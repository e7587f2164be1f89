"""The ASGI adapter: HTTP in, :class:`~.http.Request` to a handler, Twilio-shaped JSON out.

It refuses unknown Host names and cross-origin state changes (:mod:`.guard`), reads the
body (up to ``max_body`` bytes, else 413), parses the form (POST with
``application/x-www-form-urlencoded``; like Twilio, other bodies are ignored) or the
query string, authenticates per route, calls the handler and serializes any
:class:`~.errors.EmulatorError` in one place. Unexpected exceptions become a logged
500/20500 and the server keeps serving.

Routes come from :func:`.routes.build_router` (the one route table).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from .._asgi import BodyTooLarge, InvalidContentLength, read_body, serve_lifespan
from .core import EmulatorCore
from .errors import EmulatorError, auth_failed, error_body
from .guard import Guard
from .http import Request, Response, parse_form
from .router import Route, Router

__all__ = ["EmulatorApp"]

log = logging.getLogger("twilio_connector.emulator")

MAX_BODY = 1024 * 1024
_FORM = "application/x-www-form-urlencoded"


class EmulatorApp:
    """ASGI application serving the Twilio REST API and the ``/_emulator`` control plane."""

    def __init__(
        self,
        core: EmulatorCore,
        router: Router,
        max_body: int = MAX_BODY,
        guard: Guard | None = None,
    ) -> None:
        self.core = core
        self.router = router
        self.max_body = max_body
        self.guard = guard if guard is not None else Guard("127.0.0.1")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await serve_lifespan(receive, send)
            return
        if kind != "http":
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1003})
            return
        method: str = scope["method"]
        try:
            response = await self._handle(scope, receive, method)
            if response is None:
                return  # the client went away before sending its body
        except EmulatorError as err:
            response = Response(err.status, error_body(err), headers=err.headers)
        except Exception:
            log.exception("emulator handler failed: %s %s", method, scope.get("path"))
            internal = EmulatorError(500, 20500, "Internal Server Error")
            response = Response(500, error_body(internal))
        headers = [
            (b"content-type", response.content_type.encode()),
            (b"content-length", str(len(response.body)).encode()),
            (b"twilio-request-id", b"RQ" + os.urandom(16).hex().encode()),
        ]
        headers.extend((k.encode(), v.encode()) for k, v in response.headers)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        body = b"" if method == "HEAD" else response.body
        await send({"type": "http.response.body", "body": body})

    async def _read_body(self, scope: dict[str, Any], receive: Any) -> bytes | None:
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
        try:
            return await read_body(receive, self.max_body, declared)
        except InvalidContentLength:
            raise EmulatorError(400, 20001, "Invalid Content-Length header") from None
        except BodyTooLarge:
            raise EmulatorError(413, 20001, "Request body too large") from None

    async def _handle(self, scope: dict[str, Any], receive: Any, method: str) -> Response | None:
        self.guard.check(method, scope["headers"])
        path: str = scope["path"]
        route, handler, path_params = self.router.match(method, path)
        body = await self._read_body(scope, receive)
        if body is None:
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            query_string = scope.get("query_string", b"").decode("ascii")
        except UnicodeDecodeError:
            raise EmulatorError(
                400, 20001, "Query string must be ASCII (percent-encoded)"
            ) from None
        query = parse_form(query_string)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if method == "POST" and ctype == _FORM:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise EmulatorError(400, 20001, "Form body is not valid UTF-8") from None
            params = parse_form(text)
        elif method == "POST":
            params = {}
        else:
            params = query
        req = Request(method, path, query_string, query, headers, body, params, path_params)
        self._authorize(route, req)
        return await handler(req)

    def _authorize(self, route: Route, req: Request) -> None:
        if route.auth is None:
            return
        principal, via_key = self.core.accounts.authenticate(req.headers.get("authorization"))
        req.principal, req.via_api_key = principal, via_key
        if route.auth == "main":
            if not principal.is_main or via_key:
                raise auth_failed("The control plane needs a main account's SID and auth token")
            return
        if route.auth in ("account", "account-admin"):
            account = self.core.accounts.authorize(principal, req.path_params["AccountSid"])
            if route.auth == "account" and account.status != "active":
                raise EmulatorError(401, 20005, "Account is not active")
            req.account = account
