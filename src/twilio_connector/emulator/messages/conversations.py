"""The ``conversations`` table: one row per (account, our side, the other side) with the
count of its messages and its last activity, kept by :class:`.repository.MessageRepository`
as messages are inserted, get their sender or are deleted.

The web inbox pages through it newest first with a keyset cursor (``last_ts``, then
``last_seq``: the manual clock gives many messages the same time, ``seq`` never repeats),
so any page, the thousandth as the first, costs one index range scan and ``LIMIT`` rows.
Messages are never scanned to build the sidebar.

``local`` is our side (``to_`` of an inbound message, ``from_`` otherwise; ``""`` while a
Messaging Service has not picked a sender) and ``peer`` the other side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..store import Store

__all__ = ["ActivityCursor", "ConversationRepository", "ConversationRow", "like_pattern"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
  account_sid TEXT NOT NULL, local TEXT NOT NULL, peer TEXT NOT NULL,
  message_count INTEGER NOT NULL, last_seq INTEGER NOT NULL, last_ts REAL NOT NULL,
  PRIMARY KEY (account_sid, local, peer));
CREATE INDEX IF NOT EXISTS conversations_by_activity
  ON conversations (account_sid, last_ts, last_seq);
"""

LOCAL = "COALESCE(CASE WHEN direction = 'inbound' THEN to_ ELSE from_ END, '')"
PEER = "COALESCE(CASE WHEN direction = 'inbound' THEN from_ ELSE to_ END, '')"
_COLUMNS = "account_sid, local, peer, message_count, last_seq, last_ts"

# Messages with seq > ? (a batch just inserted) folded into their conversations. SQLite takes
# the bare ``date_created`` from the row that holds MAX(seq).
_FOLD = (
    f"INSERT INTO conversations ({_COLUMNS})"
    f" SELECT account_sid, {LOCAL} AS l, {PEER} AS p, COUNT(*), MAX(seq), date_created"
    " FROM messages NOT INDEXED WHERE seq > ? GROUP BY account_sid, l, p"
    " ON CONFLICT (account_sid, local, peer) DO UPDATE SET"
    " message_count = message_count + excluded.message_count,"
    " last_seq = MAX(last_seq, excluded.last_seq),"
    " last_ts = CASE WHEN excluded.last_seq > last_seq THEN excluded.last_ts ELSE last_ts END"
)
# One conversation recounted from its messages (after a sender change or a delete): each
# half walks the index on the peer's side (never the one on our own, busy, number).
_RECOUNT = (
    "SELECT COUNT(*), MAX(seq), date_created FROM ("
    " SELECT seq, date_created FROM messages WHERE account_sid = ? AND to_ = ?"
    " AND direction != 'inbound' AND COALESCE(from_, '') = ?"
    " UNION ALL SELECT seq, date_created FROM messages WHERE account_sid = ? AND from_ = ?"
    " AND direction = 'inbound' AND +to_ = ?)"
)
_UPSERT = f"INSERT OR REPLACE INTO conversations ({_COLUMNS}) VALUES (?,?,?,?,?,?)"
# A message whose sender a Messaging Service picked: out of its pending conversation ...
_LEAVE_PENDING = (
    "UPDATE conversations SET message_count = message_count - 1"
    " WHERE account_sid = ? AND local = '' AND peer = ?"
)
_DROP_EMPTY_PENDING = (
    "DELETE FROM conversations WHERE account_sid = ? AND local = '' AND message_count <= 0"
)
# ... and into the one of its sender (the message is outbound: local from_, peer to_).
_JOIN = (
    f"INSERT INTO conversations ({_COLUMNS})"
    " SELECT account_sid, from_, to_, 1, seq, date_created FROM messages WHERE sid = ?"
    " ON CONFLICT (account_sid, local, peer) DO UPDATE SET"
    " message_count = message_count + 1,"
    " last_seq = MAX(last_seq, excluded.last_seq),"
    " last_ts = CASE WHEN excluded.last_seq > last_seq THEN excluded.last_ts ELSE last_ts END"
)
_DROP = "DELETE FROM conversations WHERE account_sid = ? AND local = ? AND peer = ?"
_ORDER = " ORDER BY last_ts DESC, last_seq DESC LIMIT ?"
_PAGE = f"SELECT {_COLUMNS} FROM conversations WHERE account_sid = ?"
_PAGE_BEFORE = f"{_PAGE} AND (last_ts, last_seq) < (?, ?){_ORDER}"
_MATCHING = f"{_PAGE} AND (peer LIKE ? ESCAPE '\\' OR local LIKE ? ESCAPE '\\'){_ORDER}"


