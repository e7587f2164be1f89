"""The emulator's web inbox at ``/_emulator/ui``: server-rendered (Jinja2, autoescaped), live
through ~100 lines of vanilla JS that poll the live region every second (no CDN, no build).

=======================================  =====================================================
``GET  /_emulator/ui``                   the page: ``view`` = ``messages`` (conversations
                                         per owned number, newest first, a page at a time:
                                         ``before`` = the cursor of the "older" link;
                                         ``local``/``peer`` pick one, ``upto`` = a
                                         message SID ends its thread there), ``calls``
                                         (transcripts and status callbacks), ``webhooks``
                                         (every delivery attempt; ``kind``), ``search``
                                         (``q``: numbers and message text, see ``search``),
                                         ``services`` (Messaging Services: settings, pool),
                                         ``verify`` (codes per number; ``to`` = one number),
                                         ``templates`` (Content templates, approval); these
                                         three page by ``after`` (see ``products``);
                                         ``account`` = one of the visible accounts only
``GET  /_emulator/ui/live``              the page's live region alone (same parameters);
                                         ``h`` = the hash the browser has -> 204 if unchanged
``POST /_emulator/ui/inbound``           a handset sends ``body``/``media_url`` from ``from``
                                         to ``to`` (an owned address): the same path as
                                         ``Emulator.simulate_inbound_message``. JSON answer
                                         when ``Accept: application/json``, else 303/4xx page
``GET  /_emulator/ui/static/{name}``     ``ui.css``, ``ui.js``
``GET  /favicon.ico``                    the icon (no credentials needed, cached a day)
=======================================  =====================================================

Authentication: like the rest of the control plane, HTTP Basic with a main account's SID and
auth token (a browser prompts for them; the CLI prints both). The emulator may listen on a
non-loopback interface and the inbox can make the emulator send webhooks, so it is never
open. The inbound form also carries a token derived from (never equal to) the auth token,
so other sites cannot post it with the browser's cached credentials. The auth token is
never rendered; passwords embedded in URLs are shown as ``***``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from ..._wire import encode_form, parse_address, whatsapp_address
from ..accounts.records import AccountRecord
from ..errors import EmulatorError
from ..http import Request, Response, json_response
from ..messages.conversations import ActivityCursor
from . import favicon
from .products import service_page, template_page, verify_page
from .queries import (
    Conversation,
    OwnedNumber,
    ThreadPage,
    bare,
    conversation_page,
    owned_numbers,
    recent_calls,
    redact_url,
    safe_link,
    thread,
)
from .search import MAX_QUERY, SEARCH_WINDOW, search

if TYPE_CHECKING:
    from ..core import EmulatorCore
    from ..router import Router

__all__ = ["PREFIX", "install"]

PREFIX = "/_emulator/ui"
VIEWS = {
    "messages": "Messages",
    "calls": "Calls",
    "webhooks": "Webhooks",
    "search": "Search",
    # -- product views (Messaging Services, Verify, Content) --
    "services": "Services",
    "verify": "Verify",
    "templates": "Templates",
}
NAV = ("messages", "calls", "webhooks", "services", "verify", "templates")  # search: the box
LIVE_VIEWS = frozenset(NAV)  # search results are rendered once, never polled
_PACKAGE = "twilio_connector.emulator.ui"
_STATIC = {"ui.css": "text/css; charset=utf-8", "ui.js": "text/javascript; charset=utf-8"}
_HTML = "text/html; charset=utf-8"
_SECURITY_HEADERS = (
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),  # "no-referrer" would make the form's Origin "null"
    ("x-frame-options", "DENY"),
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    ),
)
_MAX_PARAM = 100
_ICON_CACHE = "public, max-age=86400"
_MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-f]{32}")
_MAX_MEDIA_URL = 2000
_FORM_FIELDS = ("from", "to", "body", "media_url")
_OK = frozenset({"delivered", "read", "received", "completed", "answered", "approved"})
_BAD = frozenset(
    {"failed", "undelivered", "busy", "no-answer", "canceled"}
    | {"expired", "max_attempts_reached", "rejected", "paused", "disabled"}
)
_ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
_PAGE_CURSOR = {  # the "after" cursor of each paged product view
    "services": re.compile(r"MG[0-9a-f]{32}"),
    "templates": re.compile(r"HX[0-9a-f]{32}"),
    "verify": re.compile(r"[1-9][0-9]{0,17}"),
}


class FormError(Exception):
    """Bad input from the browser: shown to the user with an HTTP 4xx."""

    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


# -- formatting helpers (Jinja filters) ---------------------------------------------------------


def _clock(ts: float | None) -> str:
    return "" if ts is None else time.strftime("%H:%M:%S", time.gmtime(ts))


def _stamp(ts: float | None) -> str:
    return "" if ts is None else time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def _approval_class(status: str) -> str:
    """A WhatsApp approval's badge: approved green, rejected/paused/disabled red, else amber
    (``unsubmitted``, ``received``, ``pending``: not decided)."""
    return "ok" if status == "approved" else "bad" if status in _BAD else "pending"


def _status_class(status: object) -> str:
    if isinstance(status, int) or status is None:
        return "ok" if isinstance(status, int) and 200 <= status < 300 else "bad"
    text = str(status)
    return "ok" if text in _OK else "bad" if text in _BAD else "pending"


def _ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def ui_url(view: str = "messages", **params: str | None) -> str:
    query = encode_form([("view", view), *((k, v) for k, v in params.items() if v)])
    return f"{PREFIX}?{query}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(_PACKAGE, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        clock=_clock, stamp=_stamp, status_class=_status_class, ms=_ms, redact=redact_url,
        approval_class=_approval_class,
    )  # fmt: skip
    env.globals.update(
        ui_url=ui_url, safe_link=safe_link, bare=bare, prefix=PREFIX, search_window=SEARCH_WINDOW
    )
    return env


def _static(name: str) -> bytes:
    return resources.files(_PACKAGE).joinpath(f"templates/static/{name}").read_bytes()


def csrf_token(account: AccountRecord) -> str:
    """A per-account form token derived from the auth token (which it does not reveal)."""
    key = account.auth_token.encode()
    return hmac.new(key, b"twilio-connector emulator ui form", hashlib.sha256).hexdigest()[:32]


# -- request state ------------------------------------------------------------------------------


@dataclass
class Selection:
    view: str
    local: str
    peer: str
    kind: str
    before: str = ""  # the sidebar page: an ActivityCursor, "" for the newest
    upto: str = ""  # the thread ends at this message SID, "" for the latest
    q: str = ""  # the search term
    to: str = ""  # the verify view: one number's verifications
    after: str = ""  # the services/templates/verify views: the cursor of the "more" link
    account: str = ""  # one of the visible accounts only ("" for all of them)


def _param(req: Request, name: str, source: dict[str, list[str]] | None = None) -> str:
    values = (req.query if source is None else source).get(name)
    value = (values[-1] if values else "").strip()
    if len(value) > _MAX_PARAM:
        raise FormError(f"'{name}' is too long (at most {_MAX_PARAM} characters)", field=name)
    return value


def _address(req: Request, name: str, source: dict[str, list[str]] | None = None) -> str:
    """An address parameter. A ``+`` typed unencoded into a URL arrives as a space, so
    ``" 1555..."`` (or ``"whatsapp: 1555..."``) is read as ``+1555...``."""
    values = (req.query if source is None else source).get(name)
    raw = values[-1] if values else ""
    prefix, sep, rest = raw.rpartition(":")
    if rest.startswith(" ") and rest.strip().isdigit():
        raw = f"{prefix}{sep}+{rest.strip()}"
    return _param(req, name, {name: [raw]})


def _selection(req: Request) -> Selection:
    view = _param(req, "view") or "messages"
    if view not in VIEWS:
        raise FormError(f"Unknown view {view!r}: choose one of {', '.join(VIEWS)}", field="view")
    local, peer = _address(req, "local"), _address(req, "peer")
    before = _param(req, "before")
    if before:
        try:
            ActivityCursor.decode(before)
        except ValueError:
            raise FormError("'before' is not a page of conversations", field="before") from None
    q = " ".join((req.query.get("q") or [""])[-1].split())  # whitespace runs as one space
    if len(q) > MAX_QUERY:
        raise FormError(f"The search is too long (at most {MAX_QUERY} characters)", field="q")
    upto = _param(req, "upto")
    if upto and not _MESSAGE_SID.fullmatch(upto):
        raise FormError("'upto' is not a message SID (SM or MM and 32 hex digits)", field="upto")
    after = _param(req, "after")
    pattern = _PAGE_CURSOR.get(view)
    if after and (pattern is None or not pattern.fullmatch(after)):
        raise FormError(f"'after' is not a page of the {view} view", field="after")
    account = _param(req, "account")
    if account and not _ACCOUNT_SID.fullmatch(account):
        raise FormError("'account' is not an account SID (AC and 32 hex digits)", field="account")
    to = _address(req, "to")
    return Selection(
        view, local, peer, _param(req, "kind"), before=before, upto=upto, q=q, to=to,
        after=after, account=account,
    )  # fmt: skip


def _headers(*extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (*_SECURITY_HEADERS, *extra)


class Inbox:
    """Renders the pages of one emulator (runs on the emulator's loop, like every handler)."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self.env = _environment()
        self.static = {name: _static(name) for name in _STATIC}

    def accounts(self, req: Request, only: str = "") -> list[str]:
        """The accounts the page shows: the principal's and its subaccounts, or ``only``
        (one of them; 404 if it is not)."""
        assert req.principal is not None  # the router authenticated it ("main")
        sids = [a.sid for a in self.core.accounts.visible_to(req.principal)]
        if only and only not in sids:
            raise FormError(f"No account {only} among yours", 404, "account")
        return [only] if only else sids

    # -- the live region ------------------------------------------------------------------------

    def live_context(
        self, sel: Selection, account_sids: list[str], principal_sid: str = ""
    ) -> dict[str, Any]:
        ctx: dict[str, Any] = {"sel": sel, "account_sid": principal_sid}
        if sel.view == "messages":
            numbers = owned_numbers(self.core, account_sids)
            before = ActivityCursor.decode(sel.before) if sel.before else None
            page = conversation_page(self.core.messaging.repository, account_sids, before)
            conversations = page.conversations
            if not sel.peer and conversations:
                first = conversations[0]
                sel = Selection(sel.view, first.local, first.peer, "", before=sel.before)
                ctx["sel"] = sel
            shown = self._thread(account_sids, sel) if sel.peer else ThreadPage([], None)
            messages = shown.messages
            sids = [m.sid for m in messages]
            ctx.update(
                groups=_group([] if before else numbers, conversations),
                older=page.older,
                messages=messages,
                older_messages=shown.older,
                hooks=self.core.deliveries.about(account_sids, sids),
            )
        elif sel.view == "calls":
            ctx["calls"] = recent_calls(self.core, account_sids)
        elif sel.view == "services":
            ctx["services"] = service_page(self.core, account_sids, sel.after)
        elif sel.view == "verify":
            ctx["verifications"] = verify_page(self.core, account_sids, sel.to, sel.after)
        elif sel.view == "templates":
            ctx["templates"] = template_page(self.core, account_sids, sel.after)
        else:
            ctx.update(
                deliveries=self.core.deliveries.recent(account_sids, sel.kind or None),
                kinds=self.core.deliveries.kinds(account_sids),
                alerts=self.core.debugger.recent(account_sids),
            )
        return ctx

    def _thread(self, account_sids: list[str], sel: Selection) -> ThreadPage:
        repository = self.core.messaging.repository
        try:
            return thread(
                repository, account_sids, sel.local, sel.peer, sel.upto,
                template_name=self._template_name,
            )  # fmt: skip
        except LookupError:
            raise FormError(f"No message {sel.upto} in your accounts", 404, "upto") from None

    def _template_name(self, account_sid: str, content_sid: str) -> str | None:
        account = self.core.accounts.get(account_sid)
        content = None if account is None else self.core.content.for_sending(account, content_sid)
        return None if content is None else content.friendly_name

    def render_live(
        self, sel: Selection, account_sids: list[str], principal_sid: str = ""
    ) -> tuple[str, str, Selection]:
        """The live region; ``principal_sid`` (the signed-in account) is shown unmarked,
        rows of its subaccounts carry their SID."""
        ctx = self.live_context(sel, account_sids, principal_sid)
        html = self.env.get_template(f"live_{sel.view}.html").render(ctx)
        digest = hashlib.sha256(html.encode()).hexdigest()[:20]
        return html, digest, ctx["sel"]

    # -- pages ----------------------------------------------------------------------------------

    def page(
        self,
        req: Request,
        sel: Selection,
        *,
        status: int = 200,
        error: str | None = None,
        form: dict[str, str] | None = None,
    ) -> Response:
        assert req.principal is not None
        account_sids = self.accounts(req, sel.account)
        if sel.view in LIVE_VIEWS:
            html, digest, sel = self.render_live(sel, account_sids, req.principal.sid)
        else:
            html = digest = ""
        numbers = owned_numbers(self.core, account_sids)
        defaults = {"from": "", "to": "", "body": "", "media_url": ""}
        if sel.peer and not self.core.numbers.owner_of(bare(sel.peer)):
            defaults["from"] = sel.peer
        if sel.local:
            defaults["to"] = sel.local
        live_src = f"{PREFIX}/live?" + encode_form(
            [("view", sel.view), *((k, v) for k, v in
             (("local", sel.local), ("peer", sel.peer), ("kind", sel.kind),
              ("before", sel.before), ("upto", sel.upto), ("to", sel.to),
              ("after", sel.after), ("account", sel.account)) if v)]
        )  # fmt: skip
        results = (
            search(self.core.messaging.repository, account_sids, sel.q)
            if sel.view == "search"
            else None
        )
        body = self.env.get_template("page.html").render(
            views=VIEWS,
            nav=NAV,
            results=results,
            sel=sel,
            title=VIEWS[sel.view],
            account_sid=req.principal.sid,
            base_url=self.core.base_url,
            live_html=Markup(html),  # rendered by the same autoescaping environment
            live_hash=digest,
            live_src=live_src,
            numbers=numbers,
            form=form or defaults,
            csrf=csrf_token(req.principal),
            error=error,
        )
        return Response(status, body.encode(), _HTML, _headers())

    def error_page(self, err: FormError) -> Response:
        body = self.env.get_template("error.html").render(message=err.message, status=err.status)
        return Response(err.status, body.encode(), _HTML, _headers())

    # -- the inbound form -----------------------------------------------------------------------

    def receive(self, req: Request) -> tuple[str, str, str]:
        """Validate the form and hand it to the inbound path; ``(sid, local, peer)``."""
        assert req.principal is not None
        token = _param(req, "csrf", req.params).encode()
        if not hmac.compare_digest(token, csrf_token(req.principal).encode()):
            raise FormError("The form has expired or came from another site: reload the page", 403)
        to = _address(req, "to", req.params)
        sender = _address(req, "from", req.params)
        media = _param_long(req, "media_url")
        body_values = req.params.get("body") or [""]
        body = body_values[-1]
        owned = {a for n in owned_numbers(self.core, self.accounts(req)) for a in n.addresses}
        if not to:
            raise FormError("Choose the owned number that receives the message", field="to")
        if to not in owned:
            raise FormError(
                f"{to} is not one of your numbers (or not a WhatsApp sender)", 400, "to"
            )
        if not sender:
            raise FormError("Enter the sender's phone number, e.g. +15558675310", field="from")
        if parse_address(to).channel == "whatsapp" and parse_address(sender).channel == "phone":
            sender = whatsapp_address(sender)
        if not body.strip() and not media:
            raise FormError("Enter a message body or a media URL", field="body")
        if media and not safe_link(media):
            raise FormError("The media URL must be an http:// or https:// URL", field="media_url")
        try:
            msg = self.core.inbound.receive(sender, to, body, [media] if media else [], {})
        except EmulatorError as exc:
            status = exc.status if 400 <= exc.status < 500 else 400
            raise FormError(exc.message, status, "from" if exc.code == 21212 else None) from None
        return msg.sid, to, msg.from_ or sender


def _param_long(req: Request, name: str) -> str:
    values = req.params.get(name)
    value = (values[-1] if values else "").strip()
    if len(value) > _MAX_MEDIA_URL:
        raise FormError(f"'{name}' is too long (at most {_MAX_MEDIA_URL} characters)", field=name)
    return value


@dataclass
class Group:
    """The sidebar: one owned number (or another sender) and its conversations."""

    number: str
    label: str
    whatsapp: bool
    owned: bool
    conversations: list[Conversation]


def _group(numbers: list[OwnedNumber], conversations: list[Conversation]) -> list[Group]:
    groups = {
        n.phone_number: Group(n.phone_number, n.friendly_name, n.whatsapp, True, [])
        for n in numbers
    }
    for c in conversations:
        key = c.number or "(sender not chosen yet)"
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key, "not an owned number", False, False, [])
        group.conversations.append(c)
    return sorted(groups.values(), key=lambda g: (not g.owned, not g.conversations))


