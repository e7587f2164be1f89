"""Control-plane routes of Messages (main-account Basic auth; JSON or form bodies).

=========================================  ===================================================
``POST /_emulator/messages/inbound``       a handset texts an owned number: ``from``, ``to``,
                                           ``body``, ``media_url`` (list), ``params`` (extra
                                           webhook fields) -> 201 the inbound Message;
                                           202 with ``"dropped": true`` when its Messaging
                                           Service has inbound disabled (no inbound URL)
=========================================  ===================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from ... import models
from ..errors import EmulatorError, invalid_param
from ..http import Request, Response, json_response
from .inbound import is_dropped
from .serialize import message_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["MessagesControl"]


def _scalar(data: dict[str, Any], key: str) -> str:
    """A text field of the body (numbers are taken as written); absent or null is ``""``."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        raise invalid_param(key, value, "expected a single value")
    return str(value)


class MessagesControl:
    """``/_emulator/messages/...``: drive the messaging side the way a handset would."""

    def __init__(self, core: EmulatorCore) -> None:
        self._inbound = core.inbound

    async def inbound(self, req: Request) -> Response:
        data = req.json()
        media = data.get("media_url") or []
        if isinstance(media, str):
            media = [media]
        extra = data.get("params") or {}
        if not isinstance(media, list) or not isinstance(extra, dict):
            raise EmulatorError(400, 20001, "media_url must be a list and params an object")
        msg = self._inbound.receive(
            _scalar(data, "from"),
            _scalar(data, "to"),
            _scalar(data, "body"),
            [str(m) for m in media],
            {str(k): str(v) for k, v in extra.items()},
        )
        if is_dropped(msg):  # its Messaging Service has inbound disabled
            body = msgspec.json.decode(models.encode(message_model(msg)))
            return json_response({**body, "dropped": True}, 202)
        return json_response(models.encode(message_model(msg)), 201)
