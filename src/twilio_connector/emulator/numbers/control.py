"""Control plane for numbers: ``POST /_emulator/numbers/{E164}`` with ``whatsapp=true|false``
makes an owned number a WhatsApp sender (or not), answering the IncomingPhoneNumber;
``POST /_emulator/short-codes`` with ``short_code`` (3-8 digits), optional ``country_code``
(``US``), ``friendly_name`` and ``account_sid`` (the main account's by default) provisions a
short code, answering 201 the 2010 ShortCode (200 if the account had it already)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..._wire import to_bool
from ..errors import EmulatorError, not_found
from ..http import Request, Response, json_response
from .serialize import number_model, short_code_model

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["NumbersControl"]


class NumbersControl:
    def __init__(self, core: EmulatorCore) -> None:
        self.core = core
        self.numbers = core.numbers

    async def configure(self, req: Request) -> Response:
        data = req.json()
        enabled = to_bool(str(data.get("whatsapp", "true"))) is True
        try:
            number = self.numbers.set_whatsapp(req.path_params["number"], enabled)
        except KeyError:
            raise not_found(req.path) from None
        return json_response(models.encode(number_model(number)))

    async def add_short_code(self, req: Request) -> Response:
        data = req.json()
        fields = {k: data.get(k) for k in ("short_code", "country_code", "friendly_name")}
        account_sid = data.get("account_sid") or self.core.main_account_sid
        values = [*fields.values(), account_sid]
        if any(v is not None and not isinstance(v, str) for v in values):
            raise EmulatorError(400, 20001, "short_code, country_code, friendly_name, "
                                "account_sid must be strings")  # fmt: skip
        if self.core.accounts.get(account_sid) is None:
            raise EmulatorError(404, 20404, f"Account {str(account_sid)[:40]} not found")
        before = len(self.core.short_codes.of_account(account_sid))
        sc = self.core.short_codes.provision(
            account_sid, fields["short_code"] or "", fields["country_code"] or "US",
            fields["friendly_name"],
        )  # fmt: skip
        created = len(self.core.short_codes.of_account(account_sid)) > before
        return json_response(models.encode(short_code_model(sc)), 201 if created else 200)
