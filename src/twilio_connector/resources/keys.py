"""``client.keys``: API keys (``SK...``) for key/secret authentication."""

from __future__ import annotations

from .._base_client import Op, PageFlow, form
from .._operation import Mode, Resource, collector, operation, paginator
from ..models import ApiKey, NewApiKey

__all__ = ["Keys"]


class Keys(Resource[Mode]):
    """API keys: ``/Accounts/{sid}/Keys``."""

    @operation
    def create(self, *, friendly_name: str | None = None) -> Op[NewApiKey]:
        """Create a key. Its ``secret`` is returned only once, here."""
        data = form(FriendlyName=friendly_name)
        return (yield from self._core.call("POST", "Keys.json", NewApiKey, data=data))

    @operation
    def fetch(self, sid: str) -> Op[ApiKey]:
        return (yield from self._core.call("GET", f"Keys/{self._core.sid(sid)}.json", ApiKey))

    def _iter(self, *, limit: int | None = None) -> PageFlow[ApiKey]:
        """The account's API keys (``list`` collects, ``iter`` is lazy)."""
        return self._core.pages("Keys.json", ApiKey, "keys", limit=limit)

    iter = paginator(_iter)
    list = collector(_iter)

    @operation
    def delete(self, sid: str) -> Op[None]:
        return (yield from self._core.call_no_content("DELETE", f"Keys/{self._core.sid(sid)}.json"))
