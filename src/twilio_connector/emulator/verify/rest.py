"""REST handlers: ``/verify/v2/Services``, ``.../Verifications`` and ``.../VerificationCheck``.

The account is the one whose credentials were given (v2 paths name no account); it must be
active (401/20005: refused by the authentication, :meth:`.Accounts.authenticate`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from ... import models
from ..accounts.rest import principal
from ..errors import not_found
from ..http import Request, Response, json_response
from ..pagination import v1_list
from .records import VerifyServiceRecord
from .serialize import check_model, service_model, verification_model
from .settings import parse_settings
from .state import VerificationRequest

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["VerifyApi"]


class VerifyApi:
    """Services CRUD, Verifications (start, fetch, update) and VerificationCheck."""

    def __init__(self, core: EmulatorCore) -> None:
        self.verify = core.verify
        self.base_url = core.base_url

    def _service(self, req: Request, name: str = "ServiceSid") -> VerifyServiceRecord:
        service = self.verify.service(principal(req), req.path_params[name])
        if service is None:
            raise not_found(req.path)
        return service

    def _service_json(self, service: VerifyServiceRecord, status: int = 200) -> Response:
        return json_response(models.encode(service_model(service, self.base_url)), status)

    # -- services ---------------------------------------------------------------------------

    async def list_services(self, req: Request) -> Response:
        services = self.verify.services(principal(req))
        to_model = partial(service_model, base_url=self.base_url)
        return v1_list(req, self.base_url + req.path, "services", services, _sid, to_model)

    async def create_service(self, req: Request) -> Response:
        changes = parse_settings(req.get)
        account = principal(req)
        service = self.verify.create_service(account, req.get("FriendlyName"), changes)
        return self._service_json(service, 201)

    async def fetch_service(self, req: Request) -> Response:
        return self._service_json(self._service(req, "Sid"))

    async def update_service(self, req: Request) -> Response:
        service = self._service(req, "Sid")
        changes = parse_settings(req.get)
        updated = self.verify.update_service(service, req.get("FriendlyName"), changes)
        return self._service_json(updated)

    async def delete_service(self, req: Request) -> Response:
        self.verify.delete_service(self._service(req, "Sid"))
        return Response(204, b"")

    # -- verifications ----------------------------------------------------------------------

    async def start(self, req: Request) -> Response:
        service = self._service(req)
        start = VerificationRequest(
            to=req.get("To"), channel=req.get("Channel"),
            custom_friendly_name=req.get("CustomFriendlyName"), custom_code=req.get("CustomCode"),
            locale=req.get("Locale"), amount=req.get("Amount"), payee=req.get("Payee"),
        )  # fmt: skip
        v = self.verify.start(principal(req), service, start)
        return json_response(models.encode(verification_model(v, self.base_url)), 201)

    async def fetch(self, req: Request) -> Response:
        v = self.verify.fetch(self._service(req), req.path_params["Sid"])
        return json_response(models.encode(verification_model(v, self.base_url)))

    async def update(self, req: Request) -> Response:
        v = self.verify.update(self._service(req), req.path_params["Sid"], req.get("Status"))
        return json_response(models.encode(verification_model(v, self.base_url)))

    async def check(self, req: Request) -> Response:
        service = self._service(req)
        v = self.verify.check(service, req.get("Code"), req.get("To"), req.get("VerificationSid"))
        return json_response(models.encode(check_model(v)))


def _sid(record: VerifyServiceRecord) -> str:
    return record.sid
