"""The error a malformed realtime WebSocket message raises."""

from __future__ import annotations

from typing import Literal

from twilio_connector.errors import TwilioError

__all__ = ["InvalidMessageError", "Protocol"]

Protocol = Literal["media-streams", "conversation-relay"]

_NAMES = {"media-streams": "Media Streams", "conversation-relay": "ConversationRelay"}


class InvalidMessageError(TwilioError, ValueError):
    """A WebSocket message that is not valid for its protocol (the 4xx of a socket).

    ``field`` is the dotted path of the offending field as it is spelt on the wire
    (``"media.payload"``, ``"start.tracks[0]"``, ``"token"``), or ``None`` when the text is
    not a JSON object at all. ``code`` is the Twilio error the emulator reports for it:
    Media Streams 31950 (malformed: not JSON) or 31951 (invalid message), ConversationRelay
    64107 (invalid message from the application). ``detail`` says what is wrong without
    quoting the message (which may be a megabyte of audio).
    """

    def __init__(self, protocol: Protocol, detail: str, *, field: str | None, code: int) -> None:
        self.protocol = protocol
        self.detail = detail
        self.field = field
        self.code = code
        where = f" (field {field!r})" if field is not None else ""
        super().__init__(f"invalid {_NAMES[protocol]} message: {detail}{where}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (self.protocol, self.detail, self.field, self.code))


def _rebuild(protocol: Protocol, detail: str, field: str | None, code: int) -> InvalidMessageError:
    return InvalidMessageError(protocol, detail, field=field, code=code)
