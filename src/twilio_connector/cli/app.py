"""The root ``twilio-connector`` group: credentials, ``--json`` anywhere, errors.

Credentials come from the root options or the ``TWILIO_ACCOUNT_SID`` / ``TWILIO_AUTH_TOKEN``
/ ``TWILIO_API_KEY`` / ``TWILIO_API_SECRET`` / ``TWILIO_BASE_URL`` environment variables;
every command reaches them through :class:`Context`. A :class:`~twilio_connector.errors.
TwilioError` raised by any command becomes a :class:`~twilio_connector._cli_json.
CommandError` (Twilio's code, message, more_info and HTTP status; exit 1, or 2 for a
configuration error), printed as text or, with ``--json``, as JSON on stderr.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .._cli_json import add_json_option, json_requested, run
from ..config import TwilioConfig
from ..errors import TwilioError
from .output import cli_error

if TYPE_CHECKING:
    from .. import AsyncTwilioClient, TwilioClient

__all__ = ["Context", "RootGroup", "main", "pass_ctx"]

F = TypeVar("F", bound=Callable[..., Any])

CREDENTIAL_OPTIONS = ("account_sid", "auth_token", "api_key", "api_secret", "base_url")


class Context:
    """What every command shares: the credential options (flags or environment)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    @property
    def as_json(self) -> bool:
        return json_requested()

    def overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.options.items() if k in CREDENTIAL_OPTIONS and v}

    def config(self) -> TwilioConfig:
        return TwilioConfig.from_env(**self.overrides())

    def client(self) -> TwilioClient:
        from .. import TwilioClient

        return TwilioClient(self.config())

    def async_client(self) -> AsyncTwilioClient:
        from .. import AsyncTwilioClient

        return AsyncTwilioClient(self.config())


class RootGroup(click.Group):
    """Runs through :func:`twilio_connector._cli_json.run`; client errors become CLI errors.

    ``lazy_commands`` are loaded on first use (the emulator and the listener import their
    servers: ``twilio-connector sms send`` does not pay for them) and get ``--json`` then.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, Callable[[], click.Command]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loader = self.lazy_commands.get(cmd_name)
        if loader is not None and cmd_name not in self.commands:
            self.add_command(add_json_option(loader()), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        run(self, args, prog_name, complete_var=complete_var, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TwilioError as exc:
            raise cli_error(exc) from None


def credential_options(fn: F) -> F:
    options = [
        click.option("--account-sid", envvar="TWILIO_ACCOUNT_SID", help="Account SID (AC...)."),
        click.option("--auth-token", envvar="TWILIO_AUTH_TOKEN", help="Auth token."),
        click.option("--api-key", envvar="TWILIO_API_KEY", help="API key SID (SK...)."),
        click.option("--api-secret", envvar="TWILIO_API_SECRET", help="API key secret."),
        click.option("--base-url", envvar="TWILIO_BASE_URL", help="API base URL (emulator)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


pass_ctx = click.make_pass_decorator(Context)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@credential_options
@click.pass_context
def main(click_ctx: click.Context, /, **options: Any) -> None:
    """Twilio from the terminal: messages, calls, numbers, the emulator and the listener.

    --json is accepted anywhere on the command line (before or after the command name):
    output is then JSON on stdout and every error a JSON object on stderr,
    {"error": {"code", "message", "more_info", "status"}}, with a non-zero exit code.
    """
    click_ctx.obj = Context(options)