@dataclass(frozen=True, order=True)
class ActivityCursor:
    """Where a page of conversations ends: the last activity of its last row."""

    ts: float
    seq: int

    def encode(self) -> str:
        return f"{self.ts!r}_{self.seq}"

    @classmethod
    def decode(cls, text: str) -> ActivityCursor:
        """Parse :meth:`encode`'s output; ``ValueError`` if it is not one."""
        ts, sep, seq = text.partition("_")
        if not sep or not text.isascii() or not seq.isdigit() or len(text) > 64:
            raise ValueError(text)
        value = float(ts)
        if value != value or value in (float("inf"), float("-inf")):  # nan, inf
            raise ValueError(text)
        return cls(value, int(seq))


@dataclass(frozen=True)
class ConversationRow:
    account_sid: str
    local: str
    peer: str
    message_count: int
    last_seq: int
    last_ts: float

    @property
    def cursor(self) -> ActivityCursor:
        return ActivityCursor(self.last_ts, self.last_seq)


def like_pattern(text: str) -> str:
    """``%text%`` for ``LIKE ? ESCAPE '\\'``, with the wildcards in ``text`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ConversationRepository:
    """The ``conversations`` table (maintained by the Messages repository)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)
        self._backfill()

    def _backfill(self) -> None:
        """A store written before this table existed: fold all its messages in, once."""
        empty = self._store.query_one("SELECT NOT EXISTS (SELECT 1 FROM conversations)")[0]
        if empty and self._store.query_one("SELECT EXISTS (SELECT 1 FROM messages)")[0]:
            self.fold_since(0)
            self._store.commit()

    # -- upkeep (called by MessageRepository) -------------------------------------------------

    def top_seq(self) -> int:
        """The highest message seq so far (0 when empty): read before inserting a batch."""
        return int(self._store.execute("SELECT COALESCE(MAX(seq), 0) FROM messages").fetchone()[0])

    def fold_since(self, seq: int) -> None:
        """Count the messages inserted after ``seq`` into their conversations."""
        self._store.execute(_FOLD, (seq,))

    def recount(self, account_sid: str, local: str, peer: str) -> None:
        """Recompute one conversation from its messages (drop it when none is left)."""
        count, last_seq, last_ts = self._store.execute(
            _RECOUNT, (account_sid, peer, local, account_sid, peer, local)
        ).fetchone()
        if count:
            self._store.execute(_UPSERT, (account_sid, local, peer, count, last_seq, last_ts))
        else:
            self._store.execute(_DROP, (account_sid, local, peer))

    def move_pending(self, moves: Iterable[tuple[str, str, str]]) -> None:
        """Outbound messages ``(account_sid, to, sid)`` that got their ``from_``: each leaves
        the pending conversation ``("", to)`` (dropped once empty) and joins ``(from_, to)``."""
        rows = list(moves)
        self._store.executemany(_LEAVE_PENDING, ((a, to) for a, to, _ in rows))
        self._store.executemany(_DROP_EMPTY_PENDING, ((a,) for a in {a for a, _, _ in rows}))
        self._store.executemany(_JOIN, ((sid,) for _, _, sid in rows))

    # -- what the web inbox reads ---------------------------------------------------------------

    def _newest(
        self, sql: str, account_sids: Sequence[str], args: tuple[object, ...], limit: int
    ) -> list[ConversationRow]:
        """``sql`` run for each account (one range of the activity index each, never a sort
        of all conversations), merged, the ``limit`` most recent kept."""
        found = [
            ConversationRow(*row)
            for account_sid in dict.fromkeys(account_sids)
            for row in self._store.query(sql, (account_sid, *args, limit))
        ]
        found.sort(key=lambda r: (r.last_ts, r.last_seq), reverse=True)
        return found[:limit]

    def page(
        self, account_sids: Sequence[str], before: ActivityCursor | None, limit: int
    ) -> list[ConversationRow]:
        """Up to ``limit`` conversations of the accounts, most recent activity first, all
        older than ``before`` when given."""
        if before is None:
            return self._newest(_PAGE + _ORDER, account_sids, (), limit)
        return self._newest(_PAGE_BEFORE, account_sids, (before.ts, before.seq), limit)

    def matching_number(
        self, account_sids: Sequence[str], fragment: str, limit: int
    ) -> list[ConversationRow]:
        """Conversations whose either side contains ``fragment`` (wildcards literal), most
        recent first (each account's are read newest first until ``limit`` match)."""
        if not fragment:
            return []
        pattern = like_pattern(fragment)
        return self._newest(_MATCHING, account_sids, (pattern, pattern), limit)
