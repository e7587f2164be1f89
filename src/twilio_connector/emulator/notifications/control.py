"""Control plane: ``GET /_emulator/notifications`` (``resource_sid`` to narrow), the
debugger notifications oldest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..http import Request, Response, json_response

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["NotificationsControl"]


class NotificationsControl:
    def __init__(self, core: EmulatorCore) -> None:
        self.notifications = core.debugger

    async def list(self, req: Request) -> Response:
        items = self.notifications.all(req.query.get("resource_sid", [None])[0])
        return json_response({"notifications": [n.to_dict() for n in items]})
