"""The rows of a bulk CSV: a header with ``to`` and ``body`` (``from``, ``media_url``)."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BulkRow", "read_rows"]


@dataclass(frozen=True)
class BulkRow:
    index: int
    """0 for the first row after the header."""
    to: str
    body: str
    from_: str | None = None
    media_url: str | None = None
    occurrence: int = 0
    """How many rows above this one have the same to, body, from and media_url."""

    @property
    def number(self) -> int:
        """The row number people read: 1 for the first row after the header."""
        return self.index + 1

    @property
    def key(self) -> str:
        """The row's journal key: its content and occurrence, not its position, so that
        adding or removing rows of the CSV leaves the other rows' keys alone."""
        raw = f"v2\x00{self.occurrence}\x00{self._content}"
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def legacy_key(self) -> str:
        """The key journals written before content keys used (position and content)."""
        return hashlib.sha256(f"{self.index}\x00{self._content}".encode()).hexdigest()

    @property
    def _content(self) -> str:
        return f"{self.to}\x00{self.body}\x00{self.from_}\x00{self.media_url}"


def read_rows(path: Path) -> list[BulkRow]:
    """Rows of a CSV with a header containing ``to`` and ``body`` (``from``, ``media_url``)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = {f.strip().lower() for f in reader.fieldnames or ()}
        if not {"to", "body"} <= fields:
            raise ValueError(f"{path}: the CSV header needs 'to' and 'body' columns")
        rows = []
        seen: Counter[tuple[str, str, str | None, str | None]] = Counter()
        for index, raw in enumerate(reader):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            to, body = row["to"], row["body"]
            from_, media_url = row.get("from") or None, row.get("media_url") or None
            content = (to, body, from_, media_url)
            rows.append(BulkRow(index, to, body, from_, media_url, occurrence=seen[content]))
            seen[content] += 1
    return rows
