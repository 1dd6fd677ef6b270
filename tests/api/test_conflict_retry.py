"""A request that loses a real PostgreSQL deadlock is run again instead of answering 500.

Two requests lock the same two rows in opposite orders (a barrier makes them meet in the middle), so
PostgreSQL aborts one with `deadlock_detected`; the strict route runs that request again and both
answer 200. A route that keeps conflicting answers a retryable 503, never a 500.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from api_ext.problems import install_problem_handlers
from api_ext.routes import api_router
from snapleads_app.core.db import get_engine, unit_of_work
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="row locks and deadlocks need PostgreSQL")


@pytest.fixture
def probe() -> Iterator[None]:
    with get_engine().begin() as conn:
        conn.execute(text("CREATE TABLE conflict_retry_probe (id int PRIMARY KEY, n int NOT NULL)"))
        conn.execute(text("INSERT INTO conflict_retry_probe VALUES (1, 0), (2, 0)"))
    yield
    with get_engine().begin() as conn:
        conn.execute(text("DROP TABLE conflict_retry_probe"))


def _app(meet: threading.Barrier, attempts: list[str]) -> FastAPI:
    router = api_router("/probe")

    @router.post("/lock/{first}/{second}")
    def lock_in_order(first: int, second: int) -> dict[str, int]:
        attempts.append(f"{first}->{second}")
        with unit_of_work() as session:
            session.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
            session.execute(text("UPDATE conflict_retry_probe SET n = n + 1 WHERE id = :id"), {"id": first})
            if len(attempts) <= 2:  # only the first two runs meet; a retry goes straight through
                meet.wait(timeout=10)
            session.execute(text("UPDATE conflict_retry_probe SET n = n + 1 WHERE id = :id"), {"id": second})
        return {"ok": 1}

    @router.post("/always-deadlocks")
    def always_deadlocks() -> dict[str, int]:
        attempts.append("always")
        with unit_of_work() as session:
            session.execute(text("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$"))
        return {"ok": 1}  # pragma: no cover

    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router)
    return app


def test_the_loser_of_a_real_deadlock_is_run_again(probe: None) -> None:
    attempts: list[str] = []
    app = _app(threading.Barrier(2), attempts)
    statuses: dict[str, int] = {}
    with TestClient(app) as client:

        def call(first: int, second: int) -> None:
            statuses[f"{first}->{second}"] = client.post(f"/api/v1/probe/lock/{first}/{second}").status_code

        threads = [threading.Thread(target=call, args=order) for order in ((1, 2), (2, 1))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert statuses == {"1->2": 200, "2->1": 200}
    assert len(attempts) == 3  # one of the two was aborted by PostgreSQL and ran a second time
    with get_engine().connect() as conn:
        # Both requests' updates are there exactly once: the aborted run left nothing behind.
        assert conn.execute(text("SELECT sum(n) FROM conflict_retry_probe")).scalar_one() == 4


def test_a_conflict_that_never_clears_is_a_retryable_503(probe: None) -> None:
    attempts: list[str] = []
    with TestClient(_app(threading.Barrier(2), attempts), raise_server_exceptions=False) as client:
        response = client.post("/api/v1/probe/always-deadlocks")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert len(attempts) == 4  # the first run and three retries
