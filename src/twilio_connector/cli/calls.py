"""``call``: place a call (``call --from ... --to ... --say ...`` or ``call create``),
``call get SID`` and ``call list``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast, get_args

import click

from .._cli_json import CommandError, refuse_options_before_subcommand
from ..enums import CALL_FAILURES, CALL_FINAL, CallStatus
from ..inputs import StatusCallback, VoiceCallInput
from .app import Context, pass_ctx
from .output import emit
from .waiting import wait_for_final, wait_options, wait_outcome

__all__ = ["call"]

F = TypeVar("F", bound=Callable[..., Any])
LIST_COLUMNS = ("sid", "direction", "from", "to", "status", "duration", "start_time")
CALL_STATUSES: tuple[CallStatus, ...] = get_args(CallStatus)


def place_options(fn: F) -> F:
    """The options of placing a call (on ``call`` itself and on ``call create``)."""
    options = [
        click.option("--from", "from_", help="Your Twilio number (E.164)."),
        click.option("--to", help="Number to call (E.164)."),
        click.option("--say", help="Text to speak."),
        click.option("--url", help="URL that returns TwiML."),
        click.option("--twiml-file", type=click.Path(exists=True, dir_okay=False, path_type=Path)),
        click.option("--status-callback", help="URL for call progress callbacks."),
        click.option(
            "--event",
            "events",
            multiple=True,
            type=click.Choice(["initiated", "ringing", "answered", "completed"]),
            help="Progress events to report; repeatable (default: completed).",
        ),
        wait_options,
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _place(
    ctx: Context,
    from_: str | None,
    to: str | None,
    say: str | None,
    url: str | None,
    twiml_file: Path | None,
    status_callback: str | None,
    events: tuple[str, ...],
    wait: bool,
    wait_timeout: float,
) -> None:
    missing = [name for name, value in (("--from", from_), ("--to", to)) if not value]
    if missing:
        raise click.UsageError(f"placing a call needs {' and '.join(missing)}")
    assert from_ is not None and to is not None
    chosen = [x for x in (say, url, twiml_file) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --say, --url, --twiml-file")
    if say:
        voice_input = VoiceCallInput.text(say)
    elif url:
        voice_input = VoiceCallInput.twiml_url(url)
    else:
        assert twiml_file is not None
        try:
            voice_input = VoiceCallInput.twiml(twiml_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeError) as exc:
            raise CommandError(f"--twiml-file {twiml_file}: {exc}", exit_code=2) from None
    callback = StatusCallback(status_callback, events=events or None) if status_callback else None
    with ctx.client() as client:
        placed = client.make_voice_call(from_, to, voice_input, callback)
        if not wait:
            emit(placed)
            return
        final, reached = wait_for_final(client.calls.fetch, placed, CALL_FINAL, wait_timeout)
    emit(final)
    error = wait_outcome("call", final, reached, CALL_FAILURES, wait_timeout)
    if error is not None:
        raise error


@click.group(invoke_without_command=True)
@place_options
@pass_ctx
@click.pass_context
def call(click_ctx: click.Context, ctx: Context, /, **options: Any) -> None:
    """Place a voice call, or inspect calls.

    \b
    twilio-connector call --from N --to N --say TEXT   place a call (same as `call create`)
    twilio-connector call get SID                      one call
    twilio-connector call list [--to N] [--status S]   recent calls

    A call speaks --say text, fetches TwiML from --url, or runs a --twiml-file.
    """
    refuse_options_before_subcommand(click_ctx)
    if click_ctx.invoked_subcommand is None:
        _place(ctx, **options)


@call.command("create")
@place_options
@pass_ctx
def call_create(ctx: Context, /, **options: Any) -> None:
    """Place a voice call (the same as `call` with these options)."""
    _place(ctx, **options)


@call.command("get")
@click.argument("sid")
@pass_ctx
def call_get(ctx: Context, sid: str) -> None:
    """Fetch one call by SID."""
    with ctx.client() as client:
        emit(client.calls.fetch(sid))


@call.command("list")
@click.option("--to", help="Filter by the number called.")
@click.option("--from", "from_", help="Filter by the caller.")
@click.option("--status", type=click.Choice(CALL_STATUSES), help="Filter by status.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="How many.")
@pass_ctx
def call_list(
    ctx: Context, to: str | None, from_: str | None, status: str | None, limit: int
) -> None:
    """List recent calls, newest first."""
    with ctx.client() as client:
        found = client.calls.list(
            to=to, from_=from_, status=cast("CallStatus | None", status), limit=limit
        )
    emit(found, LIST_COLUMNS)
