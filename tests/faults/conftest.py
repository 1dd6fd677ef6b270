"""Fault-injection fixtures: a private PostgreSQL cluster and a private Redis per test run.

Only in the PostgreSQL + Redis pytest run: `private_postgres` skips elsewhere, and every fault test needs
it (they start real servers and processes; ≈ 30–60 s in all).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKEND
from tests.faults.processes import PG_BIN, PrivatePostgres, PrivateRedis, migrate, service_env


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    if BACKEND != "postgres" or not (PG_BIN / "initdb").exists():
        pytest.skip("fault injection needs PostgreSQL 15 binaries (postgres run)")
    cluster = PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_database(private_postgres: PrivatePostgres) -> str:
    """A migrated database of its own on the private cluster; returns its URL."""
    name = f"faults_{uuid.uuid4().hex[:8]}"
    private_postgres.create_database(name)
    url = private_postgres.url(name)
    migrate(service_env(database_url=url, redis_url=None))
    return url
