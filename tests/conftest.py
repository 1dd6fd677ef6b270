"""Test environment: real PostgreSQL + Redis (SNAPLEADS_TEST_BACKEND=postgres) or the embedded default.

The environment is fixed here, before any settings or engine exist. Each session creates its own
database (and uses its own Redis db number) and drops it at the end; nothing else is touched.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

BACKEND = os.environ.get("SNAPLEADS_TEST_BACKEND", "embedded")
ROOT = Path(__file__).resolve().parents[1]
_RUN_ID = uuid.uuid4().hex[:10]
_TMP = Path(tempfile.mkdtemp(prefix="snapleads-tests-"))

os.environ["ENVIRONMENT"] = "test"
os.environ["BCRYPT_ROUNDS"] = "4"  # cost 12 in production (asserted in tests/unit); 4 keeps tests fast
os.environ["LOG_FORMAT"] = "text"
os.environ.setdefault("JWT_SECRET", "test-secret-" + "x" * 40)
os.environ["UPLOAD_DIR"] = str(_TMP / "uploads")  # never the developer's data/uploads

if BACKEND == "postgres":
    _SERVER_URL = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    _DB_NAME = f"snapleads_test_{_RUN_ID}"
    os.environ["DATABASE_URL"] = _SERVER_URL.rsplit("/", 1)[0] + f"/{_DB_NAME}"
    _redis_base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    os.environ["REDIS_URL"] = f"{_redis_base}/{os.environ.get('SNAPLEADS_TEST_REDIS_DB', '11')}"
elif BACKEND == "embedded":
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'test.db'}"
    os.environ.pop("REDIS_URL", None)
else:  # pragma: no cover - a typo in the environment must not silently test the wrong thing
    raise RuntimeError(f"unknown SNAPLEADS_TEST_BACKEND={BACKEND!r}")


def _admin_engine() -> Any:
    from sqlalchemy import create_engine

    return create_engine(_SERVER_URL, isolation_level="AUTOCOMMIT")


def _migrate_to_head() -> None:
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    """A fresh database migrated with `alembic upgrade head` (the migrations are under test too)."""
    from sqlalchemy import text

    if BACKEND == "postgres":
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{_DB_NAME}"'))
    _migrate_to_head()
    yield os.environ["DATABASE_URL"]
    from snapleads_app.core.db import get_engine

    get_engine().dispose()
    if BACKEND == "postgres":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_DB_NAME}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def jobs() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Record the jobs services enqueue (after commit) instead of running them."""
    from snapleads_app.core import tasks

    sent: list[tuple[str, dict[str, Any]]] = []
    previous = (tasks._sender, tasks._status_provider)
    tasks.install_sender(lambda job, kwargs: sent.append((job, kwargs)))
    yield sent
    tasks.install_sender(*previous)


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with empty tables, counters and clock; jobs are recorded unless a test installs
    a real broker."""
    from snapleads_app.core import clock, ratelimit, tasks

    _ensure_run_settings()
    if tasks._sender is None:
        tasks.install_sender(lambda job, kwargs: None)
    yield
    clock.reset()
    ratelimit.clear_memory()
    _ensure_run_settings()
    _truncate_all()
    _flush_test_redis()


_RUN_ENV = {key: os.environ.get(key) for key in ("DATABASE_URL", "REDIS_URL")}


def _ensure_run_settings() -> None:
    """Tests that switch settings (monkeypatched env + cleared caches) can leave a cached Settings of
    their own behind once monkeypatch restores the environment: start every test on this run's."""
    from snapleads_app.core import db, events, redis_client, settings

    current = settings.get_settings()
    if current.database_url == _RUN_ENV["DATABASE_URL"] and current.redis_url == (
        _RUN_ENV["REDIS_URL"] or None
    ):
        return
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    redis_client.get_redis.cache_clear()
    events.reset_bus()


def _truncate_all() -> None:
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import snapleads_app.domain.models_registry  # noqa: F401
    from snapleads_app.core.db import get_engine

    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    # DELETE beats TRUNCATE on tables this small (TRUNCATE rewrites files on PostgreSQL).
    with get_engine().begin() as conn:
        for table in tables:
            conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 - table names from our metadata


def _flush_test_redis() -> None:
    if BACKEND != "postgres":
        return
    from snapleads_app.core.redis_client import get_redis

    client = get_redis()
    if client is not None:
        client.flushdb()  # the db number is reserved for this test run (SNAPLEADS_TEST_REDIS_DB)


# Notifications: e-mails go to this run's temporary folder (file backend), never to the developer's
# data/mail nor to an SMTP server a local .env may name; tests that need SMTP start their own (aiosmtpd).
os.environ["MAIL_DIR"] = str(_TMP / "mail")
os.environ["SMTP_HOST"] = ""
