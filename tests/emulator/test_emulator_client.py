"""Our own client (sync and async) runs the seed operations against the emulator."""

from __future__ import annotations

import pytest
from support.content import approved_template
from support.receiver import Receiver

from twilio_connector import (
    AsyncTwilioClient,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    StatusCallback,
    TwilioClient,
)
from twilio_connector.emulator import Emulator
from twilio_connector.signature import validate_signature

FROM = "+15017122661"
TO = "+15558675310"


def test_seed_operations_with_our_client(emu: Emulator, receiver: Receiver) -> None:
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        account = client.get_account_details()
        assert account.sid == emu.account_sid and account.status == "active"
        sms = client.send_sms(
            from_=FROM,
            to=TO,
            body="seed sms",
            status_callback=StatusCallback(receiver.url("/sms-status")),
        )
        assert sms.status == "queued" and sms.from_ == FROM and sms.num_segments == "1"
        emu.settle()
        fetched = client.get_message(sms.sid)
        assert fetched.status == "delivered" and fetched.date_sent is not None
        for r in receiver.at("/sms-status"):
            assert validate_signature(
                emu.auth_token, r.url, r.pairs, r.headers["X-Twilio-Signature"]
            )
        assert [r.form["MessageStatus"] for r in receiver.at("/sms-status")] == [
            "sent",
            "delivered",
        ]
        wa = client.send_whatsapp_message(
            from_="+14155238886",
            to=TO,
            content_sid=approved_template(emu),
            content_variables={"1": "Ada"},
        )
        assert wa.to == f"whatsapp:{TO}" and wa.num_segments == "1"
        emu.settle()
        assert client.get_message(wa.sid).status == "read"
        assert [m.sid for m in client.messages.list(limit=10)] == [wa.sid, sms.sid]
        assert client.balance().currency == "USD"
        with pytest.raises(InvalidRequestError) as info:
            client.send_sms(from_=FROM, to="+15005550001", body="x")
        assert info.value.code == 21211 and info.value.status == 400
        with pytest.raises(NotFoundError):
            client.get_message("SM" + "0" * 32)
    with TwilioClient(
        account_sid=emu.account_sid, auth_token="0" * 32, base_url=emu.base_url
    ) as bad:
        with pytest.raises(AuthenticationError) as auth:
            bad.get_account_details()
        assert auth.value.code == 20003


async def test_async_client_against_emulator(emu: Emulator) -> None:
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        sent = await client.send_sms(from_=FROM, to=TO, body="async")
        assert sent.sid.startswith("SM")
        assert (await client.get_message(sent.sid)).body == "async"
        key = await client.keys.create(friendly_name="async key")
        assert key.secret
    async with AsyncTwilioClient(
        account_sid=emu.account_sid, api_key=key.sid, api_secret=key.secret, base_url=emu.base_url
    ) as keyed:
        assert (await keyed.get_message(sent.sid)).sid == sent.sid
