"""PostgreSQL fixtures: one throwaway cluster per session, a fresh database per test.

Use them from a test module (or a conftest) by importing them::

    from pg_fixtures import pg_cluster, pg_url  # noqa: F401

Without PostgreSQL's server binaries (or when the server cannot start) the tests that use
these fixtures skip and say why, except with ``CI=true``, where they fail: on CI they must run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from pgcluster import PgCluster, PgClusterError

TESTS = str(Path(__file__).resolve().parent.parent)
"""The tests directory (where ``pgcluster`` lives: pytest puts it on ``sys.path``)."""

__all__ = ["on_ci", "pg_cluster", "pg_url", "start_pg_cluster"]

# Enough connections for pool tests; everything else stays at PostgreSQL's defaults (fsync and
# synchronous_commit on), so a test sees the server the inbox will run on.
SESSION_SETTINGS: dict[str, str | int | float | bool] = {"max_connections": 200}


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _unavailable(reason: str) -> NoReturn:
    if on_ci():
        pytest.fail(f"PostgreSQL is required when CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def start_pg_cluster(**options: Any) -> PgCluster:
    """Start a ``PgCluster(**options)``, or skip (fail when CI=true) if that is impossible."""
    try:
        return PgCluster(**options).start()
    except PgClusterError as exc:
        _unavailable(str(exc))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL server for the whole session (stopped and removed at the end)."""
    cluster = start_pg_cluster(settings=SESSION_SETTINGS)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """URL of a fresh, empty database in the session cluster; dropped after the test."""
    try:
        url = pg_cluster.new_database()
    except PgClusterError as exc:
        _unavailable(str(exc))
    yield url
    pg_cluster.drop_database(url)
