"""The general control plane: ``/_emulator`` routes for the clock, settling and reset.

All routes need HTTP Basic auth with a main account's SID and auth token (the ones the
emulator prints). Bodies may be JSON or form-encoded; keys are snake_case. Answers are
JSON.

=========================================  ===================================================
``GET  /_emulator``                        info: accounts, timing, routes
``POST /_emulator/settle``                 wait until every lifecycle and webhook is done
                                           (``timeout`` s, default 10; 503 if not settled)
``POST /_emulator/advance``                move simulated time ``seconds`` forward (manual
                                           timing runs due steps; always shifts the clock)
``POST /_emulator/reset``                  forget all state; re-create the seeded account
=========================================  ===================================================

Each resource serves its own control routes: messages (:mod:`.messages.control`: a handset
texting an owned number), rules (:mod:`.rules.control`), numbers (:mod:`.numbers.control`),
debugger notifications (:mod:`.notifications.control`), the delivery log and webhook signing
(:mod:`.webhooks.control`), calls (:mod:`.calls.control`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from .control_params import number
from .errors import EmulatorError, invalid_param
from .http import Request, Response, json_response

if TYPE_CHECKING:
    from .core import EmulatorCore
    from .router import Router

__all__ = ["ControlApi"]

MAX_ADVANCE = 10 * 366 * 86400.0


class ControlApi:
    """``/_emulator`` itself, settle, advance, reset."""

    def __init__(self, core: EmulatorCore, router: Router) -> None:
        self.core = core
        self.router = router

    async def info(self, req: Request) -> Response:
        core = self.core
        return json_response(
            {
                "base_url": core.base_url,
                "main_account_sid": core.main_account_sid,
                "accounts": [a.sid for a in core.accounts.all()],
                "timing": asdict(core.scheduler.timing),
                "routes": [{"path": t, "methods": m} for t, m in self.router.templates()],
            }
        )

    async def settle(self, req: Request) -> Response:
        data = req.json() | {k: v[-1] for k, v in req.query.items()}
        timeout = number(data, "timeout", 10.0)
        try:
            await self.core.settle(max(0.0, min(timeout or 10.0, 300.0)))
        except TimeoutError as exc:
            raise EmulatorError(503, 20503, str(exc)) from None
        return json_response({"settled": True})

    async def advance(self, req: Request) -> Response:
        seconds = number(req.json(), "seconds")
        if seconds is None or not 0 <= seconds <= MAX_ADVANCE:
            raise invalid_param("seconds", seconds, f"a number from 0 to {MAX_ADVANCE:.0f}")
        await self.core.advance(seconds)
        return json_response({"clock_offset": self.core.clock.offset})

    async def reset(self, req: Request) -> Response:
        self.core.reset()
        return json_response({"reset": True})
