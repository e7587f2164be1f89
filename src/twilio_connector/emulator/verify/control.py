"""Control plane: ``GET /_emulator/verifications`` -- the codes sent, for tests.

Query: ``to`` (``+1...``; an unencoded ``?to=+1555...``, whose ``+`` arrives as a space,
is read as meant), ``service_sid``, ``limit`` (1-1000, default 50). Answers a JSON
list, newest first, of ``{sid, service_sid, account_sid, to, channel, code, status,
send_attempts, checks, date_created, delivery_sids}`` (every account's; main-account auth).
``status`` is current: ``expired`` once the validity has passed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import invalid_param
from ..http import Request, Response, json_response
from .serialize import control_entry

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["VerificationsControl"]

MAX_LIMIT = 1000


class VerificationsControl:
    def __init__(self, core: EmulatorCore) -> None:
        self.verify = core.verify

    async def list(self, req: Request) -> Response:
        to = req.query.get("to", [None])[0]
        service_sid = req.query.get("service_sid", [None])[0]
        raw = req.query.get("limit", ["50"])[0] or "50"
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise invalid_param("limit", raw, f"a whole number from 1 to {MAX_LIMIT}")
        if len(to or "") > 64 or len(service_sid or "") > 64:
            raise invalid_param("to", None, "to and service_sid: at most 64 characters")
        if to is not None and to.strip().isdigit():  # ?to=+1555... unencoded: "+" became " "
            to = "+" + to.strip()
        items = self.verify.recent(to or None, service_sid or None, int(raw))
        return json_response([control_entry(v) for v in items])
