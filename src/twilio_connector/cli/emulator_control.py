"""``twilio-connector emulator inbound-sms | inbound-call | caller | transcript | rules |
advance | settle | reset``: drive a running emulator through its control plane
(``/_emulator/...``).

Each command is one HTTP request with the main account's Basic credentials (the SID and
auth token the emulator printed: ``TWILIO_ACCOUNT_SID`` / ``TWILIO_AUTH_TOKEN`` or the root
options) to ``--emulator-url`` (default: the root ``--base-url`` / ``$TWILIO_BASE_URL``,
else ``http://127.0.0.1:8765``). The emulator's Twilio-shaped error bodies become the
command's error (code, message, more_info, status). The routes and their fields are the
emulator's (:mod:`twilio_connector.emulator.control` and the resources' ``control``
modules); this module needs httpx only, not the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import click
import httpx

from .._cli_json import CommandError
from .._wire import redact_userinfo, split_userinfo
from .app import Context, pass_ctx
from .output import emit

RULE_KINDS = ("message", "call", "verify")
"""The emulator's rule kinds (``emulator.rules.kinds``, not imported: the CLI starts without
the emulator; a test keeps the two equal)."""

__all__ = ["COMMANDS", "DEFAULT_EMULATOR_URL", "ControlPlane"]

DEFAULT_EMULATOR_URL = "http://127.0.0.1:8765"
"""The address ``twilio-connector emulator`` listens on by default."""
TIMEOUT = 30.0
RULE_COLUMNS = ("id", "kind", "to", "from", "outcome", "error_code", "times", "params")
MESSAGE_COLUMNS = ("sid", "direction", "from", "to", "status", "body")
TRANSCRIPT_COLUMNS = ("at", "kind", "text", "digits", "name", "duration", "reason", "message")
"""The transcript entries' common fields (``--json`` prints each entry whole)."""
SCRIPT_HELP = (
    "The caller's script on a stream or relay: a JSON list of steps, e.g. "
    """'[{"say": "I need help"}, {"press": "1#"}, {"hangup": true}]', or @FILE."""
)
F = TypeVar("F", bound=Callable[..., Any])


class ControlPlane:
    """One running emulator's ``/_emulator`` routes, over HTTP."""

    def __init__(self, url: str, account_sid: str, auth_token: str) -> None:
        bare, userinfo = split_userinfo(url)
        if userinfo is not None:  # never echo credentials back in an error
            raise CommandError(
                f"give the emulator's credentials as TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN, "
                f"not in its URL ({redact_userinfo(url)})",
                exit_code=2,
                label="configuration error",
            )
        self.url = bare.rstrip("/")
        self._auth = httpx.BasicAuth(account_sid, auth_token)

    def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        timeout: float = TIMEOUT,
    ) -> Any:
        """The decoded JSON answer (``None`` for 204); :class:`CommandError` on failure."""
        target = f"{self.url}/_emulator{path}"
        try:
            response = httpx.request(
                method, target, json=body, params=params, auth=self._auth, timeout=timeout
            )
        except httpx.HTTPError as exc:
            raise CommandError(
                f"cannot reach the emulator at {self.url} ({type(exc).__name__}: {exc}); "
                "start one with `twilio-connector emulator` or give --emulator-url"
            ) from None
        if response.status_code == 204:
            return None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success:
            return data
        error = data if isinstance(data, dict) else {}
        code = error.get("code")
        raise CommandError(
            str(error.get("message") or f"HTTP {response.status_code} from {target}"),
            code=code if isinstance(code, int) else None,
            more_info=error.get("more_info") if isinstance(error.get("more_info"), str) else None,
            status=response.status_code,
            label="emulator error",
        )


def _control(ctx: Context, emulator_url: str | None) -> ControlPlane:
    options = ctx.options
    url = emulator_url or options.get("base_url") or DEFAULT_EMULATOR_URL
    sid, token = options.get("account_sid"), options.get("auth_token")
    if not sid or not token:
        raise CommandError(
            "the emulator's control plane needs the account SID and auth token it printed "
            "(TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or --account-sid/--auth-token)",
            exit_code=2,
            label="configuration error",
        )
    return ControlPlane(url, sid, token)


def emulator_url_option(fn: F) -> F:
    return click.option(
        "--emulator-url",
        help=f"The running emulator (default: --base-url / $TWILIO_BASE_URL, "
        f"else {DEFAULT_EMULATOR_URL}).",
    )(fn)


