"""REST handlers: API keys (``/Accounts/{AC}/Keys``), and their serialization.

Keys are managed with the account's auth token, never with another key (403/20006).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import models
from ..accounts.rest import path_account, refuse_api_keys
from ..errors import not_found
from ..http import Request, Response, json_response
from ..pagination import envelope, page_request, paginate_list
from ..serialize import dt
from .records import KeyRecord

if TYPE_CHECKING:
    from ..core import EmulatorCore

__all__ = ["KeysApi", "key_model"]


def key_model(k: KeyRecord, secret: str | None = None) -> models.ApiKey:
    """The key as Twilio shows it; ``secret`` only in the answer to its creation."""
    created, updated = dt(k.date_created), dt(k.date_updated)
    if secret is not None:
        return models.NewApiKey(
            sid=k.sid, friendly_name=k.friendly_name, date_created=created,
            date_updated=updated, secret=secret,
        )  # fmt: skip
    return models.ApiKey(
        sid=k.sid, friendly_name=k.friendly_name, date_created=created, date_updated=updated
    )


class KeysApi:
    """``/Accounts/{AC}/Keys.json`` and ``/Accounts/{AC}/Keys/{SK}.json``."""

    def __init__(self, core: EmulatorCore) -> None:
        self.keys = core.keys

    def _key(self, req: Request) -> KeyRecord:
        refuse_api_keys(req)
        key = self.keys.get(path_account(req), req.path_params["Sid"])
        if key is None:
            raise not_found(req.path)
        return key

    async def list(self, req: Request) -> Response:
        refuse_api_keys(req)
        preq = page_request(req)
        page, more = paginate_list(self.keys.of_account(path_account(req)), preq, lambda k: k.sid)
        env = envelope("keys", [key_model(k) for k in page], req.path, [], preq, more)
        return json_response(models.encode(env))

    async def create(self, req: Request) -> Response:
        refuse_api_keys(req)
        key, secret = self.keys.create(path_account(req), req.get("FriendlyName"))
        return json_response(models.encode(key_model(key, secret)), 201)

    async def fetch(self, req: Request) -> Response:
        return json_response(models.encode(key_model(self._key(req))))

    async def update(self, req: Request) -> Response:
        key = self.keys.update(self._key(req), req.get("FriendlyName"))
        return json_response(models.encode(key_model(key)))

    async def delete(self, req: Request) -> Response:
        self.keys.delete(self._key(req))
        return Response(204, b"")
