"""Database engine and the unit of work.

Services receive a `Session` and never commit; the adapter opens a unit of work with `unit_of_work()`
and side effects registered with `on_commit` (events, jobs) leave only after the commit succeeded.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from snapleads_app.core.errors import DomainError
from snapleads_app.core.settings import get_settings

log = logging.getLogger(__name__)
_AFTER_COMMIT = "snapleads_after_commit"
CONNECT_TIMEOUT_SECONDS = 5


def build_engine(url: str) -> Engine:
    settings = get_settings()
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=10,
        pool_recycle=1800,
        connect_args={
            # Tenant-skewed data makes generic plans wrong: never cache prepared plans.
            "prepare_threshold": None,
            # A database that does not answer fails the request fast (a 503) instead of hanging it.
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            # Short interactive queries: parallel workers cost more to start (~50 ms) than they save.
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms} -c max_parallel_workers_per_gather=0",
        },
    )
    _ping_idle_connections(engine)
    return engine


IDLE_PING_SECONDS = 10.0


def _ping_idle_connections(engine: Engine) -> None:
    """Survive a PostgreSQL restart without restarting the app, without `pool_pre_ping`'s round trip on
    every checkout: only a connection idle for a while is pinged (a dead one is replaced, like pre-ping);
    one that died in between fails its request once and SQLAlchemy then invalidates the whole pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in_at")
        if since is not None and time.monotonic() - since > IDLE_PING_SECONDS:
            try:
                engine.dialect.do_ping(dbapi_conn)
            except Exception as exc:
                raise DisconnectionError("idle connection is gone") from exc


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` after `session` commits; dropped if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed side effect must not undo a committed change
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def serialise_on(session: Session, key: str) -> None:
    """Until this transaction ends, other transactions asking for the same `key` wait (a PostgreSQL
    advisory transaction lock): for check-then-insert rules that no unique index can express."""
    if session.get_bind().dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:lock_id)"), {"lock_id": lock_id})


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Open a session, commit on success, roll back on error; after-commit effects run on commit."""
    session = new_session()
    try:
        yield session
        session.commit()
    except DomainError as exc:
        if exc.commit_before_raise:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
