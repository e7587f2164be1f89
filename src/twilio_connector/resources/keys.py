"""``client.keys``: API keys (``SK...``) for key/secret authentication."""

from __future__ import annotations

import builtins

from .._base_client import Op, form
from .._operation import Mode, Resource, operation
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

    @operation
    def list(self, *, limit: int | None = None) -> Op[builtins.list[ApiKey]]:
        return (
            yield from self._core.collect(
                self._core.pages("Keys.json", ApiKey, "keys", limit=limit)
            )
        )

    @operation
    def delete(self, sid: str) -> Op[None]:
        return (yield from self._core.call_no_content("DELETE", f"Keys/{self._core.sid(sid)}.json"))
