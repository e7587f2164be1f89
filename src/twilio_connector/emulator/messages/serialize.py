"""Message and Media records -> :mod:`twilio_connector.models` (the one definition of the JSON)."""

from __future__ import annotations

from ... import models
from ..router import API_PREFIX
from ..serialize import API_VERSION, dt
from .records import MediaRecord, MessageRecord

__all__ = ["media_model", "message_model"]


def message_model(m: MessageRecord) -> models.Message:
    uri = f"{API_PREFIX}/Accounts/{m.account_sid}/Messages/{m.sid}"
    return models.Message(
        sid=m.sid,
        account_sid=m.account_sid,
        api_version=API_VERSION,
        body=m.body,
        date_created=dt(m.date_created),
        date_sent=dt(m.date_sent),
        date_updated=dt(m.date_updated),
        direction=m.direction,
        error_code=m.error_code,
        error_message=m.error_message,
        from_=m.from_,
        to=m.to,
        messaging_service_sid=m.messaging_service_sid,
        num_media=str(m.num_media),
        num_segments=str(m.num_segments),
        price=m.price,
        price_unit=m.price_unit,
        status=m.status,
        uri=f"{uri}.json",
        subresource_uris={"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
    )


def media_model(m: MediaRecord) -> models.Media:
    return models.Media(
        sid=m.sid,
        account_sid=m.account_sid,
        parent_sid=m.parent_sid,
        content_type=m.content_type,
        date_created=dt(m.date_created),
        date_updated=dt(m.date_created),
        uri=f"{API_PREFIX}/Accounts/{m.account_sid}/Messages/{m.parent_sid}/Media/{m.sid}.json",
    )
