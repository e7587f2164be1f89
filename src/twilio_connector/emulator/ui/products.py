"""Read-only queries behind the inbox's product views (:mod:`.pages`): Messaging Services
with their pools, Verify codes per number, Content templates with their WhatsApp approval.

Every view is bounded: at most ``limit`` rows a page and a cursor for the next ("more"):
services and templates are kept in memory by their backends (few per account) and page by
SID after a sort; verifications page through SQL (``LIMIT`` and a ``seq`` keyset, never
``OFFSET``). Everything is scoped to the accounts the signed-in principal may see.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .queries import PoolEntry, StickySenders, pool_entries, sticky_senders

if TYPE_CHECKING:
    from ..accounts.records import AccountRecord
    from ..core import EmulatorCore

__all__ = [
    "SERVICES_PAGE",
    "TEMPLATES_PAGE",
    "VERIFY_PAGE",
    "Listing",
    "ServiceView",
    "TemplateType",
    "TemplateView",
    "VerificationRow",
    "VerifyGroup",
    "VerifyPage",
    "service_page",
    "template_page",
    "verify_page",
]

SERVICES_PAGE = 50
TEMPLATES_PAGE = 50
VERIFY_PAGE = 100
MAX_POOL_SHOWN = 100  # pool entries per service (Twilio allows up to 400 numbers)
_TYPE_JSON = 2000  # characters of a type's JSON shown (longer is cut with "…")
_LIVE = ("pending", "max_attempts_reached")  # what expires once past expires_at

T = TypeVar("T")
SID = re.compile(r"[A-Z]{2}[0-9a-f]{32}")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a view; ``more`` is the cursor of the next page (None: the last)."""

    items: list[T]
    more: str | None


def _paged(items: list[T], sid: Callable[[T], str], after: str, limit: int) -> Listing[T]:
    """``items`` (already in display order) after the one whose SID is ``after``."""
    if after:
        sids = [sid(i) for i in items]
        items = items[sids.index(after) + 1 :] if after in sids else []
    more = sid(items[limit - 1]) if len(items) > limit else None
    return Listing(items[:limit], more)


def _accounts(core: EmulatorCore, account_sids: Sequence[str]) -> list[AccountRecord]:
    return [a for sid in account_sids if (a := core.accounts.get(sid)) is not None]


# -- Messaging Services -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceView:
    sid: str
    account_sid: str
    friendly_name: str
    settings: dict[str, Any]
    pool: list[PoolEntry]
    pool_total: int
    sticky: StickySenders
    created: float

    def setting(self, key: str) -> Any:
        return self.settings.get(key)


def service_page(
    core: EmulatorCore, account_sids: Sequence[str], after: str = "", limit: int = SERVICES_PAGE
) -> Listing[ServiceView]:
    """The accounts' services, newest first, each with its pool (any kind, one list)."""
    services = [s for a in _accounts(core, account_sids) for s in core.services.of_account(a)]
    services.sort(key=lambda s: (s.date_created, s.sid), reverse=True)
    page = _paged(services, lambda s: s.sid, after, limit)
    views = []
    for s in page.items:
        pool = pool_entries(core, s)
        views.append(
            ServiceView(
                s.sid,
                s.account_sid,
                s.friendly_name,
                dict(s.settings),
                pool[:MAX_POOL_SHOWN],
                len(pool),
                sticky_senders(core, s.sid),
                s.date_created,
            )
        )
    return Listing(views, page.more)


# -- Verify -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationRow:
    sid: str
    service_sid: str
    service_name: str
    account_sid: str
    to: str
    channel: str
    code: str
    status: str
    sends: int
    checks: int
    created: float
    updated: float


@dataclass(frozen=True)
class VerifyGroup:
    """The verifications of one ``To`` on this page, newest first."""

    to: str
    rows: list[VerificationRow]


@dataclass(frozen=True)
class VerifyPage:
    groups: list[VerifyGroup]
    more: str | None  # the ``seq`` cursor of the next (older) page
    count: int


def _current_status(status: str, expires_at: float, now: float) -> str:
    """The status as Twilio would answer it now (the backend stores ``expired`` lazily)."""
    return "expired" if status in _LIVE and now >= expires_at else status


def verify_page(
    core: EmulatorCore,
    account_sids: Sequence[str],
    to: str = "",
    before: str = "",
    limit: int = VERIFY_PAGE,
) -> VerifyPage:
    """Verifications of the accounts (of one ``to`` when given), newest first, grouped by
    number in the order of each number's newest; ``before`` is a cursor of this page."""
    names = {
        s.sid: s.friendly_name
        for a in _accounts(core, account_sids)
        for s in core.verify.services(a)
    }
    before_seq = int(before) if before else None
    found = core.verify.page_of_accounts(account_sids, to or None, before_seq, limit + 1)
    more = str(found[limit - 1][0]) if len(found) > limit else None
    now = core.clock.now()
    groups: dict[str, list[VerificationRow]] = {}
    for _, v in found[:limit]:
        row = VerificationRow(
            v.sid, v.service_sid, names.get(v.service_sid, ""), v.account_sid, v.to, v.channel,
            v.code, _current_status(v.status, v.expires_at, now), len(v.attempts), v.checks,
            v.date_created, v.date_updated,
        )  # fmt: skip
        groups.setdefault(v.to, []).append(row)
    shown = [VerifyGroup(t, rows) for t, rows in groups.items()]
    return VerifyPage(shown, more, min(len(found), limit))


# -- Content templates --------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateType:
    name: str  # twilio/text, twilio/quick-reply ...
    body: str  # the type's text (body, or title for cards)
    actions: list[str]  # button titles, list items, cards
    raw: str  # the type's JSON, cut at _TYPE_JSON characters


@dataclass(frozen=True)
class TemplateView:
    sid: str
    account_sid: str
    friendly_name: str
    language: str
    types: list[TemplateType]
    variables: list[tuple[str, str]]
    approval_status: str
    approval_name: str
    approval_category: str
    rejection_reason: str
    created: float


def _labels(content: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, field in (("actions", "title"), ("items", "item"), ("cards", "title")):
        entries = content.get(key)
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, dict):
                out.append(str(e.get(field) or e.get("type") or key)[:120])
    return out


def _template_type(name: str, content: Any) -> TemplateType:
    content = content if isinstance(content, dict) else {}
    text = content.get("body") or content.get("title") or content.get("label") or ""
    raw = json.dumps(content, indent=1, ensure_ascii=False)
    if len(raw) > _TYPE_JSON:
        raw = raw[:_TYPE_JSON] + "…"
    return TemplateType(name, str(text), _labels(content), raw)


def template_page(
    core: EmulatorCore, account_sids: Sequence[str], after: str = "", limit: int = TEMPLATES_PAGE
) -> Listing[TemplateView]:
    """The accounts' Content templates, newest first, with their WhatsApp approval."""
    contents = [c for a in _accounts(core, account_sids) for c in core.content.of_account(a)]
    contents.sort(key=lambda c: (c.date_created, c.sid), reverse=True)
    page = _paged(contents, lambda c: c.sid, after, limit)
    views = []
    for c in page.items:
        approval = core.content.approval(c)
        views.append(
            TemplateView(
                c.sid,
                c.account_sid,
                c.friendly_name,
                c.language,
                [_template_type(k, v) for k, v in c.types.items()],
                sorted(c.variables.items()),
                str(approval.get("status") or "unsubmitted"),
                str(approval.get("name") or ""),
                str(approval.get("category") or ""),
                str(approval.get("rejection_reason") or ""),
                c.date_created,
            )
        )
    return Listing(views, page.more)
