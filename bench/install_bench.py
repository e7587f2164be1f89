"""Install benchmark: what ``pip install twilio-connector[...]`` brings, and the client's import
time against the official ``twilio`` package, in one run.

It builds our wheel, then creates one fresh virtualenv per target under a temporary directory
and installs into it with pip (from PyPI or the configured index):

* ``core``: ``twilio-connector`` (the sync client, models, signatures, TwiML);
* one per extra: ``twilio-connector[async]``, ``[listener]``, ``[emulator]``, ``[postgres]``,
  ``[cli]``, ``[all]``;
* ``twilio``: the official SDK.

For each it counts the distributions installed (``importlib.metadata`` in that venv, the
venv's own pip and setuptools left out) and the megabytes added to site-packages (against an
empty venv). Then it times ``from twilio_connector import TwilioClient`` in the core venv and
``from twilio.rest import Client`` in the twilio venv: each run a fresh interpreter
(``python -I``: no PYTHONPATH, no user site) that times the import statement alone, in wall
time (``time.perf_counter``) and in CPU time (``time.process_time``: the work itself, which a
loaded machine does not inflate by descheduling the process); runs alternate between the two,
medians are compared and the target is read on CPU time (on an idle machine the two agree).
It also checks, in the core venv, that the import loaded no module of an extra and that
importing the listener names its extra. Targets: core <= 10 distributions; import ratio
<= 1.0. Run::

    .venv/bin/python bench/install_bench.py [--runs 21] [--json] [--targets core,twilio]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import venv
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("async", "listener", "emulator", "postgres", "cli", "all")
TARGETS = ("core", *EXTRAS, "twilio")
VENV_TOOLS = {"pip", "setuptools", "wheel"}  # what `python -m venv` puts there itself
OURS = "from twilio_connector import TwilioClient"
THEIRS = "from twilio.rest import Client"
_SID, _TOKEN = "'AC' + '0' * 32", "'0' * 32"
# Ready to send an SMS: our client builds its httpx.Client (and imports httpx) when it is made;
# the SDK loads its API domain on first access to `.messages`.
OURS_READY = f"{OURS}; TwilioClient(account_sid={_SID}, auth_token={_TOKEN}).messages"
THEIRS_READY = f"{THEIRS}; Client({_SID}, {_TOKEN}).messages"
EXTRA_MODULES = ("aiohttp", "multidict", "rich", "click", "starlette", "uvicorn", "jinja2")
MAX_CORE_DISTRIBUTIONS = 10
MAX_IMPORT_RATIO = 1.0

_TIMED = (
    "import time; t, c = time.perf_counter(), time.process_time(); {stmt}; "
    "print(time.perf_counter() - t, time.process_time() - c)"
)
_LOADED = "import sys; {stmt}; print(' '.join(sorted(m for m in {modules!r} if m in sys.modules)))"
_DISTS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps(sorted({d.metadata['Name'].lower().replace('_', '-') "
    "for d in m.distributions()})))"
)
_SITE = "import sysconfig; print(sysconfig.get_paths()['purelib'])"


@dataclass
class Install:
    target: str
    requirement: str
    distributions: list[str] = field(default_factory=list)
    megabytes: float = 0.0


@dataclass
class ImportTiming:
    statement: str
    cpu_median_ms: float
    wall_median_ms: float
    cpu_runs_ms: list[float]
    wall_runs_ms: list[float]


def _run(cmd: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _python(env_dir: Path) -> str:
    return str(env_dir / ("Scripts" if os.name == "nt" else "bin") / "python")


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build_wheel(out: Path) -> Path:
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(ROOT)])
    (wheel,) = out.glob("twilio_connector-*.whl")
    return wheel


def make_venv(path: Path) -> str:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return _python(path)


def install(target: str, requirement: str, root: Path, wheel_dir: Path, empty: int) -> Install:
    python = make_venv(root / target)
    _run([python, "-m", "pip", "install", "-q", "--find-links", str(wheel_dir), requirement])
    names = json.loads(_run([python, "-I", "-c", _DISTS]))
    site = Path(_run([python, "-I", "-c", _SITE]).strip())
    return Install(
        target,
        requirement,
        [n for n in names if n not in VENV_TOOLS],
        round((_size(site) - empty) / 1e6, 1),
    )


def time_statements(pythons: dict[str, str], runs: int) -> dict[str, ImportTiming]:
    """Each statement (key) timed in a fresh ``python -I`` (value) ``runs`` times, alternated
    so that a load spike hits every side."""
    wall: dict[str, list[float]] = {stmt: [] for stmt in pythons}
    cpu: dict[str, list[float]] = {stmt: [] for stmt in pythons}
    for _ in range(runs):
        for stmt, python in pythons.items():
            w, c = _run([python, "-I", "-c", _TIMED.format(stmt=stmt)]).split()
            wall[stmt].append(float(w) * 1e3)
            cpu[stmt].append(float(c) * 1e3)
    return {
        stmt: ImportTiming(
            stmt,
            round(statistics.median(cpu[stmt]), 1),
            round(statistics.median(wall[stmt]), 1),
            [round(x, 1) for x in cpu[stmt]],
            [round(x, 1) for x in wall[stmt]],
        )
        for stmt in pythons
    }


def core_checks(python: str) -> dict[str, str]:
    loaded = _run([python, "-I", "-c", _LOADED.format(stmt=OURS, modules=EXTRA_MODULES)])
    listener = subprocess.run(
        [python, "-I", "-c", "import twilio_connector.listener"],
        capture_output=True,
        text=True,
        check=False,
    )
    last = (listener.stderr.strip().splitlines() or [""])[-1]
    return {"extra_modules_loaded": loaded.strip(), "import_listener": last}


def _row(label: str, timing: ImportTiming) -> None:
    print(f"  {label:<45} {timing.cpu_median_ms:5.1f} ms {timing.wall_median_ms:5.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21, help="fresh-process imports per side")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated subset")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    if "core" not in targets or "twilio" not in targets:
        parser.error("core and twilio are needed for the import comparison")

    root = Path(tempfile.mkdtemp(prefix="install-bench-"))
    try:
        wheel_dir = root / "dist"
        wheel = build_wheel(wheel_dir)
        empty_python = make_venv(root / "empty")
        empty = _size(Path(_run([empty_python, "-I", "-c", _SITE]).strip()))
        installs: list[Install] = []
        for target in targets:
            if target == "twilio":
                requirement = "twilio"
            elif target == "core":
                requirement = str(wheel)
            else:
                requirement = f"{wheel}[{target}]"
            installs.append(install(target, requirement, root, wheel_dir, empty))
            if not args.json:
                print(f"installed {target}", file=sys.stderr)
        ours_python, theirs_python = _python(root / "core"), _python(root / "twilio")
        checks = core_checks(ours_python)
        timings = time_statements(
            {
                OURS: ours_python,
                THEIRS: theirs_python,
                OURS_READY: ours_python,
                THEIRS_READY: theirs_python,
            },
            args.runs,
        )
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)

    core = next(i for i in installs if i.target == "core")
    ours, theirs = timings[OURS], timings[THEIRS]
    ours_ready, theirs_ready = timings[OURS_READY], timings[THEIRS_READY]
    ratio = round(ours.cpu_median_ms / theirs.cpu_median_ms, 2)
    wall_ratio = round(ours.wall_median_ms / theirs.wall_median_ms, 2)
    ready_ratio = round(ours_ready.cpu_median_ms / theirs_ready.cpu_median_ms, 2)
    result = {
        "python": sys.version.split()[0],
        "installs": [asdict(i) for i in installs],
        "imports": {
            "ours": asdict(ours),
            "twilio": asdict(theirs),
            "ratio": ratio,
            "wall_ratio": wall_ratio,
        },
        "ready_to_send": {
            "ours": asdict(ours_ready),
            "twilio": asdict(theirs_ready),
            "ratio": ready_ratio,
        },
        "core_checks": checks,
        "targets": {
            "core_distributions": [len(core.distributions), MAX_CORE_DISTRIBUTIONS],
            "import_ratio": [ratio, MAX_IMPORT_RATIO],
        },
    }
    met = len(core.distributions) <= MAX_CORE_DISTRIBUTIONS and ratio <= MAX_IMPORT_RATIO
    if args.json:
        print(json.dumps(result, indent=2))
        return 0 if met else 1
    print(f"\nPython {result['python']}; distributions exclude the venv's pip/setuptools\n")
    print(f"{'install':<40} {'dists':>5} {'MB':>6}")
    for i in installs:
        label = "twilio (official SDK)" if i.target == "twilio" else f"twilio-connector[{i.target}]"
        label = "twilio-connector" if i.target == "core" else label
        print(f"{label:<40} {len(i.distributions):>5} {i.megabytes:>6.1f}")
    print(f"\ncore: {', '.join(core.distributions)}")
    print(f"\nimport, fresh process, median of {args.runs} (alternated):")
    print(f"  {'':<45} {'CPU':>8} {'wall':>8}")
    _row(OURS, ours)
    _row(THEIRS, theirs)
    print(f"  ratio (CPU) {ratio} (target <= {MAX_IMPORT_RATIO}); wall {wall_ratio}")
    print("\nimport + a client ready to send (ours: TwilioClient(...); SDK: Client(...).messages):")
    _row("ours", ours_ready)
    _row("twilio", theirs_ready)
    print(f"  ratio (CPU) {ready_ratio}")
    loaded = checks["extra_modules_loaded"] or "none"
    print(f"\ncore venv: modules of extras loaded by the import: {loaded}")
    print(f"core venv: import twilio_connector.listener -> {checks['import_listener']}")
    verdict = "met" if met else "NOT met"
    print(f"\ntargets (core <= {MAX_CORE_DISTRIBUTIONS} distributions, ratio <= 1.0): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
