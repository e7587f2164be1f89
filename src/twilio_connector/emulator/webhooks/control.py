"""Control plane for webhooks: the delivery log and shared-key signing rules.

Main-account Basic auth; answers are JSON; signing secrets are never shown.

=============================================  =============================================
``GET    /_emulator/deliveries``               the delivery log, oldest first
                                               (``resource_sid``, ``kind``, ``after`` id,
                                               ``limit`` up to 10000)
``GET    /_emulator/webhook-signing``          the signing rules (:mod:`.signing`)
``POST   /_emulator/webhook-signing``          ``key_id``, ``secret``, ``algorithm``, and
                                               ``url_prefix`` or ``url`` -> 201 the rule
``DELETE /_emulator/webhook-signing[/{id}]``   remove one rule, or all
=============================================  =============================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...signature import HMAC_SHA256
from ..control_params import text
from ..errors import EmulatorError, not_found
from ..http import Request, Response, json_response
from .records import SigningRule
from .repository import MAX_ID

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["WebhooksControl"]


class WebhooksControl:
    def __init__(self, core: EmulatorCore) -> None:
        self.deliveries = core.deliveries
        self.signing = core.signing

    async def list_deliveries(self, req: Request) -> Response:
        q = {k: v[-1] for k, v in req.query.items()}
        records = self.deliveries.load(
            resource_sid=q.get("resource_sid"),
            kind=q.get("kind"),
            after_id=req.get_int("after", 0, 0, MAX_ID),
            limit=req.get_int("limit", 1000, 1, 10000),
        )
        return json_response({"deliveries": [d.to_dict() for d in records]})

    async def list_signing_rules(self, req: Request) -> Response:
        return json_response({"rules": [r.to_dict() for r in self.signing.all()]})

    async def add_signing_rule(self, req: Request) -> Response:
        data = req.json()
        rule = SigningRule(
            key_id=text(data, "key_id") or "",
            secret=text(data, "secret") or "",
            algorithm=text(data, "algorithm") or HMAC_SHA256,
            url_prefix=text(data, "url_prefix") or None,
            url=text(data, "url") or None,
        )
        try:
            stored = self.signing.add(rule)
        except ValueError as exc:  # the messages never contain the secret
            raise EmulatorError(400, 20001, f"Invalid webhook signing rule: {exc}") from None
        return json_response(stored.to_dict(), 201)

    async def clear_signing_rules(self, req: Request) -> Response:
        self.signing.clear()
        return Response(204, b"")

    async def delete_signing_rule(self, req: Request) -> Response:
        if not self.signing.remove(int(req.path_params["id"])):
            raise not_found(req.path)
        return Response(204, b"")
