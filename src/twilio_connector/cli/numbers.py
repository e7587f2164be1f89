"""``account``, ``numbers list`` and ``numbers configure``."""

from __future__ import annotations

import click

from .._cli_json import CommandError
from .app import Context, pass_ctx
from .output import emit

__all__ = ["account", "numbers"]

LIST_COLUMNS = ("sid", "phone_number", "friendly_name", "sms_url", "voice_url")


@click.command()
@pass_ctx
def account(ctx: Context) -> None:
    """Show the account (its auth token masked)."""
    with ctx.client() as client:
        emit(client.get_account_details())


@click.group()
def numbers() -> None:
    """Owned phone numbers."""


@numbers.command("list")
@pass_ctx
def numbers_list(ctx: Context) -> None:
    """List the numbers the account owns."""
    with ctx.client() as client:
        owned = client.incoming_phone_numbers.list()
    emit(owned, LIST_COLUMNS)


@numbers.command("configure")
@click.argument("number")
@click.option("--sms-url", help="Webhook for inbound messages (e.g. your listener).")
@click.option("--voice-url", help="Webhook for inbound calls.")
@click.option("--status-callback", help="Status callback URL for the number.")
@click.option("--sms-method", type=click.Choice(["GET", "POST"]))
@click.option("--voice-method", type=click.Choice(["GET", "POST"]))
@pass_ctx
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
                raise CommandError(f"{number} is not a number this account owns")
            sid = found[0].sid
        updated = client.incoming_phone_numbers.update(
            sid,
            sms_url=sms_url,
            voice_url=voice_url,
            status_callback=status_callback,
            sms_method=sms_method,
            voice_method=voice_method,
        )
    emit(updated)
