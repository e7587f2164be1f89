"""``--json`` for every click command of the package, and errors as JSON in that mode.

One definition serves ``twilio-connector`` (:mod:`twilio_connector.cli`) and the entry points
``python -m twilio_connector.emulator`` / ``python -m twilio_connector.listener``, so it
depends on click only (no rich).

* :func:`add_json_option` gives a command (and, recursively, every subcommand) a ``--json``
  flag, so ``--json`` is accepted before or after any subcommand name; the flag is recorded
  in ``click.Context.meta`` (shared by the whole command line) and read with
  :func:`json_requested`.
* :func:`run` runs a command the way click's standalone mode does, except that with
  ``--json`` anywhere on the command line every error, usage errors included, is one JSON
  object on stderr: ``{"error": {"code", "message", "more_info", "status", "request_id"}}``
  (``code`` is Twilio's error code or null, ``status`` the HTTP status or null,
  ``request_id`` Twilio's request id or null) with a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click

__all__ = [
    "CommandError",
    "add_json_option",
    "error_payload",
    "json_requested",
    "refuse_options_before_subcommand",
    "run",
    "wants_json",
]

JSON_META_KEY = "twilio_connector.json"
JSON_FLAG = "--json"


class CommandError(click.ClickException):
    """An expected failure: printed without a traceback (as JSON in ``--json`` mode)."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        more_info: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        exit_code: int = 1,
        label: str = "error",
    ) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it on the class
        self.code = code
        self.more_info = more_info
        self.status = status
        self.request_id = request_id
        self.label = label

    def show(self, file: Any = None) -> None:
        head = self.label if self.code is None else f"{self.label} {self.code}"
        where = f" (HTTP {self.status})" if self.status else ""
        click.echo(f"{click.style(head, fg='red')}{where}: {self.message}", err=True)
        if self.more_info:
            click.echo(f"more info: {self.more_info}", err=True)
        if self.request_id:
            click.echo(f"request id: {self.request_id}", err=True)


def error_payload(exc: click.ClickException) -> dict[str, Any]:
    """The JSON document of an error (the same keys for every kind of failure; ``request_id``
    is Twilio's ``Twilio-Request-Id`` when an HTTP answer ended the command)."""
    if isinstance(exc, CommandError):
        body = {"code": exc.code, "message": exc.message, "more_info": exc.more_info}
        return {"error": body | {"status": exc.status, "request_id": exc.request_id}}
    message = exc.format_message()
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        message = f"{exc.ctx.command_path}: {message}"
    body = {"code": None, "message": message, "more_info": None, "status": None}
    return {"error": body | {"request_id": None}}


def wants_json(args: Sequence[str]) -> bool:
    """Whether ``--json`` is on the command line (before a ``--`` that ends the options)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == JSON_FLAG:
            return True
    return False


def json_requested(ctx: click.Context | None = None) -> bool:
    """Whether ``--json`` was given anywhere on this command line."""
    ctx = ctx if ctx is not None else click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(JSON_META_KEY))


def _record_json(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[JSON_META_KEY] = True


def _json_option() -> click.Option:
    return click.Option(
        [JSON_FLAG],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_record_json,
        help="Machine-readable JSON output (and errors as JSON on stderr).",
    )


def add_json_option(command: click.Command) -> click.Command:
    """Give ``command`` and every subcommand a ``--json`` flag (unless it has its own)."""
    if not any(JSON_FLAG in getattr(p, "opts", ()) for p in command.params):
        command.params.append(_json_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_json_option(sub)
    return command


def run(
    command: click.Command,
    args: Sequence[str] | None = None,
    prog_name: str | None = None,
    **extra: Any,
) -> None:
    """Run ``command`` like click's standalone mode; errors as JSON when ``--json`` is given."""
    argv = list(sys.argv[1:] if args is None else args)
    as_json = wants_json(argv)
    try:
        result = command.main(argv, prog_name, standalone_mode=False, **extra)
    except click.ClickException as exc:
        if as_json:
            click.echo(json.dumps(error_payload(exc)), err=True)
        else:
            exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        if as_json:
            payload = error_payload(click.ClickException("aborted"))
            click.echo(json.dumps(payload), err=True)
        else:
            click.echo("Aborted!", err=True)
        sys.exit(1)
    sys.exit(result if isinstance(result, int) else 0)


def refuse_options_before_subcommand(ctx: click.Context) -> None:
    """A group whose own options serve its bare form (``call --to ...``, ``emulator
    --port ...``) refuses them when a subcommand follows, instead of ignoring them."""
    if ctx.invoked_subcommand is None:
        return
    given = [
        f"--{name.rstrip('_').replace('_', '-')}"
        for name in ctx.params
        if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE
    ]
    if given:
        raise click.UsageError(
            f"{', '.join(given)} belong to `{ctx.command_path}` without a subcommand, "
            f"not to `{ctx.command_path} {ctx.invoked_subcommand}`",
            ctx,
        )
