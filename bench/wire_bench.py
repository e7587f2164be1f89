"""Micro benchmark: the wire's form decoder (both modes) and encoder against the standard library.

``parse_form`` (lenient) is on the listener's hot path: every callback is decoded once before
its signature is checked; ``parse_form_strict`` decodes every emulator request. Bodies:

  * status  - a message status callback (237 B, ``%2B`` in the numbers);
  * inbound - an inbound SMS with a non-ASCII body (457 B);
  * long    - a 1.6 kB component (the long-component decoder);
  * big     - a 130 kB body of escapes (the cost a forged upload can impose).

Prints, per body, the median time per call of 15 rounds and the ratio to
``urllib.parse.parse_qsl`` (decoding) or ``urlencode`` (encoding) in the same run, so a
busy machine moves both alike::

    .venv/bin/python bench/wire_bench.py
"""

from __future__ import annotations

import statistics
import timeit
from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode

from twilio_connector._wire import encode_form, parse_form, parse_form_strict

STATUS = (
    b"AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01"
    b"&From=%2B15017250604&MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered"
    b"&SmsSid=SM0123456789abcdef0123456789abcdef&SmsStatus=delivered&To=%2B15558675310"
)
INBOUND_PARAMS = {
    "ToCountry": "US",
    "ToState": "CA",
    "SmsMessageSid": "SM" + "a" * 32,
    "NumMedia": "0",
    "ToCity": "SAN FRANCISCO",
    "FromZip": "94105",
    "SmsSid": "SM" + "a" * 32,
    "FromState": "CA",
    "SmsStatus": "received",
    "FromCity": "SAN FRANCISCO",
    "Body": "Hello there, caf\u00e9 \U0001f600 ok?",
    "FromCountry": "US",
    "To": "+15558675310",
    "ToZip": "94105",
    "NumSegments": "1",
    "MessageSid": "SM" + "a" * 32,
    "AccountSid": "AC" + "b" * 32,
    "From": "+15017250604",
    "ApiVersion": "2010-04-01",
}
INBOUND = urlencode(INBOUND_PARAMS).encode()
LONG = urlencode({"Body": "x y%z " * 200, "From": "+15017250604"}).encode()
BIG = urlencode({"Body": "\u00e9 & = + %" * 6000}).encode()
BODIES = (("status", STATUS, 20000), ("inbound", INBOUND, 20000), ("long", LONG, 5000))
BODIES += (("big", BIG, 50),)


def per_call(fn: Callable[[], Any], number: int) -> float:
    """Median microseconds per call over 15 rounds."""
    return statistics.median(timeit.repeat(fn, number=number, repeat=15)) / number * 1e6


def main() -> None:
    print(f"{'body':8s} {'bytes':>7s}  {'lenient':>9s} {'strict':>9s} {'parse_qsl':>10s}  ratios")
    for name, body, n in BODIES:
        text = body.decode()
        lenient = per_call(partial(parse_form, body), n)
        strict = per_call(partial(parse_form_strict, text, max_fields=10_000), n)
        stdlib = per_call(partial(parse_qsl, text, keep_blank_values=True), n)
        print(
            f"{name:8s} {len(body):7d}  {lenient:7.2f}us {strict:7.2f}us {stdlib:8.2f}us  "
            f"lenient x{lenient / stdlib:.2f}, strict x{strict / stdlib:.2f}"
        )
    pairs = list(INBOUND_PARAMS.items())
    ours = per_call(lambda: encode_form(pairs), 20000)
    stdlib = per_call(lambda: urlencode(pairs), 20000)
    print(
        f"encode inbound: encode_form {ours:.2f}us, urlencode {stdlib:.2f}us, x{ours / stdlib:.2f}"
    )


if __name__ == "__main__":
    main()
