"""What every resource's records share: :func:`new_sid`.

Each resource keeps its internal records in ``<resource>/records.py`` (accounts, keys,
numbers, messages, rules, notifications, webhooks, calls). They are not the wire shapes:
:mod:`twilio_connector.models` owns those. Times are epoch seconds (UTC floats).
"""

from __future__ import annotations

import os
import time

__all__ = ["new_sid"]


def new_sid(prefix: str) -> str:
    """A fresh Twilio SID: two-letter prefix + 32 lowercase hex digits.

    The first 12 digits count microseconds (wrapping every ~9 years), the other 20 are
    random: unique, and new rows land at the end of the SID indexes instead of at random
    places, which keeps inserts cheap when millions of messages are stored.
    """
    return f"{prefix}{time.time_ns() // 1000 & 0xFFFFFFFFFFFF:012x}{os.urandom(10).hex()}"
