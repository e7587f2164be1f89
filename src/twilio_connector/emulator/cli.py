"""Starting the emulator from the command line: ``twilio-connector emulator [start]`` and
``python -m twilio_connector.emulator`` (the same options, the same :func:`serve`).

It runs in the foreground until Ctrl-C or SIGTERM, then stops cleanly. State lives in
``./.twilio-emulator.db`` by default, so messages, numbers, keys and rules survive a
restart (``--in-memory`` for a throwaway run). Without ``--auth-token`` the token is
generated with the state file (and kept in it) or per in-memory run, and printed.
``--public-url`` is the URL clients use when the emulator sits behind a proxy (see
:class:`~.server.Emulator`). With ``--json`` the start-up facts are one JSON line.
The commands that drive a running emulator (inbound SMS, rules, reset ...) are in
:mod:`twilio_connector.cli.emulator_control`.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

import click

from .._cli_json import (
    CommandError,
    add_json_option,
    json_requested,
    refuse_options_before_subcommand,
)
from .core import DEFAULT_PHONE_NUMBERS
from .guard import exposure_warning
from .server import Emulator

__all__ = ["DEFAULT_DB_PATH", "DEFAULT_PORT", "emulator", "serve", "start", "start_options"]

DEFAULT_DB_PATH = ".twilio-emulator.db"
DEFAULT_PORT = 8765
F = TypeVar("F", bound=Callable[..., Any])


def start_options(fn: F) -> F:
    """The options of starting an emulator (``emulator``, ``emulator start``, ``python -m``)."""
    options = [
        click.option("--host", default="127.0.0.1", show_default=True, help="Interface."),
        click.option(
            "--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
            help="Port (0: any free port; the URL is printed).",
        ),
        click.option(
            "--host-name", "host_names", multiple=True,
            help="Another name the emulator answers to (e.g. behind a proxy); repeat for "
            "more. Requests for other names are refused (IP addresses and localhost work).",
        ),
        click.option(
            "--public-url",
            help="The URL clients reach the emulator at behind a proxy (e.g. "
            "https://emu.example.test): printed, and used for the URLs it builds to itself.",
        ),
        click.option(
            "--db", "db_path", default=DEFAULT_DB_PATH, show_default=True,
            type=click.Path(dir_okay=False), help="SQLite file holding the emulator's state.",
        ),
        click.option("--in-memory", is_flag=True, help="Keep state in memory only (no --db)."),
        click.option("--account-sid", default=None, help="Main account SID (AC + 32 hex)."),
        click.option(
            "--auth-token", default=None,
            help="Main account auth token (default: generated, kept in --db).",
        ),
        click.option(
            "--phone-number", "phone_numbers", multiple=True,
            help="Owned number (E.164); repeat for more; prefix whatsapp: for a WhatsApp sender.",
        ),
        click.option(
            "--timing", type=click.Choice(["fast", "realistic", "manual"]), default="fast",
            show_default=True,
            help="How fast simulated lifecycles run (manual: only `emulator advance` and "
            "`emulator settle` move them).",
        ),
    ]  # fmt: skip
    for option in reversed(options):
        fn = option(fn)
    return fn


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _announce(emu: Emulator, in_memory: bool, db_path: str, token_given: bool) -> None:
    numbers = [*emu.phone_numbers]
    if json_requested():
        facts = {
            "base_url": emu.base_url,
            "local_url": emu.local_url,
            "account_sid": emu.account_sid,
            "auth_token": emu.auth_token,
            "phone_numbers": numbers,
            "control_url": f"{emu.base_url}/_emulator",
            "ui_url": f"{emu.base_url}/_emulator/ui",
            "db": None if in_memory else db_path,
            "timing": "manual" if emu.timing.scale is None else emu.timing.scale,
        }
        click.echo(json.dumps(facts))
        return
    where = "" if emu.public_url is None else f" (public URL {emu.public_url})"
    click.echo(f"Twilio emulator listening on {emu.local_url}{where}")
    click.echo(f"  TWILIO_BASE_URL={emu.base_url}")
    click.echo(f"  TWILIO_ACCOUNT_SID={emu.account_sid}")
    click.echo(f"  TWILIO_AUTH_TOKEN={emu.auth_token}")
    if not token_given:
        kept = "in memory, for this run" if in_memory else f"generated once, kept in {db_path}"
        click.echo(f"  (auth token {kept}; --auth-token to choose one)")
    click.echo(f"  phone numbers: {', '.join(numbers)} (+15005550006 always valid as From)")
    click.echo("  WhatsApp sandbox sender: whatsapp:+14155238886")
    click.echo(f"  control plane: {emu.base_url}/_emulator   state: {emu.db_path or 'memory'}")
    click.echo(f"  web inbox: {emu.base_url}/_emulator/ui (log in with the SID and token above)")


def serve(
    host: str,
    port: int,
    host_names: tuple[str, ...],
    public_url: str | None,
    db_path: str,
    in_memory: bool,
    account_sid: str | None,
    auth_token: str | None,
    phone_numbers: tuple[str, ...],
    timing: str,
) -> None:
    """Run a local Twilio (REST API + signed webhooks) until Ctrl-C or SIGTERM."""
    try:
        emu = Emulator(
            port=port,
            db_path=None if in_memory else db_path,
            account_sid=account_sid,
            auth_token=auth_token,
            phone_numbers=phone_numbers or DEFAULT_PHONE_NUMBERS,
            host=host,
            hosts=host_names,
            timing=timing,
            public_url=public_url,
        ).start()
    except OSError as exc:
        hint = " (--port 0 takes any free port)" if port else ""
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from exc
    except (RuntimeError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:  # a Ctrl-C right after the announcement is a clean stop too
        _announce(emu, in_memory, db_path, auth_token is not None)
        if (warning := exposure_warning(host)) is not None:
            click.echo(f"WARNING: {warning}", err=json_requested())
        if not json_requested():
            click.echo("Press Ctrl-C to stop.")
        sys.stdout.flush()
        emu.wait()
    except KeyboardInterrupt:
        click.echo("Stopping.", err=json_requested())
    finally:
        emu.stop()
        signal.signal(signal.SIGTERM, previous)


@click.command("start")
@start_options
def start(**options: Any) -> None:
    """Run a local Twilio (REST API + signed webhooks) until Ctrl-C or SIGTERM."""
    serve(**options)


@click.group("emulator", invoke_without_command=True)
@start_options
@click.pass_context
def emulator(click_ctx: click.Context, /, **options: Any) -> None:
    """The local Twilio: start it (`emulator` or `emulator start`), or drive a running one.

    \b
    twilio-connector emulator [--port 8765] [--in-memory] [--timing manual] ...
    twilio-connector emulator inbound-sms --from N --to N --body TEXT
    twilio-connector emulator inbound-call --from N --to N [--digits 1]
    twilio-connector emulator rules list | add --outcome undelivered --to '+1555*' | delete ID
    twilio-connector emulator advance SECONDS | settle | reset

    Commands that drive a running emulator take --emulator-url (default $TWILIO_BASE_URL,
    else http://127.0.0.1:8765) and the account SID and auth token it printed
    (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN or the root options).
    """
    refuse_options_before_subcommand(click_ctx)
    if click_ctx.invoked_subcommand is None:
        serve(**options)


emulator.add_command(start)
add_json_option(emulator)
