"""A throwaway PostgreSQL cluster for tests and benchmarks: a real server, never a mock.

``PgCluster`` runs ``initdb`` into a fresh temporary directory, starts the server with
``pg_ctl`` on a free TCP port of 127.0.0.1 (its Unix socket inside that directory, so it
never meets a system server), creates a database, and gives its URL::

    with PgCluster(settings={"max_connections": 200}) as pg:
        url = pg.url                # postgresql://test:<password>@127.0.0.1:<port>/test
        other = pg.new_database()   # a fresh, empty database in the same cluster

PostgreSQL refuses to run as root. When we are root, every server command runs as an
unprivileged user instead (``postgres`` where Debian's package created it, else ``nobody``),
through ``subprocess``'s ``user=``/``group=``/``extra_groups=`` (the same setresgid, setgroups
and setresuid calls as ``setpriv``, done in the child before exec, no shell, no ``runuser``
PAM session), and the temporary directory is handed to that user.

Cleanup: ``stop()`` (or leaving the ``with`` block) stops the server in fast mode and removes
the directory. An ``atexit`` hook does the same when the process ends without calling it, and a
small watchdog process (this file run as a script) does it when the process dies without
running ``atexit`` at all (SIGKILL, ``os._exit``): it holds the read end of a pipe whose only
write end lives in the owning process, so the pipe's EOF means that process is gone.

Only the standard library is used here, so the module works without pytest or a driver;
databases are created with the cluster's own ``psql``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

__all__ = [
    "PgBinariesNotFound",
    "PgCluster",
    "PgClusterError",
    "PgTools",
    "find_pg_tools",
]

SettingValue = str | int | float | bool
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PgClusterError(RuntimeError):
    """The cluster could not be created, started or used (the message says why)."""


class PgBinariesNotFound(PgClusterError):
    """No ``initdb``/``pg_ctl`` on PATH nor in ``/usr/lib/postgresql/*/bin``."""


@dataclass(frozen=True)
class PgTools:
    """Where the server programs are: ``initdb``, ``pg_ctl`` and ``psql``."""

    initdb: Path
    pg_ctl: Path
    psql: Path

    @property
    def bin_dir(self) -> Path:
        return self.initdb.parent


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin: "15", "9.6", "17" -> numeric order, newest last.
    parts = re.findall(r"\d+", path.parent.name)
    return tuple(int(p) for p in parts) or (-1,)


def _tools_in(bin_dir: Path) -> PgTools | None:
    names = ("initdb", "pg_ctl", "psql")
    paths = [bin_dir / name for name in names]
    if all(p.is_file() and os.access(p, os.X_OK) for p in paths):
        return PgTools(*paths)
    return None


def find_pg_tools(bin_dir: str | os.PathLike[str] | None = None) -> PgTools:
    """Find the server programs: ``bin_dir`` if given, else PATH, else the newest
    ``/usr/lib/postgresql/<version>/bin``. Raises ``PgBinariesNotFound``."""
    if bin_dir is not None:
        tools = _tools_in(Path(bin_dir))
        if tools is None:
            raise PgBinariesNotFound(f"no initdb, pg_ctl and psql in {bin_dir}")
        return tools
    on_path = shutil.which("initdb")
    if on_path is not None:
        # PATH may hold symlinks (e.g. /usr/local/bin/initdb -> .../15/bin/initdb): the real
        # directory has the matching pg_ctl and psql of the same version.
        tools = _tools_in(Path(on_path).resolve().parent)
        if tools is not None:
            return tools
        pg_ctl, psql = shutil.which("pg_ctl"), shutil.which("psql")
        if pg_ctl is not None and psql is not None:
            return PgTools(Path(on_path), Path(pg_ctl), Path(psql))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    for candidate in versions:
        tools = _tools_in(candidate)
        if tools is not None:
            return tools
    raise PgBinariesNotFound(
        "PostgreSQL server binaries not found (no initdb on PATH nor in "
        "/usr/lib/postgresql/*/bin; on Debian: apt-get install postgresql)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _conf_value(value: SettingValue) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return str(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _traversable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Can ``uid`` (with groups ``gids``) reach ``path``, i.e. search every directory on it?"""
    for directory in [path, *path.parents]:
        try:
            st = directory.stat()
        except OSError:
            return False
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purposes (its parent has not reaped it yet).
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
        return int(first)
    except (OSError, ValueError):
        return None


def _kill_postmaster(data_dir: Path, grace: float = 10.0) -> None:
    """Stop the postmaster by signal: fast shutdown (SIGINT), then SIGQUIT, then SIGKILL."""
    pid = _postmaster_pid(data_dir)
    if pid is None:
        return
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        exe = ""
    if exe and "postgres" not in os.path.basename(exe):
        return  # the pid file is stale and the number belongs to someone else now
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _process_alive(pid):
                return
            time.sleep(0.02)


class PgCluster:
    """One throwaway PostgreSQL server (initdb + pg_ctl) in a temporary directory.

    Args:
        user, password: the superuser the tests connect as (password random by default).
        database: the database created at start (``url`` points at it).
        settings: extra ``postgresql.conf`` settings, e.g. ``{"shared_buffers": "256MB",
            "max_connections": 200}``; ``fsync`` and ``synchronous_commit`` keep their
            defaults (on) unless given here.
        auth: ``pg_hba`` method for TCP connections: ``"scram-sha-256"`` (password checked),
            ``"md5"`` or ``"trust"``. The Unix socket, private to the directory, is ``trust``.
        cpus: pin the server (postmaster and every backend) to these CPUs (``taskset -c``).
        base_dir: where the temporary directory goes (default: the system temp dir, or
            /tmp when the server user cannot reach that).
        bin_dir: the directory of ``initdb``/``pg_ctl``/``psql`` (default: ``find_pg_tools``).
        run_as: the OS user for the server when we are root (default ``postgres``, else
            ``nobody``); ignored when we are not root (the server runs as us).
        start_timeout: seconds to wait for the server to accept connections.
        watchdog: also start the watchdog process that cleans up after a hard kill.
    """

    def __init__(
        self,
        *,
        user: str = "test",
        password: str | None = None,
        database: str = "test",
        settings: Mapping[str, SettingValue] | None = None,
        auth: str = "scram-sha-256",
        cpus: Iterable[int] | None = None,
        base_dir: str | os.PathLike[str] | None = None,
        bin_dir: str | os.PathLike[str] | None = None,
        run_as: str | None = None,
        start_timeout: float = 60.0,
        watchdog: bool = True,
    ) -> None:
        for name in (user, database):
            if not _NAME.fullmatch(name):
                raise ValueError(f"use a plain lower-case SQL name, not {name!r}")
        if auth not in ("scram-sha-256", "md5", "trust"):
            raise ValueError(f"unsupported auth method {auth!r}")
        self.user = user
        self.password = password if password is not None else secrets.token_hex(12)
        self.dbname = database
        self.host = "127.0.0.1"
        self.port = 0
        self.settings: dict[str, SettingValue] = dict(settings or {})
        self.auth = auth
        self.cpus = tuple(cpus) if cpus is not None else None
        self._base_dir = Path(base_dir) if base_dir is not None else None
        self._bin_dir = bin_dir
        self._run_as = run_as
        self.start_timeout = start_timeout
        self._want_watchdog = watchdog
        self.tools: PgTools | None = None
        self.dir: Path | None = None
        self._owner_pid = os.getpid()
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._started = False
        self._counter = 0
        self._server_uid: int | None = None
        self._server_gid: int | None = None

    # -- where and as whom ---------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._require_dir() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._require_dir() / "sock"

    @property
    def log_file(self) -> Path:
        return self._require_dir() / "server.log"

    @property
    def server_user(self) -> str:
        """The OS user the server runs as."""
        uid = self._server_uid if self._server_uid is not None else os.geteuid()
        return pwd.getpwuid(uid).pw_name

    @property
    def running(self) -> bool:
        pid = self.postmaster_pid
        return pid is not None and _process_alive(pid)

    @property
    def postmaster_pid(self) -> int | None:
        """The postmaster's pid (from ``postmaster.pid``), or None when it is not running."""
        if self.dir is None:
            return None
        return _postmaster_pid(self.data_dir)

    def _require_dir(self) -> Path:
        if self.dir is None:
            raise PgClusterError("the cluster is not started")
        return self.dir

    def _pick_server_user(self) -> None:
        if os.geteuid() != 0:
            return
        names = [self._run_as] if self._run_as else ["postgres", "nobody"]
        for name in names:
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            if entry.pw_uid == 0:
                raise PgClusterError(f"run_as={name!r} is root; PostgreSQL refuses to run as root")
            self._server_uid, self._server_gid = entry.pw_uid, entry.pw_gid
            return
        raise PgClusterError(f"running as root and no unprivileged user among {names}")

    def _make_dir(self) -> Path:
        if self._server_uid is None:
            bases = [self._base_dir or Path(tempfile.gettempdir())]
        else:
            gids = {self._server_gid} if self._server_gid is not None else set()
            choices = [self._base_dir] if self._base_dir else [Path(tempfile.gettempdir())]
            choices.append(Path("/tmp"))
            bases = [b for b in choices if _traversable_by(b.resolve(), self._server_uid, gids)]
            if not bases:
                raise PgClusterError(
                    f"user {self.server_user!r} cannot reach {choices[0]} (pass base_dir=)"
                )
        path = Path(tempfile.mkdtemp(prefix="pgcluster-", dir=bases[0]))
        (path / "sock").mkdir()
        if self._server_uid is not None and self._server_gid is not None:
            for item in (path, path / "sock"):
                os.chown(item, self._server_uid, self._server_gid)
        return path

    def _run(
        self, cmd: list[str], *, timeout: float = 120.0, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a server command as the server user, cwd in our directory."""
        full_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self._require_dir()),
            "LC_ALL": "C",
            "TZ": "UTC",
        }
        full_env.update(env or {})
        options: dict[str, Any] = {}
        if self._server_uid is not None:
            options.update(user=self._server_uid, group=self._server_gid, extra_groups=[])
        try:
            return subprocess.run(
                cmd,
                cwd=self._require_dir(),
                env=full_env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                start_new_session=True,  # Ctrl-C in the terminal is ours to handle, not its
                check=False,
                **options,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PgClusterError(f"{Path(cmd[0]).name} could not run: {exc}") from exc

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> PgCluster:
        """initdb, start the server, create the database; returns self."""
        if self._started:
            return self
        try:
            self.tools = find_pg_tools(self._bin_dir)
            self._pick_server_user()
            self.dir = self._make_dir()
            atexit.register(self._at_exit)
            if self._want_watchdog:
                self._start_watchdog()
            self._initdb()
            self._start_server()
            self._started = True
            self._psql(f'CREATE DATABASE "{self.dbname}"', database="postgres")
        except BaseException:
            self.stop()
            raise
        return self

    def _initdb(self) -> None:
        assert self.tools is not None
        pwfile = self._require_dir() / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self._server_uid is not None and self._server_gid is not None:
            os.chown(pwfile, self._server_uid, self._server_gid)
        cmd = [
            str(self.tools.initdb),
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            f"--auth-host={self.auth}",
            "--encoding=UTF8",
            "--locale=C",
            # The cluster is thrown away: skip initdb's final sync of ~40 MB of catalog files.
            # The server's own fsync (WAL, commits, checkpoints) stays on unless settings say.
            "--no-sync",
        ]
        result = self._run(cmd)
        pwfile.unlink()
        if result.returncode != 0:
            raise PgClusterError(f"initdb failed:\n{result.stdout}{result.stderr}")
        conf: dict[str, SettingValue] = {
            "listen_addresses": self.host,
            "unix_socket_directories": str(self.socket_dir),
            "logging_collector": False,
            "log_min_messages": "warning",
        }
        conf.update(self.settings)
        lines = [f"{key} = {_conf_value(value)}" for key, value in conf.items()]
        with (self.data_dir / "postgresql.conf").open("a") as handle:
            handle.write("\n# pgcluster.py\n" + "\n".join(lines) + "\n")

    def _start_server(self) -> None:
        assert self.tools is not None
        last = ""
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = _free_port()
            cmd = [
                str(self.tools.pg_ctl),
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                str(int(self.start_timeout)),
                "-o",
                f"-p {self.port}",
            ]
            if self.cpus is not None:
                taskset = shutil.which("taskset")
                if taskset is None:
                    raise PgClusterError("cpus= needs taskset (util-linux)")
                cmd = [taskset, "-c", ",".join(str(c) for c in self.cpus), *cmd]
            result = self._run(cmd, timeout=self.start_timeout + 30)
            if result.returncode == 0:
                return
            last = self._log_tail()
            _kill_postmaster(self.data_dir)
            if "could not bind" not in last and "already in use" not in last:
                break
        raise PgClusterError(f"the PostgreSQL server did not start:\n{last}")

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server (fast mode) and remove the directory. Safe to call twice."""
        if self.dir is not None:
            if self.tools is not None and self.postmaster_pid is not None:
                with contextlib.suppress(PgClusterError):
                    self._run(
                        [str(self.tools.pg_ctl), "stop", "-D", str(self.data_dir), "-m", "fast"],
                        timeout=60,
                    )
                _kill_postmaster(self.data_dir)  # no-op when pg_ctl stopped it
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        self._started = False
        if self._watchdog is not None:
            watchdog, self._watchdog = self._watchdog, None
            assert watchdog.stdin is not None
            watchdog.stdin.close()  # EOF: it finds nothing left to clean and exits
            try:
                watchdog.wait(30)
            except subprocess.TimeoutExpired:
                watchdog.kill()
                watchdog.wait()
        atexit.unregister(self._at_exit)

    def _at_exit(self) -> None:
        if os.getpid() == self._owner_pid:  # not in a forked child that inherited the hook
            self.stop()

    def _start_watchdog(self) -> None:
        self._watchdog = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--watchdog", str(self._require_dir())],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # not in our process group: Ctrl-C does not reach it
        )

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"{self.host}:{self.port}" if self._started else "stopped"
        return f"<PgCluster {state} dir={self.dir}>"

    # -- connecting ------------------------------------------------------------------------

    def url_for(self, database: str) -> str:
        """``postgresql://user:password@127.0.0.1:port/database``."""
        self._require_dir()
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{database}"

    @property
    def url(self) -> str:
        """URL of the database created at start (asyncpg, psycopg and libpq all take it)."""
        return self.url_for(self.dbname)

    @property
    def dsn(self) -> dict[str, Any]:
        """The URL's parts: host, port, user, password, dbname (psycopg's keyword names;
        asyncpg calls dbname ``database``)."""
        self._require_dir()
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
        }

    def _psql(self, sql: str, *, database: str | None = None) -> str:
        assert self.tools is not None
        # Over TCP with the password, so auth is exercised the way the tests connect.
        cmd = [
            str(self.tools.psql),
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database or self.dbname,
            "-c",
            sql,
        ]
        result = self._run(cmd, env={"PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "30"})
        if result.returncode != 0:
            raise PgClusterError(f"psql failed on {sql!r}: {result.stderr.strip()}")
        return result.stdout

    def execute(self, sql: str, database: str | None = None) -> str:
        """Run SQL with psql (default: in ``dbname``); returns psql's unaligned output."""
        if not self._started:
            raise PgClusterError("the cluster is not started")
        return self._psql(sql, database=database)

    def new_database(self, name: str | None = None) -> str:
        """Create a fresh, empty database in this cluster and return its URL."""
        if name is None:
            self._counter += 1
            name = f"{self.dbname}_{self._counter}_{secrets.token_hex(3)}"
        if not _NAME.fullmatch(name):
            raise ValueError(f"use a plain lower-case SQL name, not {name!r}")
        self.execute(f'CREATE DATABASE "{name}"', database="postgres")
        return self.url_for(name)

    def drop_database(self, name_or_url: str) -> None:
        """Drop a database (name or URL), closing any connections still open to it."""
        name = name_or_url.rsplit("/", 1)[-1].split("?", 1)[0]
        if not _NAME.fullmatch(name):
            raise ValueError(f"use a plain lower-case SQL name, not {name!r}")
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', database="postgres")


def _watchdog_main(directory: str) -> None:
    """Watchdog process: wait for EOF on stdin (the owner is gone), then clean up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        while sys.stdin.buffer.read(4096):
            pass
    path = Path(directory)
    if path.exists():
        _kill_postmaster(path / "data")
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--watchdog":
        _watchdog_main(sys.argv[2])
    else:
        sys.exit("usage: pgcluster.py --watchdog DIR (started by PgCluster)")
