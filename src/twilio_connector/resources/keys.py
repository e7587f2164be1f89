"""``client.keys``: API keys (``SK...``) for key/secret authentication."""

from __future__ import annotations

from .._base_client import Op, PageFlow
from .._operation import Mode, Resource, collector, operation, paginator
from .._wire import form
from ..models import ApiKey, NewApiKey
from ..specs import KEYS

__all__ = ["Keys"]


class Keys(Resource[Mode]):
    """API keys: ``/Accounts/{sid}/Keys``."""

    @operation
    def create(self, *, friendly_name: str | None = None) -> Op[NewApiKey]:
        """Create a key. Its ``secret`` is returned only once, here."""
        data = form(FriendlyName=friendly_name)
        return (
            yield from self._core.call("POST", self._core.list_path(KEYS), NewApiKey, data=data)
        )

    @operation
    def fetch(self, sid: str) -> Op[ApiKey]:
        path = self._core.instance_path(KEYS, Sid=sid)
        return (yield from self._core.call("GET", path, KEYS.model))

    def _iter(self, *, limit: int | None = None) -> PageFlow[ApiKey]:
        """The account's API keys (``list`` collects, ``iter`` is lazy)."""
        return self._core.list_pages(KEYS, limit=limit)

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def delete(self, sid: str) -> Op[None]:
        path = self._core.instance_path(KEYS, Sid=sid)
        return (yield from self._core.call_no_content("DELETE", path))
