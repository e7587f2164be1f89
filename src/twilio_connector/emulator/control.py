"""The control plane: ``/_emulator/...`` routes that tests and tools drive.

All routes need HTTP Basic auth with a main account's SID and auth token (the ones the
emulator prints). Bodies may be JSON or form-encoded; keys are snake_case. Answers are
JSON.

=========================================  ===================================================
``GET  /_emulator``                        info: accounts, timing, routes
``GET  /_emulator/rules``                  the rule table
``POST /_emulator/rules``                  add a rule: ``kind`` (``message`` or ``call``),
                                           ``to``, ``from`` (patterns, ``*`` wildcard),
                                           ``outcome`` (messages: ``delivered``/
                                           ``undelivered``/``failed``/``sent``/``read``; calls:
                                           ``completed``/``busy``/``no-answer``/``failed``/
                                           ``canceled``), ``error_code``, ``times``, ``params``
                                           (calls: ``digits``, ``speech``, ``answered_by``...)
``DELETE /_emulator/rules[/{id}]``         remove one rule, or all (``?kind=`` to narrow)
``POST /_emulator/settle``                 wait until every lifecycle and webhook is done
                                           (``timeout`` s, default 10; 503 if not settled)
``POST /_emulator/advance``                move simulated time ``seconds`` forward (manual
                                           timing runs due steps; always shifts the clock)
``GET  /_emulator/deliveries``             the webhook delivery log (``resource_sid``,
                                           ``kind``, ``after`` id, ``limit``)
``GET  /_emulator/notifications``          debugger notifications (``resource_sid``)
``POST /_emulator/numbers/{E164}``         ``whatsapp=true|false``: enable a WhatsApp sender
``POST /_emulator/reset``                  forget all state; re-create the seeded account
=========================================  ===================================================

Messages have theirs under ``/_emulator/messages`` (:mod:`.messages.control`: ``POST
/_emulator/messages/inbound``, a handset texting an owned number), calls under
``/_emulator/calls`` (:mod:`.calls.control`), shared-key
webhook signing under ``/_emulator/webhook-signing`` (:mod:`.webhooks.signing`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import msgspec

from .. import models
from .calls.requests import check_call_rule, rule_error
from .core import EmulatorCore
from .errors import EmulatorError, invalid_param, not_found
from .http import Request, Response, json_response
from .records import DeliveryRecord, NotificationRecord
from .router import Router
from .rules.state import Rule
from .serialize import number_model
from .webhooks.dispatcher import load_deliveries

__all__ = ["delivery_json", "install", "rule_from_json"]

PREFIX = "/_emulator"
MESSAGE_OUTCOMES = ("delivered", "undelivered", "failed", "sent", "read")
MAX_ADVANCE = 10 * 366 * 86400.0


def _str(data: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        raise invalid_param(key, value, "expected a single value")
    return str(value)


def _number(data: dict[str, Any], key: str, default: float | None = None) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise invalid_param(key, value, "expected a number") from None


def rule_from_json(data: dict[str, Any]) -> Rule:
    kind = _str(data, "kind", "message") or "message"
    outcome = _str(data, "outcome")
    if not outcome:
        raise EmulatorError(400, 20001, "A rule needs an 'outcome'")
    if kind == "message" and outcome not in MESSAGE_OUTCOMES:
        raise invalid_param("outcome", outcome, f"one of {', '.join(MESSAGE_OUTCOMES)}")
    code = _number(data, "error_code")
    times = _number(data, "times")
    if code is not None and not 0 <= code <= 99999:
        raise invalid_param("error_code", code, "expected a Twilio error code")
    if times is not None and times > 1e9:
        raise invalid_param("times", times, "too large")
    params = data.get("params") or {}
    if isinstance(params, str):
        try:
            params = msgspec.json.decode(params)
        except msgspec.DecodeError:
            raise invalid_param("params", params, "expected a JSON object") from None
    if not isinstance(params, dict):
        raise invalid_param("params", params, "expected an object")
    if times is not None and times < 1:
        raise invalid_param("times", times, "must be >= 1")
    rule = Rule(
        kind=kind,
        outcome=outcome,
        to=_str(data, "to", "*") or "*",
        from_=_str(data, "from", "*") or "*",
        error_code=None if code is None else int(code),
        params=params,
        times=None if times is None else int(times),
    )
    if kind == "call":
        try:
            check_call_rule(rule)
        except ValueError as exc:
            raise rule_error(exc) from None
    return rule


def delivery_json(d: DeliveryRecord) -> dict[str, Any]:
    out = asdict(d)
    out["params"] = [list(p) for p in d.params]
    return out


def _notification_json(n: NotificationRecord) -> dict[str, Any]:
    return asdict(n)


def install(core: EmulatorCore, router: Router) -> None:
    async def info(req: Request) -> Response:
        return json_response(
            {
                "base_url": core.base_url,
                "main_account_sid": core.main_account_sid,
                "accounts": [a.sid for a in core.accounts.all()],
                "timing": asdict(core.scheduler.timing),
                "routes": [{"path": t, "methods": m} for t, m in router.templates()],
            }
        )

    async def list_rules(req: Request) -> Response:
        return json_response({"rules": [r.to_dict() for r in core.rules.all()]})

    async def add_rule(req: Request) -> Response:
        rule = core.rules.add(rule_from_json(req.json()))
        return json_response(rule.to_dict(), 201)

    async def clear_rules(req: Request) -> Response:
        core.rules.clear(req.query.get("kind", [None])[0])
        return Response(204, b"")

    async def delete_rule(req: Request) -> Response:
        if not core.rules.remove(int(req.path_params["id"])):
            raise not_found(req.path)
        return Response(204, b"")

    async def settle(req: Request) -> Response:
        timeout = _number(req.json() | {k: v[-1] for k, v in req.query.items()}, "timeout", 10.0)
        try:
            await core.settle(max(0.0, min(timeout or 10.0, 300.0)))
        except TimeoutError as exc:
            raise EmulatorError(503, 20503, str(exc)) from None
        return json_response({"settled": True})

    async def advance(req: Request) -> Response:
        seconds = _number(req.json(), "seconds")
        if seconds is None or not 0 <= seconds <= MAX_ADVANCE:
            raise invalid_param("seconds", seconds, f"a number from 0 to {MAX_ADVANCE:.0f}")
        await core.advance(seconds)
        return json_response({"clock_offset": core.clock.offset})

    async def deliveries(req: Request) -> Response:
        q = {k: v[-1] for k, v in req.query.items()}
        records = load_deliveries(
            core.store,
            resource_sid=q.get("resource_sid"),
            kind=q.get("kind"),
            after_id=req.get_int("after", 0, 0),
            limit=req.get_int("limit", 1000, 1, 10000),
        )
        return json_response({"deliveries": [delivery_json(d) for d in records]})

    async def notifications(req: Request) -> Response:
        items = core.notifications(req.query.get("resource_sid", [None])[0])
        return json_response({"notifications": [_notification_json(n) for n in items]})

    async def configure_number(req: Request) -> Response:
        data = req.json()
        enabled = str(data.get("whatsapp", "true")).lower() in ("true", "1", "yes")
        try:
            number = core.numbers.set_whatsapp(req.path_params["number"], enabled)
        except KeyError:
            raise not_found(req.path) from None
        return json_response(models.encode(number_model(number)))

    async def reset(req: Request) -> Response:
        core.reset()
        return json_response({"reset": True})

    router.add("GET", PREFIX, info, auth="main")
    router.add("GET", f"{PREFIX}/rules", list_rules, auth="main")
    router.add("POST", f"{PREFIX}/rules", add_rule, auth="main")
    router.add("DELETE", f"{PREFIX}/rules", clear_rules, auth="main")
    router.add("DELETE", f"{PREFIX}/rules/{{id:[0-9]{{1,18}}}}", delete_rule, auth="main")
    router.add("POST", f"{PREFIX}/settle", settle, auth="main")
    router.add("POST", f"{PREFIX}/advance", advance, auth="main")
    router.add("GET", f"{PREFIX}/deliveries", deliveries, auth="main")
    router.add("GET", f"{PREFIX}/notifications", notifications, auth="main")
    router.add(
        "POST", f"{PREFIX}/numbers/{{number:\\+[0-9]{{7,15}}}}", configure_number, auth="main"
    )
    router.add("POST", f"{PREFIX}/reset", reset, auth="main")
