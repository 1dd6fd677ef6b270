"""PostgreSQL restarts while the app serves REST requests (a private cluster; the app is never restarted).

During the outage every request gets a quick 503 problem+json with Retry-After (no hang, no 500); once the
server is back the same app process answers 200 again (the pool pre-pings and replaces dead connections).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.faults.processes import PrivatePostgres, register, running, service_env, start_api, wait_until

MAX_REQUEST_SECONDS = 8.0  # connect_timeout is 5 s; a refused connection fails at once


def _hammer(
    base_url: str, auth: dict[str, str], stop: threading.Event, seen: list[tuple[int, float, str]]
) -> None:
    """Keep listing leads from another thread, as a client would, for the whole test."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = client.get("/api/v1/leads?limit=20", headers=auth)
                seen.append((response.status_code, time.monotonic() - started, response.text[:300]))
            except httpx.HTTPError as exc:  # a dropped connection would be a failure too
                seen.append((-1, time.monotonic() - started, repr(exc)))
            time.sleep(0.05)


def test_requests_get_503_during_a_postgres_restart_and_the_pool_recovers(
    private_postgres: PrivatePostgres, private_database: str, tmp_path: Path
) -> None:
    env = service_env(database_url=private_database, redis_url=None)  # in-process queue: DB only
    api, base_url = start_api(env, tmp_path / "api.log")
    stop = threading.Event()
    seen: list[tuple[int, float, str]] = []
    with running(api), httpx.Client(base_url=base_url, timeout=30) as client:
        auth = register(client, "pg-restart@example.com")
        assert (
            client.post(
                "/api/v1/leads", json={"platform": "linkedin", "username": "kept"}, headers=auth
            ).status_code
            == 201
        )
        hammer = threading.Thread(target=_hammer, args=(base_url, auth, stop, seen), daemon=True)
        hammer.start()
        wait_until(lambda: len(seen) >= 5, timeout=30, what="requests served before the restart")

        private_postgres.stop("fast")  # terminates the pooled connections, refuses new ones
        try:
            down = client.get("/api/v1/leads", headers=auth)
            assert down.status_code == 503, down.text
            assert down.headers["content-type"].startswith("application/problem+json")
            assert down.headers["Retry-After"].isdigit()
            problem = down.json()
            assert problem["code"] == "service_unavailable" and problem["status"] == 503
            write = client.post(
                "/api/v1/leads", json={"platform": "linkedin", "username": "lost"}, headers=auth
            )
            assert write.status_code == 503, write.text
            health = client.get("/api/v1/health")
            assert health.status_code == 503 and health.json()["status"] == "down"
            outage_seen = len(seen)
            wait_until(lambda: len(seen) >= outage_seen + 3, timeout=30, what="requests during the outage")
        finally:
            private_postgres.start()

        # The same process (never restarted) serves again.
        wait_until(
            lambda: client.get("/api/v1/leads", headers=auth).status_code == 200,
            timeout=30,
            what="the pool serves again after the restart",
        )
        recovered = len(seen)
        wait_until(lambda: len(seen) >= recovered + 5, timeout=30, what="requests after the restart")
        stop.set()
        hammer.join(timeout=35)
        assert api.poll() is None, "the app process must survive the database restart"

        usernames = [row["username"] for row in client.get("/api/v1/leads", headers=auth).json()["data"]]
        assert usernames == ["kept"]  # nothing half-written by the refused request
        assert client.get("/api/v1/health").json()["status"] in {"ok", "degraded"}

    statuses = [status for status, _, _ in seen]
    assert set(statuses) <= {200, 503}, [s for s in seen if s[0] not in {200, 503}][:3]
    assert 503 in statuses and statuses[-1] == 200
    slowest = max(elapsed for _, elapsed, _ in seen)
    assert slowest < MAX_REQUEST_SECONDS, slowest
    assert all('"service_unavailable"' in text for status, _, text in seen if status == 503)
    log = (tmp_path / "api.log").read_text(errors="replace")
    assert "Traceback" not in log and "unhandled error" not in log
