"""Control plane for templates (main-account Basic auth; JSON or form bodies).

==============================================  =============================================
``POST /_emulator/content/{HX}/approval``       set the WhatsApp approval: ``status``
                                                (``approved``, ``rejected``, ``pending``,
                                                ``received``, ``paused``, ``disabled``,
                                                ``unsubmitted``), ``rejection_reason``
==============================================  =============================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..control_params import text
from ..errors import EmulatorError
from ..http import Request, Response, json_response
from .state import APPROVAL_STATUSES

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["ContentControl"]


class ContentControl:
    def __init__(self, core: EmulatorCore) -> None:
        self.contents = core.content

    async def set_approval(self, req: Request) -> Response:
        data = req.json()
        status = text(data, "status")
        if not status:
            raise EmulatorError(
                400, 20001, f"'status' is required: one of {', '.join(APPROVAL_STATUSES)}"
            )
        reason = text(data, "rejection_reason")
        content = self.contents.set_approval(req.path_params["Sid"], status, reason)
        return json_response(self.contents.approval(content))
