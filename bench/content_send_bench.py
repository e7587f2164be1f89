"""Content template sends: does a ``ContentSid`` send cost about what a plain send costs?

The emulator runs in its own process pinned to CPU 0 (:mod:`emulator_process`); this process
(pinned to CPU 1) creates an approved template, then times ``POST Messages.json`` with our
sync client over one keep-alive connection: a plain SMS (``Body``), a template SMS
(``ContentSid`` + ``ContentVariables``: ``twilio/text``), a plain WhatsApp send inside the
24-hour window (opened by a simulated inbound message) and a template WhatsApp send (a quick
reply, the richer type). Rounds alternate them, each starting with another, so drift hits
them alike. Each figure is the median per-request latency over ``--runs`` rounds of
``--sends`` requests; the ratio is against the plain send of the same channel in the same
run (the baseline). Run::

    .venv/bin/python bench/content_send_bench.py [--sends 300] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from emulator_process import start_emulator, stop_emulator  # noqa: E402

from twilio_connector import TwilioClient  # noqa: E402
from twilio_connector.content_types import (  # noqa: E402
    QuickReplyAction,
    TwilioQuickReply,
    TwilioText,
)

FROM, TO = "+15017122661", "+15551230000"
SANDBOX = "+14155238886"


def timed(sends: int, send: object) -> float:
    assert callable(send)
    start = time.perf_counter()
    for i in range(sends):
        send(i)
    return (time.perf_counter() - start) / sends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, sid, token = start_emulator(str(Path(tmp) / "emu.sqlite"), cpu=0)
        try:
            with TwilioClient(account_sid=sid, auth_token=token, base_url=base) as client:
                template = client.content.create(
                    language="en",
                    variables={"1": "Ada"},
                    types=[
                        TwilioText(body="Hello {{1}}, order {{2}} has shipped."),
                        TwilioQuickReply(
                            body="Hello {{1}}, did order {{2}} arrive?",
                            actions=[QuickReplyAction(title="Yes"), QuickReplyAction(title="No")],
                        ),
                    ],
                ).sid
                client.content.request_whatsapp_approval(template, name="b", category="UTILITY")
                inbound = {"from": f"whatsapp:{TO}", "to": f"whatsapp:{SANDBOX}", "body": "hi"}
                client.request("POST", f"{base}/_emulator/messages/inbound", data=inbound)

                def plain(i: int) -> None:
                    client.send_sms(FROM, TO, f"Hello Ada, order {i} has shipped.")

                def sms(i: int) -> None:
                    client.messages.create(
                        to=TO, from_=FROM, content_sid=template, content_variables={"2": str(i)}
                    )

                def plain_whatsapp(i: int) -> None:
                    client.send_whatsapp_message(SANDBOX, TO, f"Hello Ada, order {i} shipped.")

                def whatsapp(i: int) -> None:
                    client.send_whatsapp_message(
                        SANDBOX, TO, content_sid=template, content_variables={"2": str(i)}
                    )

                kinds = {
                    "plain SMS": plain,
                    "template SMS": sms,
                    "plain WhatsApp": plain_whatsapp,
                    "template WhatsApp": whatsapp,
                }
                for send in kinds.values():  # warm up
                    timed(20, send)
                results: dict[str, list[float]] = {name: [] for name in kinds}
                names = list(kinds)
                for run in range(args.runs):  # each round starts with another kind
                    for name in names[run % len(names) :] + names[: run % len(names)]:
                        results[name].append(timed(args.sends, kinds[name]))
        finally:
            stop_emulator(proc)
    print(f"{args.runs} rounds x {args.sends} sends, median latency per send:")
    for name, values in results.items():
        median = statistics.median(values)
        baseline = statistics.median(results["plain " + name.split()[-1]])
        print(f"  {name:18} {median * 1e3:7.3f} ms   x{median / baseline:.2f} of plain")


if __name__ == "__main__":
    main()
