"""Bulk SMS from a CSV file: concurrent, rate limited, resumable, never twice.

Each CSV row (columns ``to``, ``body``, optional ``from`` and ``media_url``; :mod:`.rows`)
gets a journal entry in SQLite before it is sent (:mod:`.journal`). States: ``pending`` ->
``sending`` -> ``sent`` (with the message SID) or ``failed`` (Twilio refused it, with its
error code and message: it was not sent). A row left in ``sending`` by an interrupted run,
or whose POST ended with an unknown outcome, is *reconciled* on the next run: the account's
messages to that number since the row was attempted are searched for the same body; if
found the row is marked sent, otherwise it is sent. Rows already ``sent`` are skipped, so
re-running the same command after a crash never sends a message twice; ``failed`` rows are
sent again only with ``retry_failed=True``.

A run holds an exclusive lock on ``<journal>.lock`` (``fcntl.flock``, non-blocking) from
before it reads the journal until it closes it: a second run on the same journal raises
:class:`JournalBusyError` before sending anything (:mod:`.send`).
"""

from .journal import Failure, Journal, JournalBusyError, lock_path
from .rows import BulkRow, read_rows
from .send import BulkResult, send_bulk

__all__ = [
    "BulkResult",
    "BulkRow",
    "Failure",
    "Journal",
    "JournalBusyError",
    "lock_path",
    "read_rows",
    "send_bulk",
]
