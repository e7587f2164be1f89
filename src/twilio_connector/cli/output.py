"""What the commands print: JSON with ``--json``, else a table; errors from the client's.

On a terminal, tables are rich tables (SIDs and phone numbers never folded). When stdout is
not a terminal (a pipe, a file), the same rows are plain aligned text with no wrapping at
all, so a SID or a phone number is never split across lines and ``grep``/``cut`` see whole
values. Secrets that Twilio returns in resources (an account's ``auth_token``) are masked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

from .._cli_json import CommandError, json_requested
from ..errors import ConfigurationError, TwilioApiError, TwilioError, TwilioHttpError
from ..models import TwilioModel, to_builtins

__all__ = ["cli_error", "emit", "emit_json", "emit_rows", "is_terminal", "plain"]

SECRET_KEYS = frozenset({"auth_token", "secret"})
NO_WRAP = frozenset({"sid", "to", "from", "phone_number", "account_sid", "call_sid", "row"})


def redact(data: Any) -> Any:
    """Drop secrets Twilio returns in resources (an account's auth token) from output."""
    if isinstance(data, list):
        return [redact(item) for item in data]
    if isinstance(data, dict):
        return {k: ("***" if k in SECRET_KEYS and v else redact(v)) for k, v in data.items()}
    return data


def plain(value: Any) -> Any:
    """Models (or lists of them) as JSON-ready builtins, secrets masked."""
    if isinstance(value, (TwilioModel, list, tuple)):
        value = to_builtins(value)
    return redact(value)


def is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str, separators=(",", ":"))
    return str(value)


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    ord("\\"): "\\\\",
}


def _one_line(cell: str) -> str:
    """A cell on one line: newlines, tabs and other control characters escaped (as in
    Python's repr), so that a piped table keeps one line per row."""
    return cell.translate(_CONTROL)


def _plain_table(header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    rows = [[_one_line(cell) for cell in row] for row in rows]
    lines = [list(header), *rows] if header else [list(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))] if lines else []
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def _rich_table(header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    if header is None:
        table = Table(show_header=False, box=None)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
    else:
        table = Table()
        for col in header:
            table.add_column(col, no_wrap=col in NO_WRAP, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(highlight=False).print(table)


def emit_rows(header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> None:
    """A table (``header=None``: key/value pairs), rich on a terminal, plain when piped."""
    if is_terminal():
        _rich_table(header, rows)
    else:
        _plain_table(header, rows)


def emit(value: Any, columns: Iterable[str] = ()) -> None:
    """Print a model, a dict or a list of them: JSON with ``--json``, else a table."""
    data = plain(value)
    if json_requested():
        emit_json(data)
        return
    if isinstance(data, list):
        cols = list(columns) or (list(data[0].keys()) if data else [])
        if not data:
            click.echo("(none)")
            return
        emit_rows(cols, [[_cell(row.get(c)) for c in cols] for row in data])
        return
    if isinstance(data, Mapping):
        pairs = [[str(k), _cell(v)] for k, v in data.items() if v not in (None, "", {}, [])]
        emit_rows(None, pairs)
        return
    click.echo(_cell(data))


def cli_error(exc: TwilioError) -> CommandError:
    """The command-line error of a client error: Twilio's code, message, more_info, status."""
    if isinstance(exc, ConfigurationError):
        return CommandError(str(exc), exit_code=2, label="configuration error")
    if isinstance(exc, TwilioApiError):
        return CommandError(
            exc.message,
            code=exc.code,
            more_info=exc.more_info,
            status=exc.status,
            request_id=exc.request_id,
            label="Twilio error",
        )
    if isinstance(exc, TwilioHttpError):  # a redirect, an unreadable answer
        return CommandError(str(exc), status=exc.status or None, request_id=exc.request_id)
    return CommandError(str(exc))
