"""``sms send``, ``whatsapp send``, ``message get`` and ``message list``."""

from __future__ import annotations

import json

import click

from ..enums import MESSAGE_FAILURES, MESSAGE_SETTLED
from ..models import Message
from .app import Context, pass_ctx
from .output import emit
from .waiting import wait_for_final, wait_options, wait_outcome

__all__ = ["message", "sms", "whatsapp"]

LIST_COLUMNS = ("sid", "direction", "from", "to", "status", "body", "date_created")


def _finish(ctx: Context, sent: Message, wait: bool, wait_timeout: float) -> None:
    """Print the message (after waiting for its final status with ``--wait``)."""
    if not wait:
        emit(sent)
        return
    with ctx.client() as client:
        final, reached = wait_for_final(client.messages.fetch, sent, MESSAGE_SETTLED, wait_timeout)
    emit(final)
    error = wait_outcome(
        "message", final, reached, MESSAGE_FAILURES, wait_timeout, final.error_code
    )
    if error is not None:
        raise error


@click.group()
def sms() -> None:
    """Send SMS messages (one, or one per row of a CSV file)."""


_SERVICE = click.option(
    "--messaging-service-sid",
    help="Send through this Messaging Service (MG...): its pool picks the sender; "
    "--from is then optional.",
)


def _sender(from_: str | None, messaging_service_sid: str | None) -> None:
    if not from_ and not messaging_service_sid:
        raise click.UsageError("give --from, --messaging-service-sid or both")


@sms.command("send")
@click.option("--from", "from_", help="Your Twilio number (E.164).")
@_SERVICE
@click.option("--to", required=True, help="Destination number (E.164).")
@click.option("--body", required=True, help="Message text.")
@click.option("--status-callback", help="URL for delivery status callbacks.")
@click.option("--media-url", multiple=True, help="Media URL (MMS); repeatable.")
@wait_options
@pass_ctx
def sms_send(
    ctx: Context,
    from_: str | None,
    messaging_service_sid: str | None,
    to: str,
    body: str,
    status_callback: str | None,
    media_url: tuple[str, ...],
    wait: bool,
    wait_timeout: float,
) -> None:
    """Send one SMS (or MMS with --media-url), from a number or through a service."""
    _sender(from_, messaging_service_sid)
    with ctx.client() as client:
        sent = client.messages.create(
            to=to,
            from_=from_,
            messaging_service_sid=messaging_service_sid,
            body=body,
            status_callback=status_callback,
            media_url=list(media_url) or None,
        )
    _finish(ctx, sent, wait, wait_timeout)


@click.group()
def whatsapp() -> None:
    """Send WhatsApp messages."""


@whatsapp.command("send")
@click.option("--from", "from_", help="WhatsApp-enabled sender.")
@_SERVICE
@click.option("--to", required=True, help="Recipient (whatsapp: prefix optional).")
@click.option("--body", help="Free-form text (inside the 24 h window).")
@click.option("--content-sid", help="Approved template (HX...).")
@click.option("--content-variables", help='Template variables as JSON, e.g. \'{"1":"Ada"}\'.')
@click.option("--media-url", multiple=True, help="Media URL; repeatable.")
@click.option("--status-callback", help="URL for delivery status callbacks.")
@wait_options
@pass_ctx
def whatsapp_send(
    ctx: Context,
    from_: str | None,
    messaging_service_sid: str | None,
    to: str,
    body: str | None,
    content_sid: str | None,
    content_variables: str | None,
    media_url: tuple[str, ...],
    status_callback: str | None,
    wait: bool,
    wait_timeout: float,
) -> None:
    """Send one WhatsApp message.

    Outside the 24-hour window that opens when the recipient last wrote to you, only an
    approved template (--content-sid) is delivered; free-form text ends failed (63016).
    """
    _sender(from_, messaging_service_sid)
    variables = None
    if content_variables:
        try:
            variables = json.loads(content_variables)
        except ValueError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--content-variables") from None
        if not isinstance(variables, dict):
            raise click.BadParameter("expected a JSON object", param_hint="--content-variables")
    with ctx.client() as client:
        sent = client.send_whatsapp_message(
            from_,
            to,
            body,
            media_url=list(media_url) or None,
            content_sid=content_sid,
            content_variables={str(k): str(v) for k, v in variables.items()} if variables else None,
            status_callback=status_callback,
            messaging_service_sid=messaging_service_sid,
        )
    _finish(ctx, sent, wait, wait_timeout)


@click.group()
def message() -> None:
    """Inspect messages."""


@message.command("get")
@click.argument("sid")
@pass_ctx
def message_get(ctx: Context, sid: str) -> None:
    """Fetch one message by SID."""
    with ctx.client() as client:
        emit(client.messages.fetch(sid))


@message.command("list")
@click.option("--to", help="Filter by recipient.")
@click.option("--from", "from_", help="Filter by sender.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1), help="How many.")
@pass_ctx
def message_list(ctx: Context, to: str | None, from_: str | None, limit: int) -> None:
    """List recent messages, newest first."""
    with ctx.client() as client:
        found = client.messages.list(to=to, from_=from_, limit=limit)
    emit(found, LIST_COLUMNS)
