"""Message and Media records -> :mod:`twilio_connector.models` (the one definition of the JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import msgspec

from ... import models
from ..._wire import API_VERSION
from ...specs import MEDIA, MESSAGES
from ..serialize import dt
from .records import MediaRecord, MessageRecord

if TYPE_CHECKING:  # the stored values are the emulator's own: Twilio's values
    from ...enums import MessageDirectionValue, MessageStatusValue

__all__ = ["media_model", "message_model", "rest_message_model"]

assert MESSAGES.instance_path and MEDIA.list_path and MEDIA.instance_path
_MESSAGE, _MEDIA_LIST, _MEDIA = MESSAGES.instance_path, MEDIA.list_path, MEDIA.instance_path


def message_model(m: MessageRecord) -> models.Message:
    uri = _MESSAGE.fill(m.account_sid, m.sid)
    return models.Message(
        sid=m.sid,
        account_sid=m.account_sid,
        api_version=API_VERSION,
        body=m.body,
        date_created=dt(m.date_created),
        date_sent=dt(m.date_sent),
        date_updated=dt(m.date_updated),
        direction=cast("MessageDirectionValue", m.direction),
        error_code=m.error_code,
        error_message=m.error_message,
        from_=m.from_,
        to=m.to,
        messaging_service_sid=m.messaging_service_sid,
        num_media=str(m.num_media),
        num_segments=str(m.num_segments),
        price=m.price,
        price_unit=m.price_unit,
        status=cast("MessageStatusValue", m.status),
        uri=uri,
        subresource_uris={
            "media": _MEDIA_LIST.fill(m.account_sid, m.sid),
        },
    )


def rest_message_model(m: MessageRecord) -> models.Message:
    """The message as the account's REST API shows it: a message that carries a secret (a
    Verify code) shows its ``rest_body`` instead (the code masked), unless redacted since."""
    model = message_model(m)
    shown = (m.extra or {}).get("rest_body")
    if isinstance(shown, str) and m.body:
        return msgspec.structs.replace(model, body=shown)
    return model


def media_model(m: MediaRecord) -> models.Media:
    return models.Media(
        sid=m.sid,
        account_sid=m.account_sid,
        parent_sid=m.parent_sid,
        content_type=m.content_type,
        date_created=dt(m.date_created),
        date_updated=dt(m.date_created),
        uri=_MEDIA.fill(m.account_sid, m.parent_sid, m.sid),
    )
