"""The official SDK (``twilio.rest.Client``) pointed at an emulator, for every API domain.

The SDK sends each product to its own host (``client.messaging`` to
``https://messaging.twilio.com``); :func:`point_sdk` sets every domain's ``base_url`` to
where the emulator serves it (``{base_url}/messaging``, :func:`~.._wire.domain_base_url`),
so one client reaches the 2010 API, Messaging Services and, as they come, Verify and Content.
The ``twilio`` package is the user's (not a dependency): imported only when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._wire import DOMAINS, domain_base_url

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["point_sdk", "sdk_client"]


def point_sdk(client: Any, base_url: str) -> Any:
    """Set ``client.<domain>.base_url`` for every domain of :data:`~.._wire.DOMAINS` to where
    ``base_url`` serves it, and clear its edge and region (which ``TWILIO_EDGE`` /
    ``TWILIO_REGION`` set, and which would rewrite the emulator's host into
    ``127.sydney.au1.0.1``); returns ``client``. Works on any ``twilio.rest.Client``."""
    client.edge = client.region = None
    for domain in DOMAINS:
        getattr(client, domain).base_url = domain_base_url(base_url, domain)
    return client


def sdk_client(
    emu: Emulator,
    username: str | None = None,
    password: str | None = None,
    account_sid: str | None = None,
    **options: Any,
) -> Any:
    """A ``twilio.rest.Client`` on ``emu``: signed in as its main account unless ``username``
    (an account or ``SK...`` key SID) and ``password`` are given; ``account_sid`` as the SDK
    takes it (a subaccount acted on); ``options`` go to the ``Client`` as they are
    (``http_client=AsyncTwilioHttpClient()`` for the SDK's ``*_async`` methods). ImportError
    when ``twilio`` is not installed; typed ``Any`` (the SDK ships no types)."""
    from twilio.rest import Client  # type: ignore[import-untyped]

    if username is None:
        username, password = emu.account_sid, emu.auth_token
    client = Client(username, password, account_sid=account_sid, **options)
    return point_sdk(client, emu.base_url)
