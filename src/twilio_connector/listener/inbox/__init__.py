"""The durable inbox, behind one interface: SQLite (one process) or PostgreSQL (replicas).

Where the inbox lives is given as a location: a file path or ``sqlite:///path`` (SQLite,
the default ``./twilio-connector-inbox.sqlite3``), ``:memory:`` (SQLite, not durable), or
``postgresql://user:password@host:port/database`` (PostgreSQL; needs the ``postgres``
extra). :func:`open_store` opens the synchronous :class:`InboxStore` for any of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from twilio_connector._wire import redact_userinfo
from twilio_connector.errors import ConfigurationError
from twilio_connector.listener.inbox.records import (
    STATUSES,
    InboxRecord,
    InboxStore,
    NewRecord,
    Update,
)
from twilio_connector.listener.inbox.sqlite import (
    DEFAULT_INBOX_PATH,
    Inbox,
    InboxBusyError,
    OwnerLock,
)

__all__ = [
    "DEFAULT_INBOX_PATH",
    "STATUSES",
    "Inbox",
    "InboxBusyError",
    "InboxLocation",
    "InboxRecord",
    "InboxStore",
    "NewRecord",
    "OwnerLock",
    "Update",
    "open_store",
]

_PG_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class InboxLocation:
    """A parsed inbox location: ``kind`` is ``"sqlite"`` (``path``) or ``"postgresql"``
    (``url``, which may hold a password: shown only through :attr:`display`)."""

    kind: str
    path: str = ""
    url: str = ""

    @classmethod
    def parse(cls, location: str) -> InboxLocation:
        if not isinstance(location, str) or not location:
            raise ConfigurationError("the inbox location must be a non-empty string")
        scheme = location.split(":", 1)[0].lower() if "://" in location else ""
        if scheme in _PG_SCHEMES:
            parts = urlsplit(location)
            if not parts.hostname and "host=" not in parts.query:
                raise ConfigurationError("a PostgreSQL inbox URL needs a host")
            return cls("postgresql", url=location)
        if scheme == "sqlite":
            # sqlite:///relative/path, sqlite:////absolute/path (the host part is empty)
            rest = unquote(location.split("://", 1)[1])
            path = rest[1:] if rest.startswith("/") else rest
            if not path:
                raise ConfigurationError("sqlite:/// needs a file path")
            return cls("sqlite", path=path)
        if scheme:
            raise ConfigurationError(
                f"unsupported inbox scheme {scheme!r}: use a file path, sqlite:///path or "
                "postgresql://user:password@host:port/database"
            )
        return cls("sqlite", path=location)

    @property
    def display(self) -> str:
        """The location without any password (for logs, reprs and messages)."""
        if self.kind == "sqlite":
            return self.path
        return redact_userinfo(self.url)


def open_store(location: str | InboxLocation, *, must_exist: bool = False) -> InboxStore:
    """The synchronous store for ``location`` (close it after use).

    ``must_exist``: for SQLite, refuse a missing file instead of creating it.
    """
    loc = location if isinstance(location, InboxLocation) else InboxLocation.parse(location)
    if loc.kind == "postgresql":
        from twilio_connector.listener.inbox.postgres import PostgresInbox

        return PostgresInbox(loc.url)
    if must_exist and loc.path != ":memory:" and not os.path.exists(loc.path):
        raise ConfigurationError(f"no inbox at {loc.path}")
    return Inbox(loc.path)
