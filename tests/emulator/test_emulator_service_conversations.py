"""Messages a Messaging Service sends move from their pending conversation (no sender yet)
to their sender's, in one batch (``MessageRepository.set_senders``), with the counts a full
recount gives; and the web inbox's conversations follow a real send through a service."""

from __future__ import annotations

from twilio.rest import Client

from twilio_connector.emulator import Emulator
from twilio_connector.emulator.messages.records import MessageRecord
from twilio_connector.emulator.messages.repository import MessageRepository
from twilio_connector.emulator.store import Store

ACCOUNT = "AC" + "1" * 32
US, US_2 = "+15017122661", "+15017122662"


def _pending(i: int, peer: str) -> MessageRecord:
    return MessageRecord(
        sid=f"SM{i:032x}", account_sid=ACCOUNT, direction="outbound-api", from_=None, to=peer,
        body=f"body {i}", status="accepted", num_segments=0, num_media=0,
        date_created=1000.0 + i, date_updated=1000.0 + i,
    )  # fmt: skip


def _rows(repo: MessageRepository) -> list[tuple[str, str, int, int]]:
    page = repo.conversations.page([ACCOUNT], None, 99)
    return sorted((r.local, r.peer, r.message_count, r.last_seq) for r in page)


def test_a_batch_of_picked_senders_counts_as_recounting_each_conversation() -> None:
    batched, one_by_one = MessageRepository(Store()), MessageRepository(Store())
    pending = [_pending(1, "+1555"), _pending(2, "+1555"), _pending(3, "+1666")]
    picks = [(1, US), (2, US_2), (3, US)]
    for repo in (batched, one_by_one):
        repo.insert(pending)
        assert _rows(repo) == [("", "+1555", 2, 2), ("", "+1666", 1, 3)]
    batched.set_senders([(f"SM{i:032x}", ACCOUNT, pending[i - 1].to, f) for i, f in picks[:2]])
    assert _rows(batched) == [("", "+1666", 1, 3), (US, "+1555", 1, 1), (US_2, "+1555", 1, 2)]
    batched.set_senders([(f"SM{3:032x}", ACCOUNT, "+1666", US)])
    for i, from_ in picks:
        one_by_one.set_sender(f"SM{i:032x}", from_)
    assert _rows(batched) == _rows(one_by_one)
    assert _rows(batched) == [(US, "+1555", 1, 1), (US, "+1666", 1, 3), (US_2, "+1555", 1, 2)]
    batched.set_senders([])  # nothing to do


def test_the_inbox_shows_service_messages_under_their_sender(emu: Emulator, twilio: Client) -> None:
    service = twilio.messaging.v1.services.create(friendly_name="inbox").sid
    number = twilio.incoming_phone_numbers.list(phone_number=US)[0].sid
    twilio.messaging.v1.services(service).phone_numbers.create(phone_number_sid=number)
    for _ in range(3):
        twilio.messages.create(to="+12125550100", messaging_service_sid=service, body="x")
    emu.settle()

    def conversations() -> list[tuple[str, str, int]]:
        repo = emu.core.messaging.repository.conversations
        return [(r.local, r.peer, r.message_count) for r in repo.page([emu.account_sid], None, 9)]

    assert emu.call(lambda _core: conversations()) == [(US, "+12125550100", 3)]
