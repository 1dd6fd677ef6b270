"""A database that cannot be reached answers 503 problem+json with Retry-After — never a 500 — and a
database error that is not about the connection (a deadlock) stays a 500. The full outage with a real
PostgreSQL restart is tests/faults/test_postgres_restart.py."""

from __future__ import annotations

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from snapleads_app.core import db, health
from tests.factories import register_owner
from tests.faults.processes import free_port

PROBLEM = "application/problem+json"


@pytest.fixture
def cut_database(monkeypatch: pytest.MonkeyPatch):
    """Call it to point every unit of work (and the health check) at a port where nothing listens."""
    engine = db.build_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")

    def cut() -> None:
        monkeypatch.setattr(db, "get_engine", lambda: engine)
        monkeypatch.setattr(health, "get_engine", lambda: engine)

    yield cut
    engine.dispose()


def test_requests_get_503_when_the_database_is_unreachable(client, cut_database):
    owner = register_owner()  # a valid token: the request gets as far as the database
    cut_database()
    for method, path in (("GET", "/api/v1/leads"), ("POST", "/api/v1/auth/login")):
        body = {"email": owner.email, "password": "x"} if method == "POST" else None
        response = client.request(method, path, json=body, headers=owner.auth)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["Retry-After"].isdigit()
        assert response.json()["code"] == "service_unavailable"
        assert "Traceback" not in response.text and "psycopg" not in response.text


def test_health_reports_the_database_down(client, cut_database):
    cut_database()
    response = client.get("/api/v1/health")
    assert response.status_code == 503 and response.json()["status"] == "down"


def test_a_database_error_that_is_not_a_lost_connection_stays_a_500(api):
    # (A deadlock is retried by the route and then a 503: tests/api/test_conflict_retry.py.)
    @api.get("/api/v1/_timeout")
    def statement_timeout() -> None:
        raise OperationalError(
            "SELECT 1", {}, psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
        )

    with TestClient(api, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/_timeout")
    assert response.status_code == 500 and response.json()["code"] == "internal_error"
