"""The Messages resource's tables and every SQL statement on them.

:class:`MessageRepository` owns ``messages`` and their ``media``; :class:`WhatsAppWindowRepository`
owns ``whatsapp_sessions`` (the last inbound message per business/user pair, which opens the
24-hour window). Both register their DDL with :meth:`Store.add_schema` when constructed, so
:meth:`Store.reset` empties them. Hot writes arrive in batches (the backend buffers rows and
flushes them through :meth:`MessageRepository.insert` / :meth:`MessageRepository.update`);
statements are prepared strings, built once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from ..._wire import DateRange
from ..pagination import UNBOUNDED, PageRequest, date_conditions, paginate_sql
from ..store import Store, placeholders
from .conversations import LOCAL, PEER, ConversationRepository, like_pattern
from .records import MediaRecord, MessageRecord

__all__ = ["MessageQuery", "MessageRepository", "WhatsAppWindowRepository"]

_MESSAGES_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  direction TEXT NOT NULL, from_ TEXT, to_ TEXT NOT NULL, body TEXT NOT NULL,
  status TEXT NOT NULL, num_segments INTEGER NOT NULL, num_media INTEGER NOT NULL,
  date_created REAL NOT NULL, date_updated REAL NOT NULL, date_sent REAL,
  error_code INTEGER, error_message TEXT, price TEXT, price_unit TEXT,
  messaging_service_sid TEXT, status_callback TEXT, extra TEXT);
CREATE INDEX IF NOT EXISTS messages_by_account ON messages (account_sid, seq);
CREATE INDEX IF NOT EXISTS messages_by_to ON messages (account_sid, to_, seq);
CREATE INDEX IF NOT EXISTS messages_by_from ON messages (account_sid, from_, seq);
CREATE TABLE IF NOT EXISTS media (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL,
  parent_sid TEXT NOT NULL, content_type TEXT NOT NULL, url TEXT NOT NULL,
  date_created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS media_by_parent ON media (parent_sid, seq);
"""
_WHATSAPP_SCHEMA = """
CREATE TABLE IF NOT EXISTS whatsapp_sessions (
  account_sid TEXT NOT NULL, business TEXT NOT NULL, user TEXT NOT NULL,
  last_inbound REAL NOT NULL, PRIMARY KEY (account_sid, business, user));
"""

_MESSAGE_COLUMNS = (
    "sid, account_sid, direction, from_, to_, body, status, num_segments, num_media, "
    "date_created, date_updated, date_sent, error_code, error_message, price, price_unit, "
    "messaging_service_sid, status_callback, extra"
)
_MEDIA_COLUMNS = "sid, account_sid, parent_sid, content_type, url, date_created"
_INSERT = f"INSERT INTO messages ({_MESSAGE_COLUMNS}) VALUES ({', '.join('?' * 19)})"
_UPDATE = (
    "UPDATE messages SET body=?, status=?, date_updated=?, date_sent=?, error_code=?, "
    "error_message=?, price=?, num_segments=? WHERE sid=?"
)
_GET = f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE sid=? AND account_sid=?"
_SEQ = "SELECT seq FROM messages WHERE sid=? AND account_sid=?"
_IN_FLIGHT = (
    f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE status IN "
    "('accepted', 'scheduled', 'queued', 'sending', 'sent') AND direction != 'inbound'"
)
_PARTIES = f"SELECT account_sid, {LOCAL}, {PEER} FROM messages WHERE sid=?"
_MOVE_SENDER = "UPDATE messages SET from_=? WHERE sid=?"
_INSERT_MEDIA = f"INSERT INTO media ({_MEDIA_COLUMNS}) VALUES (?,?,?,?,?,?)"
_GET_MEDIA = f"SELECT {_MEDIA_COLUMNS} FROM media WHERE sid=? AND parent_sid=?"
_MEDIA_OF = f"SELECT {_MEDIA_COLUMNS} FROM media WHERE parent_sid=? ORDER BY seq"
_TOUCH_WINDOW = (
    "INSERT OR REPLACE INTO whatsapp_sessions (account_sid, business, user, last_inbound)"
    " VALUES (?,?,?,?)"
)
_LAST_INBOUND = (
    "SELECT last_inbound FROM whatsapp_sessions WHERE account_sid=? AND business=? AND user=?"
)
_json_encode = msgspec.json.encode
_json_decode = msgspec.json.decode


def _row(m: MessageRecord) -> tuple[Any, ...]:
    return (
        m.sid, m.account_sid, m.direction, m.from_, m.to, m.body, m.status, m.num_segments,
        m.num_media, m.date_created, m.date_updated, m.date_sent, m.error_code,
        m.error_message, m.price, m.price_unit, m.messaging_service_sid, m.status_callback,
        _json_encode(m.extra).decode() if m.extra else None,
    )  # fmt: skip


def _update_row(m: MessageRecord) -> tuple[Any, ...]:
    return (m.body, m.status, m.date_updated, m.date_sent, m.error_code, m.error_message,
            m.price, m.num_segments, m.sid)  # fmt: skip


