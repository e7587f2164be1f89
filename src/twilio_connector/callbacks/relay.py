"""The ``<Connect action>`` request after a ``<ConversationRelay>`` session (TWILIO.md §23.4).

When the session ends (the app's ``end``, the app closing the socket, an error) Twilio
requests the ``<Connect action>`` URL with the usual call parameters plus the session's
outcome; the reply is TwiML that continues the call (for example a ``<Dial>`` to a person,
using ``HandoffData``).

Unconfirmed (TWILIO.md §25): the set of ``SessionStatus`` values (``ended`` and ``failed``
are the ones seen) and the names of the error parameters.
"""

from __future__ import annotations

from twilio_connector.callbacks.base import Rule
from twilio_connector.callbacks.voice import TwimlRequest

__all__ = ["ConversationRelayResult"]


class ConversationRelayResult(TwimlRequest, frozen=True, kw_only=True):
    """The outcome of ``<Connect><ConversationRelay>`` (``call.conversation_relay``); the reply
    is TwiML.

    ``session_id`` is the ``VX…`` SID the app saw in ``setup``; ``session_duration`` whole
    seconds; ``handoff_data`` the ``end`` message's string, verbatim (usually JSON), only if
    the app sent one; ``error_code``/``error_message`` say why a session failed or ended
    without ``end`` (64102 no connection, 64105 the app closed the socket).
    """

    session_id: str | None = None
    session_status: str | None = None
    session_duration: int | None = None
    handoff_data: str | None = None
    error_message: str | None = None

    rule = Rule(
        "call.conversation_relay", ("CallSid",), when=(("SessionId", "SessionStatus"),),
        replies=True,
    )  # fmt: skip
