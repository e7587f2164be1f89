"""The rule table: how a simulated destination behaves (delivered, undelivered, busy ...).

A rule is keyed by resource ``kind`` (``"message"``; voice adds ``"call"``) and by
destination (``to``) and optionally sender (``from_``) patterns, where ``*`` matches any
run of characters. Patterns match the full address (``whatsapp:+1555...``) or the bare
number. The most recently added matching rule wins; a rule with ``times`` set expires
after that many matches. What ``outcome`` means is up to the kind's lifecycle: messages
understand ``delivered``, ``undelivered``, ``failed``, ``sent`` (no delivery receipt)
and ``read``; extra knobs go in ``params`` (e.g. ``{"delay": 5}``).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..store import Store

__all__ = ["Rule", "RuleTable"]


@dataclass(frozen=True)
class Rule:
    kind: str
    outcome: str
    to: str = "*"
    from_: str = "*"
    error_code: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    times: int | None = None
    id: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "to": self.to,
            "from": self.from_,
            "outcome": self.outcome,
            "error_code": self.error_code,
            "params": self.params,
            "times": self.times,
        }


def _bare(address: str) -> str:
    return address.split(":", 1)[1] if ":" in address else address


def _matches(pattern: str, address: str | None) -> bool:
    if pattern == "*":
        return True
    if address is None:
        return False
    if "*" not in pattern and "?" not in pattern and "[" not in pattern:
        return pattern in (address, _bare(address))
    return fnmatch.fnmatchcase(address, pattern) or fnmatch.fnmatchcase(_bare(address), pattern)


class RuleTable:
    """Rules in memory (checked on every send) and in the store (kept across restarts)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._rules: list[Rule] = []
        self._remaining: dict[int, int] = {}
        self.load()

    def load(self) -> None:
        self._rules.clear()
        self._remaining.clear()
        rows = self._store.query(
            "SELECT id, kind, to_pattern, from_pattern, outcome, error_code, params, remaining "
            "FROM rules ORDER BY id"
        )
        for rid, kind, to, from_, outcome, code, params, remaining in rows:
            rule = Rule(kind, outcome, to, from_, code, msgspec.json.decode(params), None, rid)
            self._rules.append(rule)
            if remaining is not None:
                self._remaining[rid] = int(remaining)

    def add(self, rule: Rule) -> Rule:
        if rule.times is not None and rule.times < 1:
            raise ValueError("times must be >= 1")
        cur = self._store.execute(
            "INSERT INTO rules (kind, to_pattern, from_pattern, outcome, error_code, params, "
            "remaining) VALUES (?,?,?,?,?,?,?)",
            (rule.kind, rule.to, rule.from_, rule.outcome, rule.error_code,
             msgspec.json.encode(rule.params).decode(), rule.times),
        )  # fmt: skip
        rid = int(cur.lastrowid or 0)
        stored = Rule(rule.kind, rule.outcome, rule.to, rule.from_, rule.error_code,
                      dict(rule.params), rule.times, rid)  # fmt: skip
        self._rules.append(stored)
        if rule.times is not None:
            self._remaining[rid] = rule.times
        return stored

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        self._remaining.pop(rule_id, None)
        self._store.execute("DELETE FROM rules WHERE id=?", (rule_id,))
        return len(self._rules) != before

    def clear(self, kind: str | None = None) -> None:
        if kind is None:
            self._rules.clear()
            self._remaining.clear()
            self._store.execute("DELETE FROM rules")
        else:
            for rule in [r for r in self._rules if r.kind == kind]:
                self.remove(rule.id)

    def all(self) -> list[Rule]:
        out = []
        for r in self._rules:
            left = self._remaining.get(r.id, r.times) if r.times is not None else None
            out.append(Rule(r.kind, r.outcome, r.to, r.from_, r.error_code, r.params, left, r.id))
        return out

    def match(self, kind: str, to: str | None, from_: str | None = None) -> Rule | None:
        """The newest rule for ``kind`` matching the addresses; consumes one use of it."""
        if not self._rules:
            return None
        for rule in reversed(self._rules):
            if rule.kind != kind or not _matches(rule.to, to) or not _matches(rule.from_, from_):
                continue
            left = self._remaining.get(rule.id)
            if left is not None:
                if left <= 1:
                    self.remove(rule.id)
                else:
                    self._remaining[rule.id] = left - 1
                    self._store.execute(
                        "UPDATE rules SET remaining=? WHERE id=?", (left - 1, rule.id)
                    )
            return rule
        return None
