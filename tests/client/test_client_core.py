"""The sans-IO core's pure parts: parameter conversion and form encoding (no sockets)."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from twilio_connector._wire import encode_form, form


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=40)), max_size=6))
def test_encode_form_matches_urlencode(pairs: list[tuple[str, str]]) -> None:
    assert encode_form(pairs) == urlencode(pairs)


def test_encode_form_examples() -> None:
    assert encode_form([]) == ""
    assert encode_form([("To", "+1 415"), ("Body", "a&b=c/ü✓")]) == (
        "To=%2B1+415&Body=a%26b%3Dc%2F%C3%BC%E2%9C%93"
    )
    assert encode_form([("DateSent<", "2024-01-01"), ("Body", "")]) == (
        "DateSent%3C=2024-01-01&Body="
    )


class Status(str, enum.Enum):
    CANCELED = "canceled"


class Size(enum.IntEnum):
    SMALL = 5


def test_form_conversions() -> None:
    aware = datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5)))
    pairs = form(
        Skipped=None,
        Empty="",
        Text="hi",
        Yes=True,
        No=False,
        Number=7,
        Ratio=0.5,
        When=aware,
        Naive=datetime(2030, 1, 2, 3, 4, 5),
        Day=date(2024, 2, 29),
        Json={"1": "Ada", "2": 3},
        Many=["a", "b", "a"],
        Pair=("x", True),
        Enum=Status.CANCELED,
        IntEnum=Size.SMALL,
        Enums=[Status.CANCELED],
    )
    assert pairs[:10] == [
        ("Empty", ""),
        ("Text", "hi"),
        ("Yes", "true"),
        ("No", "false"),
        ("Number", "7"),
        ("Ratio", "0.5"),
        ("When", "2030-01-02T08:04:05Z"),
        ("Naive", "2030-01-02T03:04:05Z"),
        ("Day", "2024-02-29"),
        ("Json", '{"1":"Ada","2":3}'),
    ]
    assert json.loads(pairs[9][1]) == {"1": "Ada", "2": 3}
    assert pairs[10:] == [
        ("Many", "a"),
        ("Many", "b"),
        ("Many", "a"),
        ("Pair", "x"),
        ("Pair", "true"),
        ("Enum", "canceled"),
        ("IntEnum", "5"),
        ("Enums", "canceled"),
    ]
