"""REST handlers: ``/messaging/v1/Services`` and its pools ``.../Services/{MG}/PhoneNumbers``,
``.../ShortCodes`` and ``.../AlphaSenders``.

The account is the one whose credentials were given (v1 paths name no account); it must be
active, as for the 2010 API's account routes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from ... import models
from ..accounts.rest import principal
from ..errors import not_found
from ..http import Request, Response, json_response
from ..pagination import v1_list
from .records import AlphaSenderRecord, ServiceRecord
from .serialize import (
    alpha_sender_model,
    pool_number_model,
    pool_short_code_model,
    service_model,
)
from .state import PoolNumber, PoolShortCode, parse_settings

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["MessagingServicesApi"]


class MessagingServicesApi:
    """Services CRUD and their phone-number pools."""

    def __init__(self, core: EmulatorCore) -> None:
        self.services = core.services
        self.base_url = core.base_url

    def _list(
        self,
        req: Request,
        key: str,
        records: Sequence[T],
        sid_of: Callable[[T], str],
        to_model: Callable[[T, str], Any],
    ) -> Response:
        model = partial(_with_base, to_model, self.base_url)
        return v1_list(req, self.base_url + req.path, key, records, sid_of, model)

    def _service(self, req: Request, name: str) -> ServiceRecord:
        service = self.services.get(principal(req), req.path_params[name])
        if service is None:
            raise not_found(req.path)
        return service

    def _pooled(self, req: Request) -> PoolNumber:
        pooled = self.services.number(self._service(req, "ServiceSid"), req.path_params["Sid"])
        if pooled is None:
            raise not_found(req.path)
        return pooled

    def _service_json(self, service: ServiceRecord, status: int = 200) -> Response:
        return json_response(models.encode(service_model(service, self.base_url)), status)

    # -- services ---------------------------------------------------------------------------

    async def list(self, req: Request) -> Response:
        services = self.services.of_account(principal(req))
        return self._list(req, "services", services, lambda s: s.sid, service_model)

    async def create(self, req: Request) -> Response:
        settings = parse_settings(req.get)
        service = self.services.create(principal(req), req.get("FriendlyName"), settings)
        return self._service_json(service, 201)

    async def fetch(self, req: Request) -> Response:
        return self._service_json(self._service(req, "Sid"))

    async def update(self, req: Request) -> Response:
        service = self._service(req, "Sid")
        settings = parse_settings(req.get)
        return self._service_json(self.services.update(service, req.get("FriendlyName"), settings))

    async def delete(self, req: Request) -> Response:
        self.services.delete(self._service(req, "Sid"))
        return Response(204, b"")

    # -- the phone-number pool --------------------------------------------------------------

    async def list_numbers(self, req: Request) -> Response:
        pool = self.services.numbers(self._service(req, "ServiceSid"))
        return self._list(req, "phone_numbers", pool, _number_sid, pool_number_model)

    async def add_number(self, req: Request) -> Response:
        service = self._service(req, "ServiceSid")
        pooled = self.services.add_number(service, req.get("PhoneNumberSid"))
        return json_response(models.encode(pool_number_model(pooled, self.base_url)), 201)

    async def fetch_number(self, req: Request) -> Response:
        return json_response(models.encode(pool_number_model(self._pooled(req), self.base_url)))

    async def delete_number(self, req: Request) -> Response:
        self.services.remove_number(self._pooled(req))
        return Response(204, b"")

    # -- the short-code pool ----------------------------------------------------------------

    def _pooled_short_code(self, req: Request) -> PoolShortCode:
        service = self._service(req, "ServiceSid")
        pooled = self.services.short_code(service, req.path_params["Sid"])
        if pooled is None:
            raise not_found(req.path)
        return pooled

    async def list_short_codes(self, req: Request) -> Response:
        pool = self.services.short_codes(self._service(req, "ServiceSid"))
        return self._list(req, "short_codes", pool, _short_code_sid, pool_short_code_model)

    async def add_short_code(self, req: Request) -> Response:
        service = self._service(req, "ServiceSid")
        pooled = self.services.add_short_code(service, req.get("ShortCodeSid"))
        return json_response(models.encode(pool_short_code_model(pooled, self.base_url)), 201)

    async def fetch_short_code(self, req: Request) -> Response:
        pooled = self._pooled_short_code(req)
        return json_response(models.encode(pool_short_code_model(pooled, self.base_url)))

    async def delete_short_code(self, req: Request) -> Response:
        self.services.remove_short_code(self._pooled_short_code(req))
        return Response(204, b"")

    # -- the alpha sender -------------------------------------------------------------------

    def _alpha(self, req: Request) -> AlphaSenderRecord:
        service = self._service(req, "ServiceSid")
        record = self.services.alpha_sender(service, req.path_params["Sid"])
        if record is None:
            raise not_found(req.path)
        return record

    async def list_alpha_senders(self, req: Request) -> Response:
        records = self.services.alpha_senders(self._service(req, "ServiceSid"))
        return self._list(req, "alpha_senders", records, lambda a: a.sid, alpha_sender_model)

    async def add_alpha_sender(self, req: Request) -> Response:
        service = self._service(req, "ServiceSid")
        record = self.services.add_alpha_sender(service, req.get("AlphaSender"))
        return json_response(models.encode(alpha_sender_model(record, self.base_url)), 201)

    async def fetch_alpha_sender(self, req: Request) -> Response:
        return json_response(models.encode(alpha_sender_model(self._alpha(req), self.base_url)))

    async def delete_alpha_sender(self, req: Request) -> Response:
        self.services.remove_alpha_sender(self._alpha(req))
        return Response(204, b"")


T = TypeVar("T")


def _with_base(to_model: Callable[[T, str], Any], base_url: str, record: T) -> Any:
    return to_model(record, base_url)


def _number_sid(p: PoolNumber) -> str:
    return p.entry.number_sid


def _short_code_sid(p: PoolShortCode) -> str:
    return p.entry.short_code_sid
