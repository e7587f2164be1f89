"""The throwaway PostgreSQL cluster (tests/pgcluster.py) and its fixtures: a real server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import asyncpg
import pg_fixtures
import psycopg
import pytest
from pg_fixtures import TESTS, on_ci, start_pg_cluster
from pgcluster import PgBinariesNotFound, PgCluster, find_pg_tools
from support.wait import wait_until

# The fixtures, for this module. (`from pg_fixtures import pg_cluster, pg_url` works too, but
# then ruff reports every test that takes them as a parameter as F811, a redefinition.)
pg_cluster = pg_fixtures.pg_cluster
pg_url = pg_fixtures.pg_url


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


async def test_asyncpg_select_one(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        assert await conn.fetchval("select 1") == 1
        # Durable defaults stay on; the session cluster only raises max_connections.
        assert await conn.fetchval("show fsync") == "on"
        assert await conn.fetchval("show synchronous_commit") == "on"
        assert await conn.fetchval("show max_connections") == "200"
    finally:
        await conn.close()


async def test_psycopg_select_one(pg_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        cur = await conn.execute("select 1")
        assert await cur.fetchone() == (1,)


def test_dsn_parts_connect(pg_cluster: PgCluster) -> None:
    dsn = pg_cluster.dsn
    assert dsn["host"] == "127.0.0.1"
    assert pg_cluster.url == (
        f"postgresql://{dsn['user']}:{dsn['password']}@127.0.0.1:{dsn['port']}/{dsn['dbname']}"
    )
    with psycopg.connect(**dsn) as conn:
        assert conn.execute("select current_database()").fetchone() == (dsn["dbname"],)


async def test_wrong_password_is_refused(pg_cluster: PgCluster) -> None:
    dsn = pg_cluster.dsn
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(
            host=dsn["host"],
            port=dsn["port"],
            user=dsn["user"],
            password="not-the-password",
            database=dsn["dbname"],
        )


async def test_each_test_database_is_fresh(pg_cluster: PgCluster, pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("create table marker (x int)")
    finally:
        await conn.close()
    other = pg_cluster.new_database()
    try:
        conn = await asyncpg.connect(other)
        try:
            assert await conn.fetchval("select to_regclass('marker')") is None
        finally:
            await conn.close()
    finally:
        pg_cluster.drop_database(other)
    assert (
        pg_cluster.execute(
            f"select count(*) from pg_database where datname = '{other.rsplit('/', 1)[1]}'",
            database="postgres",
        ).strip()
        == "0"
    )


def test_server_never_runs_as_root(pg_cluster: PgCluster) -> None:
    pid = pg_cluster.postmaster_pid
    assert pid is not None
    uid_line = next(
        line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line[:4] == "Uid:"
    )
    assert all(int(uid) != 0 for uid in uid_line.split()[1:])
    if os.geteuid() == 0:
        assert pg_cluster.server_user in ("postgres", "nobody")


def test_stop_removes_dir_and_closes_port(pg_cluster: PgCluster) -> None:
    cluster = start_pg_cluster(settings={"shared_buffers": "16MB"}, watchdog=False)
    directory, port, pid = cluster.dir, cluster.port, cluster.postmaster_pid
    assert directory is not None and directory.is_dir() and pid is not None
    assert port_open(port)
    assert cluster.execute("show shared_buffers").strip() == "16MB"
    cluster.stop()
    assert not directory.exists()
    assert not port_open(port)
    assert not pid_alive(pid)
    cluster.stop()  # twice is fine


CHILD = textwrap.dedent(
    """
    import json, sys, time
    from pgcluster import PgCluster
    pg = PgCluster().start()
    print(json.dumps([str(pg.dir), pg.port, pg.postmaster_pid]), flush=True)
    if sys.argv[1] == "hang":
        time.sleep(60)
    """
)


def run_child(mode: str) -> tuple[subprocess.Popen[str], Path, int, int]:
    path = os.pathsep.join(p for p in (TESTS, os.environ.get("PYTHONPATH")) if p)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": path},  # the child imports pgcluster
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if not line:
        child.wait(30)
        pytest.fail("the child could not start a cluster")
    directory, port, pid = json.loads(line)
    return child, Path(directory), int(port), int(pid)


def test_process_exit_without_stop_cleans_up(pg_cluster: PgCluster) -> None:
    child, directory, port, pid = run_child("exit")
    assert child.wait(60) == 0  # atexit ran stop() before the process ended
    assert not directory.exists()
    assert not port_open(port)
    assert not pid_alive(pid)


def test_killed_process_is_cleaned_up_by_the_watchdog(pg_cluster: PgCluster) -> None:
    child, directory, port, pid = run_child("hang")
    try:
        assert directory.is_dir() and pid_alive(pid)
        child.send_signal(signal.SIGKILL)  # no atexit: only the watchdog can clean up
        child.wait(30)
        assert wait_until(lambda: not directory.exists() and not pid_alive(pid), 60)
        assert not port_open(port)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_missing_binaries_are_reported(tmp_path: Path) -> None:
    with pytest.raises(PgBinariesNotFound):
        find_pg_tools(tmp_path)


def test_unavailable_skips_locally_and_fails_on_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "false")
    assert not on_ci()
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL unavailable"):
        start_pg_cluster(bin_dir=tmp_path)
    monkeypatch.setenv("CI", "true")
    assert on_ci()
    with pytest.raises(pytest.fail.Exception, match="required when CI=true"):
        start_pg_cluster(bin_dir=tmp_path)
