"""Control plane for the rule table (main-account Basic auth; JSON or form bodies).

=========================================  ===================================================
``GET  /_emulator/rules``                  the rule table
``POST /_emulator/rules``                  add a rule: ``kind`` (``message``, ``call``,
                                           ``verify``: :mod:`.kinds`),
                                           ``to``, ``from`` (patterns, ``*`` wildcard),
                                           ``outcome`` (messages: ``delivered``/
                                           ``undelivered``/``failed``/``sent``/``read``; calls:
                                           ``completed``/``busy``/``no-answer``/``failed``/
                                           ``canceled``), ``error_code``, ``times`` (a whole
                                           number from 1), ``params`` (calls: ``digits``,
                                           ``speech``, ``answered_by``...)
``DELETE /_emulator/rules[/{id}]``         remove one rule, or all (``?kind=`` to narrow)
=========================================  ===================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..control_params import number, text
from ..errors import EmulatorError, invalid_param, not_found
from ..http import Request, Response, decode_json_object, json_response
from .kinds import check_rule
from .records import Rule

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["RulesControl", "rule_from_json"]

MAX_TIMES = 1e9


def rule_from_json(data: dict[str, Any]) -> Rule:
    """A rule from a control-plane body, checked (400/20001 naming the bad key)."""
    kind = text(data, "kind", "message") or "message"
    outcome = text(data, "outcome")
    if not outcome:
        raise EmulatorError(400, 20001, "A rule needs an 'outcome'")
    code = number(data, "error_code")
    if code is not None and not (0 <= code <= 99999 and code.is_integer()):
        raise invalid_param("error_code", code, "expected a Twilio error code")
    times = number(data, "times")
    if times is not None and times > MAX_TIMES:
        raise invalid_param("times", times, "too large")
    if times is not None and not (times >= 1 and times.is_integer()):
        raise invalid_param("times", times, "a whole number >= 1")
    params = data.get("params") or {}
    if isinstance(params, str):
        params = decode_json_object(params, "params")
    if not isinstance(params, dict):
        raise invalid_param("params", None, "expected an object")
    rule = Rule(
        kind=kind,
        outcome=outcome,
        to=text(data, "to", "*") or "*",
        from_=text(data, "from", "*") or "*",
        error_code=None if code is None else int(code),
        params=params,
        times=None if times is None else int(times),
    )
    try:
        check_rule(rule)
    except ValueError as exc:
        raise EmulatorError(400, 20001, f"Invalid rule: {exc}") from None
    return rule


class RulesControl:
    """``/_emulator/rules`` and ``/_emulator/rules/{id}``."""

    def __init__(self, core: EmulatorCore) -> None:
        self.rules = core.rules

    async def list(self, req: Request) -> Response:
        return json_response({"rules": [r.to_dict() for r in self.rules.all()]})

    async def add(self, req: Request) -> Response:
        rule = self.rules.add(rule_from_json(req.json()))
        return json_response(rule.to_dict(), 201)

    async def clear(self, req: Request) -> Response:
        self.rules.clear(req.query.get("kind", [None])[0])
        return Response(204, b"")

    async def delete(self, req: Request) -> Response:
        if not self.rules.remove(int(req.path_params["id"])):
            raise not_found(req.path)
        return Response(204, b"")
