"""The command tree of ``twilio-connector``: every command, where it comes from."""

from __future__ import annotations

import click

from .._cli_json import add_json_option
from . import bulk  # noqa: F401  (registers `sms send-bulk`)
from .app import main
from .calls import call
from .messages import message, sms, whatsapp
from .numbers import account, numbers

__all__ = ["main"]


def _emulator() -> click.Command:
    """``emulator`` (start) with the commands that drive a running emulator."""
    from ..emulator.cli import emulator
    from .emulator_control import COMMANDS

    for command in COMMANDS:
        emulator.add_command(command)
    return emulator


def _listen() -> click.Command:
    from ..listener.cli import listen

    return listen


def _inbox() -> click.Command:
    from ..listener.cli import inbox

    return inbox


for _command in (sms, whatsapp, message, call, account, numbers):
    main.add_command(_command)
main.lazy_commands.update(emulator=_emulator, listen=_listen, inbox=_inbox)
add_json_option(main)
