"""The ``rules`` table: its DDL and every statement on it."""

from __future__ import annotations

import msgspec

from ..store import Store
from .records import Rule

__all__ = ["RuleRepository"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, to_pattern TEXT NOT NULL,
  from_pattern TEXT NOT NULL, outcome TEXT NOT NULL, error_code INTEGER,
  params TEXT NOT NULL, remaining INTEGER);
"""
_INSERT = (
    "INSERT INTO rules (kind, to_pattern, from_pattern, outcome, error_code, params, "
    "remaining) VALUES (?,?,?,?,?,?,?)"
)
_ALL = (
    "SELECT id, kind, to_pattern, from_pattern, outcome, error_code, params, remaining "
    "FROM rules ORDER BY id"
)
_SET_REMAINING = "UPDATE rules SET remaining=? WHERE id=?"
_DELETE = "DELETE FROM rules WHERE id=?"
_DELETE_ALL = "DELETE FROM rules"


class RuleRepository:
    """Rules in the order they were added; ``remaining`` is what is left of ``times``."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SCHEMA)

    def insert(self, rule: Rule) -> int:
        """Store ``rule`` (its ``times`` as the uses remaining); returns the new id."""
        cur = self._store.execute(
            _INSERT,
            (rule.kind, rule.to, rule.from_, rule.outcome, rule.error_code,
             msgspec.json.encode(rule.params).decode(), rule.times),
        )  # fmt: skip
        return int(cur.lastrowid or 0)

    def all(self) -> list[Rule]:
        """Every rule, ``times`` = the uses remaining (``None``: unlimited)."""
        return [
            Rule(kind, outcome, to, from_, code, msgspec.json.decode(params), remaining, rid)
            for rid, kind, to, from_, outcome, code, params, remaining in self._store.query(_ALL)
        ]

    def set_remaining(self, rule_id: int, remaining: int) -> None:
        self._store.execute(_SET_REMAINING, (remaining, rule_id))

    def delete(self, rule_id: int) -> None:
        self._store.execute(_DELETE, (rule_id,))

    def delete_all(self) -> None:
        self._store.execute(_DELETE_ALL)
