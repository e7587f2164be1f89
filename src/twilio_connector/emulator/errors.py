"""Domain errors of the emulator, each carrying Twilio's error code and HTTP status.

Backends raise :class:`EmulatorError`; the ASGI adapter serializes it in one place
(:func:`error_body`) as Twilio's error JSON ``{code, message, more_info, status}``.
"""

from __future__ import annotations

import msgspec

from .._wire.domains import API_DOMAIN, DOMAINS

__all__ = [
    "EmulatorError",
    "auth_failed",
    "bad_request",
    "error_body",
    "invalid_param",
    "method_not_allowed",
    "not_found",
]

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


class EmulatorError(Exception):
    """A Twilio-style API error: HTTP ``status``, Twilio ``code`` and a message."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        detail: str | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers

    def __repr__(self) -> str:
        return f"EmulatorError(status={self.status}, code={self.code}, message={self.message!r})"


def error_body(err: EmulatorError) -> bytes:
    """Twilio's JSON error body for ``err``."""
    body: dict[str, object] = {
        "code": err.code,
        "message": err.message,
        "more_info": MORE_INFO.format(code=err.code),
        "status": err.status,
    }
    if err.detail is not None:
        body["detail"] = err.detail
    return msgspec.json.encode(body)


def bad_request(code: int, message: str) -> EmulatorError:
    return EmulatorError(400, code, message)


def invalid_param(name: str, value: object = None, why: str = "") -> EmulatorError:
    """A parameter of the wrong type or format (code 20001)."""
    text = f"Invalid parameter: {name}"
    if value is not None:
        text += f" ({str(value)[:64]!r})"
    if why:
        text += f": {why}"
    return EmulatorError(400, 20001, text)


def not_found(path: str) -> EmulatorError:
    """404/20404 naming ``path`` as Twilio would: on its product host, without the prefix the
    emulator serves that host under (``/verify/v2/Services/VA..`` is ``/v2/Services/VA..``)."""
    head, sep, rest = path.lstrip("/").partition("/")
    if sep and head in DOMAINS and head != API_DOMAIN and rest.startswith("v"):
        path = "/" + rest
    return EmulatorError(404, 20404, f"The requested resource {path} was not found")


def auth_failed(message: str = "Authenticate") -> EmulatorError:
    return EmulatorError(
        401,
        20003,
        message,
        detail="Your AccountSid or AuthToken was incorrect.",
        headers=(("www-authenticate", 'Basic realm="Twilio API"'),),
    )


def method_not_allowed(method: str, path: str) -> EmulatorError:
    return EmulatorError(405, 20004, f"Method {method} not allowed on {path}")
