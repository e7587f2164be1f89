"""CLI start-up: what a command pays before it does anything, against what it used to pay.

The CLI loads ``emulator`` (uvicorn, jinja2, the whole emulator), ``listen`` and ``inbox``
only when one of them is run. This starts fresh interpreters, in one run, for:

* ``cli``: ``import twilio_connector.cli`` (what ``twilio-connector sms send`` imports);
* ``cli+eager``: the same plus ``twilio_connector.emulator.cli`` and
  ``twilio_connector.listener.cli``, which the CLI imported up front before (the baseline);
* ``twilio``: ``from twilio.rest import Client`` (the official SDK, for scale; skipped if
  it is not installed).

and prints the median and best wall time of ``--runs`` starts each (the interpreter's own
start included, so the numbers are what a shell user waits for).

    PYTHONPATH=src .venv/bin/python bench/cli_startup_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time

CASES = {
    "cli": "import twilio_connector.cli",
    "cli+eager": "import twilio_connector.cli, twilio_connector.emulator.cli, "
    "twilio_connector.listener.cli",
    "twilio": "from twilio.rest import Client",
}


def start_time(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cases = dict(CASES)
    if importlib.util.find_spec("twilio") is None:
        del cases["twilio"]
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):  # interleaved, so load on the machine hits every case alike
        for name, code in cases.items():
            times[name].append(start_time(code))
    print(f"{'case':<10} {'median ms':>10} {'best ms':>8}")
    for name, samples in times.items():
        print(f"{name:<10} {statistics.median(samples) * 1e3:>10.0f} {min(samples) * 1e3:>8.0f}")


if __name__ == "__main__":
    main()
