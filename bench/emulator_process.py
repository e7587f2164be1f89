"""The emulator in its own process, pinned to one CPU, for the emulator and voice benchmarks.

``start_emulator(db, cpu)`` runs this file under ``taskset``; the child prints its base URL and
credentials, then serves until its stdin closes (``stop_emulator``). ``timing`` (keyword
arguments of ``Timing``, e.g. ``{"scale": 0.0}``) replaces the default fast timing;
``profile`` (a file path) runs cProfile on the emulator's loop thread and dumps the stats
there when it stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def serve(db: str, timing: str = "", profile: str = "") -> None:
    """Child process: run the emulator until stdin closes."""
    from twilio_connector.emulator import Emulator, Timing

    chosen = Timing(**json.loads(timing)) if timing else Timing.fast()
    emu = Emulator(port=0, db_path=db, phone_numbers=("+15017122661",), timing=chosen)
    emu.start()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        emu.call(lambda _core: profiler.enable())  # the loop thread is the one profiled
    print(f"{emu.base_url} {emu.account_sid} {emu.auth_token}", flush=True)
    sys.stdin.read()
    if profiler is not None:
        emu.call(lambda _core: profiler.disable())
        profiler.dump_stats(profile)
    emu.stop()


def start_emulator(
    db: str,
    cpu: int,
    src: str | None = None,
    *,
    timing: dict[str, float] | None = None,
    profile: str | None = None,
) -> tuple[subprocess.Popen[str], str, str, str]:
    """Start the emulator pinned to ``cpu``; returns (process, base URL, SID, token).
    ``src``: the ``src`` directory of another checkout to run instead (a baseline)."""
    cmd = ["taskset", "-c", str(cpu), sys.executable, __file__, db]
    if timing is not None or profile is not None:
        cmd += [json.dumps(timing) if timing is not None else "", profile or ""]
    env = None if src is None else {**os.environ, "PYTHONPATH": src}
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if len(line) != 3:
        proc.kill()
        raise RuntimeError("emulator did not start")
    return proc, line[0], line[1], line[2]


def stop_emulator(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    serve(*sys.argv[1:4])
