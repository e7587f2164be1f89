"""The rule record: one line of the rule table (see :mod:`.state`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Rule"]


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
