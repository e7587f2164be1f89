"""The webhook tables: ``deliveries`` (the delivery log) and ``webhook_signing`` (shared-key
signing rules), their DDL and every statement on them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import msgspec

from ..store import Store, placeholders
from .records import DeliveryRecord, SigningRule

__all__ = ["DeliveryRepository", "SigningRuleRepository"]

_DELIVERIES = """
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, kind TEXT NOT NULL,
  account_sid TEXT NOT NULL, resource_sid TEXT, method TEXT NOT NULL, url TEXT NOT NULL,
  params TEXT NOT NULL, status INTEGER, latency_ms REAL NOT NULL, error TEXT,
  error_code INTEGER, signature TEXT NOT NULL, idempotency_token TEXT NOT NULL,
  attempt INTEGER NOT NULL, response_body TEXT);
CREATE INDEX IF NOT EXISTS deliveries_by_resource ON deliveries (resource_sid, id);
"""
_ROW = (
    "ts, kind, account_sid, resource_sid, method, url, params, status, latency_ms, error, "
    "error_code, signature, idempotency_token, attempt, response_body"
)
_COLUMNS = f"id, {_ROW}"
_INSERT = f"INSERT INTO deliveries ({_ROW}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER


def _record(r: Sequence[Any]) -> DeliveryRecord:
    pairs = tuple((str(k), str(v)) for k, v in msgspec.json.decode(r[7]))
    return DeliveryRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], pairs, *r[8:])


class DeliveryRepository:
    """Every webhook attempt, in the order made (``id`` increases)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_DELIVERIES)

    def insert_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Append attempts, each a tuple in the order ``ts, kind, account_sid, resource_sid,
        method, url, params (JSON pairs), status, latency_ms, error, error_code, signature,
        idempotency_token, attempt, response_body`` (the dispatcher buffers them)."""
        self._store.executemany(_INSERT, rows)

    def load(
        self,
        *,
        resource_sid: str | None = None,
        kind: str | None = None,
        url_prefix: str | None = None,
        after_id: int = 0,
        limit: int = 1000,
    ) -> list[DeliveryRecord]:
        """The log, oldest first, optionally filtered; ``after_id`` for the next batch."""
        if after_id >= MAX_ID:
            return []
        where: list[str] = ["id > ?"]
        args: list[object] = [after_id]
        if resource_sid is not None:
            where.append("resource_sid = ?")
            args.append(resource_sid)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        if url_prefix is not None:
            where.append("substr(url, 1, ?) = ?")
            args.extend([len(url_prefix), url_prefix])
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM deliveries WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            (*args, limit),
        )
        return [_record(r) for r in rows]

    def recent(
        self, account_sids: Sequence[str], kind: str | None = None, limit: int = 200
    ) -> list[DeliveryRecord]:
        """The newest attempts of some accounts (newest first), optionally of one ``kind``."""
        if not account_sids:
            return []
        where = f"account_sid IN ({placeholders(account_sids)})"
        args: list[object] = list(account_sids)
        if kind:
            where += " AND kind = ?"
            args.append(kind)
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM deliveries WHERE {where} ORDER BY id DESC LIMIT ?",
            (*args, limit),
        )
        return [_record(r) for r in rows]

    def about(
        self, account_sids: Sequence[str], resource_sids: Sequence[str], limit: int = 100
    ) -> list[DeliveryRecord]:
        """Attempts about the given messages or calls (newest first)."""
        if not resource_sids or not account_sids:
            return []
        rows = self._store.query(
            f"SELECT {_COLUMNS} FROM deliveries"
            f" WHERE resource_sid IN ({placeholders(resource_sids)})"
            f" AND account_sid IN ({placeholders(account_sids)}) ORDER BY id DESC LIMIT ?",
            (*resource_sids, *account_sids, limit),
        )
        return [_record(r) for r in rows]

    def kinds(self, account_sids: Sequence[str], window: int = 2000) -> list[str]:
        """The kinds among the newest ``window`` attempts of some accounts, sorted."""
        if not account_sids:
            return []
        rows = self._store.query(
            "SELECT DISTINCT kind FROM (SELECT kind FROM deliveries"
            f" WHERE account_sid IN ({placeholders(account_sids)}) ORDER BY id DESC LIMIT ?)",
            (*account_sids, window),
        )
        return sorted(str(r[0]) for r in rows)


_SIGNING = """
CREATE TABLE IF NOT EXISTS webhook_signing (
  id INTEGER PRIMARY KEY AUTOINCREMENT, match_type TEXT NOT NULL, pattern TEXT NOT NULL UNIQUE,
  key_id TEXT NOT NULL, secret TEXT NOT NULL, algorithm TEXT NOT NULL);
"""
_SIGNING_COLUMNS = "id, match_type, pattern, key_id, secret, algorithm"


class SigningRuleRepository:
    """Shared-key signing rules, one per URL or URL prefix (``pattern`` is unique)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        store.add_schema(_SIGNING)

    def all(self) -> list[SigningRule]:
        rows = self._store.query(f"SELECT {_SIGNING_COLUMNS} FROM webhook_signing ORDER BY id")
        out = []
        for rid, match_type, pattern, key_id, secret, algorithm in rows:
            prefix, exact = (None, pattern) if match_type == "exact" else (pattern, None)
            out.append(SigningRule(key_id, secret, algorithm, prefix, exact, rid))
        return out

    def replace(self, rule: SigningRule) -> SigningRule:
        """Store ``rule``, dropping the one its URL or prefix had; returns it with its id."""
        exact = rule.url is not None
        pattern = rule.url if exact else rule.url_prefix
        self._store.execute("DELETE FROM webhook_signing WHERE pattern=?", (pattern,))
        cur = self._store.execute(
            "INSERT INTO webhook_signing (match_type, pattern, key_id, secret, algorithm) "
            "VALUES (?,?,?,?,?)",
            ("exact" if exact else "prefix", pattern, rule.key_id, rule.secret, rule.algorithm),
        )
        return dataclasses.replace(rule, id=int(cur.lastrowid or 0))

    def delete(self, rule_id: int) -> None:
        self._store.execute("DELETE FROM webhook_signing WHERE id=?", (rule_id,))

    def delete_all(self) -> None:
        self._store.execute("DELETE FROM webhook_signing")
