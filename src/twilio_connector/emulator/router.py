"""The URL map: path templates to handlers, per HTTP method.

Templates use ``{Name}`` (one path segment) or ``{Name:regex}``; the first template that
matches wins, so specific templates are added before generic ones. A path that matches a
template but not the method is a 405 (Twilio code 20004), answered after the route's
authentication; no match at all is a 404 (20404).

``auth`` says what a route needs before its handler runs: ``"account"`` (Basic auth valid
for the ``{AccountSid}`` in the path), ``"principal"`` (any valid credentials, e.g.
``/Accounts.json``), ``"main"`` (credentials of a top-level account: the control plane)
or ``None``. Extensions add routes with :meth:`Router.add`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import method_not_allowed, not_found
from .http import Request, Response

__all__ = ["Handler", "Route", "Router"]

Handler = Callable[[Request], Awaitable[Response]]


def _compile(template: str) -> re.Pattern[str]:
    """``{Name}`` or ``{Name:regex}`` (the regex may contain balanced braces)."""
    out, pos = [], 0
    while (start := template.find("{", pos)) != -1:
        depth, end = 0, start
        for end in range(start, len(template)):
            depth += {"{": 1, "}": -1}.get(template[end], 0)
            if depth == 0:
                break
        else:
            raise ValueError(f"unbalanced braces in {template!r}")
        name, _, regex = template[start + 1 : end].partition(":")
        out.append(re.escape(template[pos:start]))
        out.append(f"(?P<{name}>{regex or '[^/]+?'})")
        pos = end + 1
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out) + r"\Z")


@dataclass
class Route:
    template: str
    pattern: re.Pattern[str]
    handlers: dict[str, Handler]
    auth: str | None


async def _refuse_method(req: Request) -> Response:
    raise method_not_allowed(req.method, req.path)


class Router:
    def __init__(self) -> None:
        self._by_depth: dict[int, list[Route]] = {}
        self._by_template: dict[str, Route] = {}

    def add(
        self, method: str, template: str, handler: Handler, auth: str | None = "account"
    ) -> None:
        route = self._by_template.get(template)
        if route is None:
            route = Route(template, _compile(template), {}, auth)
            self._by_template[template] = route
            self._by_depth.setdefault(template.count("/"), []).append(route)
        elif route.auth != auth:
            raise ValueError(f"conflicting auth for {template}")
        if method in route.handlers:
            raise ValueError(f"duplicate route {method} {template}")
        route.handlers[method] = handler

    def match(self, method: str, path: str) -> tuple[Route, Handler, dict[str, str]]:
        """The route, handler and path parameters for a request, or a 404 error.

        A path served for other methods only gets a handler that answers 405, so the
        route's authentication still runs first (Twilio answers 401 before 405).
        """
        other_method: tuple[Route, dict[str, str]] | None = None
        for route in self._by_depth.get(path.count("/"), ()):
            m = route.pattern.match(path)
            if m is None:
                continue
            handler = route.handlers.get(method)
            if handler is None and method == "HEAD":
                handler = route.handlers.get("GET")
            if handler is None:
                other_method = other_method or (route, m.groupdict())
                continue
            return route, handler, m.groupdict()
        if other_method is not None:
            return other_method[0], _refuse_method, other_method[1]
        raise not_found(path)

    def templates(self) -> list[tuple[str, list[str]]]:
        return [(r.template, sorted(r.handlers)) for r in self._by_template.values()]
