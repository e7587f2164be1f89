"""``twilio-connector emulator``: run the local Twilio in the foreground until Ctrl-C.

The lead wires :data:`emulator` into the top-level ``twilio-connector`` group.
State lives in ``./.twilio-emulator.db`` by default, so messages, numbers, keys and
rules survive a restart (``--in-memory`` for a throwaway run). Without ``--auth-token`` the
token is generated with the state file (and kept in it) or per in-memory run, and printed.
"""

from __future__ import annotations

import click

from .core import DEFAULT_PHONE_NUMBERS
from .guard import exposure_warning
from .server import Emulator

__all__ = ["DEFAULT_DB_PATH", "emulator"]

DEFAULT_DB_PATH = ".twilio-emulator.db"


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--host-name",
    "host_names",
    multiple=True,
    help="Another name the emulator answers to (e.g. behind a proxy); repeat for more. "
    "Requests for other names are refused (IP addresses and localhost always work).",
)
@click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB_PATH,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite file holding the emulator's state.",
)
@click.option("--in-memory", is_flag=True, help="Keep state in memory only (ignores --db).")
@click.option("--account-sid", default=None, help="Main account SID (AC + 32 hex).")
@click.option(
    "--auth-token", default=None, help="Main account auth token (default: generated, kept in --db)."
)
@click.option(
    "--phone-number",
    "phone_numbers",
    multiple=True,
    help="Owned number (E.164); repeat for more; prefix whatsapp: for a WhatsApp sender.",
)
@click.option(
    "--timing",
    type=click.Choice(["fast", "realistic", "manual"]),
    default="fast",
    show_default=True,
    help="How fast simulated lifecycles run.",
)
def emulator(
    host: str,
    port: int,
    host_names: tuple[str, ...],
    db_path: str,
    in_memory: bool,
    account_sid: str | None,
    auth_token: str | None,
    phone_numbers: tuple[str, ...],
    timing: str,
) -> None:
    """Run a local Twilio (REST API + signed webhooks) until interrupted."""
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
        ).start()
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    numbers = ", ".join(phone_numbers or DEFAULT_PHONE_NUMBERS)
    click.echo(f"Twilio emulator listening on {emu.base_url}")
    click.echo(f"  TWILIO_BASE_URL={emu.base_url}")
    click.echo(f"  TWILIO_ACCOUNT_SID={emu.account_sid}")
    click.echo(f"  TWILIO_AUTH_TOKEN={emu.auth_token}")
    if auth_token is None:
        kept = "in memory, for this run" if in_memory else f"generated once, kept in {db_path}"
        click.echo(f"  (auth token {kept}; --auth-token to choose one)")
    click.echo(f"  phone numbers: {numbers} (+15005550006 always valid as From)")
    click.echo("  WhatsApp sandbox sender: whatsapp:+14155238886")
    click.echo(f"  control plane: {emu.base_url}/_emulator   state: {emu.db_path or 'memory'}")
    click.echo(f"  web inbox: {emu.base_url}/_emulator/ui (log in with the SID and token above)")
    if (warning := exposure_warning(host)) is not None:
        click.echo(f"WARNING: {warning}")
    try:  # a Ctrl-C right after the prompt is a clean stop too
        click.echo("Press Ctrl-C to stop.")
        emu.wait()
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        emu.stop()
