"""The ``twilio-connector`` console script, which every install has (the core one too).

Without the ``cli`` extra the command says in one line what to install, instead of a
traceback; with it, this is :func:`twilio_connector.cli.main`.
"""

from __future__ import annotations

import sys

from ._extras import MissingExtraError

__all__ = ["main"]


def main() -> None:
    try:
        from .cli import main as cli
    except MissingExtraError as exc:
        sys.exit(f"twilio-connector: {exc}")
    cli()
