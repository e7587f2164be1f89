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
from dataclasses import replace

from ..store import Store
from .records import Rule
from .repository import RuleRepository

__all__ = ["Rule", "RuleTable"]


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
        self._repo = RuleRepository(store)
        self._rules: list[Rule] = []
        self._remaining: dict[int, int] = {}
        self.load()

    def load(self) -> None:
        self._rules = self._repo.all()
        self._remaining = {r.id: r.times for r in self._rules if r.times is not None}

    def add(self, rule: Rule) -> Rule:
        if rule.times is not None and rule.times < 1:
            raise ValueError("times must be >= 1")
        stored = replace(rule, params=dict(rule.params), id=0)
        stored = replace(stored, id=self._repo.insert(stored))
        self._rules.append(stored)
        if stored.times is not None:
            self._remaining[stored.id] = stored.times
        return stored

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        self._remaining.pop(rule_id, None)
        self._repo.delete(rule_id)
        return len(self._rules) != before

    def clear(self, kind: str | None = None) -> None:
        if kind is None:
            self._rules.clear()
            self._remaining.clear()
            self._repo.delete_all()
        else:
            for rule in [r for r in self._rules if r.kind == kind]:
                self.remove(rule.id)

    def all(self) -> list[Rule]:
        """The rules, oldest first; ``times`` = the uses left."""
        return [
            r if r.times is None else replace(r, times=self._remaining.get(r.id, r.times))
            for r in self._rules
        ]

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
                    self._repo.set_remaining(rule.id, left - 1)
            return rule
        return None
