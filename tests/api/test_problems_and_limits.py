"""Problem bodies for every error class, the 5 MB body limit, rate-limit headers and 429."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import register_owner

PROBLEM = "application/problem+json"


def test_unknown_route_and_wrong_method_are_problems(client):
    missing = client.get("/api/v1/nope")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["code"] == "not_found" and missing.json()["instance"] == "/api/v1/nope"
    wrong = client.put("/api/v1/auth/login")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"


def test_unexpected_errors_are_500_problems_without_internals(api):
    @api.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    with TestClient(api, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/_boom")
    assert response.status_code == 500 and response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "internal_error"
    assert "hunter2" not in response.text and "Traceback" not in response.text


def test_bodies_over_5_mb_are_refused_with_413_by_content_length(client):
    big = b"x" * (5 * 1024 * 1024 + 1)
    response = client.post("/api/v1/auth/login", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "payload_too_large"


def test_streamed_bodies_over_5_mb_are_cut_off_with_413(client):
    chunk = b"x" * (1024 * 1024)

    def body():
        for _ in range(6):  # no content-length: chunked transfer
            yield chunk

    response = client.post("/api/v1/auth/login", content=body(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_bodies_under_the_limit_pass_through(client):
    response = client.post("/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 200})
    assert response.status_code == 401


def test_rate_limit_headers_and_429_after_100_requests_per_minute(client):
    owner = register_owner()
    first = client.get("/api/v1/members", headers=owner.auth)
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit"] == "100"
    assert first.headers["x-ratelimit-remaining"] == "99"
    assert 0 < int(first.headers["x-ratelimit-reset"]) <= 60
    for _ in range(99):
        assert client.get("/api/v1/members", headers=owner.auth).status_code == 200
    limited = client.get("/api/v1/members", headers=owner.auth)
    assert limited.status_code == 429 and limited.headers["content-type"] == PROBLEM
    assert limited.json()["code"] == "rate_limited" and int(limited.headers["retry-after"]) > 0
    assert limited.headers["x-ratelimit-remaining"] == "0"
    other = register_owner()  # limits are per user
    assert client.get("/api/v1/members", headers=other.auth).status_code == 200


def test_auth_endpoints_allow_10_per_minute(client):
    statuses = [
        client.post(
            "/api/v1/auth/login", json={"email": f"u{i}@example.com", "password": "Xx123456"}
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_request_id_is_echoed_or_generated(client):
    echoed = client.get("/api/v1/health", headers={"X-Request-ID": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    generated = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\n"})
    assert generated.headers["x-request-id"] != "bad id\n" and len(generated.headers["x-request-id"]) == 32


def test_health_reports_db_redis_and_queue(client):
    response = client.get("/api/v1/health")
    body = response.json()
    assert response.status_code == 200, body
    assert body["db"]["ok"] is True and body["redis"]["ok"] is True
    assert "queue" in body


def test_metrics_are_prometheus_text(client):
    client.get("/api/v1/health")
    response = client.get("/api/v1/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert 'snapleads_http_requests_total{method="GET",route="/api/v1/health",status="200"}' in response.text


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_openapi_and_docs_are_served_under_api_v1(client, path):
    assert client.get(path).status_code == 200


def test_server_timing_header_reports_app_time(client):
    response = client.get("/api/v1/health")
    name, _, duration = response.headers["server-timing"].partition(";dur=")
    assert name == "app" and float(duration) > 0


@pytest.mark.parametrize("path", ["/api/v1/health", "/api/v1/leads", "/api/v1/no-such-route"])
def test_security_headers_on_every_api_answer(client, path):
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_the_docs_page_may_run_its_scripts_but_not_be_framed(client):
    response = client.get("/api/v1/docs")
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