def install(core: EmulatorCore, router: Router) -> None:
    inbox = Inbox(core)

    async def page(req: Request) -> Response:
        try:
            return inbox.page(req, _selection(req))
        except FormError as err:
            return inbox.error_page(err)

    async def live(req: Request) -> Response:
        try:
            sel, known = _selection(req), _param(req, "h")
            if sel.view not in LIVE_VIEWS:
                raise FormError(f"The {sel.view} view does not update live", field="view")
            assert req.principal is not None
            account_sids = inbox.accounts(req, sel.account)
            html, digest, _ = inbox.render_live(sel, account_sids, req.principal.sid)
        except FormError as err:
            return inbox.error_page(err)
        if known == digest:
            return Response(204, b"", _HTML, _headers(("x-ui-hash", digest)))
        return Response(200, html.encode(), _HTML, _headers(("x-ui-hash", digest)))

    async def inbound(req: Request) -> Response:
        wants_json = "application/json" in req.headers.get("accept", "")
        try:
            sid, local, peer = inbox.receive(req)
        except FormError as err:
            if wants_json:
                payload = {"error": err.message, "field": err.field, "status": err.status}
                return json_response(payload, err.status)
            form = {k: (req.params.get(k) or [""])[-1][:_MAX_MEDIA_URL] for k in _FORM_FIELDS}
            sel = Selection("messages", form["to"][:_MAX_PARAM], "", "")
            return inbox.page(req, sel, status=err.status, error=err.message, form=form)
        target = ui_url("messages", local=local, peer=peer)
        if wants_json:
            return json_response({"sid": sid, "local": local, "peer": peer, "url": target}, 201)
        return Response(303, b"", _HTML, _headers(("location", target)))

    async def icon(req: Request) -> Response:
        headers = (("cache-control", _ICON_CACHE), ("x-content-type-options", "nosniff"))
        return Response(200, favicon.favicon_ico(), favicon.CONTENT_TYPE, headers)

    async def static(req: Request) -> Response:
        name = req.path_params["name"]
        return Response(200, inbox.static[name], _STATIC[name], _headers())

    router.add("GET", PREFIX, page, auth="main")
    router.add("GET", f"{PREFIX}/live", live, auth="main")
    router.add("POST", f"{PREFIX}/inbound", inbound, auth="main")
    router.add("GET", f"{PREFIX}/static/{{name:ui\\.(?:css|js)}}", static, auth="main")
    router.add("GET", "/favicon.ico", icon, auth=None)
