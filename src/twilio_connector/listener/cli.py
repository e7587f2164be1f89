"""Click commands for the listener: ``listen`` and the ``inbox`` group (list, replay, purge).

``twilio-connector listen module:listener [--host H] [--port P] [--inbox URL]`` imports a
``TwilioListener`` (or a zero-argument factory returning one) and serves it, optionally on
another inbox (a SQLite path or ``postgresql://...``: run several ``listen`` processes on
one PostgreSQL inbox for replicas); ``--header-timeout``, ``--body-timeout`` and
``--max-connections`` bound what slow clients can hold. ``twilio-connector inbox list``
shows stored events (``--dead`` for dead letters);
``twilio-connector inbox replay [ID...]`` makes the given events, or every dead letter,
pending again: a running listener picks them up within ``poll_interval``, a stopped one
on its next start; ``twilio-connector inbox purge --older-than DAYS`` deletes finished
events. Every ``inbox`` command takes ``--inbox`` (or ``$TWILIO_CONNECTOR_INBOX``), and
every command ``--json`` (anywhere on the command line: JSON output, errors as JSON on
stderr; :mod:`twilio_connector._cli_json`). ``python -m twilio_connector.listener`` is
``listen``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
import time
from typing import Any

import click

from twilio_connector._cli_json import add_json_option, json_requested
from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.app import TwilioListener
from twilio_connector.listener.inbox import (
    DEFAULT_INBOX_PATH,
    STATUSES,
    InboxLocation,
    InboxStore,
    open_store,
)

__all__ = ["inbox", "listen", "load_listener", "purge"]

_INBOX_ENV = "TWILIO_CONNECTOR_INBOX"


def load_listener(target: str) -> TwilioListener:
    """Import ``module:attribute`` (attribute may be dotted, or a factory) as a listener."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise click.BadParameter("expected module:attribute, e.g. myapp.hooks:listener")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise click.BadParameter(f"cannot import {module_name!r}: {exc}") from exc
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise click.BadParameter(f"{module_name!r} has no attribute {attr!r}") from exc
    if not isinstance(obj, TwilioListener) and callable(obj):
        obj = obj()
    if not isinstance(obj, TwilioListener):
        raise click.BadParameter(f"{target} is a {type(obj).__name__}, not a TwilioListener")
    return obj


@click.command("listen")
@click.argument("target")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port (0: any free).")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
)
@click.option(
    "--inbox",
    "inbox_url",
    default=None,
    help="Store events here instead of the listener's own inbox: a SQLite path, "
    "sqlite:///path or postgresql://user:password@host:port/db.",
)
@click.option(
    "--header-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a connection has to send each request head.",
)
@click.option(
    "--body-timeout",
    default=None,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to receive a body (default: the listener's body_timeout).",
)
@click.option(
    "--max-connections",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Open connections; over it, the one waiting longest for a request head is closed.",
)
def listen(
    target: str,
    host: str,
    port: int,
    log_level: str,
    header_timeout: float,
    body_timeout: float | None,
    max_connections: int,
    inbox_url: str | None,
) -> None:
    """Serve the TwilioListener TARGET (module:attribute) until Ctrl-C / SIGTERM."""
    listener = load_listener(target)
    if inbox_url is not None:
        try:
            listener.use_inbox(inbox_url)
        except ConfigurationError as exc:
            raise click.BadParameter(str(exc), param_hint="--inbox") from None

    def announce(bound_host: str, bound_port: int) -> None:
        host_part = f"[{bound_host}]" if ":" in bound_host else bound_host
        url = f"http://{host_part}:{bound_port}"
        if json_requested():
            click.echo(json.dumps({"url": url, "inbox": str(listener.inbox_path)}))
        else:
            click.echo(f"listening on {url} (inbox {listener.inbox_path})")
        sys.stdout.flush()

    try:
        listener.run(
            host,
            port,
            log_level=log_level,
            on_bind=announce,
            header_timeout=header_timeout,
            max_connections=max_connections,
            body_timeout=body_timeout,
        )
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


@click.group("inbox")
def inbox() -> None:
    """Inspect and replay the listener's durable inbox."""


_inbox_option = click.option(
    "--inbox",
    "inbox_path",
    envvar=_INBOX_ENV,
    default=DEFAULT_INBOX_PATH,
    show_default=True,
    help=f"Inbox: a SQLite file, sqlite:///path or postgresql://... (or ${_INBOX_ENV}).",
)


def _open(location: str) -> InboxStore:
    try:
        return open_store(InboxLocation.parse(location), must_exist=True)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@inbox.command("list")
@_inbox_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUSES),
    help="Only rows with this status (repeatable).",
)
@click.option("--dead", is_flag=True, help="Only dead letters (same as --status dead).")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
def list_events(inbox_path: str, statuses: tuple[str, ...], dead: bool, limit: int) -> None:
    """List the most recent stored events (oldest first), with status, attempts and error."""
    wanted = set(statuses) | ({"dead"} if dead else set())
    with _open(inbox_path) as store:
        rows = store.records(sorted(wanted) if wanted else None, limit=limit, newest=True)
        counts = store.counts()
    if json_requested():
        click.echo(json.dumps({"counts": counts, "events": [r.summary() for r in rows]}))
        return
    if not rows:
        click.echo("no matching events")
    for r in rows:
        error = f"  {r.last_error}" if r.last_error else ""
        click.echo(
            f"{r.id:>8}  {_when(r.received_at)}  {r.status:<9}  {r.attempts:>2}x  "
            f"{r.name:<24} {r.resource_sid or '-'}{error}"
        )
    click.echo(", ".join(f"{n} {s}" for s, n in counts.items()))


@inbox.command("replay")
@_inbox_option
@click.argument("ids", nargs=-1, type=int)
def replay(inbox_path: str, ids: tuple[int, ...]) -> None:
    """Make IDS (default: every dead letter) pending again."""
    with _open(inbox_path) as store:
        missing = [i for i in ids if store.get(i) is None]
        if missing:
            raise click.ClickException(f"no event with id {', '.join(map(str, missing))}")
        count = store.replay(list(ids) if ids else None)
    if json_requested():
        click.echo(json.dumps({"replayed": count}))
    else:
        click.echo(f"{count} event(s) queued for replay")


@inbox.command("purge")
@_inbox_option
@click.option(
    "--older-than",
    "days",
    default=7.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Delete done and unhandled events received more than this many days ago.",
)
def purge(inbox_path: str, days: float) -> None:
    """Delete finished (done, unhandled) events; pending events and dead letters stay."""
    cutoff = time.time() - days * 86400
    total = 0
    with _open(inbox_path) as store:
        while True:
            removed = store.purge(cutoff)
            total += removed
            if not removed:
                break
    click.echo(json.dumps({"purged": total}) if json_requested() else f"{total} event(s) purged")


add_json_option(listen)
add_json_option(inbox)