def _pairs(values: tuple[str, ...], option: str, decode: bool = False) -> dict[str, Any]:
    """``KEY=VALUE`` options as a dict (``decode``: VALUE is JSON, e.g. ``5``, ``true``)."""
    out: dict[str, Any] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint=option)
        if not decode:
            out[key] = value
            continue
        try:
            out[key] = json.loads(value)
        except ValueError:
            raise click.BadParameter(f"{key}: not JSON: {value!r}", param_hint=option) from None
    return out


@click.command("inbound-sms")
@click.option("--from", "from_", required=True, help="The handset's number (E.164).")
@click.option("--to", required=True, help="The owned number it texts (whatsapp: for WhatsApp).")
@click.option("--body", default="", help="Message text.")
@click.option("--media-url", multiple=True, help="Media URL (MMS); repeatable.")
@click.option("--param", "params", multiple=True, help="Extra webhook field KEY=VALUE.")
@emulator_url_option
@pass_ctx
def inbound_sms(
    ctx: Context,
    from_: str,
    to: str,
    body: str,
    media_url: tuple[str, ...],
    params: tuple[str, ...],
    emulator_url: str | None,
) -> None:
    """A handset texts an owned number: its SmsUrl webhook runs (and any TwiML reply)."""
    extra = _pairs(params, "--param")
    request = {"from": from_, "to": to, "body": body, "media_url": list(media_url)}
    control = _control(ctx, emulator_url)
    emit(control.request("POST", "/messages/inbound", request | {"params": extra}))


def _script(value: str, option: str) -> list[Any]:
    """A caller script given as JSON or ``@FILE`` (a list of step objects)."""
    text = value
    if value.startswith("@"):
        try:
            with open(value[1:], encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {value[1:]!r}: {exc.strerror}",
                                     param_hint=option) from None  # fmt: skip
    try:
        steps = json.loads(text)
    except ValueError:
        raise click.BadParameter("not JSON", param_hint=option) from None
    if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
        raise click.BadParameter("expected a JSON list of step objects", param_hint=option)
    return steps


@click.command("inbound-call")
@click.option("--from", "from_", required=True, help="The caller's number (E.164).")
@click.option("--to", required=True, help="The owned number called (its VoiceUrl runs).")
@click.option("--digits", help="Keys the caller presses at the first Gather.")
@click.option("--speech", multiple=True, help="What the caller says at a Gather; repeatable.")
@click.option("--script", "script", help=SCRIPT_HELP)
@click.option("--forwarded-from", help="ForwardedFrom of the webhook.")
@click.option("--caller-name", help="CallerName of the webhook.")
@emulator_url_option
@pass_ctx
def inbound_call(
    ctx: Context,
    from_: str,
    to: str,
    digits: str | None,
    speech: tuple[str, ...],
    script: str | None,
    forwarded_from: str | None,
    caller_name: str | None,
    emulator_url: str | None,
) -> None:
    """A phone calls an owned number: prints the Call (ringing); its TwiML runs after."""
    request: dict[str, Any] = {"from": from_, "to": to, "digits": digits}
    if speech:
        request["speech"] = list(speech)
    if script is not None:
        request["script"] = _script(script, "--script")
    request |= {"forwarded_from": forwarded_from, "caller_name": caller_name}
    body = {k: v for k, v in request.items() if v is not None}
    emit(_control(ctx, emulator_url).request("POST", "/calls/inbound", body))


@click.command("caller")
@click.argument("call_sid")
@click.argument("script")
@emulator_url_option
@pass_ctx
def caller(ctx: Context, call_sid: str, script: str, emulator_url: str | None) -> None:
    """More of a live call's caller script (after what is left of it): SCRIPT is a JSON list
    of steps or @FILE, e.g. `caller CA... '[{"say": "yes"}, {"hangup": true}]'`."""
    body = {"script": _script(script, "SCRIPT")}
    path = f"/calls/{quote(call_sid, safe='')}/script"
    emit(_control(ctx, emulator_url).request("POST", path, body))


@click.command("transcript")
@click.argument("call_sid")
@emulator_url_option
@pass_ctx
def transcript(ctx: Context, call_sid: str, emulator_url: str | None) -> None:
    """What happened on a call, both sides in order (live or ended); --json for every field."""
    path = f"/calls/{quote(call_sid, safe='')}/transcript"
    answer = _control(ctx, emulator_url).request("GET", path)
    entries = answer.get("transcript", []) if isinstance(answer, dict) else []
    emit(entries, TRANSCRIPT_COLUMNS)


