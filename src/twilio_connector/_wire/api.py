"""Facts of the 2010-04-01 REST API shared by the client, the listener and the emulator."""

from __future__ import annotations

__all__ = ["API_PREFIX", "API_VERSION", "MESSAGE_VERB_ERRORS", "message_verb_error"]

API_VERSION = "2010-04-01"
"""The version of the core REST API (``api_version`` in resources, ``ApiVersion`` in webhooks)."""
API_PREFIX = f"/{API_VERSION}"
"""The path every 2010 API resource lives under."""

MESSAGE_VERB_ERRORS: dict[int, int] = {
    21211: 14101,  # invalid 'To' number -> <Message> "To" attribute is invalid
    21212: 14102,  # invalid 'From' number -> <Message> "From" attribute is invalid
    21606: 14102,  # 'From' is not a capable sender -> the same
    21602: 14103,  # message body required -> <Message> invalid Body
}
"""The REST error of sending a message -> the debugger code when TwiML ``<Message>`` sent it."""


def message_verb_error(rest_code: int) -> int:
    """The debugger code for a ``<Message>`` whose send failed with ``rest_code`` (others as is)."""
    return MESSAGE_VERB_ERRORS.get(rest_code, rest_code)
