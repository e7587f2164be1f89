"""What a reply-bearing handler returns -> the TwiML body the listener sends back.

Twilio runs only a document whose root is ``<Response>`` (12102 otherwise) and refuses one
that is not well-formed XML or has anything before the ``<?xml`` declaration (12100) or is
larger than 64 KiB (11750). The listener sends nothing Twilio would refuse:

* ``None``: no reply (the listener answers with an empty ``<Response/>``);
* a TwiML element: the document it belongs to. A builder's return value is an element of its
  document (``MessagingResponse().message("hi")`` is the ``<Message>``), so returning it
  sends the whole ``<Response>``. A top-level verb built on its own (``Message("hi")``,
  ``Say("hi")``) is sent inside a ``<Response>``; any other element (a ``<Body>`` or
  ``<Number>`` on its own) is refused;
* ``str`` or ``bytes``: sent as written if it is a ``<Response>`` document, refused if not
  (a string is never rewritten);
* anything else is refused.

A refused reply is a handler error (:class:`InvalidReply`, or :class:`TypeError` for a value
of the wrong type), handled like an exception raised by the handler: logged, the answer to
Twilio is the empty ``<Response/>``, and the event is retried, then dead-lettered.
"""

from __future__ import annotations

from twilio_connector.twiml import VOICE_VERBS, TwiML, TwiMLError
from twilio_connector.twiml.reader import MAX_DOCUMENT_BYTES, TwimlError, read_twiml

__all__ = ["InvalidReply", "reply_body"]


class InvalidReply(ValueError):
    """A handler returned TwiML that Twilio would refuse (the reason names Twilio's code)."""


def reply_body(result: object) -> bytes | None:
    """A handler's return value as the TwiML body to send, or ``None`` for no reply."""
    if result is None:
        return None
    if isinstance(result, TwiML):
        try:
            body = result.document().to_xml().encode("utf-8")
        except TwiMLError as exc:
            raise InvalidReply(f"a handler returned <{result.tag}>: {exc}") from None
        if len(body) > MAX_DOCUMENT_BYTES:
            raise InvalidReply(
                f"a handler returned a TwiML document of {len(body)} bytes; "
                f"Twilio refuses more than {MAX_DOCUMENT_BYTES} (11750)"
            )
        return body
    if isinstance(result, str):
        body = result.encode("utf-8", "surrogatepass")
    elif isinstance(result, bytes):
        body = result
    else:
        raise TypeError(
            f"a handler returned {type(result).__name__}; return a VoiceResponse, "
            "MessagingResponse (or one of their verbs), a <Response> document as str, or None"
        )
    _check_document(body)
    return body


def _check_document(body: bytes) -> None:
    """Refuse a document Twilio would not run (the reader's 11750, 12100 and 12102)."""
    try:
        # Misplaced elements are only warnings for Twilio: skip them, keep the errors.
        read_twiml(body, VOICE_VERBS, skip="everything")
    except TwimlError as exc:
        raise InvalidReply(
            f"a handler returned TwiML that Twilio refuses ({exc.code}: {exc.message}); "
            "return a <Response> document"
        ) from None
