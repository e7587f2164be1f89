"""Messaging TwiML: :class:`MessagingResponse` with ``<Message>`` (text or Body + Media)."""

from __future__ import annotations

from ._core import AttrValue, Redirect, TwiML, nested

__all__ = ["Body", "Media", "Message", "MessagingResponse"]


class Body(TwiML):
    """``<Body>``: the text of a ``<Message>`` that also carries ``<Media>``."""

    __slots__ = ()
    tag = "Body"
    grammar = "messaging"

    def __init__(self, message: str, **extra: AttrValue | None) -> None:
        self._init(message, locals(), extra)


class Media(TwiML):
    """``<Media>``: the URL of an image/audio/video to attach (up to 10 per message)."""

    __slots__ = ()
    tag = "Media"
    grammar = "messaging"

    def __init__(self, url: str, **extra: AttrValue | None) -> None:
        self._init(url, locals(), extra)


class Message(TwiML):
    """``<Message>``: a reply; ``to``/``from_`` default to the inbound message's sender/receiver."""

    __slots__ = ()
    tag = "Message"
    grammar = "messaging"

    def __init__(
        self,
        body: str | None = None,
        *,
        to: str | None = None,
        from_: str | None = None,
        action: str | None = None,
        method: str | None = None,
        status_callback: str | None = None,
        **extra: AttrValue | None,
    ) -> None:
        self._init(body, locals(), extra)

    body = nested(Body)
    media = nested(Media)


class MessagingResponse(TwiML):
    """The ``<Response>`` of a messaging webhook; an empty one sends no reply."""

    __slots__ = ()
    tag = "Response"
    grammar = "messaging"

    def __init__(self, **extra: AttrValue | None) -> None:
        self._init(None, locals(), extra)

    message = nested(Message)
    redirect = nested(Redirect)
