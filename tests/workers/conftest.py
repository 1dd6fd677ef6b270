"""Fixtures for the workers tests: settings switched per test, a fresh broker per test, real Redis.

Self-contained on purpose (the project conftest may set its own environment): every fixture sets the
environment it needs with monkeypatch and clears the lru caches before and after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import dramatiq
import pytest
import redis

from snapleads_app.core import db, events, redis_client, settings

# Redis db 15 on the configured server (override with SNAPLEADS_TEST_REDIS_URL). Not the run's reserved db:
# the project conftest FLUSHDBs that one after each test, which would hit a concurrent run. The tests keep
# to their own key namespace / channel / keys and delete what they created.
_REDIS_BASE = (os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
REDIS_TEST_URL = os.environ.get("SNAPLEADS_TEST_REDIS_URL") or f"{_REDIS_BASE}/15"


def clear_caches() -> None:
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    redis_client.get_redis.cache_clear()
    events.reset_bus()


def redis_reachable(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def require_redis(url: str = REDIS_TEST_URL) -> None:
    """Skip without Redis, except in the PostgreSQL/Redis CI run where Redis is mandatory."""
    if redis_reachable(url):
        return
    if os.environ.get("SNAPLEADS_TEST_BACKEND") == "postgres":
        pytest.fail(f"Redis is required when SNAPLEADS_TEST_BACKEND=postgres but {url} is unreachable")
    pytest.skip(f"Redis not reachable at {url} (set SNAPLEADS_TEST_BACKEND=postgres to make this fail)")


@pytest.fixture(autouse=True)
def _no_broker_survives() -> Iterator[None]:
    """A broker set up by a workers test (or by importing workers.actors) never leaks into other tests."""
    yield
    from workers import broker as wb

    wb.shutdown_broker()


@pytest.fixture
def sqlite_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Embedded default: SQLite file in tmp_path, no Redis (an empty value also beats a .env file)."""
    db_path = tmp_path / "test.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("BCRYPT_ROUNDS", "4")
    clear_caches()
    yield db_path
    clear_caches()


@pytest.fixture
def stub_broker(sqlite_env: Path) -> Iterator[Any]:
    from workers import broker as wb

    wb.shutdown_broker()
    broker = wb.setup_broker()
    yield broker
    wb.shutdown_broker()


@pytest.fixture
def redis_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    require_redis()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'test.db'}")
    monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
    clear_caches()
    yield REDIS_TEST_URL
    clear_caches()


@pytest.fixture
def redis_broker(redis_env: str) -> Iterator[Any]:
    """A RedisBroker in its own key namespace; every key of that namespace is deleted afterwards."""
    from workers import broker as wb

    namespace = f"snapleads-test-{uuid.uuid4().hex[:12]}"
    wb.shutdown_broker()
    broker = wb.setup_broker(namespace=namespace)
    yield broker
    wb.shutdown_broker()
    client = redis.Redis.from_url(redis_env)
    try:
        keys = list(client.scan_iter(match=f"{namespace}:*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def declare_actor() -> Iterator[Callable[..., str]]:
    """Declare a temporary actor on the current broker; returns its (unique) name; undeclared after."""
    from workers import broker as wb

    names: list[str] = []

    def _declare(fn: Callable[..., Any], **options: Any) -> str:
        name = f"test.{fn.__name__}.{uuid.uuid4().hex[:8]}"
        cast(Any, dramatiq.actor)(fn, actor_name=name, broker=wb.get_broker(), **options)
        names.append(name)
        return name

    yield _declare
    for name in names:
        wb.forget_actor(name)


@pytest.fixture
def jobs_count() -> Callable[[str, str], float]:
    """Read `snapleads_jobs_total{actor,outcome}` from the default Prometheus registry."""
    from prometheus_client import REGISTRY

    def _count(actor: str, outcome: str) -> float:
        return REGISTRY.get_sample_value("snapleads_jobs_total", {"actor": actor, "outcome": outcome}) or 0.0

    return _count
