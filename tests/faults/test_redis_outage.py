"""Redis stops while the app serves REST requests (real processes, private servers).

Defined behaviour while Redis is down:
- requests keep their normal answers (rate limits count in memory, events are delivered in process);
- `/health` answers 200 `degraded` with `redis.ok` and `queue.ok` false — never a 500;
- a job enqueued during the outage is parked in the database (`parked_job`), shown as `queue.parked`,
  and sent by the app's relay once Redis answers again; the worker then runs it. Nothing is lost.
Redis runs without persistence here (as in CI): the test never relies on what Redis held before.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.faults.processes import (
    PrivateRedis,
    register,
    running,
    service_env,
    start_api,
    start_worker,
    wait_until,
)

MAX_OUTAGE_REQUEST_SECONDS = 5.0


def _batch(prefix: str, n: int) -> dict[str, object]:
    return {
        "platform": "instagram",
        "leads": [{"username": f"{prefix}_{i}", "full_name": f"Outage Lead {i}"} for i in range(n)],
    }


def test_app_keeps_answering_and_jobs_survive_a_redis_outage(
    private_database: str, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    env = service_env(database_url=private_database, redis_url=private_redis.url)
    api, base_url = start_api(env, tmp_path / "api.log")
    worker = start_worker(env, tmp_path / "worker.log")
    with running(api, worker), httpx.Client(base_url=base_url, timeout=30) as client:
        auth = register(client, "redis-outage@example.com")
        before = client.post("/api/v1/leads/import", json=_batch("before", 3), headers=auth)
        assert before.status_code == 202, before.text
        wait_until(
            lambda: (
                client.get(f"/api/v1/leads/import/{before.json()['job_id']}", headers=auth).json()["status"]
                == "completed"
            ),
            timeout=60,
            what="the import sent while Redis is up completes",
        )
        lead = client.post(
            "/api/v1/leads", json={"platform": "linkedin", "username": "steady"}, headers=auth
        ).json()

        private_redis.stop()

        # Every kind of request still answers, quickly, with its normal status.
        remaining: list[int] = []
        calls = [
            ("GET", "/api/v1/leads", None, 200),
            ("GET", "/api/v1/leads?search=steady", None, 200),
            ("POST", "/api/v1/leads", {"platform": "linkedin", "username": "during_outage"}, 201),
            ("PATCH", f"/api/v1/leads/{lead['id']}", {"status": "contacted"}, 200),
            ("GET", "/api/v1/tags", None, 200),
            ("GET", "/api/v1/auth/me", None, 200),
        ]
        for method, path, body, expected in calls:
            started = time.monotonic()
            response = client.request(method, path, json=body, headers=auth)
            elapsed = time.monotonic() - started
            assert response.status_code == expected, (method, path, response.status_code, response.text)
            assert elapsed < MAX_OUTAGE_REQUEST_SECONDS, (method, path, elapsed)
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        # The rate limiter fell back to memory: it still counts (and would still refuse).
        assert remaining == sorted(remaining, reverse=True) and len(set(remaining)) == len(remaining)

        health = client.get("/api/v1/health")
        assert health.status_code == 200, health.text
        report = health.json()
        assert report["status"] == "degraded"
        assert report["db"]["ok"] is True
        assert report["redis"]["ok"] is False
        assert report["queue"]["ok"] is False
        # The create and the status change above queued their reactions (scoring, automations): parked.
        parked_before = report["queue"]["parked"]
        assert parked_before == 2

        # A job enqueued while Redis is down: accepted, parked in the database, visible in /health.
        during = client.post("/api/v1/leads/import", json=_batch("parked", 5), headers=auth)
        assert during.status_code == 202, during.text
        job_id = during.json()["job_id"]
        assert client.get("/api/v1/health").json()["queue"]["parked"] == parked_before + 1
        time.sleep(3)  # longer than the relay interval: it retries and keeps the job while Redis is down
        assert client.get(f"/api/v1/leads/import/{job_id}", headers=auth).json()["status"] == "queued"
        assert client.get("/api/v1/health").json()["queue"]["parked"] == parked_before + 1

        private_redis.start()  # same port, empty (no persistence)

        job = wait_until(
            lambda: (
                (j := client.get(f"/api/v1/leads/import/{job_id}", headers=auth).json())["status"]
                == "completed"
                and j
            ),
            timeout=90,
            interval=0.5,
            what="the job parked during the outage runs once Redis is back",
        )
        assert job["created"] == 5 and job["errors"] == 0
        found = client.get("/api/v1/leads?search=parked_&limit=100", headers=auth).json()["data"]
        assert sorted(row["username"] for row in found) == [f"parked_{i}" for i in range(5)]
        assert client.get("/api/v1/leads?search=during_outage", headers=auth).json()["data"]  # kept too
        back = wait_until(
            lambda: (r := client.get("/api/v1/health").json())["status"] == "ok" and r,
            timeout=30,
            what="health back to ok",
        )
        assert back["queue"]["parked"] == 0
