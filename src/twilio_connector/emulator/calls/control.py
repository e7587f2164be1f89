"""Control-plane routes for calls (main-account Basic auth; JSON or form bodies).

==============================================  ===============================================
``POST /_emulator/calls/inbound``               a phone calls an owned number: ``from``,
                                                ``to``, ``digits``, ``speech`` (text or list),
                                                ``input_timeout`` (s), ``forwarded_from``,
                                                ``caller_name``, ``script`` (realtime caller
                                                steps) -> 201 the Call (``ringing``)
``POST /_emulator/calls/{CA}/digits``           the caller presses ``digits``
``POST /_emulator/calls/{CA}/speech``           the caller says ``speech`` (``confidence``)
``POST /_emulator/calls/{CA}/script``           more realtime caller steps: ``{"script": [...]}``
                                                (Media Streams / ConversationRelay; see
                                                ``voice.caller_script``)
``GET  /_emulator/calls/{CA}/transcript``       ``{"call_sid", "status", "transcript": [...]}``
``GET  /_emulator/calls/{CA}/callbacks``        the call's webhook deliveries, oldest first
                                                (``kind``: ``call-status``, ``voice-request``,
                                                ``recording-status``)
==============================================  ===============================================

Call rules go through ``/_emulator/rules`` with ``kind=call`` (see :mod:`.state`). The
routes are in :mod:`..routes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import models
from ..errors import EmulatorError, invalid_param
from ..http import Request, Response, json_response
from .serialize import call_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["CallsControl"]


def _text(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise EmulatorError(400, 20001, f"'{key}' is required")
        return None
    if isinstance(value, (list, dict)):
        raise invalid_param(key, value, "expected a single value")
    return str(value)


def _speech(value: Any) -> str | list[str] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise invalid_param("speech", value, "expected text or a list of texts")


def _script(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(step, dict) for step in value):
        raise invalid_param("script", None, "expected a list of caller steps (objects)")
    return value


def _seconds(data: dict[str, Any], key: str, default: float | None) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return default
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise invalid_param(key, value, "expected seconds") from None
    if not 0 <= seconds <= 3600:
        raise invalid_param(key, value, "0 to 3600 seconds")
    return seconds


class CallsControl:
    """``/_emulator/calls`` handlers over the core's :class:`~.state.Calls`."""

    def __init__(self, core: EmulatorCore) -> None:
        self.calls = core.calls

    async def inbound(self, req: Request) -> Response:
        data = req.json()
        record = self.calls.receive(
            _text(data, "from", True) or "",
            _text(data, "to", True) or "",
            _text(data, "digits"),
            _speech(data.get("speech")),
            input_timeout=_seconds(data, "input_timeout", 30.0),
            forwarded_from=_text(data, "forwarded_from"),
            caller_name=_text(data, "caller_name"),
            script=_script(data.get("script")),
        )
        return json_response(models.encode(call_model(record)), 201)

    async def digits(self, req: Request) -> Response:
        sid = req.path_params["Sid"]
        self.calls.press_digits(sid, _text(req.json(), "digits", True) or "")
        return json_response({"call_sid": sid, "accepted": True})

    async def speech(self, req: Request) -> Response:
        sid, data = req.path_params["Sid"], req.json()
        confidence = _seconds(data, "confidence", 0.9)
        if confidence is None or confidence > 1:
            raise invalid_param("confidence", data.get("confidence"), "between 0 and 1")
        self.calls.caller_speaks(sid, _text(data, "speech", True) or "", confidence)
        return json_response({"call_sid": sid, "accepted": True})

    async def script(self, req: Request) -> Response:
        sid = req.path_params["Sid"]
        steps = _script(req.json().get("script"))
        if not steps:
            raise EmulatorError(400, 20001, "'script' is required: a list of caller steps")
        self.calls.add_caller_steps(sid, steps)
        return json_response({"call_sid": sid, "accepted": len(steps)})

    async def transcript(self, req: Request) -> Response:
        sid = req.path_params["Sid"]
        entries = self.calls.transcript(sid)
        status = self.calls.status(sid)
        return json_response({"call_sid": sid, "status": status, "transcript": entries})

    async def callbacks(self, req: Request) -> Response:
        kind = req.query.get("kind", [None])[-1] or None
        items = self.calls.callbacks(req.path_params["Sid"], kind)
        return json_response({"callbacks": [d.to_dict() for d in items]})
