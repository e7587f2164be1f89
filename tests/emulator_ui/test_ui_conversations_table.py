"""The ``conversations`` table the sidebar pages through, on a real SQLite store: it follows
inserts, a Messaging Service picking the sender, deletes, reset, and an older store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from twilio_connector.emulator.messages.conversations import (
    _FOLD,
    _PAGE_BEFORE,
    _RECOUNT,
    ActivityCursor,
    like_pattern,
)
from twilio_connector.emulator.messages.records import MessageRecord
from twilio_connector.emulator.messages.repository import MessageRepository
from twilio_connector.emulator.store import Store

ACCOUNT = "AC" + "1" * 32
US = "+15017122661"


def message(i: int, peer: str, *, inbound: bool = False, from_: str | None = US) -> MessageRecord:
    return MessageRecord(
        sid=f"SM{i:032x}", account_sid=ACCOUNT, direction="inbound" if inbound else "outbound-api",
        from_=peer if inbound else from_, to=US if inbound else peer, body=f"body {i}",
        status="received" if inbound else "queued", num_segments=1, num_media=0,
        date_created=1000.0, date_updated=1000.0,
    )  # fmt: skip


def rows(repo: MessageRepository) -> list[tuple[str, str, int]]:
    return [
        (r.local, r.peer, r.message_count) for r in repo.conversations.page([ACCOUNT], None, 99)
    ]


def test_inserts_in_batches_count_both_directions_into_one_conversation() -> None:
    repo = MessageRepository(Store())
    repo.insert([message(1, "+1555"), message(2, "+1666")])
    repo.insert([message(3, "+1555", inbound=True)])
    assert rows(repo) == [(US, "+1555", 2), (US, "+1666", 1)]
    top = repo.conversations.page([ACCOUNT], None, 1)[0]
    assert top.last_seq == 3 and top.last_ts == 1000.0
    assert repo.conversations.page(["AC" + "2" * 32], None, 99) == []


def test_a_sender_picked_later_moves_the_message() -> None:
    repo = MessageRepository(Store())
    repo.insert([message(1, "+1555", from_=None), message(2, "+1555", from_=None)])
    assert rows(repo) == [("", "+1555", 2)]
    repo.set_sender(f"SM{1:032x}", US)
    assert rows(repo) == [("", "+1555", 1), (US, "+1555", 1)]
    repo.set_sender(f"SM{2:032x}", US)
    assert rows(repo) == [(US, "+1555", 2)]


def test_deletes_recount_and_drop_empty_conversations() -> None:
    repo = MessageRepository(Store())
    repo.insert([message(1, "+1555"), message(2, "+1555"), message(3, "+1666")])
    repo.delete(f"SM{2:032x}")
    page = repo.conversations.page([ACCOUNT], None, 99)
    assert [(r.peer, r.message_count, r.last_seq) for r in page] == [
        ("+1666", 1, 3),
        ("+1555", 1, 1),
    ]
    repo.delete(f"SM{3:032x}")
    assert rows(repo) == [(US, "+1555", 1)]


def test_reset_empties_it() -> None:
    store = Store()
    repo = MessageRepository(store)
    repo.insert([message(1, "+1555")])
    store.reset()
    assert rows(repo) == []


def test_a_store_written_before_the_table_existed_is_folded_in_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = Store(path)
    MessageRepository(store).insert([message(1, "+1555"), message(2, "+1666", inbound=True)])
    store.commit()
    store.conn.execute("DROP TABLE conversations")
    store.close()
    reopened = Store(path)
    try:
        assert rows(MessageRepository(reopened)) == [(US, "+1666", 1), (US, "+1555", 1)]
    finally:
        reopened.close()


def test_keyset_pages_on_ties_use_the_sequence() -> None:
    repo = MessageRepository(Store())
    repo.insert([message(i, f"+1555{i:04d}") for i in range(1, 8)])  # all at t=1000
    first = repo.conversations.page([ACCOUNT], None, 3)
    rest = repo.conversations.page([ACCOUNT], first[-1].cursor, 10)
    assert [r.last_seq for r in first + rest] == [7, 6, 5, 4, 3, 2, 1]
    cursor = ActivityCursor.decode(first[-1].cursor.encode())
    assert cursor == first[-1].cursor


def plan_of(sql: str, args: tuple[object, ...]) -> str:
    store = Store()
    MessageRepository(store)
    plan = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall()
    return " | ".join(str(row[-1]) for row in plan)


def test_the_page_query_walks_the_activity_index() -> None:
    plan = plan_of(_PAGE_BEFORE, (ACCOUNT, 1.0, 1, 50))
    assert "conversations_by_activity" in plan and "TEMP B-TREE" not in plan, plan


def test_upkeep_reads_only_the_new_rows_and_one_conversation() -> None:
    fold = plan_of(_FOLD, (0,))
    assert "INTEGER PRIMARY KEY (rowid>?)" in fold and "SCAN messages" not in fold, fold
    recount = plan_of(_RECOUNT, (ACCOUNT, "+1555", US, ACCOUNT, "+1555", US))
    assert "messages_by_to (account_sid=? AND to_=?)" in recount, recount
    assert "messages_by_from (account_sid=? AND from_=?)" in recount, recount
    assert "SCAN messages" not in recount, recount


def test_pages_merge_the_accounts_a_principal_sees() -> None:
    sub = "AC" + "2" * 32
    repo = MessageRepository(Store())
    repo.insert(
        [replace(message(i, f"+1555{i:04d}"), account_sid=sub if i % 2 else ACCOUNT)
         for i in range(1, 9)]
    )  # fmt: skip
    first = repo.conversations.page([ACCOUNT, sub], None, 3)
    rest = repo.conversations.page([ACCOUNT, sub], first[-1].cursor, 10)
    assert [r.last_seq for r in first + rest] == [8, 7, 6, 5, 4, 3, 2, 1]
    assert {r.account_sid for r in first} == {ACCOUNT, sub}
    assert [r.last_seq for r in repo.conversations.page([sub], None, 10)] == [7, 5, 3, 1]


def test_like_pattern_takes_wildcards_literally() -> None:
    assert like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"
