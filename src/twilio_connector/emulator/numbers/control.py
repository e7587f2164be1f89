"""Control plane for numbers: ``POST /_emulator/numbers/{E164}`` with ``whatsapp=true|false``
makes an owned number a WhatsApp sender (or not). Answers the IncomingPhoneNumber."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..._wire import to_bool
from ..errors import not_found
from ..http import Request, Response, json_response
from .serialize import number_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["NumbersControl"]


class NumbersControl:
    def __init__(self, core: EmulatorCore) -> None:
        self.numbers = core.numbers

    async def configure(self, req: Request) -> Response:
        data = req.json()
        enabled = to_bool(str(data.get("whatsapp", "true"))) is True
        try:
            number = self.numbers.set_whatsapp(req.path_params["number"], enabled)
        except KeyError:
            raise not_found(req.path) from None
        return json_response(models.encode(number_model(number)))
