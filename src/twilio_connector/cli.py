"""The ``twilio-connector`` command.

Credentials come from flags or the TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN /
TWILIO_API_KEY / TWILIO_API_SECRET / TWILIO_BASE_URL environment variables.
Every command takes ``--json`` for scripts. Expected failures (Twilio errors,
bad credentials) print Twilio's code, message and more_info and exit non-zero,
without a traceback.
"""

from __future__ import annotations

from twilio_connector._extras import require

require("cli")

import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from .client import AsyncTwilioClient, TwilioClient
from .config import TwilioConfig
from .errors import ConfigurationError, TwilioApiError, TwilioError
from .inputs import StatusCallback, VoiceCallInput
from .models import TwilioModel, to_builtins

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])
err_console = Console(stderr=True)


class Context:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.as_json: bool = options.pop("as_json")

    def client(self) -> TwilioClient:
        overrides = {k: v for k, v in self.options.items() if v}
        config = TwilioConfig.from_env(**overrides)
        return TwilioClient(config)


def handle_errors(fn: F) -> F:
    """Turn expected failures into a one-line message and a non-zero exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigurationError as exc:
            err_console.print(f"[red]configuration error:[/red] {exc}")
            sys.exit(2)
        except TwilioApiError as exc:
            err_console.print(
                f"[red]Twilio error {exc.code}[/red] (HTTP {exc.status}): {exc.message}"
            )
            if exc.more_info:
                err_console.print(f"more info: {exc.more_info}")
            sys.exit(1)
        except TwilioError as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


SECRET_KEYS = frozenset({"auth_token", "secret"})


def _redact(data: Any) -> Any:
    """Drop secrets Twilio returns in resources (an account's auth token) from output."""
    if isinstance(data, list):
        return [_redact(item) for item in data]
    if isinstance(data, dict):
        return {k: ("***" if k in SECRET_KEYS and v else _redact(v)) for k, v in data.items()}
    return data


def emit(ctx: Context, value: Any, columns: Iterable[str] = ()) -> None:
    """Print a model or a list of models: JSON with ``--json``, else a table."""
    data = _redact(to_builtins(value) if isinstance(value, (TwilioModel, list)) else value)
    console = Console()
    if ctx.as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    rows = data if isinstance(data, list) else [data]
    cols = list(columns) or (list(rows[0].keys()) if rows else [])
    if not isinstance(data, list):
        table = Table(show_header=False, box=None)
        for key, val in data.items():
            if val not in (None, "", {}):
                table.add_row(f"[bold]{key}[/bold]", str(val))
    else:
        table = Table()
        for col in cols:
            table.add_column(col, no_wrap=col == "sid", overflow="fold")
        for row in rows:
            table.add_row(*(str(row.get(c) if row.get(c) is not None else "") for c in cols))
    console.print(table)


def common_options(fn: F) -> F:
    options = [
        click.option("--account-sid", envvar="TWILIO_ACCOUNT_SID", help="Account SID (AC...)."),
        click.option("--auth-token", envvar="TWILIO_AUTH_TOKEN", help="Auth token."),
        click.option("--api-key", envvar="TWILIO_API_KEY", help="API key SID (SK...)."),
        click.option("--api-secret", envvar="TWILIO_API_SECRET", help="API key secret."),
        click.option("--base-url", envvar="TWILIO_BASE_URL", help="API base URL (emulator)."),
        click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.pass_context
def main(click_ctx: click.Context, /, **options: Any) -> None:
    """Twilio from the terminal: messages, calls, numbers, the emulator and the listener."""
    click_ctx.obj = Context(options)


# -- messages ------------------------------------------------------------------------------------


@main.group()
def sms() -> None:
    """Send SMS messages."""


@sms.command("send")
@click.option("--from", "from_", required=True, help="Your Twilio number (E.164).")
@click.option("--to", required=True, help="Destination number (E.164).")
@click.option("--body", required=True, help="Message text.")
@click.option("--status-callback", help="URL for delivery status callbacks.")
@click.option("--media-url", multiple=True, help="Media URL (MMS); repeatable.")
@pass_ctx
@handle_errors
def sms_send(
    ctx: Context,
    from_: str,
    to: str,
    body: str,
    status_callback: str | None,
    media_url: tuple[str, ...],
) -> None:
    """Send one SMS (or MMS with --media-url)."""
    with ctx.client() as client:
        message = client.messages.create(
            to=to,
            from_=from_,
            body=body,
            status_callback=status_callback,
            media_url=list(media_url) or None,
        )
    emit(ctx, message)


@sms.command("send-bulk")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "from_", help="Sender for rows without a 'from' column.")
@click.option("--concurrency", default=8, show_default=True, help="Requests in flight.")
@click.option("--rate", type=float, help="At most this many messages per second.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path), help="Journal file.")
@pass_ctx
@handle_errors
def sms_send_bulk(
    ctx: Context,
    csv_file: Path,
    from_: str | None,
    concurrency: int,
    rate: float | None,
    journal: Path | None,
) -> None:
    """Send one SMS per row of CSV_FILE (columns: to, body[, from, media_url]).

    A journal (CSV_FILE.journal by default) records every row, so re-running the
    command after an interruption resumes where it stopped and never sends a row twice.
    """
    import asyncio

    from rich.progress import Progress

    from .bulk import read_rows, send_bulk

    try:
        rows = read_rows(csv_file)
    except (ValueError, KeyError) as exc:
        raise click.ClickException(str(exc)) from None
    journal_path = journal or csv_file.with_name(csv_file.name + ".journal")
    outcomes: dict[str, int] = {}

    async def run() -> None:
        overrides = {k: v for k, v in ctx.options.items() if v}
        async with AsyncTwilioClient(TwilioConfig.from_env(**overrides)) as client:
            with Progress(console=err_console, disable=ctx.as_json) as progress:
                task = progress.add_task("sending", total=len(rows))

                def on_progress(row: object, outcome: str) -> None:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    progress.advance(task)

                await send_bulk(
                    client,
                    rows,
                    journal_path,
                    default_from=from_,
                    concurrency=concurrency,
                    rate=rate,
                    on_progress=on_progress,
                )

    asyncio.run(run())
    summary = {"rows": len(rows), "journal": str(journal_path), **outcomes}
    if ctx.as_json:
        click.echo(json.dumps(summary))
    else:
        Console().print(summary)
    if outcomes.get("failed") or outcomes.get("unknown") or outcomes.get("error"):
        sys.exit(1)


@main.group()
def whatsapp() -> None:
    """Send WhatsApp messages."""


@whatsapp.command("send")
@click.option("--from", "from_", required=True, help="WhatsApp-enabled sender.")
@click.option("--to", required=True, help="Recipient (whatsapp: prefix optional).")
@click.option("--body", help="Free-form text (inside the 24 h window).")
@click.option("--content-sid", help="Approved template (HX...).")
@click.option("--content-variables", help='Template variables as JSON, e.g. \'{"1":"Ada"}\'.')
@click.option("--media-url", multiple=True, help="Media URL; repeatable.")
@click.option("--status-callback", help="URL for delivery status callbacks.")
@pass_ctx
@handle_errors
def whatsapp_send(
    ctx: Context,
    from_: str,
    to: str,
    body: str | None,
    content_sid: str | None,
    content_variables: str | None,
    media_url: tuple[str, ...],
    status_callback: str | None,
) -> None:
    """Send one WhatsApp message."""
    variables = json.loads(content_variables) if content_variables else None
    with ctx.client() as client:
        message = client.send_whatsapp_message(
            from_,
            to,
            body,
            media_url=list(media_url) or None,
            content_sid=content_sid,
            content_variables=variables,
            status_callback=status_callback,
        )
    emit(ctx, message)


@main.group()
def message() -> None:
    """Inspect messages."""


@message.command("get")
@click.argument("sid")
@pass_ctx
@handle_errors
def message_get(ctx: Context, sid: str) -> None:
    """Fetch one message by SID."""
    with ctx.client() as client:
        emit(ctx, client.get_message(sid))


@message.command("list")
@click.option("--to", help="Filter by recipient.")
@click.option("--from", "from_", help="Filter by sender.")
@click.option("--limit", default=20, show_default=True, help="How many messages.")
@pass_ctx
@handle_errors
def message_list(ctx: Context, to: str | None, from_: str | None, limit: int) -> None:
    """List recent messages."""
    with ctx.client() as client:
        messages = client.messages.list(to=to, from_=from_, limit=limit)
    emit(ctx, messages, ("sid", "direction", "from", "to", "status", "body", "date_created"))


# -- calls ---------------------------------------------------------------------------------------


@main.command()
@click.option("--from", "from_", required=True, help="Your Twilio number (E.164).")
@click.option("--to", required=True, help="Number to call (E.164).")
@click.option("--say", help="Text to speak.")
@click.option("--url", help="URL that returns TwiML.")
@click.option("--twiml-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--status-callback", help="URL for call progress callbacks.")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(["initiated", "ringing", "answered", "completed"]),
    help="Progress events to report; repeatable (default: completed).",
)
@pass_ctx
@handle_errors
def call(
    ctx: Context,
    from_: str,
    to: str,
    say: str | None,
    url: str | None,
    twiml_file: Path | None,
    status_callback: str | None,
    events: tuple[str, ...],
) -> None:
    """Place a voice call that speaks text, fetches TwiML from a URL, or runs a TwiML file."""
    chosen = [x for x in (say, url, twiml_file) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --say, --url, --twiml-file")
    if say:
        voice_input = VoiceCallInput.text(say)
    elif url:
        voice_input = VoiceCallInput.twiml_url(url)
    else:
        assert twiml_file is not None
        voice_input = VoiceCallInput.twiml(twiml_file.read_text())
    callback = StatusCallback(status_callback, events=events or None) if status_callback else None
    with ctx.client() as client:
        emit(ctx, client.make_voice_call(from_, to, voice_input, callback))


# -- account and numbers ---------------------------------------------------------------------------


@main.command()
@pass_ctx
@handle_errors
def account(ctx: Context) -> None:
    """Show the account and its balance."""
    with ctx.client() as client:
        details = client.get_account_details()
        emit(ctx, details)


@main.group()
def numbers() -> None:
    """Owned phone numbers."""


@numbers.command("list")
@pass_ctx
@handle_errors
def numbers_list(ctx: Context) -> None:
    """List the numbers the account owns."""
    with ctx.client() as client:
        owned = client.incoming_phone_numbers.list()
    emit(ctx, owned, ("sid", "phone_number", "friendly_name", "sms_url", "voice_url"))


@numbers.command("configure")
@click.argument("number")
@click.option("--sms-url", help="Webhook for inbound messages (e.g. your listener).")
@click.option("--voice-url", help="Webhook for inbound calls.")
@click.option("--status-callback", help="Status callback URL for the number.")
@click.option("--sms-method", type=click.Choice(["GET", "POST"]))
@click.option("--voice-method", type=click.Choice(["GET", "POST"]))
@pass_ctx
@handle_errors
def numbers_configure(
    ctx: Context,
    number: str,
    sms_url: str | None,
    voice_url: str | None,
    status_callback: str | None,
    sms_method: str | None,
    voice_method: str | None,
) -> None:
    """Point NUMBER (E.164 or PN... SID) at your webhooks."""
    with ctx.client() as client:
        sid = number
        if not number.startswith("PN"):
            found = client.incoming_phone_numbers.list(phone_number=number, limit=1)
            if not found:
                raise click.ClickException(f"{number} is not a number this account owns")
            sid = found[0].sid
        updated = client.incoming_phone_numbers.update(
            sid,
            sms_url=sms_url,
            voice_url=voice_url,
            status_callback=status_callback,
            sms_method=sms_method,
            voice_method=voice_method,
        )
    emit(ctx, updated)


def _add_optional_commands() -> None:
    """Commands that live beside their feature (emulator, listener, bulk sending)."""
    from .emulator.cli import emulator
    from .listener.cli import inbox, listen

    main.add_command(emulator)
    main.add_command(listen)
    main.add_command(inbox)


_add_optional_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
