"""The code on its way to the handset, as Twilio sends it (TWILIO.md §20.6).

* ``sms``: a message through the messages backend (so it is stored, runs its lifecycle and
  rules, and shows in the web inbox as any other), ``From`` = ``TWVerify``, one of the
  generic alpha senders Twilio Verify uses: it passes the messages checks for every account
  (no owned number needed, as with Verify) and tells the code's messages apart from the
  app's own. Body: ``Your {name} verification code is: {code}`` (with the service's
  do-not-share warning appended when enabled), ``name`` the ``CustomFriendlyName`` or the
  service's friendly name. English only: ``Locale`` is accepted and recorded, the text is
  not translated (**unconfirmed** wording in other languages). The account's REST
  Messages API shows these messages with the code masked (``******``): a code is never in
  a REST answer (on Twilio, Verify's messages are not among the account's Messages).
* ``whatsapp``: the same text to ``whatsapp:{To}`` from the service's ``Whatsapp.From``
  and/or through its ``Whatsapp.MsgServiceSid`` (which then picks the sender), else from
  the sandbox sender; sent as Twilio's own approved authentication template
  (:data:`VERIFY_WHATSAPP_TEMPLATE`, registered with the content backend for every account,
  its one variable the text), so the 24-hour window does not apply, as on Twilio.
* ``call``: a call through the calls backend whose TwiML ``<Say>`` speaks the digits one by
  one, twice; ``From`` = the account's first owned number (``+15005550006``, the always-valid
  caller, when it owns none). ``dtmf_input_required`` (press a key first) is not emulated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import msgspec

from ..._wire import is_e164
from ..accounts.records import AccountRecord
from ..calls.requests import CallRequest
from ..content.records import ContentRecord
from ..errors import EmulatorError
from ..messages.requests import MAGIC_VALID_FROM, MessageRequest
from ..numbers.state import SANDBOX_WHATSAPP_NUMBER
from .records import VerifyServiceRecord
from .settings import verify_error

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = [
    "SMS_SENDER",
    "VERIFY_WHATSAPP_TEMPLATE",
    "VERIFY_WHATSAPP_TEMPLATE_SID",
    "message_text",
    "send_code",
    "spoken_twiml",
]

SMS_SENDER = "TWVerify"
"""The alpha sender of Verify SMS."""
VERIFY_WHATSAPP_TEMPLATE_SID = "HX" + "0" * 31 + "1"
"""The ``ContentSid`` of Verify's WhatsApp messages (Twilio's own authentication template;
not a Content resource of the account)."""
VERIFY_WHATSAPP_TEMPLATE = ContentRecord(
    VERIFY_WHATSAPP_TEMPLATE_SID, "", "verify_authentication", "en",
    {"1": "Your verification code is: 123456"}, {"twilio/text": {"body": "{{1}}"}},
    {"name": "verify_authentication", "category": "AUTHENTICATION", "status": "approved"},
)  # fmt: skip
"""That template: the whole text is its variable (Twilio's wording is its own)."""
MASK = "*"
"""What stands for each character of the code in the account's REST answers: on Twilio,
Verify's messages are not in the account's Messages at all; the emulator keeps them there
(the inbox and its Python helpers show the code, as a handset would) but the REST API never
carries a code."""
DO_NOT_SHARE = ". Don\u2019t share this code with anyone; our employees will never ask for the code"


def message_text(name: str, code: str, do_not_share: bool = False) -> str:
    """``Your {name} verification code is: {code}`` (+ the do-not-share warning)."""
    text = f"Your {name} verification code is: {code}"
    return text + DO_NOT_SHARE if do_not_share else text


def spoken_twiml(name: str, code: str) -> str:
    """TwiML that says the code digit by digit, twice."""
    digits = ", ".join(code)
    said = escape(f"Your {name} verification code is: {digits}.")
    again = escape(f"Once again, your code is: {digits}.")
    return f'<Response><Say>{said}</Say><Pause length="1"/><Say>{again}</Say></Response>'


def _caller_id(core: EmulatorCore, account: AccountRecord) -> str:
    for number in core.numbers.of_account(account.sid):
        phone = number.phone_number
        if phone != SANDBOX_WHATSAPP_NUMBER and is_e164(phone):
            return phone
    return MAGIC_VALID_FROM


def send_code(
    core: EmulatorCore,
    account: AccountRecord,
    service: VerifyServiceRecord,
    *,
    to: str,
    channel: str,
    code: str,
    name: str,
) -> str:
    """Send ``code`` to ``to`` on ``channel``; returns the SID of the message or call.
    What the messages or calls backend refuses is 400/60200 naming its reason."""
    settings = service.settings
    try:
        if channel == "call":
            call = CallRequest(
                to=to, from_=_caller_id(core, account), twiml=spoken_twiml(name, code)
            )
            return core.calls.create(account, call).sid
        do_not_share = bool(settings.get("do_not_share_warning_enabled"))
        text = message_text(name, code, do_not_share)
        masked = message_text(name, MASK * len(code), do_not_share)
        if channel == "whatsapp":
            whatsapp = settings.get("whatsapp") or {}
            service_sid, sender = whatsapp.get("msg_service_sid"), whatsapp.get("from")
            if sender is None and service_sid is None:
                sender = f"whatsapp:{SANDBOX_WHATSAPP_NUMBER}"
            req = MessageRequest(
                to=f"whatsapp:{to}", from_=sender, messaging_service_sid=service_sid,
                content_sid=VERIFY_WHATSAPP_TEMPLATE_SID,
                content_variables=msgspec.json.encode({"1": text}).decode(), rest_body=masked,
                by_twilio=True,
            )  # fmt: skip
        else:
            req = MessageRequest(to=to, from_=SMS_SENDER, body=text, rest_body=masked)
        return core.messaging.create(account, req).sid
    except EmulatorError as exc:
        raise verify_error(f"The code could not be sent to {to}: {exc.message}") from None
