"""The rows of a bulk CSV: a header with ``to`` and ``body`` (``from``, ``media_url``)."""

from __future__ import annotations

import csv
import hashlib
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

    @property
    def number(self) -> int:
        """The row number people read: 1 for the first row after the header."""
        return self.index + 1

    @property
    def key(self) -> str:
        raw = f"{self.index}\x00{self.to}\x00{self.body}\x00{self.from_}\x00{self.media_url}"
        return hashlib.sha256(raw.encode()).hexdigest()


def read_rows(path: Path) -> list[BulkRow]:
    """Rows of a CSV with a header containing ``to`` and ``body`` (``from``, ``media_url``)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = {f.strip().lower() for f in reader.fieldnames or ()}
        if not {"to", "body"} <= fields:
            raise ValueError(f"{path}: the CSV header needs 'to' and 'body' columns")
        rows = []
        for index, raw in enumerate(reader):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            rows.append(
                BulkRow(
                    index=index,
                    to=row["to"],
                    body=row["body"],
                    from_=row.get("from") or None,
                    media_url=row.get("media_url") or None,
                )
            )
    return rows