def _record(row: Sequence[Any]) -> MessageRecord:
    return MessageRecord(
        sid=row[0], account_sid=row[1], direction=row[2], from_=row[3], to=row[4], body=row[5],
        status=row[6], num_segments=row[7], num_media=row[8], date_created=row[9],
        date_updated=row[10], date_sent=row[11], error_code=row[12], error_message=row[13],
        price=row[14], price_unit=row[15] or "USD", messaging_service_sid=row[16],
        status_callback=row[17], extra=_json_decode(row[18]) if row[18] else None,
    )  # fmt: skip


@dataclass(frozen=True)
class MessageQuery:
    """List filters: ``To``/``From`` exact; ``date_sent`` the ``DateSent`` filters."""

    to: str | None = None
    from_: str | None = None
    date_sent: DateRange = UNBOUNDED


class MessageRepository:
    """The ``messages`` and ``media`` tables."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_MESSAGES_SCHEMA)
        self.conversations = ConversationRepository(store)

    # -- messages ---------------------------------------------------------------------------

    def insert(self, records: Iterable[MessageRecord]) -> None:
        """Insert new messages (one batch: the backend's write-behind buffer, seeds, benches)
        and count them into their conversations."""
        top = self.conversations.top_seq()
        self._store.executemany(_INSERT, (_row(m) for m in records))
        self.conversations.fold_since(top)

    def update(self, records: Iterable[MessageRecord]) -> None:
        """Write the lifecycle columns (body, status, dates, error, price, segments)."""
        self._store.executemany(_UPDATE, (_update_row(m) for m in records))

    def set_senders(self, moves: Iterable[tuple[str, str, str, str]]) -> None:
        """Messaging Services picked senders for accepted messages (``(sid, account_sid,
        to, from_)``, each stored with no ``from_``), in one batch: each message leaves its
        pending conversation (``local`` ``""``, dropped when empty; its last activity is not
        recomputed) and is counted into ``(from_, to)``, without recounting either."""
        rows = list(moves)
        self._store.executemany(_MOVE_SENDER, ((f, sid) for sid, _, _, f in rows))
        self.conversations.move_pending((a, to, sid) for sid, a, to, _ in rows)

    def set_sender(self, sid: str, from_: str) -> None:
        """A Messaging Service picked the sender: the message moves to that conversation."""
        before = self._store.query_one(_PARTIES, (sid,))
        self._store.execute("UPDATE messages SET from_=? WHERE sid=?", (from_, sid))
        if before is not None:
            account_sid, local, peer = before
            self.conversations.recount(account_sid, local, peer)
            self.conversations.recount(account_sid, from_, peer)

    def get(self, account_sid: str, sid: str) -> MessageRecord | None:
        row = self._store.query_one(_GET, (sid, account_sid))
        return None if row is None else _record(row)

    def delete(self, sid: str) -> None:
        """Delete a message and its media (and recount its conversation)."""
        parties = self._store.query_one(_PARTIES, (sid,))
        self._store.execute("DELETE FROM messages WHERE sid=?", (sid,))
        self._store.execute("DELETE FROM media WHERE parent_sid=?", (sid,))
        if parties is not None:
            self.conversations.recount(*parties)

    def count(self) -> int:
        return int(self._store.query_one("SELECT COUNT(*) FROM messages")[0])

    def in_flight(self) -> list[MessageRecord]:
        """Outbound messages whose lifecycle had not ended (resumed at start)."""
        return [_record(row) for row in self._store.query(_IN_FLIGHT)]

    def page(
        self, account_sid: str, query: MessageQuery, preq: PageRequest
    ) -> tuple[list[MessageRecord], bool]:
        """One page of an account's messages, newest first: (records, has_next)."""
        where: list[str] = ["account_sid = ?"]
        args: list[Any] = [account_sid]
        for condition, value in (("to_ = ?", query.to), ("from_ = ?", query.from_)):
            if value is not None:
                where.append(condition)
                args.append(value)
        dates, date_args = date_conditions("date_sent", query.date_sent)
        where += dates
        args += date_args
        rows, more = paginate_sql(
            self._store, table="messages", columns=_MESSAGE_COLUMNS, where=where, args=args,
            preq=preq, seq_of=lambda sid: self._seq(account_sid, sid),
        )  # fmt: skip
        return [_record(r) for r in rows], more

    def _seq(self, account_sid: str, sid: str) -> int | None:
        row = self._store.query_one(_SEQ, (sid, account_sid))
        return None if row is None else int(row[0])

    # -- media ------------------------------------------------------------------------------

    def insert_media(self, items: Sequence[MediaRecord]) -> None:
        self._store.executemany(
            _INSERT_MEDIA,
            [(m.sid, m.account_sid, m.parent_sid, m.content_type, m.url, m.date_created)
             for m in items],
        )  # fmt: skip

    def get_media(self, parent_sid: str, sid: str) -> MediaRecord | None:
        row = self._store.query_one(_GET_MEDIA, (sid, parent_sid))
        return None if row is None else MediaRecord(*row)

    def media_of(self, parent_sid: str) -> list[MediaRecord]:
        """A message's media, oldest first."""
        return [MediaRecord(*row) for row in self._store.query(_MEDIA_OF, (parent_sid,))]

    def delete_media(self, sid: str) -> None:
        self._store.execute("DELETE FROM media WHERE sid=?", (sid,))

    # -- what the web inbox reads -----------------------------------------------------------

    def by_seq(self, seqs: Sequence[int]) -> dict[int, MessageRecord]:
        """Messages by their ``seq`` (the last message of each conversation on a page)."""
        if not seqs:
            return {}
        rows = self._store.query(
            f"SELECT seq, {_MESSAGE_COLUMNS} FROM messages WHERE seq IN ({placeholders(seqs)})",
            list(seqs),
        )
        return {row[0]: _record(row[1:]) for row in rows}

    def search_bodies(
        self, account_sids: Sequence[str], text: str, window: int, limit: int
    ) -> tuple[list[tuple[str, str, MessageRecord]], bool]:
        """Up to ``limit`` messages whose body contains ``text`` (case-insensitive for ASCII,
        wildcards literal), newest first, as ``(local, peer, message)``; only the latest
        ``window`` messages of the store are read. Also whether older messages were left
        unread (the store holds more than ``window``)."""
        if not account_sids or not text:
            return [], False
        top = int(self._store.query_one("SELECT COALESCE(MAX(seq), 0) FROM messages")[0])
        floor = max(0, top - window)
        rows = self._store.query(
            f"SELECT {LOCAL}, {PEER}, {_MESSAGE_COLUMNS} FROM messages"
            f" WHERE seq > ? AND account_sid IN ({placeholders(account_sids)})"
            " AND body LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?",
            (floor, *account_sids, like_pattern(text), limit),
        )
        older = (
            floor > 0
            and self._store.query_one(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE seq <= ?)", (floor,)
            )[0]
        )
        return [(row[0], row[1], _record(row[2:])) for row in rows], bool(older)

    def thread(
        self,
        account_sids: Sequence[str],
        local: str,
        peer: str,
        limit: int,
        upto_seq: int | None = None,
    ) -> list[MessageRecord]:
        """The latest ``limit`` messages between ``local`` and ``peer`` (those up to and
        including ``upto_seq`` when given), newest first (``local == ""``: outbound
        messages to ``peer`` whose sender is not chosen yet)."""
        if not account_sids:
            return []
        accounts = f"account_sid IN ({placeholders(account_sids)})"
        upto, upto_args = ("", ()) if upto_seq is None else (" AND seq <= ?", (upto_seq,))
        if local:
            # Each half walks the index on the peer's side (unary + keeps SQLite off the index
            # on our busy number), so a thread costs the same in a store of millions of rows.
            half = f"SELECT {_MESSAGE_COLUMNS}, seq FROM messages WHERE {accounts} AND {{}}{upto}"
            args = (*account_sids, peer, local, *upto_args, limit)
            rows = self._store.query(
                f"SELECT * FROM ({half.format('to_ = ? AND +from_ = ?')} ORDER BY seq DESC"
                f" LIMIT ?) UNION SELECT * FROM ({half.format('from_ = ? AND +to_ = ?')}"
                " ORDER BY seq DESC LIMIT ?) ORDER BY seq DESC LIMIT ?",
                (*args, *args, limit),
            )
        else:
            rows = self._store.query(
                f"SELECT {_MESSAGE_COLUMNS}, seq FROM messages WHERE {accounts}"
                f" AND to_ = ? AND from_ IS NULL{upto} ORDER BY seq DESC LIMIT ?",
                (*account_sids, peer, *upto_args, limit),
            )
        return [_record(row) for row in rows]

    def seq_of(self, account_sids: Sequence[str], sid: str) -> int | None:
        """Where message ``sid`` of one of the accounts sits in the store (None: not there)."""
        if not account_sids:
            return None
        row = self._store.query_one(
            f"SELECT seq FROM messages WHERE sid = ? AND account_sid IN"
            f" ({placeholders(account_sids)})",
            (sid, *account_sids),
        )
        return None if row is None else int(row[0])

    def media_by_parent(self, parent_sids: Sequence[str]) -> dict[str, list[MediaRecord]]:
        """The media of several messages, oldest first per message."""
        out: dict[str, list[MediaRecord]] = {}
        if not parent_sids:
            return out
        for row in self._store.query(
            f"SELECT {_MEDIA_COLUMNS} FROM media WHERE parent_sid IN ({placeholders(parent_sids)})"
            " ORDER BY seq",
            list(parent_sids),
        ):
            media = MediaRecord(*row)
            out.setdefault(media.parent_sid, []).append(media)
        return out


class WhatsAppWindowRepository:
    """The ``whatsapp_sessions`` table: when each user last wrote to each business number."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_WHATSAPP_SCHEMA)

    def touch(self, account_sid: str, business: str, user: str, ts: float) -> None:
        self._store.execute(_TOUCH_WINDOW, (account_sid, business, user, ts))

    def last_inbound(self, account_sid: str, business: str, user: str) -> float | None:
        row = self._store.query_one(_LAST_INBOUND, (account_sid, business, user))
        return None if row is None else float(row[0])
