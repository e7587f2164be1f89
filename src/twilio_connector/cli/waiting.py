"""``--wait``: poll a message or a call until it reaches a final status.

The final-status sets are :mod:`twilio_connector.enums`' (``MESSAGE_SETTLED`` for messages):

* messages end ``delivered``, ``read`` (WhatsApp), ``undelivered``, ``failed``,
  ``canceled`` (scheduled messages) or ``received`` (inbound); ``undelivered``, ``failed``
  and ``canceled`` are failures;
* calls end ``completed``, ``busy``, ``no-answer``, ``failed`` or ``canceled``; all but
  ``completed`` are failures.

``sent`` is not final: a carrier that gives no delivery receipt leaves a message ``sent``,
and ``--wait`` then ends with its timeout (exit 3). Polling is bounded by ``--wait-timeout``
and backs off from :data:`FIRST_INTERVAL` to :data:`MAX_INTERVAL` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import click

from .._cli_json import CommandError

__all__ = [
    "wait_for_final",
    "wait_options",
    "wait_outcome",
]


FIRST_INTERVAL = 0.25
MAX_INTERVAL = 5.0
BACKOFF = 1.5
DEFAULT_TIMEOUT = 60.0
TIMEOUT_EXIT = 3


class HasStatus(Protocol):
    @property
    def sid(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...


R = TypeVar("R", bound=HasStatus)
F = TypeVar("F", bound=Callable[..., object])


def wait_options(fn: F) -> F:
    """``--wait`` and ``--wait-timeout`` on a command that creates a message or a call."""
    fn = click.option(
        "--wait-timeout",
        default=DEFAULT_TIMEOUT,
        show_default=True,
        type=click.FloatRange(0, 3600),
        help="Give up waiting after this many seconds (exit 3).",
    )(fn)
    return click.option(
        "--wait",
        is_flag=True,
        help="Wait for a final status and print the final resource; exit 1 if it failed.",
    )(fn)


def wait_for_final(
    fetch: Callable[[str], R], first: R, final: frozenset[str], timeout: float
) -> tuple[R, bool]:
    """Poll ``fetch(sid)`` until the status is in ``final``: (last seen, reached?)."""
    current, sid = first, first.sid or ""
    deadline = time.monotonic() + timeout
    interval = FIRST_INTERVAL
    while (current.status or "") not in final:
        left = deadline - time.monotonic()
        if left <= 0:
            return current, False
        time.sleep(min(interval, left))
        interval = min(interval * BACKOFF, MAX_INTERVAL)
        current = fetch(sid)
    return current, True


def wait_outcome(
    kind: str,
    resource: HasStatus,
    reached: bool,
    failures: frozenset[str],
    timeout: float,
    error_code: int | None = None,
) -> CommandError | None:
    """The error to exit with after waiting (``None`` when the final status is a success)."""
    if not reached:
        return CommandError(
            f"{kind} {resource.sid} is still '{resource.status}' after {timeout:g} s",
            exit_code=TIMEOUT_EXIT,
        )
    if (resource.status or "") in failures:
        more = f"https://www.twilio.com/docs/errors/{error_code}" if error_code else None
        return CommandError(
            f"{kind} {resource.sid} ended '{resource.status}'", code=error_code, more_info=more
        )
    return None
