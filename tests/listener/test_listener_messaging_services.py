"""The listener receives what a Messaging Service sends it: real signed requests from the
emulator (the service's ``inbound_request_url`` and ``status_callback`` point at a listener
served by uvicorn), typed events carrying ``messaging_service_sid``."""

from __future__ import annotations

from listener_testkit import Recorder

from twilio_connector import TwilioClient
from twilio_connector.emulator import Emulator

OWNED = "+15017122661"
HANDSET = "+14155550100"


def test_inbound_and_status_events_through_a_service_carry_its_sid(
    make_listener, start, emu: Emulator
):
    listener = make_listener(auth_token=emu.auth_token)
    seen = Recorder()

    @listener.on_sms_received
    def received(event):
        seen.add("received", event)

    @listener.on_sms_queued
    def queued(event):
        seen.add("queued", event)

    @listener.on_sms_delivered
    def delivered(event):
        seen.add("delivered", event)

    url = start(listener.app).url
    with TwilioClient(
        account_sid=emu.account_sid, auth_token=emu.auth_token, base_url=emu.base_url
    ) as client:
        service = client.messaging_services.create(
            "listener", inbound_request_url=f"{url}/sms", status_callback=f"{url}/status"
        )
        (number,) = [n for n in client.incoming_phone_numbers.list() if n.phone_number == OWNED]
        client.messaging_services.phone_numbers(service.sid).add(number.sid)
        inbound = emu.simulate_inbound_message(HANDSET, OWNED, "via the service")
        sent = client.send_sms(None, HANDSET, "hello", messaging_service_sid=service.sid)
        emu.settle()
    (incoming,) = seen.wait(1, "received")
    assert (incoming.message_sid, incoming.body) == (inbound.sid, "via the service")
    assert incoming.messaging_service_sid == service.sid
    (first,) = seen.wait(1, "queued")
    (last,) = seen.wait(1, "delivered")
    for event in (first, last):
        assert (event.message_sid, event.messaging_service_sid) == (sent.sid, service.sid)
        assert event.from_ == OWNED
    (delivery,) = emu.delivery_log(inbound.sid, kind="incoming-message")
    assert delivery.status == 200  # the listener accepted the signature