@click.group("rules")
def rules() -> None:
    """How simulated destinations behave (the newest matching rule wins)."""


@rules.command("list")
@emulator_url_option
@pass_ctx
def rules_list(ctx: Context, emulator_url: str | None) -> None:
    """The rule table, oldest first (times: the uses left)."""
    answer = _control(ctx, emulator_url).request("GET", "/rules")
    emit(answer.get("rules", []) if isinstance(answer, dict) else [], RULE_COLUMNS)


@rules.command("add")
@click.option("--kind", type=click.Choice(RULE_KINDS), default="message", show_default=True)
@click.option(
    "--outcome",
    required=True,
    help="Messages: delivered, undelivered, failed, sent, read. "
    "Calls: completed, busy, no-answer, failed, canceled. "
    "Verify: failed, rate-limited, blocked (a start refused with 400, 429 or 403).",
)
@click.option("--to", default="*", show_default=True, help="Destination pattern (* wildcard).")
@click.option(
    "--from",
    "from_",
    default="*",
    show_default=True,
    help="Sender pattern (--kind verify: the Verify service SID, VA...).",
)
@click.option("--error-code", type=int, help="Twilio error code of a failure (e.g. 30003).")
@click.option("--times", type=click.IntRange(1), help="Expire after this many matches.")
@click.option(
    "--param",
    "params",
    multiple=True,
    help="A text param KEY=VALUE (calls: digits=1234, speech=yes, answered_by=human); repeatable.",
)
@click.option(
    "--param-json",
    "json_params",
    multiple=True,
    help="A param whose VALUE is JSON (calls: ring=5, talk=30, interactive=true); repeatable.",
)
@emulator_url_option
@pass_ctx
def rules_add(
    ctx: Context,
    kind: str,
    outcome: str,
    to: str,
    from_: str,
    error_code: int | None,
    times: int | None,
    params: tuple[str, ...],
    json_params: tuple[str, ...],
    emulator_url: str | None,
) -> None:
    """Add a rule, e.g. `rules add --outcome undelivered --to '+1555*' --error-code 30003`."""
    extra = _pairs(params, "--param") | _pairs(json_params, "--param-json", decode=True)
    body: dict[str, Any] = {"kind": kind, "outcome": outcome, "to": to, "from": from_}
    body |= {"error_code": error_code, "times": times, "params": extra}
    emit(_control(ctx, emulator_url).request("POST", "/rules", body))


@rules.command("delete")
@click.argument("ids", nargs=-1, type=click.IntRange(1))
@click.option("--all", "everything", is_flag=True, help="Delete every rule (of --kind).")
@click.option("--kind", type=click.Choice(RULE_KINDS), help="With --all: only these.")
@emulator_url_option
@pass_ctx
def rules_delete(
    ctx: Context, ids: tuple[int, ...], everything: bool, kind: str | None, emulator_url: str | None
) -> None:
    """Delete the rules IDS, or all of them with --all."""
    if bool(ids) == everything:
        raise click.UsageError("give rule ids or --all")
    control = _control(ctx, emulator_url)
    if everything:
        control.request("DELETE", "/rules", params={"kind": kind} if kind else None)
    for rule_id in ids:
        control.request("DELETE", f"/rules/{rule_id}")
    emit({"deleted": "all" if everything else list(ids)})


@click.command("advance")
@click.argument("seconds", type=click.FloatRange(0))
@emulator_url_option
@pass_ctx
def advance(ctx: Context, seconds: float, emulator_url: str | None) -> None:
    """Move simulated time SECONDS forward (with --timing manual, due steps run)."""
    emit(_control(ctx, emulator_url).request("POST", "/advance", {"seconds": seconds}))


@click.command("settle")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0, 300))
@emulator_url_option
@pass_ctx
def settle(ctx: Context, timeout: float, emulator_url: str | None) -> None:
    """Wait until every lifecycle step and webhook delivery in flight is done."""
    control = _control(ctx, emulator_url)
    emit(control.request("POST", "/settle", {"timeout": timeout}, timeout=timeout + TIMEOUT))


@click.command("reset")
@emulator_url_option
@pass_ctx
def reset(ctx: Context, emulator_url: str | None) -> None:
    """Forget all state; the account, its token and its numbers are re-created."""
    emit(_control(ctx, emulator_url).request("POST", "/reset"))


COMMANDS = (inbound_sms, inbound_call, caller, transcript, rules, advance, settle, reset)
