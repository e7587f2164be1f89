"""``sms send-bulk``: one SMS per CSV row, with a journal, a lock, a summary and retries."""

from __future__ import annotations

import asyncio
import csv
import sqlite3
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from .._cli_json import CommandError
from ..bulk import Failure, Journal, JournalBusyError, read_rows, send_bulk
from ..bulk.rows import BulkRow
from ..bulk.send import OUTCOMES
from .app import Context, pass_ctx
from .messages import sms
from .output import emit_json, emit_rows

__all__ = ["sms_send_bulk"]

BUSY_EXIT = 4


def _progress_wanted(ctx: Context) -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return not ctx.as_json and bool(isatty and isatty())


async def _run(
    ctx: Context,
    rows: list[BulkRow],
    journal_path: Path,
    outcomes: dict[str, int],
    **options: Any,
) -> None:
    from rich.console import Console
    from rich.progress import Progress

    async with ctx.async_client() as client:
        console = Console(stderr=True)
        with Progress(console=console, disable=not _progress_wanted(ctx)) as progress:
            task = progress.add_task("sending", total=len(rows))

            def on_progress(row: BulkRow, outcome: str) -> None:
                outcomes[outcome] += 1
                progress.advance(task)

            await send_bulk(client, rows, journal_path, on_progress=on_progress, **options)


def _print_summary(summary: dict[str, Any], failures: list[Failure]) -> None:
    shown = ("rows", *OUTCOMES, "not_sent")
    counts = [(k, str(summary[k])) for k in shown if summary[k] or k in ("rows", "not_sent")]
    emit_rows(None, [*counts, ("journal", summary["journal"])])
    if failures:
        click.echo()
        click.echo("rows not sent:")
        emit_rows(
            ("row", "to", "state", "code", "message"),
            [(str(f.row), f.to, f.state, "" if f.code is None else str(f.code), f.message)
             for f in failures],
        )  # fmt: skip


@sms.command("send-bulk")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from", "from_", help="Sender for rows without a 'from' column.")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), help="At most N per second.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path), help="Journal file.")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Send again the rows Twilio refused in an earlier run (never a row already sent).",
)
@pass_ctx
def sms_send_bulk(
    ctx: Context,
    csv_file: Path,
    from_: str | None,
    concurrency: int,
    rate: float | None,
    journal: Path | None,
    retry_failed: bool,
) -> None:
    """Send one SMS per row of CSV_FILE (columns: to, body[, from, media_url]).

    A journal (CSV_FILE.journal by default) records every row, so re-running the
    command after an interruption resumes where it stopped and never sends a row twice.
    Rows Twilio refused are listed with their row number (1 = the first row after the
    header), To, error code and message, and sent again only with --retry-failed. One run
    at a time: while a run holds the journal (CSV_FILE.journal.lock), another refuses
    with exit code 4 and sends nothing. Exit code 1 when a row is left unsent.
    """
    try:
        rows = read_rows(csv_file)
    except (ValueError, KeyError, UnicodeError, csv.Error, OSError) as exc:
        raise CommandError(f"{csv_file}: {exc}", exit_code=2) from None
    journal_path = journal or csv_file.with_name(csv_file.name + ".journal")
    outcomes = dict.fromkeys(OUTCOMES, 0)
    options = {"default_from": from_, "concurrency": concurrency, "rate": rate}
    try:
        asyncio.run(_run(ctx, rows, journal_path, outcomes, retry_failed=retry_failed, **options))
        store = Journal(journal_path)
        try:
            failures = store.failures(rows)
        finally:
            store.close()
    except JournalBusyError as exc:
        raise CommandError(str(exc), exit_code=BUSY_EXIT) from None
    except (OSError, sqlite3.Error) as exc:
        raise CommandError(f"journal {journal_path}: {exc}", exit_code=2) from None
    summary: dict[str, Any] = {
        "rows": len(rows),
        **outcomes,
        "not_sent": len(failures) + outcomes["error"],
        "journal": str(journal_path),
    }
    if ctx.as_json:
        emit_json(summary | {"failed_rows": [asdict(f) for f in failures]})
    else:
        _print_summary(summary, failures)
    unsent = summary["not_sent"]
    if unsent:
        if not failures:
            hint = ""
        elif retry_failed:
            hint = "; the rows listed were refused again: correct them in the CSV"
        else:
            hint = "; send refused rows again with --retry-failed"
        raise CommandError(f"{unsent} of {len(rows)} rows not sent{hint}")
